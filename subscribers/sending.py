"""Sending an issue to every active subscriber exactly once.

How it stays exactly-once:
- `queue_issue` creates one Delivery per (issue, subscriber); a unique constraint makes a second
  press, or two editors at once, create nothing new.
- Workers claim deliveries in batches (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so
  parallel workers never share a row), mark them "sending", then send them one by one in id
  order over one SMTP connection, recording each as "sent" the moment the server accepts it.
- A worker that dies leaves its unsent rows "sending"; after BRIEFING_SEND_CLAIM_TIMEOUT they
  are claimed again. Only the one message that was on the wire can have been accepted without
  being recorded: that row is flagged `possible_duplicate` so it can be listed.
- Only a public issue (`Issue.objects.published()`) is sent: it is a condition of every claim,
  and checked again with the readers while a batch goes out. An issue unpublished after Send
  keeps what it has not yet sent "queued" (held, no attempt used) until it is public again.
"""

import functools
import logging
import os
import smtplib
import socket
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.mail import mailers
from django.db import connection, transaction
from django.db.models import Exists, F, Min, OuterRef, Q
from django.utils import timezone

from briefings.models import Issue

from .emails import PreparedIssue
from .models import Delivery, Subscriber

logger = logging.getLogger(__name__)
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


class NotPublished(ValueError):
    pass


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    skipped: int = 0
    held: int = 0  # given back untried because the issue stopped being public
    stopped_by: str = ""  # why the run stopped early (e.g. the mail server is down)
    errors: list = field(default_factory=list)


def queue_issue(*, issue):
    """Create a queued Delivery for every active subscriber who has none for this issue.

    Returns how many were created. Calling it again only adds subscribers who joined since
    (that is the one way to send an issue again), so a double press sends nothing twice.
    """
    with transaction.atomic():
        # The lock on the issue's row makes two presses at once take turns. Without it, under
        # PostgreSQL's READ COMMITTED, the second counts `before` while the first is still
        # inserting, then counts the first's rows as its own.
        if not Issue.objects.published().select_for_update().filter(pk=issue.pk).exists():
            raise NotPublished(
                "This issue is not published yet, so it cannot be sent to subscribers. "
                "Publish it first (or send yourself a test)."
            )
        before = Delivery.objects.filter(issue=issue).count()
        subscriber_ids = (
            Subscriber.objects.active()
            .exclude(deliveries__issue=issue)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Delivery.objects.bulk_create(
            (Delivery(issue=issue, subscriber_id=pk) for pk in subscriber_ids.iterator()),
            batch_size=1000,
            ignore_conflicts=True,
        )
        return Delivery.objects.filter(issue=issue).count() - before


def count_new_recipients(*, issue):
    return Subscriber.objects.active().exclude(deliveries__issue=issue).count()


def start_sending(*, issue):
    """Queue the issue and hand the work to background workers. Returns the number queued."""
    created = queue_issue(issue=issue)
    transaction.on_commit(lambda: enqueue_workers(issue_id=issue.pk))
    return created


def enqueue_workers(*, issue_id):
    from .tasks import send_deliveries

    for _ in range(settings.BRIEFING_SEND_WORKERS):
        send_deliveries.enqueue(issue_id)


def queue_due_issues():
    """Start sending every public issue marked "send on publish" that has never been sent.

    Run every minute (`manage.py send_issue --due` from cron, or the loop `make run` starts);
    returns the issues started.
    """
    due = Issue.objects.published().filter(send_on_publish=True, deliveries__isnull=True)
    started = []
    for issue in due:
        start_sending(issue=issue)
        started.append(issue)
    return started


def resume_stalled():
    """Enqueue workers for issues whose deliveries are waiting but that no worker is sending.

    This catches a worker that died (its claims go stale), retries that are now due, and the
    held mail of an issue that is public again after being unpublished mid-send.
    """
    now = timezone.now()
    fresh = now - timedelta(seconds=settings.BRIEFING_SEND_CLAIM_TIMEOUT)
    dead = dead_workers()
    # Deliveries queued moments ago wait for the workers queued with them, not for us: taking
    # them for stalled would queue a second set of workers for every send just started.
    just_queued = Q(status=Delivery.Status.QUEUED, attempts=0, created_at__gte=fresh)
    waiting = (
        _claimable(now, dead).exclude(just_queued).values_list("issue_id", flat=True).distinct()
    )
    busy = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__gte=fresh).exclude(
        claimed_by__in=dead
    )
    issue_ids = set(waiting) - set(busy.values_list("issue_id", flat=True).distinct())
    for issue_id in sorted(issue_ids):
        enqueue_workers(issue_id=issue_id)
    return sorted(issue_ids)


def _claimable(now, dead=()):
    """Deliveries a worker may take: queued and due, or claimed by a worker that is gone
    (its claim has not been renewed for the claim timeout, or it is one of `dead`)."""
    stale = now - timedelta(seconds=settings.BRIEFING_SEND_CLAIM_TIMEOUT)
    return Delivery.objects.filter(
        Q(status=Delivery.Status.QUEUED, next_attempt_at__isnull=True)
        | Q(status=Delivery.Status.QUEUED, next_attempt_at__lte=now)
        | Q(status=Delivery.Status.SENDING, claimed_at__lt=stale)
        | Q(status=Delivery.Status.SENDING, claimed_by__in=dead),
        # An issue unpublished after Send must not reach readers with links to a draft: its
        # deliveries wait here, untouched, until it is public again.
        issue__in=Issue.objects.published(),
    )


@functools.cache
def _this_machine():
    """This machine and boot, as worker names record them, so that the process id in a claim
    is only ever looked up where it means that process (not on a namesake host, or after a
    reboot)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()[:8]
    except OSError:
        boot = "unknown"
    return f"{socket.gethostname()}/{boot}"


def worker_name():
    return f"{_this_machine()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _running(pid):
    try:
        os.kill(pid, 0)  # no signal: only whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        pass
    return True


def dead_workers():
    """Names of workers of this machine that hold claims but are no longer running.

    A worker killed mid-send leaves its claims "sending"; rather than have every one of them
    wait out BRIEFING_SEND_CLAIM_TIMEOUT (two minutes, with the whole send stalled behind
    them), a worker restarted on the same machine takes them over at once. Workers elsewhere
    cannot be checked from here and still time out.
    """
    machine = _this_machine()
    dead = []
    claimers = (
        Delivery.objects.filter(status=Delivery.Status.SENDING)
        .values_list("claimed_by", flat=True)
        .distinct()
    )
    for name in claimers:
        where, _, rest = name.partition(":")
        pid = rest.partition(":")[0]
        if where == machine and pid.isdigit() and not _running(int(pid)):
            dead.append(name)
    return dead


def claim_batch(*, issue=None, batch_size, worker):
    """Mark up to batch_size deliveries as ours and return them (with subscribers)."""
    now = timezone.now()
    dead = dead_workers()
    with transaction.atomic():
        candidates = _claimable(now, dead).order_by("pk")
        if issue is not None:
            candidates = candidates.filter(issue=issue)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        rows = list(candidates.values_list("pk", "status", "claimed_by", "claimed_at")[:batch_size])
        if not rows:
            return []
        ids = [pk for pk, *_ in rows]
        # Rows left "sending" by a dead worker: in each of its batches the lowest id still
        # "sending" is the one it was sending when it died (it sends in id order and records
        # each result before starting the next).
        in_flight = {}
        for pk, status, claimed_by, claimed_at in rows:
            if status == Delivery.Status.SENDING:
                key = (claimed_by, claimed_at)
                in_flight[key] = min(pk, in_flight.get(key, pk))
        if in_flight:
            Delivery.objects.filter(pk__in=in_flight.values()).update(possible_duplicate=True)
        # The claimable condition is repeated in the UPDATE so that, where SKIP LOCKED is not
        # available (SQLite), a row another worker took in the meantime is not taken again.
        _claimable(now, dead).filter(pk__in=ids).update(
            status=Delivery.Status.SENDING,
            claimed_at=now,
            claimed_by=worker,
            attempts=F("attempts") + 1,
        )
        return list(
            Delivery.objects.filter(pk__in=ids, claimed_by=worker, claimed_at=now)
            .select_related("subscriber")
            .order_by("pk")
        )


def _backoff(attempts):
    base = settings.BRIEFING_SEND_RETRY_SECONDS
    return timezone.now() + timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def _retry_later(delivery, error, *, count_attempt=True):
    attempts = delivery.attempts if count_attempt else max(delivery.attempts - 1, 0)
    if count_attempt and attempts >= settings.BRIEFING_SEND_MAX_ATTEMPTS:
        _fail(delivery, error)
        return "failed"
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.QUEUED,
        attempts=attempts,
        next_attempt_at=_backoff(attempts or 1),
        last_error=describe_error(error)[:2000],
        claimed_by="",
        claimed_at=None,
    )
    return "retrying"


def _fail(delivery, error, *, bounce=False):
    # In words, because editors read it on the statistics page.
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED, last_error=describe_error(error)[:2000]
    )
    if bounce:
        Subscriber.objects.filter(pk=delivery.subscriber_id, status="active").update(
            status=Subscriber.Status.BOUNCED
        )


def _hold(delivery):
    """Give a claimed delivery back as it was before the claim: it was not tried."""
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.QUEUED,
        attempts=max(delivery.attempts - 1, 0),
        claimed_by="",
        claimed_at=None,
    )


def _release(deliveries, error):
    """Put claimed but untried deliveries back in the queue, without using up an attempt."""
    for delivery in deliveries:
        _retry_later(delivery, error, count_attempt=False)


def _record_refusal(delivery, error):
    kind = _classify(error)
    if kind == "temporary":
        return _retry_later(delivery, error)
    _fail(delivery, error, bounce=kind == "permanent-recipient")
    return "failed"


def _classify(error):
    """Return "permanent-recipient", "permanent" or "temporary" for a send error."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code = next(iter(error.recipients.values()), (450, b""))[0]
        return "permanent-recipient" if 500 <= code < 600 else "temporary"
    code = getattr(error, "smtp_code", None)
    if isinstance(code, int) and 500 <= code < 600:
        return "permanent"
    try:
        from anymail.exceptions import AnymailRecipientsRefused

        if isinstance(error, AnymailRecipientsRefused):
            return "permanent-recipient"
    except ImportError:  # pragma: no cover
        pass
    return "temporary"


class _Pacer:
    """Keep to BRIEFING_SEND_PER_MINUTE messages a minute (per worker); 0 means no limit."""

    def __init__(self):
        rate = settings.BRIEFING_SEND_PER_MINUTE
        self.interval = 60 / rate if rate else 0
        self.next_at = time.monotonic()

    def wait(self):
        if not self.interval:
            return
        now = time.monotonic()
        if now < self.next_at:
            time.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


class _StatusCheck:
    """Whether each of a batch's deliveries may still go, at most BRIEFING_SEND_RECHECK_SECONDS
    old: "send", "skip" (the reader is no longer active) or "hold" (the issue is not public).

    One query refreshes the answer for the rest of the batch, so a reader who unsubscribes, or
    an editor who unpublishes the issue, mid-send is honoured within that window without a
    query per message.
    """

    def __init__(self, batch):
        self.batch = batch
        self.max_age = settings.BRIEFING_SEND_RECHECK_SECONDS
        self.checked_at = None
        self.verdicts = {}

    def verdict(self, delivery, index):
        now = time.monotonic()
        if self.checked_at is None or now - self.checked_at >= self.max_age:
            remaining = [d.pk for d in self.batch[index:]]
            rows = (
                Delivery.objects.filter(pk__in=remaining)
                .annotate(
                    public=Exists(Issue.objects.published().filter(pk=OuterRef("issue_id"))),
                    active=Exists(Subscriber.objects.active().filter(pk=OuterRef("subscriber_id"))),
                )
                .values_list("pk", "public", "active")
            )
            self.verdicts = {}
            for pk, public, active in rows:
                if not public:
                    self.verdicts[pk] = "hold"
                else:
                    self.verdicts[pk] = "send" if active else "skip"
            self.checked_at = now
        return self.verdicts.get(delivery.pk, "hold")


class _Heartbeat:
    """Keep a slow batch's claim fresh, so no other worker takes it while this one lives."""

    def __init__(self, batch):
        self.batch = batch
        self.every = settings.BRIEFING_SEND_CLAIM_TIMEOUT / 4
        self.last = time.monotonic()

    def beat(self, index):
        now = time.monotonic()
        if now - self.last < self.every:
            return
        self.last = now
        claimed_at = timezone.now()
        remaining = [d.pk for d in self.batch[index:]]
        Delivery.objects.filter(
            pk__in=remaining, status=Delivery.Status.SENDING, claimed_by=self.batch[0].claimed_by
        ).update(claimed_at=claimed_at)


def send_batch(*, batch, prepared, pacer=None, on_result=None):
    """Send a claimed batch over one connection. Returns a SendReport."""
    report = SendReport()
    pacer = pacer or _Pacer()
    if not batch:
        return report
    conn = mailers.default
    try:
        conn.open()
    except Exception as error:  # noqa: BLE001 - any failure to connect is temporary
        _release(batch, error)
        report.retrying += len(batch)
        report.stopped_by = f"Could not connect to the mail server: {error}"
        return report
    with conn:  # already open: one connection for the whole batch, closed at the end
        statuses = _StatusCheck(batch)
        heartbeat = _Heartbeat(batch)
        for index, delivery in enumerate(batch):
            subscriber = delivery.subscriber
            # Re-checked just before sending, not at claim time: the issue may have been
            # unpublished, or a reader unsubscribed (or bounced), since the batch was claimed.
            verdict = statuses.verdict(delivery, index)
            if verdict == "hold":
                _hold(delivery)
                report.held += 1
                _notify(on_result, "held")
                continue
            if verdict == "skip":
                Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED)
                report.skipped += 1
                _notify(on_result, "skipped")
                continue
            pacer.wait()
            heartbeat.beat(index)
            message = prepared[delivery.issue_id].message(
                to=subscriber.email, subscriber=subscriber, delivery_id=delivery.pk
            )
            try:
                conn.send_messages([message])
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
                outcome = _record_refusal(delivery, error)
                setattr(report, outcome, getattr(report, outcome) + 1)
                report.errors.append((subscriber.email, str(error)))
                _notify(on_result, outcome)
                continue
            except OSError as error:
                # The connection is gone (SMTPServerDisconnected is an OSError too): this one
                # may or may not have arrived; retry it and give the rest back untried.
                _retry_later(delivery, error)
                _release(batch[index + 1 :], error)
                report.retrying += len(batch) - index
                report.stopped_by = f"Lost the connection to the mail server: {error}"
                return report
            except Exception as error:  # noqa: BLE001 - an ESP's API error, classified
                outcome = _record_refusal(delivery, error)
                setattr(report, outcome, getattr(report, outcome) + 1)
                report.errors.append((subscriber.email, str(error)))
                _notify(on_result, outcome)
                continue
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.SENT,
                sent_at=timezone.now(),
                message_id=message.extra_headers["Message-ID"],
                last_error="",
            )
            report.sent += 1
            _notify(on_result, "sent")
    return report


def _notify(callback, outcome):
    if callback is not None:
        callback(outcome)


class _PreparedIssues(dict):
    """Render each issue once per worker run, on first use."""

    def __missing__(self, issue_id):
        issue = Issue.objects.with_articles().get(pk=issue_id)
        self[issue_id] = PreparedIssue(issue)
        return self[issue_id]


def send_pending(*, issue=None, batch_size=None, worker=None, max_batches=None, on_result=None):
    """Claim and send batches until nothing is left to claim (or the server is down)."""
    batch_size = batch_size or settings.BRIEFING_SEND_BATCH_SIZE
    if settings.BRIEFING_SEND_PER_MINUTE:
        # A batch should take about a minute at most, well inside the claim timeout.
        batch_size = max(1, min(batch_size, settings.BRIEFING_SEND_PER_MINUTE))
    worker = worker or worker_name()
    with _fast_commits():
        return _send_pending(
            issue=issue,
            batch_size=batch_size,
            worker=worker,
            max_batches=max_batches,
            on_result=on_result,
        )


@contextmanager
def _fast_commits():
    """On PostgreSQL, don't wait for the disk on each "sent" mark (synchronous_commit off).

    Waiting for the WAL flush costs ~4 ms a message here, more than everything else together.
    Without it a worker crash loses nothing (PostgreSQL still has the commit); only a crash of
    PostgreSQL itself can lose the last fraction of a second of marks, and those readers would
    get the issue twice. BRIEFING_SEND_SYNCHRONOUS_COMMIT=true keeps every mark durable.
    """
    if connection.vendor != "postgresql" or settings.BRIEFING_SEND_SYNCHRONOUS_COMMIT:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _send_pending(*, issue, batch_size, worker, max_batches, on_result):
    prepared = _PreparedIssues()
    pacer = _Pacer()
    total = SendReport()
    batches = 0
    while max_batches is None or batches < max_batches:
        batch = claim_batch(issue=issue, batch_size=batch_size, worker=worker)
        if not batch:
            break
        if batches == 0 and settings.MAILERS["default"]["BACKEND"] == CONSOLE_BACKEND:
            # A worker started without the server's EMAIL_HOST would otherwise "send" a whole
            # issue into its log, recorded as sent, with nobody the wiser.
            logger.warning(
                "No EMAIL_HOST is set: these emails are printed here, not sent, and recorded "
                "as sent. Start the worker with the same EMAIL_HOST and EMAIL_PORT as the site."
            )
        batches += 1
        report = send_batch(batch=batch, prepared=prepared, pacer=pacer, on_result=on_result)
        for name in ("sent", "failed", "retrying", "skipped", "held"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        total.errors += report.errors
        if report.stopped_by:
            total.stopped_by = report.stopped_by
            logger.warning("Sending stopped: %s", report.stopped_by)
            break
    return total


def next_retry_at(*, issue):
    """When the issue's next retry is due; None if none is waiting, or if the issue is not
    public (its mail is held; `resume_stalled` restarts it once the issue is public again)."""
    waiting = Delivery.objects.filter(
        issue__in=Issue.objects.published().filter(pk=issue.pk), status=Delivery.Status.QUEUED
    )
    return waiting.aggregate(at=Min("next_attempt_at"))["at"]


def failures(*, issue):
    """The issue's deliveries that failed for good, with their readers, in the order queued."""
    return Delivery.objects.filter(issue=issue, status=Delivery.Status.FAILED).select_related(
        "subscriber"
    )


def possible_duplicates(*, issue):
    return Delivery.objects.filter(issue=issue, possible_duplicate=True).select_related(
        "subscriber"
    )


@dataclass
class SendTestReport:
    sent: list = field(default_factory=list)  # addresses the mail server accepted
    refused: dict = field(default_factory=dict)  # address -> why it was not sent, in words


def send_test(*, issue, addresses):
    """Send a test copy of any issue (drafts too) to a few addresses: the subscribers' footer,
    with unsubscribe and preferences links that change nothing.

    Each address is tried, so one the server refuses does not stop the others; the report says
    which got it. If the mail server cannot be reached at all (nothing was sent), the OSError
    is raised.
    """
    issue = Issue.objects.with_articles().get(pk=issue.pk)
    prepared = PreparedIssue(issue, personal=False, test_copy=True, subject_prefix="[Test] ")
    report = SendTestReport()
    with mailers.default as conn:
        for index, address in enumerate(addresses):
            try:
                conn.send_messages([prepared.message(to=address)])
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
                report.refused[address] = describe_error(error)
            except OSError as error:
                if not report.sent:
                    raise
                # Some have it already; say who did not rather than suggest nothing went.
                for rest in addresses[index:]:
                    report.refused[rest] = describe_error(error)
                break
            else:
                report.sent.append(address)
    return report


def describe_error(error):
    """Why a message was not sent, in words for an editor, ending with what the server said."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (0, b""))
        if 500 <= code < 600:
            reason = "the mail server refused the address"
        else:
            reason = "the mail server turned the address away for now"
    elif isinstance(error, smtplib.SMTPSenderRefused):
        code, text = error.smtp_code, error.smtp_error
        reason = "the mail server refused our From address"
    elif isinstance(error, smtplib.SMTPResponseException):
        code, text = error.smtp_code, error.smtp_error
        reason = "the mail server refused the message"
    elif isinstance(error, OSError):
        return f"the connection to the mail server failed; the error was “{error}”"
    else:  # an email service's API error: its own message is the explanation
        return f"the email service refused it; it said “{error}”"
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    said = " ".join(f"{code} {text}".split())
    return f"{reason}; it said “{said}”"


def record_mail_event(*, esp_name, event_id, event_type, recipient, payload):
    """Apply a provider's bounce or complaint report once, however often it is posted.

    Returns True if this call changed anything. Other events (delivered, opened, ...) are
    ignored: we count clicks ourselves.
    """
    import hashlib
    import json

    from .models import MailEvent

    new_status = {
        "bounced": Subscriber.Status.BOUNCED,
        "complained": Subscriber.Status.COMPLAINED,
    }.get(event_type)
    if new_status is None or not recipient:
        return False
    if not event_id:
        # Some providers give no id; the payload itself identifies a retried post.
        event_id = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    with transaction.atomic():
        _, created = MailEvent.objects.get_or_create(
            event_id=f"{esp_name}:{event_id}"[:255],
            defaults={"event_type": event_type, "recipient": recipient, "payload": payload},
        )
        if not created:
            return False
        # A complaint outranks a bounce; an unsubscribed reader stays unsubscribed.
        changeable = [Subscriber.Status.ACTIVE, Subscriber.Status.PENDING]
        if new_status == Subscriber.Status.COMPLAINED:
            changeable.append(Subscriber.Status.BOUNCED)
        changed = Subscriber.objects.filter(email__iexact=recipient, status__in=changeable).update(
            status=new_status, updated_at=timezone.now()
        )
    return bool(changed)


def issue_stats(*, issue):
    """What happened to an issue's email: delivery counts, clickers, clicks per article/link."""
    from django.db.models import Count

    from briefings.models import Article

    from .models import Click

    deliveries = Delivery.objects.filter(issue=issue)
    tally = deliveries.tally()
    clicks = Click.objects.filter(delivery__issue=issue)
    articles = (
        Article.objects.filter(issue=issue)
        .annotate(
            click_count=Count("clicks", filter=Q(clicks__delivery__issue=issue)),
            clickers=Count(
                "clicks__delivery", filter=Q(clicks__delivery__issue=issue), distinct=True
            ),
        )
        .select_related("section")
        .order_by("-click_count", "order", "pk")
    )
    links = (
        clicks.values("url")
        .annotate(click_count=Count("pk"), clickers=Count("delivery", distinct=True))
        .order_by("-click_count", "url")
    )
    return {
        "recipients": tally["total"],
        "sent": tally["sent"],
        "failed": tally["failed"],
        "waiting": tally["waiting"],
        "skipped": tally["skipped"],
        "bounced": deliveries.filter(subscriber__status=Subscriber.Status.BOUNCED).count(),
        "complained": deliveries.filter(subscriber__status=Subscriber.Status.COMPLAINED).count(),
        "unique_clickers": clicks.values("delivery").distinct().count(),
        "clicks": clicks.count(),
        "articles": list(articles),
        "links": list(links),
        "possible_duplicates": list(possible_duplicates(issue=issue)),
    }


def subscriber_growth(*, weeks=26):
    """(week starting, subscribers confirmed by the end of that week), oldest first."""
    from django.db.models import Count
    from django.db.models.functions import TruncWeek

    start = timezone.now() - timedelta(weeks=weeks)
    confirmed = Subscriber.objects.filter(confirmed_at__isnull=False)
    before = confirmed.filter(confirmed_at__lt=start).count()
    per_week = dict(
        confirmed.filter(confirmed_at__gte=start)
        .annotate(week=TruncWeek("confirmed_at"))
        .values_list("week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    points, total = [], before
    local_start = timezone.localtime(start).date()
    first = local_start - timedelta(days=local_start.weekday())
    counts = {w.date() if hasattr(w, "date") else w: n for w, n in per_week.items()}
    for i in range(weeks + 1):
        day = first + timedelta(weeks=i)
        total += counts.get(day, 0)
        points.append((day, total))
    return points
