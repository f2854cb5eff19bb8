"""The page cache in Redis, as production runs it (REDIS_URL), and the site without it when
Redis cannot be reached (sca_briefings.cache.RedisCache)."""

import logging
import time

import pytest
import redis

from briefings.models import Issue
from briefings.pagecache import forget_local_pages
from briefings.services import content_changed
from sca_briefings import cache as site_cache
from subscribers.models import Subscriber
from tests.subscribers.conftest import signup_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def outage_warnings(caplog):
    return [r for r in caplog.records if "Redis cannot be reached" in r.getMessage()]


def test_pages_are_kept_in_redis_until_an_editor_changes_content(
    client, redis_cache, published_issue, django_assert_num_queries
):
    first = client.get("/")
    forget_local_pages()  # so the next answer comes from Redis, not this worker's own copy
    with django_assert_num_queries(0):
        second = client.get("/")
    assert second.content == first.content
    Issue.objects.filter(pk=published_issue.pk).update(title="Renamed issue")
    content_changed()
    assert "Renamed issue" in client.get("/").content.decode()


def test_the_site_keeps_working_while_redis_is_down(client, redis_cache, published_issue, caplog):
    redis_cache.stop()
    caplog.set_level(logging.WARNING, logger="sca_briefings.cache")
    for url in ("/", published_issue.get_absolute_url(), "/search/?q=hall", "/healthz"):
        assert client.get(url).status_code == 200, url
    # Nothing is kept meanwhile, so an editor's change shows at once.
    Issue.objects.filter(pk=published_issue.pk).update(title="Renamed while Redis is down")
    content_changed()
    assert "Renamed while Redis is down" in client.get("/").content.decode()
    # One warning for the outage, not one for each call to the cache.
    assert len(outage_warnings(caplog)) == 1


def test_readers_can_sign_up_while_redis_is_down(client, redis_cache, smtp_server):
    redis_cache.stop()
    response = client.post("/subscribe/", signup_data(email="while.down@example.org"))
    assert response.status_code == 200
    assert Subscriber.objects.filter(email="while.down@example.org").exists()
    assert smtp_server.to("while.down@example.org")


def test_the_cache_is_used_again_once_redis_is_back(
    client, redis_cache, published_issue, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(site_cache, "RETRY_SECONDS", 0.2)
    redis_cache.stop()
    assert client.get("/").status_code == 200
    redis_cache.start()
    time.sleep(0.3)
    client.get("/")  # rendered, and stored in Redis again
    forget_local_pages()
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200


def test_a_save_while_redis_is_away_still_retires_pages_it_kept(
    client, redis_cache, published_issue, monkeypatch
):
    # Redis stops answering but keeps its data (a network fault, say): when it answers again,
    # the pages it held from before an editor's save must not come back.
    monkeypatch.setattr(site_cache, "RETRY_SECONDS", 0.2)
    assert "Halls and hubs" in client.get("/").content.decode()
    redis.Redis.from_url(redis_cache.url).client_pause(1500)
    Issue.objects.filter(pk=published_issue.pk).update(title="Saved while Redis was away")
    content_changed()
    time.sleep(1.8)  # the pause is over; Redis answers again, with the old pages
    assert "Saved while Redis was away" in client.get("/").content.decode()
