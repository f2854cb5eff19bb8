import pytest

from subscribers.models import IssueRequest, Subscriber
from tests.factories import IssueFactory

from .conftest import started_token

pytestmark = pytest.mark.django_db


def request_data(**overrides):
    return {"email": "reader@example.org", "website": "", "started": started_token(), **overrides}


def url_for(issue):
    return f"/briefings/request/{issue.pk}/"


def test_issue_page_form_partial_renders_without_csrf_token(rf):
    from django.template.loader import render_to_string

    issue = IssueFactory()
    html = render_to_string(
        "subscribers/_issue_request_form.html", {"issue": issue, "request": rf.get("/")}
    )
    assert f'action="{url_for(issue)}"' in html
    assert "csrfmiddlewaretoken" not in html


def test_requested_issue_is_emailed_once_and_does_not_subscribe(client, smtp_server):
    issue = IssueFactory()
    first = client.post(url_for(issue), request_data())
    second = client.post(url_for(issue), request_data(email="READER@example.org"))
    assert first.status_code == second.status_code == 200
    assert "On its way" in first.content.decode()
    assert f"the briefing of {issue.date:%-d %B %Y} is on its way" in first.content.decode()
    [message] = smtp_server.messages
    assert message["To"] == "reader@example.org"
    # UTC, said so: "-0000" would mean the time zone is unknown (RFC 5322).
    assert message["Date"].endswith(" +0000")
    request = IssueRequest.objects.get()
    assert request.sent_at is not None
    assert request.issue == issue
    assert not Subscriber.objects.exists()


def test_draft_or_scheduled_issue_cannot_be_requested(client, smtp_server):
    for issue in [IssueFactory(draft=True), IssueFactory(scheduled=True)]:
        assert client.post(url_for(issue), request_data()).status_code == 404
    assert client.post("/briefings/request/999999/", request_data()).status_code == 404
    assert not smtp_server.messages
    assert not IssueRequest.objects.exists()


def test_opening_the_form_address_leads_back_to_the_issue_and_sends_nothing(client, smtp_server):
    issue = IssueFactory()
    response = client.get(url_for(issue))
    assert response.status_code == 302
    assert response["Location"] == issue.get_absolute_url()
    assert client.get(f"/briefings/request/{IssueFactory(draft=True).pk}/").status_code == 404
    assert not smtp_server.messages
    assert not IssueRequest.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"email": "nope"},
        {"email": "a@example.org\nBcc: b@example.org"},
        {"email": "a" * 250 + "@example.org"},
        {"email": ""},
    ],
)
def test_bad_address_gets_a_message_and_nothing_is_sent(client, smtp_server, overrides):
    issue = IssueFactory()
    response = client.post(url_for(issue), request_data(**overrides))
    assert response.status_code == 200
    assert "email address" in response.content.decode()
    if overrides["email"] == "nope":  # what was typed is kept to correct
        assert 'value="nope"' in response.content.decode()
    assert not smtp_server.messages
    assert not IssueRequest.objects.exists()


def test_honeypot_and_instant_posts_send_nothing(client, smtp_server):
    issue = IssueFactory()
    client.post(url_for(issue), request_data(website="x"))
    reshown = client.post(url_for(issue), request_data(started=started_token(seconds_ago=0)))
    assert "press the button once more" in reshown.content.decode()
    assert 'value="reader@example.org"' in reshown.content.decode()  # not typed again
    assert not smtp_server.messages
    assert not IssueRequest.objects.exists()


def test_issue_requests_are_rate_limited_per_ip(client, smtp_server):
    issues = IssueFactory.create_batch(2)
    statuses = [
        client.post(url_for(issues[n % 2]), request_data(email=f"r{n}@example.org")).status_code
        for n in range(12)
    ]
    assert statuses == [200] * 10 + [429] * 2
    assert len(smtp_server.messages) == 10


def test_a_refused_address_is_tied_to_its_field_and_keeps_the_page_it_came_from(
    client, smtp_server
):
    issue = IssueFactory()
    response = client.post(
        url_for(issue), request_data(email="nope", source=issue.get_absolute_url())
    )
    page = response.content.decode()
    assert 'aria-invalid="true" aria-describedby="issue-request-email-errors"' in page
    assert 'id="issue-request-email-errors"' in page
    assert "<title>Error: Email me this issue" in page
    assert f'<a href="#issue-request-email-{issue.pk}">Please give a full email address' in page
    # Sent again from here, the request still says which page the reader used.
    assert f'name="source" value="{issue.get_absolute_url()}"' in page
    assert f'<a href="{issue.get_absolute_url()}">Back to the briefing of' in page
