"""The on-disk cache production uses without Redis (sca_briefings.cache)."""

from pathlib import Path

import pytest

from briefings.services import content_changed
from sca_briefings import cache as disk_cache
from subscribers.models import Subscriber
from tests.factories import ArticleFactory
from tests.subscribers.conftest import signup_data


@pytest.fixture
def disk(tmp_path):
    return disk_cache.FileBasedCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 50}})


def stored_files(disk):
    return list(Path(disk._dir).glob("*.djcache"))


def test_the_disk_cache_keeps_and_returns_values(disk):
    disk.set("page", b"<html>", 60)
    assert disk.get("page") == b"<html>"


def test_the_disk_cache_stays_near_its_size_however_many_pages_are_stored(disk):
    for n in range(1000):
        disk.set(f"page-{n}", b"<html>", 60)
    assert len(stored_files(disk)) <= 50 + disk_cache.CULL_EVERY


def test_storing_a_page_does_not_list_the_whole_cache_every_time(disk, monkeypatch):
    for n in range(300):
        disk.set(f"page-{n}", b"<html>", 60)
    listings = []
    original = disk._list_cache_files
    monkeypatch.setattr(disk, "_list_cache_files", lambda: listings.append(1) or original())
    for n in range(disk_cache.CULL_EVERY):
        disk.set(f"more-{n}", b"<html>", 60)
    # Django's own lists the directory on each of these writes (a cost that grows with it).
    assert len(listings) == 1


@pytest.fixture
def unusable_cache_dir(settings, tmp_path):
    """The site's cache in a directory that cannot be made (its parent is a file), standing
    in for a full disk or a missing CACHE_DIR."""
    (tmp_path / "not-a-directory").write_text("")
    settings.CACHES = {
        "default": {
            "BACKEND": "sca_briefings.cache.FileBasedCache",
            "LOCATION": str(tmp_path / "not-a-directory" / "cache"),
        }
    }
    settings.PAGE_CACHE_SECONDS = 600


@pytest.mark.django_db
def test_the_site_keeps_working_when_the_cache_directory_cannot_be_used(
    client, unusable_cache_dir, smtp_server, caplog
):
    article = ArticleFactory(title="Village hall reopens")
    for url in ("/", article.get_absolute_url(), "/search/?q=hall", "/healthz"):
        assert client.get(url).status_code == 200, url
    content_changed()  # an editor's save
    response = client.post("/subscribe/", signup_data(email="disk.full@example.org"))
    assert response.status_code == 200
    assert Subscriber.objects.filter(email="disk.full@example.org").exists()
    warnings = [r for r in caplog.records if "cannot be used" in r.getMessage()]
    assert len(warnings) == 1
