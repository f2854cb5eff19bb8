"""The bulk SMTP backend (subscribers.mail) against a real server that offers PIPELINING."""

from collections import Counter

import pytest
from django.core.mail import mailers

from subscribers import sending
from subscribers.models import Delivery, Subscriber
from tests.factories import ArticleFactory, IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipelining_server(smtp_server, settings):
    async def handle_ehlo(server, session, envelope, hostname, responses):
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    smtp_server.handle_EHLO = handle_ehlo
    settings.MAILERS = {
        "default": {
            **settings.MAILERS["default"],
            "BACKEND": "subscribers.mail.EmailBackend",
        }
    }
    return smtp_server


def received(server):
    return Counter(rcpt for _, rcpts in server.envelopes for rcpt in rcpts)


def test_server_offers_pipelining_and_backend_uses_it(pipelining_server):
    with mailers.default as conn:
        conn.connection.ehlo_or_helo_if_needed()
        assert conn.connection.has_extn("pipelining")
        assert conn.prep_address("reader@example.org") == "reader@example.org"
        assert conn.prep_address("Reader <reader@exämple.org>") == "reader@xn--exmple-cua.org"


def test_issue_arrives_whole_once_per_reader(pipelining_server):
    issue = IssueFactory()
    ArticleFactory(issue=issue, teaser=".A teaser that starts with a full stop.\n.\nAnd more.")
    subscribers = SubscriberFactory.create_batch(4)
    sending.queue_issue(issue=issue)

    assert sending.send_pending(batch_size=3).sent == 4

    assert received(pipelining_server) == Counter({s.email: 1 for s in subscribers})
    message = pipelining_server.to(subscribers[0].email)[0]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert ".A teaser that starts with a full stop." in text
    assert message["X-SCA-Delivery"] == str(Delivery.objects.get(subscriber=subscribers[0]).pk)


def test_refusals_are_classified_the_same_when_pipelined(pipelining_server):
    issue = IssueFactory()
    gone = SubscriberFactory(email="gone@example.org")
    busy = SubscriberFactory(email="busy@example.org")
    fine = SubscriberFactory(email="fine@example.org")
    pipelining_server.refuse["gone@example.org"] = (550, "No such user")
    pipelining_server.refuse["busy@example.org"] = (452, "Mailbox full for now")
    sending.queue_issue(issue=issue)

    report = sending.send_pending()

    assert (report.sent, report.failed, report.retrying) == (1, 1, 1)
    assert received(pipelining_server) == Counter({fine.email: 1})
    gone.refresh_from_db()
    busy.refresh_from_db()
    assert gone.status == Subscriber.Status.BOUNCED and busy.status == Subscriber.Status.ACTIVE
    assert Delivery.objects.get(subscriber=busy).status == "queued"
