import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from . import tokens


def hash_address(email):
    """HMAC-SHA256 of the lowered address, keyed by SECRET_KEY: recognisable, not readable."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, email.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()


class SubscriberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Subscriber.Status.ACTIVE)

    def with_email(self, email):
        """Rows for `email`, matched case-insensitively through the Lower("email") index."""
        return self.alias(email_lower=Lower("email")).filter(email_lower=email.strip().lower())


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        ACTIVE = "active", "Active"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained"

    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    # Evidence of consent (UK GDPR / PECR): what they agreed to, where and when.
    consent_text = models.TextField(blank=True, help_text="The exact wording they agreed to.")
    consent_version = models.CharField(max_length=20, blank=True)
    consent_source = models.CharField(
        max_length=500, blank=True, help_text="The page or import the request came from."
    )
    consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When they asked (or the date an imported list gives)."
    )

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="subscriber_email_unique_ci",
                # Django's own words name the constraint, which means nothing to an editor.
                violation_error_message=(
                    "There is already a subscriber with this email address (perhaps written "
                    "with different capital letters). Search the list for it and edit that "
                    "subscriber instead."
                ),
            ),
        ]
        permissions = [
            ("view_subscriber_list", "Can see and export the subscriber list"),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip()
        super().save(*args, **kwargs)

    @property
    def gets_no_briefings(self):
        """Left, or stopped by bounces or a complaint: nothing more is sent."""
        return self.status not in (self.Status.PENDING, self.Status.ACTIVE)

    @property
    def manage_token(self):
        return tokens.make_manage_token(self)

    def get_preferences_url(self):
        """Absolute URL of this subscriber's personal preferences page (for emails)."""
        path = reverse("subscribers:preferences", kwargs={"token": self.manage_token})
        return settings.SITE_URL + path

    def get_unsubscribe_url(self):
        """Absolute URL that unsubscribes on POST (RFC 8058 one-click) and asks on GET."""
        path = reverse("subscribers:unsubscribe", kwargs={"token": self.manage_token})
        return settings.SITE_URL + path


class ErasedAddress(models.Model):
    """An address erased on request (right to erasure): only a keyed hash is kept.

    Imports skip these addresses, so nobody is added back silently. The person may still sign
    up again themselves: confirming by email is fresh consent and removes the hash.
    """

    email_hash = models.CharField(max_length=64, unique=True)
    erased_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-erased_at"]
        verbose_name_plural = "erased addresses"

    def __str__(self):
        return f"Erased {self.erased_at:%-d %B %Y}"

    @classmethod
    def is_erased(cls, email):
        return cls.objects.filter(email_hash=hash_address(email)).exists()


class IssueRequestQuerySet(models.QuerySet):
    def with_email(self, email):
        return self.alias(email_lower=Lower("email")).filter(email_lower=email.strip().lower())


class IssueRequest(models.Model):
    """One "email me this issue" request. It does not make the requester a subscriber."""

    issue = models.ForeignKey(
        "briefings.Issue", on_delete=models.CASCADE, related_name="email_requests"
    )
    email = models.EmailField(max_length=254)
    source = models.CharField(max_length=500, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = IssueRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            # The issue goes to an address once, however often the form is sent.
            models.UniqueConstraint("issue", Lower("email"), name="issue_request_once_per_address"),
        ]

    def __str__(self):
        return f"{self.email} – {self.issue}"


# --- The email edition: deliveries, clicks and provider events (issue #5) ---------------------


class DeliveryQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING])

    def tally(self):
        """How many there are and how they ended, in one query: a dict of "total", "sent",
        "waiting" (queued or sending), "failed" and "skipped" (the reader left first)."""
        by_status = dict(self.values_list("status").annotate(n=models.Count("pk")).order_by())
        return {
            "total": sum(by_status.values()),
            "sent": by_status.get(Delivery.Status.SENT, 0),
            "waiting": by_status.get(Delivery.Status.QUEUED, 0)
            + by_status.get(Delivery.Status.SENDING, 0),
            "failed": by_status.get(Delivery.Status.FAILED, 0),
            "skipped": by_status.get(Delivery.Status.SKIPPED, 0),
        }


class Delivery(models.Model):
    """One issue to one subscriber. The unique constraint is what makes sending exactly once."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (no longer subscribed)"

    issue = models.ForeignKey(
        "briefings.Issue", on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    # Set when a worker died while this message was the one on the wire: the server may have
    # accepted it before the worker could record that, so the reader may have it twice.
    possible_duplicate = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="delivery_one_per_issue_and_subscriber"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_claim_idx")]
        permissions = [("send_issue", "Can preview, test and send issues by email")]

    def __str__(self):
        return f"{self.issue} to {self.subscriber}"


class Click(models.Model):
    """One reader following one link in an emailed issue (through /r/<token>)."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="clicks"
    )
    article = models.ForeignKey(
        "briefings.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clicks",
    )
    url = models.URLField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.url


class MailEvent(models.Model):
    """A bounce or complaint reported by the mail provider's webhook, kept once per event.

    Providers retry webhooks, so the unique event id is what makes handling idempotent.
    """

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=30)
    recipient = models.EmailField(max_length=254, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.event_type} for {self.recipient}"
