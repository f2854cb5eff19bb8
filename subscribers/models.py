from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from . import tokens


class SubscriberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Subscriber.Status.ACTIVE)


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
    consent_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="subscriber_email_unique_ci"),
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
