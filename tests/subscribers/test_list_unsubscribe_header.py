"""List-Unsubscribe must reach mail clients as a plain <https://...> URL (RFC 2369 / 8058).

Parsing a message decodes encoded words, so these tests read the raw bytes the SMTP server
received.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import resolve

from subscribers import sending, services
from subscribers.tokens import read_manage_token
from tests.factories import ArticleFactory, IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db(transaction=True)


def list_unsubscribe_lines(raw):
    return re.findall(rb"^List-Unsubscribe:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*", raw, re.MULTILINE)


def assert_plain_url(raw):
    (header,) = list_unsubscribe_lines(raw)
    assert b"=?" not in header
    url = re.search(rb"<(https?://[^>\s]+)>", header)
    assert url is not None
    return url.group(1).decode()


def assert_unsubscribes(url, subscriber):
    # Compared by meaning, not byte for byte: the signed token carries a timestamp, so a
    # token made a second later differs while pointing at the same subscriber.
    assert url.startswith(settings.SITE_URL + "/")
    match = resolve(urlsplit(url).path)
    assert match.view_name == "subscribers:unsubscribe"
    assert read_manage_token(match.kwargs["token"]) == subscriber.pk


def test_welcome_email_has_a_plain_unsubscribe_url(smtp_server):
    subscriber = SubscriberFactory(email="welcome@example.org")

    services.send_welcome(subscriber=subscriber)

    assert_unsubscribes(assert_plain_url(smtp_server.raw[-1]), subscriber)


@pytest.mark.parametrize("address", ["plain@example.org", "reader@bücher.example"])
def test_issue_email_has_a_plain_unsubscribe_url(smtp_server, address):
    # A plain ASCII address takes the fast path that writes headers directly; an address with
    # an international domain goes through Django's message builder.
    issue = IssueFactory()
    ArticleFactory(issue=issue)
    subscriber = SubscriberFactory(email=address)

    sending.queue_issue(issue=issue)
    sending.send_pending(issue=issue)

    assert len(smtp_server.raw) == 1
    assert_unsubscribes(assert_plain_url(smtp_server.raw[0]), subscriber)
