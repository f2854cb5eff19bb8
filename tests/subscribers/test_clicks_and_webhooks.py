import base64
import json

import pytest
from django.core import signing
from django.urls import reverse

from subscribers.emails import make_click_token, url_target
from subscribers.models import Click, Delivery, MailEvent, Subscriber
from tests.factories import ArticleFactory, IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery():
    issue = IssueFactory()
    return Delivery.objects.create(issue=issue, subscriber=SubscriberFactory(), status="sent")


def click_path(token):
    return reverse("subscribers:click", kwargs={"token": token})


def test_read_more_click_is_counted_and_redirects_to_the_article(client, delivery, settings):
    settings.SITE_URL = "https://briefing.example.org"
    article = ArticleFactory(issue=delivery.issue)

    response = client.get(click_path(make_click_token(delivery.pk, f"a{article.pk}")))

    assert response.status_code == 302
    assert response["Location"] == "https://briefing.example.org" + article.get_absolute_url()
    click = Click.objects.get()
    assert (click.delivery, click.article) == (delivery, article)
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_source_and_leader_links_redirect_to_what_was_in_the_issue(client, delivery):
    article = ArticleFactory(issue=delivery.issue, source_url="https://www.gov.scot/report/")
    leader_link = "https://example.com/a-report?page=2"

    source = client.get(click_path(make_click_token(delivery.pk, f"s{article.pk}")))
    leader = client.get(click_path(make_click_token(delivery.pk, url_target(leader_link))))

    assert source["Location"] == "https://www.gov.scot/report/"
    assert leader["Location"] == leader_link
    assert Click.objects.count() == 2


def test_tampered_token_gets_400_and_records_nothing(client, delivery):
    token = make_click_token(delivery.pk, url_target("https://example.com/"))
    value, signature = token.rsplit(":", 1)
    forged = value[:-4] + "ZXZpbA" + ":" + signature  # someone else's target, old signature

    for bad in (forged, token[:-2], "1.uaHR0cHM6Ly9ldmlsLmV4YW1wbGUv", "nonsense"):
        response = client.get(click_path(bad))
        assert response.status_code == 400
        assert "damaged" in response.content.decode()
    assert not Click.objects.exists()


def test_a_token_signed_with_another_key_cannot_redirect_off_site(client, delivery):
    evil = signing.Signer(key="not-our-secret", salt="subscribers.click").sign(
        f"{delivery.pk}.{url_target('https://evil.example/')}"
    )

    assert client.get(click_path(evil)).status_code == 400


def test_signed_target_that_is_not_a_web_link_is_refused(client, delivery):
    token = make_click_token(delivery.pk, url_target("javascript:alert(1)"))

    assert client.get(click_path(token)).status_code == 400


def test_link_to_an_article_of_a_draft_goes_home_not_to_the_draft(client, delivery, settings):
    article = ArticleFactory(issue=IssueFactory(draft=True))

    response = client.get(click_path(make_click_token(delivery.pk, f"a{article.pk}")))

    assert response["Location"] == settings.SITE_URL + "/"


# --- Webhooks (Postmark's real payload shapes, through django-anymail) -------------------


def postmark_bounce(email, event_id=4323372036854775807):
    return {
        "RecordType": "Bounce",
        "ID": event_id,
        "Type": "HardBounce",
        "TypeCode": 1,
        "Name": "Hard bounce",
        "Tag": "",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "ServerID": 23,
        "MessageStream": "broadcast",
        "Description": "The server was unable to deliver your message (ex: unknown user).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "briefing@example.org",
        "BouncedAt": "2026-11-05T16:33:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "SCA Briefing – 4 November 2026",
        "Metadata": {},
    }


def postmark_complaint(email):
    return {
        **postmark_bounce(email, event_id=4323372036854775999),
        "RecordType": "SpamComplaint",
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
        "Description": "The subscriber explicitly marked this message as spam.",
        "Details": "Test spam complaint details",
    }


@pytest.fixture
def post_webhook(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "postmark:s3cret-hook"}
    auth = "Basic " + base64.b64encode(b"postmark:s3cret-hook").decode()
    url = reverse("subscribers:anymail:postmark_tracking_webhook")

    def post(payload, authorization=auth):
        return client.post(
            url,
            data=json.dumps(payload),
            content_type="application/json",
            HTTP_AUTHORIZATION=authorization,
        )

    return post


def test_bounce_posted_three_times_changes_state_once(post_webhook):
    subscriber = SubscriberFactory(email="Gone@Example.org")

    responses = [post_webhook(postmark_bounce("gone@example.org")) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert MailEvent.objects.count() == 1
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.BOUNCED


def test_complaint_marks_subscriber_and_stops_future_sends(post_webhook):
    from subscribers import sending

    subscriber = SubscriberFactory(email="angry@example.org")
    SubscriberFactory(email="happy@example.org")

    post_webhook(postmark_complaint("angry@example.org"))
    post_webhook(postmark_complaint("angry@example.org"))

    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.COMPLAINED
    assert MailEvent.objects.get().event_type == "complained"
    assert sending.queue_issue(issue=IssueFactory()) == 1


def test_webhook_without_the_secret_is_rejected(post_webhook):
    subscriber = SubscriberFactory(email="gone@example.org")

    response = post_webhook(postmark_bounce("gone@example.org"), authorization="Basic eDp5")

    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert not MailEvent.objects.exists()


def test_webhook_refuses_every_post_while_no_secret_is_configured(client, settings):
    settings.ANYMAIL = {}
    subscriber = SubscriberFactory(email="bouncy@example.org")

    response = client.post(
        reverse("subscribers:anymail:postmark_tracking_webhook"),
        data=json.dumps(postmark_bounce("bouncy@example.org")),
        content_type="application/json",
    )

    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE


def test_webhook_with_a_malformed_body_is_a_bad_request_not_an_error(post_webhook, client):
    url = reverse("subscribers:anymail:postmark_tracking_webhook")
    auth = "Basic " + base64.b64encode(b"postmark:s3cret-hook").decode()

    response = client.post(url, data="{not json", content_type="application/json",
                           HTTP_AUTHORIZATION=auth)  # fmt: skip

    assert response.status_code == 400
