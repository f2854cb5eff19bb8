"""The issue email tools fit a 390 px phone screen without sideways scrolling."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from subscribers.models import Click, Delivery
from tests.factories import ArticleFactory, IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "x"))
    return client


def test_long_links_and_errors_on_the_statistics_page_wrap(admin_client):
    issue = IssueFactory()
    article = ArticleFactory(issue=issue)
    delivery = Delivery.objects.create(issue=issue, subscriber=SubscriberFactory(), status="sent")
    Click.objects.create(
        delivery=delivery, article=article, url="https://example.org/" + "a-long-address-" * 6
    )
    Delivery.objects.create(
        issue=issue,
        subscriber=SubscriberFactory(),
        status="failed",
        last_error="550 mailbox unavailable <someone.with.a.long.name@example.org>",
    )

    page = admin_client.get(
        reverse("admin:issue-email-stats", kwargs={"issue_id": issue.pk})
    ).content.decode()

    # A web address has nowhere to break, so it stretched the table past the screen.
    wrapping = '<table style="overflow-wrap: anywhere;">\n<thead><tr><th scope="col">'
    assert page.count(wrapping) == 2
    assert wrapping + "Address</th>" in page and wrapping + "Link</th>" in page


def test_test_send_address_box_may_shrink_to_the_screen(admin_client):
    issue = IssueFactory()

    page = admin_client.get(
        reverse("admin:issue-email-test", kwargs={"issue_id": issue.pk})
    ).content.decode()

    assert 'style="max-width: 100%;"' in page
