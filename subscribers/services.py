"""Everything that changes subscribers or sends them mail. Views and commands call these."""

import csv
import dataclasses
import datetime
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import consent, tokens
from .emails import ListEmail, build_issue_message
from .forms import EmailAddressField, PlainTextField
from .models import ErasedAddress, IssueRequest, Subscriber, hash_address

logger = logging.getLogger(__name__)

CONFIRMATION_INTERVAL = datetime.timedelta(minutes=10)
PENDING_LIFETIME = datetime.timedelta(days=30)


class InvalidLink(Exception):
    """A tampered, expired or stale link from an email."""


class SubscriberErased(InvalidLink):
    """A genuine link of a subscriber whose record has since been erased."""


def _send_templated(*, template, to, context, headers=None):
    context = {**context, "SITE_URL": settings.SITE_URL, "SITE_NAME": settings.SITE_NAME}
    subject = render_to_string(f"subscribers/email/{template}_subject.txt", context)
    subject = context["subject"] = " ".join(subject.split())
    message = ListEmail(
        subject=subject,
        body=render_to_string(f"subscribers/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(
        render_to_string(f"subscribers/email/{template}.html", context), "text/html"
    )
    message.send()


def list_headers(subscriber):
    """RFC 2369 / RFC 8058 headers so mail clients can offer a one-click unsubscribe."""
    return {
        "List-Unsubscribe": f"<{subscriber.get_unsubscribe_url()}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# Sign-up and confirmation ------------------------------------------------------------------


def confirmation_recently_sent(email):
    """True while asking again would send nothing: a confirmation (or a "you already get
    it" note) went to `email` within CONFIRMATION_INTERVAL."""
    since = timezone.now() - CONFIRMATION_INTERVAL
    subscribers = Subscriber.objects.with_email(email.strip())
    return subscribers.filter(confirmation_sent_at__gt=since).exists()


def request_subscription(*, email, name, organisation="", source="", consent_version=None):
    """Record a sign-up request and send the confirmation email.

    The caller gives the same neutral reply whatever happens here, so nobody can learn
    whether an address is on the list. Returns True when a confirmation email went out.

    The row is written and committed first; mail goes only after the commit, so a reply that
    says "check your email" always has a committed request behind it. A DatabaseError
    propagates to the caller (which must not claim success).
    """
    email = email.strip()
    version = consent_version or consent.CURRENT_VERSION
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().with_email(email).first()
        if subscriber is None:
            try:
                # A savepoint, so a simultaneous insert of the same address (the unique
                # constraint on the lowered address) leaves this transaction usable.
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(email=email, name=name)
            except IntegrityError:
                subscriber = Subscriber.objects.select_for_update().with_email(email).get()
        previous_sent_at = subscriber.confirmation_sent_at
        if previous_sent_at and now - previous_sent_at < CONFIRMATION_INTERVAL:
            return False
        if subscriber.status != Subscriber.Status.ACTIVE:
            # A stranger's request must never change an active subscriber's details or
            # their consent record; for anyone else this request is the one to confirm.
            subscriber.name = name
            subscriber.organisation = organisation
            subscriber.consent_text = consent.WORDING[version]
            subscriber.consent_version = version
            subscriber.consent_source = source or "/subscribe/"
            subscriber.consent_at = now
        # Claimed inside the transaction (the row is locked), so two requests cannot both
        # send within the interval.
        subscriber.confirmation_sent_at = now
        subscriber.save()
    try:
        send_confirmation(subscriber=subscriber)
    except Exception:
        Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_sent_at=previous_sent_at)
        raise
    return True


def send_confirmation(*, subscriber):
    already_active = subscriber.status == Subscriber.Status.ACTIVE
    confirm_url = settings.SITE_URL + subscriber_confirm_path(subscriber)
    _send_templated(
        template="confirm",
        to=subscriber.email,
        context={
            "subscriber": subscriber,
            "confirm_url": confirm_url,
            "already_active": already_active,
            "preferences_url": subscriber.get_preferences_url(),
            "expires_days": tokens.CONFIRM_MAX_AGE // (24 * 60 * 60),
        },
    )


def subscriber_confirm_path(subscriber):
    return reverse("subscribers:confirm", kwargs={"token": tokens.make_confirm_token(subscriber)})


def subscriber_for_confirm_token(token, *, lock=False):
    """The subscriber a confirmation link names, or InvalidLink (also for a link sent before
    they last left the list). `lock` locks their row until the transaction ends."""
    try:
        subscriber_id, address_check, left_check = tokens.read_confirm_token(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        raise InvalidLink from None
    subscribers = Subscriber.objects.select_for_update() if lock else Subscriber.objects
    subscriber = subscribers.filter(pk=subscriber_id).first()
    if (
        subscriber is None
        or not tokens.confirm_token_names(address_check, subscriber.email)
        or not tokens.confirm_token_is_current(left_check, subscriber)
    ):
        raise InvalidLink
    return subscriber


def confirm_subscription(*, token):
    """Make the subscriber active and send the welcome email (once).

    Returns (subscriber, newly_confirmed, welcomed): welcomed is False if the welcome could
    not be sent, so the page does not say it was.
    """
    with transaction.atomic():
        subscriber = subscriber_for_confirm_token(token, lock=True)
        if subscriber.status == Subscriber.Status.ACTIVE:
            return subscriber, False, False
        subscriber.status = Subscriber.Status.ACTIVE
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.save()
        # Confirming by email is fresh consent, even from someone who once asked to be
        # erased.
        ErasedAddress.objects.filter(email_hash=hash_address(subscriber.email)).delete()
    try:
        send_welcome(subscriber=subscriber)
    except OSError:
        # They are subscribed either way; a lost welcome is not worth an error page.
        logger.exception("Welcome email to subscriber %s could not be sent", subscriber.pk)
        return subscriber, True, False
    return subscriber, True, True


def send_welcome(*, subscriber):
    from briefings.models import Issue

    latest = Issue.objects.published().first()
    latest_url = settings.SITE_URL + (latest.get_absolute_url() if latest else "/")
    _send_templated(
        template="welcome",
        to=subscriber.email,
        context={
            "subscriber": subscriber,
            "latest": latest,
            "latest_url": latest_url,
            "preferences_url": subscriber.get_preferences_url(),
            "unsubscribe_url": subscriber.get_unsubscribe_url(),
            "postal_address": settings.BRIEFING_POSTAL_ADDRESS,
        },
        headers=list_headers(subscriber),
    )


# Preferences and leaving --------------------------------------------------------------------


def subscriber_for_manage_token(token):
    try:
        subscriber_id = tokens.read_manage_token(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvalidLink from None
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        raise SubscriberErased
    return subscriber


def unsubscribe(*, subscriber):
    """Stop all mail at once. Returns True if this changed anything."""
    if subscriber.status in {Subscriber.Status.UNSUBSCRIBED}:
        return False
    updated = (
        Subscriber.objects.filter(pk=subscriber.pk)
        .exclude(status=Subscriber.Status.UNSUBSCRIBED)
        # A sign-up straight after leaving gets its confirmation email: the pause between
        # confirmation emails guards strangers' requests, and this was the owner's own act.
        .update(
            status=Subscriber.Status.UNSUBSCRIBED,
            unsubscribed_at=timezone.now(),
            confirmation_sent_at=None,
        )
    )
    return bool(updated)


def update_preferences(*, subscriber, name, organisation):
    subscriber.name = name
    subscriber.organisation = organisation
    subscriber.save(update_fields=["name", "organisation", "updated_at"])


# Single-issue requests ---------------------------------------------------------------------


def request_issue(*, issue, email, source=""):
    """Email one published issue to an address, once. Returns True if it was sent now."""
    email = email.strip()
    try:
        with transaction.atomic():
            request = IssueRequest.objects.create(issue=issue, email=email, source=source)
    except IntegrityError:
        return False  # already asked for (or being sent right now): never twice
    try:
        build_issue_message(issue, to=email, subscriber=None).send()
    except Exception:
        # Let them ask again rather than record a send that never happened.
        request.delete()
        raise
    IssueRequest.objects.filter(pk=request.pk).update(sent_at=timezone.now())
    return True


# The list: erasure, purge, import, export ---------------------------------------------------


def erase_subscriber(*, subscriber):
    """Right to erasure: delete their personal data, keep only a keyed hash of the address."""
    with transaction.atomic():
        ErasedAddress.objects.get_or_create(email_hash=hash_address(subscriber.email))
        IssueRequest.objects.with_email(subscriber.email).delete()
        subscriber.delete()


def purge_pending(*, now=None):
    """Delete sign-up requests nobody confirmed within 30 days. Returns how many."""
    cutoff = (now or timezone.now()) - PENDING_LIFETIME
    stale = Subscriber.objects.filter(status=Subscriber.Status.PENDING).filter(
        Q(consent_at__lt=cutoff) | Q(consent_at__isnull=True, created_at__lt=cutoff)
    )
    count, _ = stale.delete()
    return count


@dataclasses.dataclass
class ImportReport:
    added: int = 0
    unchanged: int = 0
    refused: int = 0  # unsubscribed, bounced, complained or erased
    errors: list = dataclasses.field(default_factory=list)  # (line number, message)


IMPORT_COLUMNS = ["name", "email", "organisation", "consent_source", "consent_date"]

# Measured with bench/import_csv.py (bench/README.md): this many rows import well within
# gunicorn's 30-second timeout on a 2-core server. The upload's size is limited too
# (forms.IMPORT_MAX_BYTES).
IMPORT_MAX_ROWS = 150_000
# Addresses looked up, and subscribers inserted, this many to a query.
IMPORT_BATCH_SIZE = 1000


class ImportTooLarge(Exception):
    """A file over IMPORT_MAX_ROWS: refused whole, before anything is imported."""


EARLIEST_CONSENT_YEAR = 1990  # before email lists as we know them


def _parse_consent_date(value):
    value = value.strip()
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError("The consent date is not a date like 2024-03-01.") from None
    if moment.year < EARLIEST_CONSENT_YEAR:
        # A slip such as 0024 for 2024: a date near year 1 also cannot be stored and read back
        # (PostgreSQL keeps it as 1 BC once the time zone is applied).
        raise ValidationError(
            f"The consent date is before {EARLIEST_CONSENT_YEAR}: check the year."
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now():
        raise ValidationError("The consent date is in the future.")
    return moment


@dataclasses.dataclass
class _ImportRow:
    email: str
    name: str
    organisation: str
    source: str
    consent_at: datetime.datetime

    @property
    def key(self):
        # The same lowering as Subscriber.objects.with_email and hash_address.
        return self.email.strip().lower()


# Made once, not for every row: building a form field costs more than cleaning a value with
# it, and a field keeps nothing from one clean() to the next.
_IMPORT_EMAIL = EmailAddressField()
_IMPORT_NAME = PlainTextField(max_length=200, required=False)
_IMPORT_SOURCE = PlainTextField(max_length=400)


def _clean_import_row(row):
    if None in row or any(value is None for value in row.values()):
        raise ValidationError("The row does not have five columns.")
    return _ImportRow(
        email=_IMPORT_EMAIL.clean(row["email"]),
        name=_IMPORT_NAME.clean(row["name"]),
        organisation=_IMPORT_NAME.clean(row["organisation"]),
        source=_IMPORT_SOURCE.clean(row["consent_source"]),
        consent_at=_parse_consent_date(row["consent_date"]),
    )


def import_subscribers(*, lines):
    """Add an existing list of people who consented elsewhere, from CSV text lines.

    Bad rows are reported by line number and skipped. Addresses already known (in any
    status) are left exactly as they are, so importing the same file twice changes nothing,
    and people who left or were erased are never added back.

    All or nothing: every row is read and checked first, then the list is changed in one
    transaction, so a failure part-way (the database going away, the web worker stopped at
    its timeout) leaves the list as it was. A file of more than IMPORT_MAX_ROWS rows raises
    ImportTooLarge before anything is imported.
    """
    report = ImportReport()
    reader = csv.DictReader(lines)
    names = reader.fieldnames or []
    header = [(column or "").strip().lower().replace(" ", "_") for column in names]
    if header != IMPORT_COLUMNS:
        report.errors.append(
            (1, "The first row must be: name, email, organisation, consent source, consent date.")
        )
        return report
    reader.fieldnames = IMPORT_COLUMNS
    rows = []
    try:
        for count, row in enumerate(reader, start=1):
            if count > IMPORT_MAX_ROWS:
                raise ImportTooLarge(
                    f"The file has more than {IMPORT_MAX_ROWS:,} rows, more than one import "
                    f"can take. Nothing has been imported. Please split it into files of "
                    f"{IMPORT_MAX_ROWS:,} rows or fewer, each with the row of column names "
                    "first, and import them one after another."
                )
            try:
                rows.append(_clean_import_row(row))
            except ValidationError as error:
                report.errors.append((reader.line_num, " ".join(error.messages)))
    except csv.Error as error:
        report.errors.append((reader.line_num, f"The file cannot be read from here on ({error})."))
    with transaction.atomic():
        _import_rows(rows, report=report)
    return report


def _batches(items):
    for start in range(0, len(items), IMPORT_BATCH_SIZE):
        yield items[start : start + IMPORT_BATCH_SIZE]


def _import_rows(rows, *, report):
    # The first row with an address decides for it; a later one with the same address finds
    # it on the list (or refused), as it would have, had the rows been added one by one.
    first_rows = {}
    for row in rows:
        first_rows.setdefault(row.key, row)
    keys = list(first_rows)

    statuses = {}
    for batch in _batches(keys):
        found = (
            Subscriber.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=batch)
            .values_list("email_lower", "status")
        )
        statuses.update(found)
    unknown = [key for key in keys if key not in statuses]
    erased = set()
    for batch in _batches(unknown):
        hashes = {hash_address(key): key for key in batch}
        found = ErasedAddress.objects.filter(email_hash__in=hashes).values_list(
            "email_hash", flat=True
        )
        erased.update(hashes[email_hash] for email_hash in found)
    added = _add_subscribers([first_rows[key] for key in unknown if key not in erased])

    for row in rows:
        status = statuses.get(row.key)
        if status in {Subscriber.Status.ACTIVE, Subscriber.Status.PENDING}:
            report.unchanged += 1
        elif status is not None or row.key in erased:
            report.refused += 1
        elif row.key in added and first_rows[row.key] is row:
            report.added += 1
        else:
            report.unchanged += 1


def _new_subscriber(row):
    return Subscriber(
        email=row.email,
        name=row.name,
        organisation=row.organisation,
        status=Subscriber.Status.ACTIVE,
        confirmed_at=row.consent_at,
        consent_text=f"Consent recorded by {row.source} on {row.consent_at:%-d %B %Y}; imported.",
        consent_version="import",
        consent_source=row.source,
        consent_at=row.consent_at,
    )


def _add_subscribers(rows):
    """Insert the rows' subscribers; return the keys of those added."""
    added = set()
    for batch in _batches(rows):
        try:
            with transaction.atomic():
                Subscriber.objects.bulk_create([_new_subscriber(row) for row in batch])
        except IntegrityError:
            # Someone signed up with one of these addresses since it was looked up (or the
            # database lowers two addresses alike that Python does not): row by row, and an
            # address that is there by now counts as already on the list.
            for row in batch:
                try:
                    with transaction.atomic():
                        _new_subscriber(row).save()
                except IntegrityError:
                    continue
                added.add(row.key)
        else:
            added.update(row.key for row in batch)
    return added


EXPORT_COLUMNS = [
    "email",
    "name",
    "organisation",
    "confirmed_at",
    "consent_source",
    "consent_version",
    "consent_at",
]


def csv_safe(value):
    """Stop spreadsheets treating a cell as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r|%":
        return "'" + text
    return text


def export_rows():
    """Rows of the active list for CSV, header first; streamed from the database."""
    yield EXPORT_COLUMNS
    rows = Subscriber.objects.active().order_by("pk").values_list(*EXPORT_COLUMNS)
    for row in rows.iterator(chunk_size=2000):
        yield [csv_safe(v.isoformat() if hasattr(v, "isoformat") else v) for v in row]
