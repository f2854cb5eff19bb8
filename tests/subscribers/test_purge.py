import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from subscribers import services
from subscribers.models import Subscriber
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def test_purge_deletes_only_pending_requests_older_than_thirty_days():
    old = timezone.now() - datetime.timedelta(days=31)
    recent = timezone.now() - datetime.timedelta(days=29)
    SubscriberFactory(email="old@example.org", status="pending", consent_at=old)
    SubscriberFactory(email="recent@example.org", status="pending", consent_at=recent)
    SubscriberFactory(email="active@example.org", consent_at=old)
    SubscriberFactory(email="left@example.org", status="unsubscribed", consent_at=old)
    assert services.purge_pending() == 1
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == [
        "active@example.org",
        "left@example.org",
        "recent@example.org",
    ]


def test_purge_pending_command_says_how_many():
    SubscriberFactory(status="pending", consent_at=timezone.now() - datetime.timedelta(days=40))
    out = io.StringIO()
    call_command("purge_pending", stdout=out)
    assert "Deleted 1 " in out.getvalue()
    assert not Subscriber.objects.exists()
