"""Public pages are served from the page cache, retired by content_changed(), and answer repeat
visits with 304."""

import datetime
import time

import pytest
from django.test import Client
from django.utils import timezone

from briefings.models import Issue
from briefings.pagecache import page_cache_timeout
from briefings.services import content_changed
from tests.factories import IssueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def test_second_request_is_served_from_the_cache_with_no_queries(
    client, published_issue, django_assert_num_queries
):
    article = published_issue.articles.first()
    for url in (
        "/",
        published_issue.get_absolute_url(),
        article.get_absolute_url(),
        "/briefings/",
        "/people/morag-campbell/",
        "/search/?q=hall",
        "/feeds/articles/rss/",
        "/sitemap.xml",
    ):
        first = client.get(url)
        with django_assert_num_queries(0):
            second = client.get(url)
        assert second.status_code == 200
        assert second.content == first.content


def test_content_changed_makes_the_next_request_render_fresh(client, published_issue):
    assert "Halls and hubs" in client.get("/").content.decode()
    Issue.objects.filter(pk=published_issue.pk).update(title="Renamed issue")
    assert "Halls and hubs" in client.get("/").content.decode()  # still the cached page
    content_changed()
    body = client.get("/").content.decode()
    assert "Renamed issue" in body
    assert "Halls and hubs" not in body


def test_unpublishing_and_content_changed_removes_the_issue_everywhere(client, published_issue):
    url = published_issue.get_absolute_url()
    assert client.get(url).status_code == 200
    Issue.objects.filter(pk=published_issue.pk).update(status=Issue.Status.DRAFT)
    content_changed()
    assert client.get(url).status_code == 404
    assert url not in client.get("/feeds/issues/rss/").content.decode()


def test_cache_timeout_stops_at_the_next_scheduled_publish_time(published_issue):
    assert page_cache_timeout() == 600
    IssueFactory(scheduled=True, publish_at=timezone.now() + datetime.timedelta(seconds=90))
    assert 85 <= page_cache_timeout() <= 91


def test_scheduled_issue_appears_once_its_time_passes_without_a_save(client, published_issue):
    publish_at = timezone.now() + datetime.timedelta(seconds=2)
    IssueFactory(
        scheduled=True,
        date=published_issue.date + datetime.timedelta(days=14),
        publish_at=publish_at,
        title="Scheduled headline",
    )
    assert "Scheduled headline" not in client.get("/").content.decode()
    # Nothing saves and nothing calls content_changed(): the cached home page must simply
    # expire as the issue goes public.
    time.sleep((publish_at - timezone.now()).total_seconds() + 1.2)
    assert "Scheduled headline" in client.get("/").content.decode()


def test_repeat_visit_with_etag_gets_304(client, published_issue):
    url = published_issue.get_absolute_url()
    first = client.get(url)
    etag = first["ETag"]
    assert etag
    repeat = client.get(url, headers={"If-None-Match": etag})
    assert repeat.status_code == 304
    assert repeat.content == b""
    assert repeat["ETag"] == etag


def test_changed_page_does_not_answer_304(client, published_issue):
    url = published_issue.get_absolute_url()
    etag = client.get(url)["ETag"]
    Issue.objects.filter(pk=published_issue.pk).update(title="A new headline")
    content_changed()
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "A new headline" in response.content.decode()


def test_etag_and_304_work_with_the_page_cache_off(client, settings, published_issue):
    settings.PAGE_CACHE_SECONDS = 0
    etag = client.get("/")["ETag"]
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 304


def test_a_revalidation_seconds_later_still_gets_304_with_the_page_cache_off(
    client, settings, published_issue
):
    # Every render carries the sign-up form's start time, which changes each second.
    settings.PAGE_CACHE_SECONDS = 0
    first = client.get("/")
    time.sleep(1.1)
    again = client.get("/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    Issue.objects.filter(pk=published_issue.pk).update(title="A new headline")
    assert client.get("/", headers={"If-None-Match": first["ETag"]}).status_code == 200


def test_not_found_pages_are_not_cached(client, published_issue):
    url = "/briefings/2030/01/01/"
    assert client.get(url).status_code == 404
    IssueFactory(date=datetime.date(2030, 1, 1))
    assert client.get(url).status_code == 200


def test_staff_preview_is_never_cached(rf, draft_issue):
    from briefings.models import Issue
    from briefings.views import render_issue

    issue = Issue.objects.with_articles().with_neighbours().get(pk=draft_issue.pk)
    response = render_issue(rf.get("/admin/preview/"), issue, preview=True)
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response.content.decode()
    assert "Secret draft" in response.content.decode()


def test_public_page_allows_shared_caches_briefly_and_browsers_ask_again(client, published_issue):
    cache_control = client.get("/")["Cache-Control"].split(", ")
    assert "public" in cache_control
    assert "s-maxage=60" in cache_control
    assert "max-age=0" in cache_control


def test_head_request_gets_headers_without_a_body(client, published_issue):
    get = client.get("/")
    head = client.head("/")
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]
    assert head["Content-Length"] == str(len(get.content))


def test_cache_hit_is_answered_before_the_session_middleware(client, published_issue):
    first = client.get("/")
    assert hasattr(first.wsgi_request, "session")
    second = client.get("/")
    assert not hasattr(second.wsgi_request, "session")
    assert second.content == first.content


def test_cache_hit_keeps_headers_added_below_the_page_cache(client, published_issue):
    # The clickjacking middleware sits below the page cache, so its header must be stored.
    first = client.get("/")
    second = client.get("/")
    assert second["X-Frame-Options"] == first["X-Frame-Options"] == "DENY"
    assert second["Content-Type"] == first["Content-Type"]
    assert second["ETag"] == first["ETag"]


def test_post_to_a_cached_address_goes_to_the_view(client, published_issue):
    client.get("/")
    assert hasattr(client.post("/").wsgi_request, "session")


def test_admin_pages_are_never_served_from_the_page_cache(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200
    client.logout()
    assert client.get("/admin/").status_code == 302


def test_a_page_another_worker_cached_is_served_and_retired_like_any_other(
    client, published_issue, django_assert_num_queries
):
    from briefings.pagecache import forget_local_pages

    url = published_issue.get_absolute_url()
    client.get(url)
    forget_local_pages()  # as if another worker had rendered it: only the shared cache has it
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200
    Issue.objects.filter(pk=published_issue.pk).update(title="Retitled by an editor")
    content_changed()  # another worker's save
    assert "Retitled by an editor" in client.get(url).content.decode()


def test_emptying_the_shared_cache_never_brings_back_a_worker_s_old_copy(client, published_issue):
    from django.core.cache import cache

    url = published_issue.get_absolute_url()
    client.get(url)  # this worker now holds a copy too
    Issue.objects.filter(pk=published_issue.pk).update(title="Retitled while the cache was down")
    cache.clear()  # Redis restarted, say: the content version starts again
    assert "Retitled while the cache was down" in client.get(url).content.decode()


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "TRACE"])
@pytest.mark.parametrize("name", ["home", "issue", "search", "feed", "sitemap"])
def test_public_pages_only_show_and_say_so_to_other_methods(published_issue, method, name):
    url = {
        "home": "/",
        "issue": published_issue.get_absolute_url(),
        "search": "/search/?q=hall",
        "feed": "/feeds/issues/rss/",
        "sitemap": "/sitemap.xml",
    }[name]
    client = Client(enforce_csrf_checks=True)
    response = client.generic(method, url)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    options = client.options(url)
    assert options.status_code == 200
    assert options["Allow"] == "GET, HEAD, OPTIONS"
