import asyncio
import datetime
import os
import subprocess
import time
from collections import Counter
from functools import partial

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from briefings import services
from subscribers import sending
from subscribers.models import Delivery, Subscriber
from tests.conftest import at_once
from tests.factories import ArticleFactory, IssueFactory, SubscriberFactory

from .conftest import links_in, path_of


def make_issue(articles=3, **kwargs):
    issue = IssueFactory(**kwargs)
    ArticleFactory.create_batch(articles, issue=issue)
    return issue


def addresses(smtp_server):
    return Counter(rcpt for _, rcpts in smtp_server.envelopes for rcpt in rcpts)


@pytest.mark.django_db
def test_queue_creates_one_delivery_per_active_subscriber():
    issue = make_issue()
    SubscriberFactory.create_batch(3)
    SubscriberFactory(status=Subscriber.Status.PENDING)
    SubscriberFactory(status=Subscriber.Status.UNSUBSCRIBED)

    assert sending.queue_issue(issue=issue) == 3
    assert Delivery.objects.filter(issue=issue, status="queued").count() == 3


@pytest.mark.django_db
def test_pressing_send_twice_creates_nothing_new_but_new_subscribers_get_it():
    issue = make_issue()
    SubscriberFactory.create_batch(3)
    sending.queue_issue(issue=issue)

    assert sending.queue_issue(issue=issue) == 0
    SubscriberFactory()
    assert sending.count_new_recipients(issue=issue) == 1
    assert sending.queue_issue(issue=issue) == 1
    assert Delivery.objects.filter(issue=issue).count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize("traits", [{"draft": True}, {"scheduled": True}])
def test_draft_or_scheduled_issue_cannot_be_sent(traits):
    issue = make_issue(**traits)
    SubscriberFactory()

    with pytest.raises(sending.NotPublished, match="not published yet"):
        sending.queue_issue(issue=issue)
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_send_delivers_one_message_per_subscriber_and_marks_them_sent(smtp_server):
    issue = make_issue()
    subscribers = SubscriberFactory.create_batch(5)
    sending.queue_issue(issue=issue)

    report = sending.send_pending(batch_size=2)

    assert report.sent == 5
    assert addresses(smtp_server) == Counter({s.email: 1 for s in subscribers})
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    delivery = Delivery.objects.get(subscriber=subscribers[0])
    message = smtp_server.to(subscribers[0].email)[0]
    assert message["X-SCA-Delivery"] == str(delivery.pk)
    assert message["Message-ID"] == delivery.message_id
    assert sending.send_pending().sent == 0  # nothing twice


@pytest.mark.django_db
@pytest.mark.parametrize("backend", ["console", "filebased"])
def test_send_works_with_the_mail_backends_for_trying_the_site_locally(
    backend, settings, tmp_path, capsys
):
    # `make run` without EMAIL_HOST prints mail to the console; some prefer files.
    options = {"file_path": str(tmp_path)} if backend == "filebased" else {}
    settings.MAILERS = {
        "default": {
            "BACKEND": f"django.core.mail.backends.{backend}.EmailBackend",
            "OPTIONS": options,
        }
    }
    issue = make_issue()
    subscriber = SubscriberFactory()
    sending.queue_issue(issue=issue)

    assert sending.send_pending().sent == 1

    written = capsys.readouterr().out + "".join(p.read_text() for p in tmp_path.iterdir())
    assert f"To: {subscriber.email}" in written
    assert Delivery.objects.get().status == "sent"


@pytest.mark.django_db
def test_a_worker_printing_mail_to_the_console_says_so_in_its_log(settings, caplog):
    # A worker started by hand without the site's EMAIL_HOST prints a whole send.
    settings.MAILERS = {"default": {"BACKEND": sending.CONSOLE_BACKEND, "OPTIONS": {}}}
    SubscriberFactory.create_batch(2)
    sending.queue_issue(issue=make_issue())

    with caplog.at_level("WARNING", logger="subscribers.sending"):
        sending.send_pending(batch_size=1)

    warnings = [r.getMessage() for r in caplog.records if "No EMAIL_HOST" in r.getMessage()]
    assert len(warnings) == 1
    assert "printed here, not sent" in warnings[0]


@pytest.mark.django_db
def test_permanent_refusal_fails_delivery_and_bounces_subscriber(smtp_server):
    issue = make_issue()
    good = SubscriberFactory(email="good@example.org")
    bad = SubscriberFactory(email="gone@example.org")
    smtp_server.refuse["gone@example.org"] = (550, "No such user")
    sending.queue_issue(issue=issue)

    report = sending.send_pending()

    assert (report.sent, report.failed) == (1, 1)
    assert Delivery.objects.get(subscriber=bad).status == "failed"
    assert "No such user" in Delivery.objects.get(subscriber=bad).last_error
    bad.refresh_from_db()
    assert bad.status == Subscriber.Status.BOUNCED
    assert addresses(smtp_server) == Counter({good.email: 1})


@pytest.mark.django_db
def test_temporary_refusal_is_retried_later_not_failed(smtp_server, settings):
    issue = make_issue()
    busy = SubscriberFactory(email="busy@example.org")
    smtp_server.refuse["busy@example.org"] = (451, "Try again later")
    sending.queue_issue(issue=issue)

    report = sending.send_pending()

    delivery = Delivery.objects.get(subscriber=busy)
    assert report.retrying == 1
    assert delivery.status == "queued" and delivery.next_attempt_at is not None
    busy.refresh_from_db()
    assert busy.status == Subscriber.Status.ACTIVE
    # Once it is due and the server accepts, it goes.
    del smtp_server.refuse["busy@example.org"]
    Delivery.objects.update(next_attempt_at=None)
    assert sending.send_pending().sent == 1
    assert addresses(smtp_server) == Counter({busy.email: 1})


@pytest.mark.django_db
def test_smtp_down_then_up_sends_everyone_once(smtp_server, settings):
    issue = make_issue()
    subscribers = SubscriberFactory.create_batch(4)
    sending.queue_issue(issue=issue)
    real = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},  # nothing listens
        }
    }

    report = sending.send_pending()

    assert report.sent == 0 and "Could not connect" in report.stopped_by
    assert set(Delivery.objects.values_list("status", flat=True)) == {"queued"}
    assert all(d.next_attempt_at for d in Delivery.objects.all())
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {0}
    settings.MAILERS = real
    assert sending.send_pending().sent == 0  # not due yet
    Delivery.objects.update(next_attempt_at=None)
    assert sending.send_pending().sent == 4
    assert addresses(smtp_server) == Counter({s.email: 1 for s in subscribers})


@pytest.mark.django_db(transaction=True)
def test_reader_who_unsubscribes_during_a_send_is_not_sent_to(smtp_server, settings):
    settings.BRIEFING_SEND_RECHECK_SECONDS = 0  # check before every message
    issue = make_issue()
    subscribers = SubscriberFactory.create_batch(6)
    leaving = subscribers[4]
    sending.queue_issue(issue=issue)
    original = smtp_server.handle_DATA

    async def handle_data(server, session, envelope):
        result = await original(server, session, envelope)
        if len(smtp_server.messages) == 2:
            # The reader clicks "unsubscribe" while the batch is being sent.
            await asyncio.to_thread(
                lambda: Subscriber.objects.filter(pk=leaving.pk).update(status="unsubscribed")
            )
        return result

    smtp_server.handle_DATA = handle_data

    report = sending.send_pending(batch_size=10)

    assert report.sent == 5 and report.skipped == 1
    assert leaving.email not in addresses(smtp_server)
    assert Delivery.objects.get(subscriber=leaving).status == "skipped"


@pytest.mark.django_db
def test_unpublished_issue_is_held_until_public_again_then_sent_once_each(smtp_server, settings):
    settings.BRIEFING_SEND_CLAIM_TIMEOUT = 60
    issue = make_issue()
    subscribers = SubscriberFactory.create_batch(4)
    sending.queue_issue(issue=issue)  # what pressing Send does before the workers start
    services.unpublish_issue(issue=issue)
    # Long enough ago that the due check would take the send for stalled, were it public.
    Delivery.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=5))

    report = sending.send_pending()  # what a worker does
    call_command("send_issue", "--due")  # and the once-a-minute check

    assert report.sent == 0
    assert smtp_server.messages == []
    assert set(Delivery.objects.values_list("status", "attempts")) == {("queued", 0)}
    assert sending.resume_stalled() == []

    services.publish_issue(issue=issue)
    assert sending.resume_stalled() == [issue.pk]  # the test settings run its workers at once

    assert addresses(smtp_server) == Counter({s.email: 1 for s in subscribers})
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert sending.send_pending().sent == 0  # nothing twice


@pytest.mark.django_db(transaction=True)
def test_issue_unpublished_during_a_send_holds_the_rest_of_the_batch(smtp_server, settings):
    settings.BRIEFING_SEND_RECHECK_SECONDS = 0  # check before every message
    issue = make_issue()
    subscribers = SubscriberFactory.create_batch(6)
    sending.queue_issue(issue=issue)
    original = smtp_server.handle_DATA

    async def handle_data(server, session, envelope):
        result = await original(server, session, envelope)
        if len(smtp_server.messages) == 2:
            # An editor presses "Unpublish" while the batch is being sent.
            await asyncio.to_thread(lambda: services.unpublish_issue(issue=issue))
        return result

    smtp_server.handle_DATA = handle_data

    report = sending.send_pending(batch_size=10)

    assert (report.sent, report.held) == (2, 4)
    assert len(smtp_server.messages) == 2
    held = Delivery.objects.exclude(status="sent")
    assert set(held.values_list("status", "attempts", "claimed_by")) == {("queued", 0, "")}

    smtp_server.handle_DATA = original
    services.publish_issue(issue=issue)
    assert sending.send_pending().sent == 4
    assert addresses(smtp_server) == Counter({s.email: 1 for s in subscribers})


@pytest.mark.django_db
def test_send_task_does_not_come_back_for_retries_of_an_unpublished_issue():
    issue = make_issue()
    SubscriberFactory()
    sending.queue_issue(issue=issue)
    Delivery.objects.update(attempts=1, next_attempt_at=timezone.now())  # a retry, due now
    assert sending.next_retry_at(issue=issue) is not None

    services.unpublish_issue(issue=issue)

    # Otherwise the task would re-enqueue itself at once, again and again, while it is held.
    assert sending.next_retry_at(issue=issue) is None


@pytest.mark.django_db
def test_throttle_spaces_messages(smtp_server, settings):
    settings.BRIEFING_SEND_PER_MINUTE = 600  # one every 0.1 s
    issue = make_issue()
    SubscriberFactory.create_batch(4)
    sending.queue_issue(issue=issue)

    started = time.monotonic()
    assert sending.send_pending().sent == 4
    assert time.monotonic() - started >= 0.3


@pytest.mark.django_db
def test_send_loop_queries_are_constant_per_batch(smtp_server, django_assert_num_queries, settings):
    settings.BRIEFING_SEND_RECHECK_SECONDS = 60
    issue = make_issue(articles=12)
    SubscriberFactory.create_batch(10)
    sending.queue_issue(issue=issue)
    prepared = sending._PreparedIssues()
    prepared[issue.pk]  # rendered once per run, outside the loop

    # Claiming a batch: the same few queries whatever its size (the workers holding claims,
    # savepoint, select, update, select, release) ...
    with django_assert_num_queries(6):
        batch = sending.claim_batch(batch_size=4, worker="w1")
    # ... and sending it: one status check for the batch and one "sent" update per message,
    # nothing else (no per-message article, issue or subscriber queries).
    with django_assert_num_queries(1 + 4):
        sending.send_batch(batch=batch, prepared=prepared)
    with django_assert_num_queries(6):
        batch = sending.claim_batch(batch_size=6, worker="w1")
    with django_assert_num_queries(1 + 6):
        sending.send_batch(batch=batch, prepared=prepared)
    assert len(smtp_server.messages) == 10


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_send_a_delivery_twice(smtp_server):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database cannot take two writers at once")
    issue = make_issue()
    subscribers = SubscriberFactory.create_batch(60)
    sending.queue_issue(issue=issue)
    reports = at_once(
        *(partial(sending.send_pending, batch_size=5, worker=f"w{n}") for n in range(2))
    )

    assert sum(r.sent for r in reports) == 60
    assert addresses(smtp_server) == Counter({s.email: 1 for s in subscribers})
    assert all(r.sent for r in reports)  # SKIP LOCKED let both work at once
    assert Delivery.objects.filter(attempts=1, status="sent").count() == 60


@pytest.mark.django_db
def test_send_test_goes_to_the_editor_for_a_draft(smtp_server):
    issue = make_issue(draft=True)

    report = sending.send_test(
        issue=issue, addresses=["editor@example.org", "colleague@example.org"]
    )

    assert report.sent == ["editor@example.org", "colleague@example.org"] and not report.refused
    assert addresses(smtp_server) == Counter({"editor@example.org": 1, "colleague@example.org": 1})
    assert smtp_server.messages[0]["Subject"].startswith("[Test] ")
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_send_test_has_the_subscribers_footer_with_links_that_change_nothing(smtp_server, client):
    # The editor is a subscriber too: following the test copy's links must not touch that.
    editor = SubscriberFactory(email="editor@example.org")
    sending.send_test(issue=make_issue(draft=True), addresses=[editor.email])

    message = smtp_server.messages[0]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    for body in (text, html):
        assert "You are receiving this because you asked for" in body
        # Read as words: the plain text wraps at 72 characters, in the middle of the sentence.
        assert "asked for on our website" not in " ".join(body.split())
        assert "This is a test copy." in body
    [unsubscribe] = links_in(message, "/unsubscribe/")
    [preferences] = links_in(message, "/preferences/")
    assert f'<a href="{unsubscribe}" style="color: #1b4d3e;">Unsubscribe</a>' in html
    assert f'<a href="{preferences}" style="color: #1b4d3e;">Change your preferences</a>' in html
    assert client.get(path_of(preferences)).status_code == 400
    assert client.post(path_of(unsubscribe)).status_code == 400
    editor.refresh_from_db()
    assert editor.status == Subscriber.Status.ACTIVE
    assert "List-Unsubscribe" not in message


@pytest.mark.django_db
def test_send_issue_command_dry_run_counts_only(capsys):
    issue = make_issue()
    SubscriberFactory.create_batch(3)

    call_command("send_issue", issue.date.isoformat(), "--dry-run")

    assert "3 subscribers" in capsys.readouterr().out
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_send_issue_command_foreground_sends_and_resumes(smtp_server, capsys):
    issue = make_issue()
    subscribers = SubscriberFactory.create_batch(5)

    call_command("send_issue", issue.date.isoformat(), "--foreground")
    call_command("send_issue", issue.date.isoformat(), "--foreground")

    out = capsys.readouterr().out
    assert "Sent 5" in out and "No new subscribers" in out
    assert addresses(smtp_server) == Counter({s.email: 1 for s in subscribers})


@pytest.mark.django_db
def test_send_issue_command_with_nothing_new_does_not_promise_that_workers_will_send_it(
    smtp_server, capsys
):
    issue = make_issue()
    SubscriberFactory.create_batch(2)
    call_command("send_issue", issue.date.isoformat())  # the test settings run tasks at once
    capsys.readouterr()

    call_command("send_issue", issue.date.isoformat())

    out = capsys.readouterr().out
    assert "No new subscribers since the last send" in out
    assert (
        "Nothing is waiting to be sent. So far: 2 sent, 0 failed, 0 not sent because they left "
        "before their turn." in out
    )
    assert "Background workers will send it" not in out
    assert len(smtp_server.messages) == 2


@pytest.mark.django_db
def test_send_issue_command_with_no_subscribers_says_so_rather_than_nothing_new(capsys):
    issue = make_issue()

    call_command("send_issue", issue.date.isoformat())

    out = capsys.readouterr().out
    assert f"There are no confirmed subscribers to send {issue} to." in out
    assert "since the last send" not in out


@pytest.mark.django_db
def test_send_issue_command_says_workers_will_send_what_is_still_waiting(capsys, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    issue = make_issue()
    SubscriberFactory.create_batch(2)
    call_command("send_issue", issue.date.isoformat())  # queued; no worker has started yet

    call_command("send_issue", issue.date.isoformat())

    out = capsys.readouterr().out
    assert "Queued 2 subscribers" in out and "No new subscribers since the last send" in out
    assert out.count("Background workers will send it") == 2


@pytest.mark.django_db
def test_send_issue_command_groups_thousands(capsys, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    issue = make_issue()
    Subscriber.objects.bulk_create(SubscriberFactory.build_batch(2006))

    call_command("send_issue", issue.date.isoformat(), "--dry-run")
    call_command("send_issue", issue.date.isoformat())

    out = capsys.readouterr().out
    assert "would queue 2,006 subscribers who have not had it" in out
    assert f"Queued 2,006 subscribers for {issue}." in out


@pytest.mark.django_db
def test_send_issue_command_refuses_a_draft_with_a_clear_message():
    issue = make_issue(draft=True)

    with pytest.raises(CommandError, match="not published yet"):
        call_command("send_issue", issue.date.isoformat())


@pytest.mark.django_db
def test_issue_marked_send_on_publish_is_sent_when_due(smtp_server):
    due = make_issue(send_on_publish=True)
    make_issue(send_on_publish=True, scheduled=True)
    make_issue(send_on_publish=False)
    subscriber = SubscriberFactory()

    call_command("send_issue", "--due")  # the test settings run tasks immediately

    assert list(Delivery.objects.values_list("issue_id", "status")) == [(due.pk, "sent")]
    assert addresses(smtp_server) == Counter({subscriber.email: 1})
    call_command("send_issue", "--due")
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_due_check_restarts_a_send_whose_worker_died(smtp_server, settings):
    settings.BRIEFING_SEND_CLAIM_TIMEOUT = 60
    issue = make_issue()
    subscribers = SubscriberFactory.create_batch(3)
    sending.queue_issue(issue=issue)
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    # A worker claimed all three and died while sending the first.
    Delivery.objects.update(status="sending", claimed_by="dead:1", claimed_at=long_ago, attempts=1)

    call_command("send_issue", "--due")

    assert addresses(smtp_server) == Counter({s.email: 1 for s in subscribers})
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    flagged = sending.possible_duplicates(issue=issue)
    assert [d.subscriber for d in flagged] == [subscribers[0]]


def _a_finished_process_id():
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.mark.django_db
def test_a_killed_workers_claims_on_this_machine_are_taken_over_at_once(smtp_server):
    # Killed a moment ago while sending the first of its three: the send need not stall for
    # the claim timeout behind it.
    issue = make_issue()
    subscribers = SubscriberFactory.create_batch(3)
    sending.queue_issue(issue=issue)
    killed = f"{sending._this_machine()}:{_a_finished_process_id()}:abc123"
    Delivery.objects.update(
        status="sending", claimed_by=killed, claimed_at=timezone.now(), attempts=1
    )

    assert sending.resume_stalled() == [issue.pk]

    assert addresses(smtp_server) == Counter({s.email: 1 for s in subscribers})
    flagged = sending.possible_duplicates(issue=issue)
    assert [d.subscriber for d in flagged] == [subscribers[0]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "claimer",
    [
        "alive:1",  # an older worker name, which says nothing about where it runs
        pytest.param(lambda: f"{sending._this_machine()}:{os.getpid()}:abc123", id="this one"),
        pytest.param(lambda: f"elsewhere/0a1b2c3d:{_a_finished_process_id()}:abc", id="other"),
    ],
)
def test_fresh_claims_of_a_live_worker_are_left_alone(smtp_server, claimer):
    issue = make_issue()
    SubscriberFactory.create_batch(2)
    sending.queue_issue(issue=issue)
    sending.claim_batch(batch_size=10, worker=claimer() if callable(claimer) else claimer)

    assert sending.send_pending().sent == 0
    assert sending.resume_stalled() == []
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_a_send_just_queued_is_not_taken_for_stalled(smtp_server, settings):
    settings.BRIEFING_SEND_CLAIM_TIMEOUT = 60
    issue = make_issue()
    subscriber = SubscriberFactory()
    # Queued a moment ago; its workers are queued too, but none has started yet.
    delivery = Delivery.objects.create(issue=issue, subscriber=subscriber)

    assert sending.resume_stalled() == []

    # Still waiting after the claim timeout: no worker came, so it is restarted.
    Delivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert sending.resume_stalled() == [issue.pk]
    assert addresses(smtp_server) == Counter({subscriber.email: 1})


@pytest.mark.django_db(transaction=True)
def test_slow_batch_keeps_its_claim_fresh(smtp_server, settings):
    settings.BRIEFING_SEND_CLAIM_TIMEOUT = 0.4  # a heartbeat every 0.1 s
    settings.BRIEFING_SEND_PER_MINUTE = 300  # 0.2 s a message: the batch outlives the timeout
    issue = make_issue()
    SubscriberFactory.create_batch(4)
    sending.queue_issue(issue=issue)
    batch = sending.claim_batch(batch_size=4, worker="slow")
    seen = []
    original = smtp_server.handle_DATA

    def claimed_at_of_fourth():
        try:
            return Delivery.objects.get(pk=batch[3].pk).claimed_at
        finally:
            connection.close()

    async def handle_data(server, session, envelope):
        if len(smtp_server.messages) == 2:  # the third message: how fresh is the fourth's claim?
            seen.append(await asyncio.to_thread(claimed_at_of_fourth))
        return await original(server, session, envelope)

    smtp_server.handle_DATA = handle_data

    report = sending.send_batch(batch=batch, prepared=sending._PreparedIssues())

    assert report.sent == 4
    assert seen and seen[0] > batch[3].claimed_at  # refreshed while the batch was running


@pytest.mark.django_db(transaction=True)
def test_two_editors_pressing_send_at_once_queue_each_reader_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database cannot take two writers at once")
    issue = make_issue()
    SubscriberFactory.create_batch(200)
    created = at_once(*[partial(sending.queue_issue, issue=issue)] * 2)

    # The second press is told nothing new was queued, not that it queued everyone too.
    assert sorted(created) == [0, 200]
    assert Delivery.objects.filter(issue=issue).count() == 200
    assert Delivery.objects.values("subscriber").distinct().count() == 200


@pytest.mark.django_db
def test_send_issue_command_fails_loudly_when_the_mail_server_is_down(settings):
    issue = make_issue()
    SubscriberFactory.create_batch(2)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},  # nothing listens
        }
    }

    # A non-zero exit tells cron and operators to run it again; nothing is marked sent.
    with pytest.raises(CommandError, match="Run this again"):
        call_command("send_issue", f"{issue.date:%Y-%m-%d}", "--foreground")

    assert set(Delivery.objects.values_list("status", flat=True)) == {"queued"}
