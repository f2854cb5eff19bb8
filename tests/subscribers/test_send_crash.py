"""A worker killed with SIGKILL mid-send, then restarted (PostgreSQL: needs a real server)."""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection

from subscribers import sending
from subscribers.models import Delivery
from tests.factories import ArticleFactory, IssueFactory, SubscriberFactory


def worker(issue, smtp_server, **env):
    db = connection.settings_dict
    return subprocess.Popen(
        [sys.executable, "manage.py", "send_issue", issue.date.isoformat(), "--foreground"],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sca_briefings.settings_test",
            "DATABASE_URL": (
                f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
                f"/{db['NAME']}"
            ),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_server.port),
            "BRIEFING_SEND_BATCH_SIZE": "4",
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_send_resumes_and_lists_the_one_in_flight(smtp_server):
    if connection.vendor != "postgresql":
        pytest.skip("the worker subprocess needs a database server it can share")
    issue = IssueFactory()
    ArticleFactory.create_batch(3, issue=issue)
    subscribers = SubscriberFactory.create_batch(20)
    sending.queue_issue(issue=issue)
    original = smtp_server.handle_DATA
    on_the_wire = threading.Event()
    release = threading.Event()

    async def handle_data(server, session, envelope):
        result = await original(server, session, envelope)
        if len(smtp_server.messages) == 7 and not release.is_set():
            # The server has the 7th message but has not said so yet: the worker is killed
            # now, so it can never record that this one was sent.
            on_the_wire.set()
            while not release.is_set():
                await asyncio.sleep(0.05)
        return result

    smtp_server.handle_DATA = handle_data
    first = worker(issue, smtp_server)
    try:
        assert on_the_wire.wait(30), first.communicate(timeout=5)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        release.set()
        smtp_server.handle_DATA = original
    assert Counter(Delivery.objects.values_list("status", flat=True)) == {
        "sent": 6,
        "sending": 2,  # the one on the wire and the one after it in the batch
        "queued": 12,
    }

    time.sleep(1.2)  # let the dead worker's claim go stale
    second = worker(issue, smtp_server, BRIEFING_SEND_CLAIM_TIMEOUT="1")
    out, err = second.communicate(timeout=60)

    assert second.returncode == 0, err
    received = Counter(rcpt for _, rcpts in smtp_server.envelopes for rcpt in rcpts)
    assert set(received) == {s.email for s in subscribers}  # nobody skipped
    twice = {address for address, n in received.items() if n > 1}
    flagged = set(
        sending.possible_duplicates(issue=issue).values_list("subscriber__email", flat=True)
    )
    assert len(twice) == 1 and twice == flagged  # only the in-flight one, and it is listed
    assert "may have received it twice" in out and twice.pop() in out
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
