"""deploy/backup.sh then deploy/restore.sh on PostgreSQL: the restored copy has every row."""

import os
import subprocess

import pytest
from django.conf import settings
from django.db import connection

from briefings.models import Article, Issue, Person
from subscribers.models import Subscriber
from tests.factories import ArticleFactory, IssueFactory, PersonFactory, SubscriberFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="backups are pg_dump: PostgreSQL only"
    ),
]


def database_url(name):
    s = connection.settings_dict
    user = s["USER"] or "postgres"
    return f"postgres://{user}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def psql(url, sql):
    return subprocess.run(
        ["psql", "--dbname", url, "-tAc", sql], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def restore_target():
    name = connection.settings_dict["NAME"] + "_restore"
    server = database_url("postgres")
    psql(server, f'DROP DATABASE IF EXISTS "{name}"')
    yield database_url(name)
    psql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(script, *args, env):
    return subprocess.run(
        [str(settings.BASE_DIR / "deploy" / script), *args],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_backup_restores_into_a_fresh_database_with_every_row(tmp_path, restore_target):
    issue = IssueFactory()
    ArticleFactory.create_batch(7, issue=issue, people=[PersonFactory()])
    IssueFactory(draft=True)
    SubscriberFactory.create_batch(25)
    expected = {
        "briefings_issue": Issue.objects.count(),
        "briefings_article": Article.objects.count(),
        "briefings_person": Person.objects.count(),
        "subscribers_subscriber": Subscriber.objects.count(),
    }
    media = tmp_path / "media"
    (media / "uploads").mkdir(parents=True)
    (media / "uploads" / "photo.png").write_bytes(b"not really a png")

    backup = run(
        "backup.sh",
        env={
            "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
            "BACKUP_DIR": str(tmp_path / "backups"),
            "MEDIA_ROOT": str(media),
        },
    )
    assert backup.returncode == 0, backup.stderr
    dump = backup.stdout.strip().splitlines()[-1]
    assert dump.endswith(".dump")
    assert len(list((tmp_path / "backups").glob("sca-briefings-media-*.tar.gz"))) == 1

    restore = run("restore.sh", dump, restore_target, env={})
    assert restore.returncode == 0, restore.stderr
    for table, count in expected.items():
        assert f"{table} {count}\n" in restore.stdout
        assert psql(restore_target, f"SELECT count(*) FROM {table}") == str(count)  # noqa: S608
    assert expected["briefings_article"] == 7


def test_restore_refuses_to_overwrite_an_existing_database(tmp_path, restore_target):
    dump = tmp_path / "empty.dump"
    dump.write_bytes(b"")
    existing = database_url(connection.settings_dict["NAME"])
    result = run("restore.sh", str(dump), existing, env={})
    assert result.returncode == 1
    assert "already exists" in result.stderr
