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


def database_url(name, user=None):
    s = connection.settings_dict
    user = user or s["USER"] or "postgres"
    return f"postgres://{user}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def psql(url, sql):
    return subprocess.run(
        ["psql", "--dbname", url, "-tAc", sql], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def app_role():
    """A throwaway login role like the documented `sca`: no superuser, no CREATEDB."""
    role = connection.settings_dict["NAME"] + "_app"
    server = database_url("postgres")
    psql(server, f'DROP ROLE IF EXISTS "{role}"')
    psql(server, f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
    yield role
    psql(server, f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture
def restore_target(app_role):
    """A new, empty database owned by the app role, as docs/deploy.md creates it."""
    name = connection.settings_dict["NAME"] + "_restore"
    server = database_url("postgres")
    psql(server, f'DROP DATABASE IF EXISTS "{name}"')
    psql(server, f'CREATE DATABASE "{name}" OWNER "{app_role}"')
    yield database_url(name, user=app_role)
    psql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def back_up(tmp_path, media):
    """backup.sh of the test database and `media` into tmp_path/backups."""
    return run(
        "backup.sh",
        env={
            "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
            "BACKUP_DIR": str(tmp_path / "backups"),
            "MEDIA_ROOT": str(media),
        },
    )


def run(script, *args, env):
    return subprocess.run(
        [str(settings.BASE_DIR / "deploy" / script), *args],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_backup_restores_into_a_fresh_database_owned_by_the_site_with_every_row(
    tmp_path, restore_target, app_role
):
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

    backup = back_up(tmp_path, media)
    assert backup.returncode == 0, backup.stderr
    dump = backup.stdout.strip().splitlines()[-1]
    assert dump.endswith(".dump")
    assert len(list((tmp_path / "backups").glob("sca-briefings-media-*.tar.gz"))) == 1

    # As documented: the site's own (non-superuser) role restores into a database it owns.
    restore = run("restore.sh", dump, restore_target, env={})
    assert restore.returncode == 0, restore.stderr
    for table, count in expected.items():
        assert f"{table} {count}\n" in restore.stdout
        assert psql(restore_target, f"SELECT count(*) FROM {table}") == str(count)  # noqa: S608
    assert expected["briefings_article"] == 7
    # The tables are the site's own, so it can write to them and migrate them later.
    owners = psql(
        restore_target, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
    )
    assert owners == app_role
    psql(restore_target, "UPDATE subscribers_subscriber SET email = email")
    psql(restore_target, "ALTER TABLE briefings_issue ADD COLUMN restore_check integer")


def test_restore_refuses_to_overwrite_an_existing_database(tmp_path, restore_target):
    dump = tmp_path / "empty.dump"
    dump.write_bytes(b"")
    existing = database_url(connection.settings_dict["NAME"])
    result = run("restore.sh", str(dump), existing, env={})
    assert result.returncode == 1
    assert "already exists" in result.stderr


def test_restore_into_a_missing_database_says_how_to_create_it(tmp_path):
    dump = tmp_path / "empty.dump"
    dump.write_bytes(b"")
    missing = database_url(connection.settings_dict["NAME"] + "_missing")
    result = run("restore.sh", str(dump), missing, env={})
    assert result.returncode == 1
    assert "does not exist" in result.stderr
    assert "createdb --owner sca" in result.stderr


def test_restore_as_another_user_than_the_database_owner_is_refused(
    tmp_path, restore_target, app_role
):
    # Restored as postgres, the tables would be postgres's and the site could not read them.
    dump = tmp_path / "empty.dump"
    dump.write_bytes(b"")
    as_superuser = restore_target.replace(f"//{app_role}@", "//postgres@")
    result = run("restore.sh", str(dump), as_superuser, env={})
    assert result.returncode == 1
    assert f"belongs to {app_role}" in result.stderr


def test_backups_are_readable_by_their_owner_only(tmp_path):
    # They hold the subscriber list. A usual umask of 022 would make them world-readable.
    media = tmp_path / "media"
    media.mkdir()
    (media / "photo.png").write_bytes(b"not really a png")
    old_umask = os.umask(0o022)
    try:
        backup = back_up(tmp_path, media)
    finally:
        os.umask(old_umask)
    assert backup.returncode == 0, backup.stderr
    written = [tmp_path / "backups", *(tmp_path / "backups").iterdir()]
    assert len(written) == 3  # the directory, the dump and the images
    for path in written:
        assert path.stat().st_mode & 0o077 == 0, f"{path} is {oct(path.stat().st_mode)}"
