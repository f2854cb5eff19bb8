"""Development runs on SQLite with several processes (gunicorn workers, the task worker)."""

import sqlite3
import threading
import time

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")


def test_a_save_waits_for_another_process_writing_instead_of_failing(tmp_path):
    # The admin's save reads and then writes in one transaction. While the task worker held
    # the write lock, that failed at once with "database is locked" (a 500, the typed text
    # lost); with the project's options it waits its turn.
    path = tmp_path / "shared.sqlite3"
    config = {**settings.DATABASES["default"], "NAME": str(path), "TEST": {}}
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE issue (title TEXT)")
    other.execute("INSERT INTO issue VALUES ('Old')")
    holding = threading.Event()

    def another_process_writes():  # as the task worker's poll does
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE issue SET title = title")
        holding.set()
        time.sleep(0.5)
        other.execute("COMMIT")

    thread = threading.Thread(target=another_process_writes)
    thread.start()
    assert holding.wait(timeout=5)
    connections["editor"] = editor = DatabaseWrapper(config, "editor")
    try:
        with transaction.atomic(using="editor"), editor.cursor() as cursor:
            cursor.execute("SELECT title FROM issue")
            time.sleep(0.7)  # meanwhile the other process goes to commit
            cursor.execute("UPDATE issue SET title = 'New'")
    finally:
        thread.join()
        editor.close()
        del connections["editor"]
    assert other.execute("SELECT title FROM issue").fetchone() == ("New",)
    other.close()
