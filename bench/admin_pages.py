"""Benchmark: the editors' admin screens on the large archive that `make bench-site` builds.

    .venv/bin/python bench/admin_pages.py [--runs 5]

Uses the site benchmark's PostgreSQL database (BENCH_DATABASE_URL, default sca_site_bench:
500 issues, 5,000 articles, 1,000 people, 500 organisations; run `bench/site.py` first). Signs
in as a superuser made for it (`bench-admin`, created once) and fetches each screen with
Django's test client, DEBUG off, as gunicorn would run it. Prints, for each, the number of
SQL queries and the median and slowest wall time of --runs fetches after one warm-up. Nothing
in the archive is changed.
"""

import argparse
import os
import statistics
import time
import warnings

import _serve  # bench/, beside this script

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sca_site_bench")


def screens():
    from django.db.models import Count

    from briefings.models import Issue, Person

    issue = Issue.objects.annotate(n=Count("articles")).filter(n__gt=0).order_by("-date").first()
    person = Person.objects.annotate(n=Count("articles")).order_by("-n").first()
    return [
        ("issue list", "/admin/briefings/issue/"),
        ("issue list, search", "/admin/briefings/issue/?q=housing"),
        ("issue page", f"/admin/briefings/issue/{issue.pk}/change/"),
        ("article list", "/admin/briefings/article/"),
        ("article list, search a word", "/admin/briefings/article/?q=housing"),
        ("article list, search a name", "/admin/briefings/article/?q=O'Neill"),
        ("people list, search", "/admin/briefings/person/?q=mac"),
        ("person page (most mentioned)", f"/admin/briefings/person/{person.pk}/change/"),
        ("topic list", "/admin/taggit/tag/"),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    _serve.setup_django(DB_URL, ALLOWED_HOSTS="testserver", SECURE_SSL_REDIRECT="false")
    from django.conf import settings

    # collectstatic may not have run for this checkout: unhashed static names.
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    warnings.filterwarnings("ignore", "No directory at")
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    print(f"{'screen':32} {'queries':>7} {'median ms':>10} {'slowest ms':>11}")
    for name, url in screens():
        assert client.get(url).status_code == 200, url  # warm-up
        times = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - start) * 1000)
        print(f"{name:32} {len(queries):7} {statistics.median(times):10.0f} {max(times):11.0f}")


if __name__ == "__main__":
    main()
