"""A visitor signs up through the real form on the home page in Debian's Chromium, confirms
from the link the SMTP server received, and leaves from the link in the welcome email."""

import pytest

from subscribers.models import Subscriber
from tests.factories import IssueFactory
from tests.subscribers.conftest import links_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_signs_up_on_the_home_page_confirms_and_leaves(
    page, live_server, smtp_server, settings, console_errors
):
    settings.SITE_URL = live_server.url  # links in the emails point at this test server
    settings.SUBSCRIBERS_MIN_FILL_SECONDS = 1
    issue = IssueFactory(title="Halls and hubs")

    page.goto(live_server.url + "/")
    page.get_by_label("Name", exact=True).fill("Morag Campbell")
    page.get_by_label("Email", exact=True).fill("morag@example")  # a slip of the finger
    page.get_by_label("Organisation (optional)").fill("Angus Community Trust")
    page.wait_for_timeout(1200)  # a person takes longer than the minimum fill time
    page.get_by_role("button", name="Send me the briefing").click()
    page.get_by_role("link", name="Please give a full email address").wait_for()
    assert page.get_by_label("Name", exact=True).input_value() == "Morag Campbell"
    page.get_by_label("Email", exact=True).fill("morag@example.org")
    page.get_by_role("button", name="Send me the briefing").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    assert console_errors == []

    [confirmation] = smtp_server.to("morag@example.org")
    [confirm_url] = links_in(confirmation, "/subscribe/confirm/")
    page.goto(confirm_url)
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    page.get_by_role("button", name="Confirm my subscription").click()
    page.get_by_role("heading", name="You are subscribed").wait_for()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert subscriber.organisation == "Angus Community Trust"
    assert subscriber.consent_source == "/"

    welcome = smtp_server.messages[-1]
    assert links_in(welcome, issue.get_absolute_url())
    [unsubscribe_url] = links_in(welcome, "/unsubscribe/")
    page.goto(unsubscribe_url)
    page.get_by_role("main").get_by_role("button", name="Unsubscribe").click()
    page.get_by_role("heading", name="You have unsubscribed").wait_for()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
