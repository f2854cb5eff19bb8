"""django-anymail's tracking webhooks, handed straight to a service.

anymail verifies and normalises each provider's payload and sends its `tracking` signal; that
signal is the library's documented integration point, so the receiver here only forwards.
"""

from anymail.signals import tracking
from django.dispatch import receiver

from . import sending


@receiver(tracking, dispatch_uid="subscribers.record_mail_event")
def handle_tracking_event(sender, event, esp_name, **kwargs):
    sending.record_mail_event(
        esp_name=esp_name,
        event_id=event.event_id,
        event_type=event.event_type,
        recipient=event.recipient or "",
        payload=event.esp_event if isinstance(event.esp_event, dict) else {},
    )
