"""Benchmark: import a generated 100,000-row subscriber CSV through the admin's import page.

    .venv/bin/python bench/import_csv.py [--rows 100000]

Uses PostgreSQL (BENCH_IMPORT_DATABASE_URL, default database sca_import_bench on 127.0.0.1,
created if missing, emptied of subscribers at each run). The file is posted, as a logged-in
superuser, to /admin/subscribers/subscriber/import/ with Django's test client, so the upload,
the form, the decoding and the import are the code the admin runs behind gunicorn. Before the
post, 5,000 of the file's addresses are already subscribed, 1,000 have unsubscribed and 1,000
were erased, so the file has something of every kind in it. Prints the seconds the post took
and what the import did.
"""

import argparse
import os
import re
import time
import warnings
from pathlib import Path

import _serve  # bench/, beside this script
from _serve import ensure_database

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get(
    "BENCH_IMPORT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sca_import_bench"
)
IMPORT_URL = "/admin/subscribers/subscriber/import/"


def setup_django():
    _serve.setup_django(DB_URL, ALLOWED_HOSTS="testserver")
    # collectstatic has not been run here: serve static names unhashed, so a page shown again
    # with an error (a file over the limit) renders.
    from django.conf import settings

    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    warnings.filterwarnings("ignore", "No directory at")


def make_csv(rows):
    lines = ["name,email,organisation,consent source,consent date"]
    for i in range(rows):
        lines.append(
            f"Reader {i},reader{i}@example.org,Community Trust {i % 500},"
            f"Paper form at the {2020 + i % 5} AGM,2024-03-{1 + i % 28:02d}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def prepare():
    """An empty list but for the addresses the file already knows."""
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from subscribers.models import Delivery, ErasedAddress, Subscriber, hash_address

    call_command("migrate", verbosity=0)
    Delivery.objects.all().delete()
    Subscriber.objects.all().delete()
    ErasedAddress.objects.all().delete()
    now = timezone.now()
    Subscriber.objects.bulk_create(
        [
            Subscriber(email=f"reader{i}@example.org", status="active", confirmed_at=now)
            for i in range(0, 50_000, 10)
        ]
        + [
            Subscriber(email=f"READER{i}@example.org", status="unsubscribed")
            for i in range(50_001, 60_000, 10)
        ],
        batch_size=2000,
    )
    ErasedAddress.objects.bulk_create(
        [
            ErasedAddress(email_hash=hash_address(f"reader{i}@example.org"))
            for i in range(1002, 11_000, 10)
        ]
    )
    user, _ = User.objects.get_or_create(
        username="bench-import", defaults={"is_staff": True, "is_superuser": True}
    )
    return user


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    ensure_database(DB_URL)
    setup_django()
    from django.contrib.messages import get_messages
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from subscribers.models import Subscriber

    user = prepare()
    data = make_csv(args.rows)
    client = Client()
    client.force_login(user)
    before = Subscriber.objects.count()
    upload = SimpleUploadedFile("list.csv", data, "text/csv")
    started = time.perf_counter()
    response = client.post(IMPORT_URL, {"file": upload}, secure=True)
    seconds = time.perf_counter() - started
    added = Subscriber.objects.count() - before
    print(f"rows {args.rows}  file {len(data) / 1e6:.1f} MB  status {response.status_code}")
    print(f"subscribers added {added}")
    for message in get_messages(response.wsgi_request):
        print(f"message: {message}")
    errors = re.search(r'<ul class="errorlist".*?</ul>', response.content.decode(), re.S)
    if errors:
        print("refused: " + re.sub(r"<[^>]+>", "", errors.group(0)))
    print(f"seconds {seconds:.2f}")


if __name__ == "__main__":
    main()
