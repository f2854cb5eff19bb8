import datetime

import pytest
from django.utils import timezone

from briefings.models import Issue
from tests.factories import IssueFactory

pytestmark = pytest.mark.django_db


def test_published_issue_with_past_publish_time_is_public():
    issue = IssueFactory()
    assert list(Issue.objects.published()) == [issue]


def test_draft_issue_is_not_public():
    IssueFactory(draft=True)
    assert not Issue.objects.published().exists()


def test_issue_scheduled_in_the_future_is_not_public_yet():
    IssueFactory(scheduled=True)
    assert not Issue.objects.published().exists()


def test_scheduled_issue_becomes_public_once_its_time_passes():
    issue = IssueFactory(scheduled=True)
    Issue.objects.filter(pk=issue.pk).update(
        publish_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert list(Issue.objects.published()) == [issue]


def test_publishing_without_a_time_publishes_now():
    issue = IssueFactory(draft=True)
    issue.status = Issue.Status.PUBLISHED
    issue.save()
    assert issue.publish_at is not None
    assert Issue.objects.published().filter(pk=issue.pk).exists()


def test_an_issue_published_now_is_public_at_once_every_time():
    # Many tries, because the miss lasted under a millisecond: SQLite's clock in published()
    # has milliseconds, so a publish time with microseconds was briefly in its future.
    misses = 0
    for _ in range(100):
        issue = IssueFactory(draft=True)
        issue.status = Issue.Status.PUBLISHED
        issue.save()
        misses += not Issue.objects.published().filter(pk=issue.pk).exists()
    assert misses == 0
