"""Property tests: every field of every public form, fuzzed. Never a 500, no mail for junk."""

from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from subscribers.forms import IssueRequestForm, PreferencesForm, SignupForm
from subscribers.models import IssueRequest, Subscriber
from tests.factories import IssueFactory, SubscriberFactory

from .conftest import path_of, signup_data, started_token

pytestmark = pytest.mark.django_db

NASTY = [
    "",
    " ",
    "x\r\nBcc: victim@example.org",
    "a@example.org\r\nBcc: victim@example.org",
    "a@example.org\nSubject: hi",
    "\x00",
    "a\x00@example.org",
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    "a" * 255 + "@example.org",
    "n" * 5000,
    "\u202eevil@example.org",
    "a@b",
    "@example.org",
    "a@@example.org",
    "ünïcødé@example.org",
    "a@exa mple.org",
    "\u2028",
    "\ud800",
]

fuzz_text = st.one_of(
    st.text(max_size=300),
    st.emails(),
    st.sampled_from(NASTY),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=190, max_size=260),
)

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_only_valid_recipients(messages):
    for message in messages:
        to = str(message["To"])
        validate_email(to)
        assert "\n" not in to


def _utf8(value):
    # Browsers send UTF-8; lone surrogates cannot be encoded, so they never arrive as such.
    return value.encode("utf-8", "replace").decode("utf-8")


@FUZZ
@given(
    # Each field is sometimes plainly valid, so that fully valid submissions happen too.
    name=st.one_of(st.just("Morag Campbell"), fuzz_text),
    email=st.one_of(st.emails(), fuzz_text),
    organisation=st.one_of(st.just(""), fuzz_text),
    website=st.one_of(st.just(""), fuzz_text),
    started=st.one_of(st.just(None), fuzz_text),
    consent_version=st.one_of(st.just(None), fuzz_text),
    source=st.one_of(st.just("/"), fuzz_text),
)
def test_signup_form_never_fails_and_sends_nothing_for_invalid_input(
    client, smtp_server, name, email, organisation, website, started, consent_version, source
):
    cache.clear()
    overrides = {
        "name": _utf8(name),
        "email": _utf8(email),
        "organisation": _utf8(organisation),
        "website": _utf8(website),
        "source": _utf8(source),
    }
    if started is not None:
        overrides["started"] = _utf8(started)
    if consent_version is not None:
        overrides["consent_version"] = _utf8(consent_version)
    data = signup_data(**overrides)
    rows_before, mail_before = Subscriber.objects.count(), len(smtp_server.messages)

    response = client.post("/subscribe/", data)

    assert response.status_code in {200, 400}
    event(f"status {response.status_code}")
    new_mail = smtp_server.messages[mail_before:]
    event(f"mail sent: {bool(new_mail)}")
    assert len(new_mail) <= 1
    assert_only_valid_recipients(new_mail)
    if not SignupForm(data).is_valid() or website:
        assert not new_mail
        assert Subscriber.objects.count() == rows_before


@FUZZ
@given(email=fuzz_text, website=st.one_of(st.just(""), fuzz_text), started=fuzz_text)
def test_issue_request_form_never_fails_and_sends_nothing_for_invalid_input(
    client, smtp_server, email, website, started
):
    cache.clear()
    issue = IssueFactory()
    data = {"email": _utf8(email), "website": _utf8(website), "started": started_token()}
    if started:
        data["started"] = _utf8(started)
    before, mail_before = IssueRequest.objects.count(), len(smtp_server.messages)
    response = client.post(f"/briefings/request/{issue.pk}/", data)
    assert response.status_code in {200, 400}
    event(f"status {response.status_code}")
    new_mail = smtp_server.messages[mail_before:]
    event(f"mail sent: {bool(new_mail)}")
    assert len(new_mail) <= 1
    assert_only_valid_recipients(new_mail)
    if not IssueRequestForm(data).is_valid() or website:
        assert not new_mail
        assert IssueRequest.objects.count() == before


@FUZZ
@given(name=fuzz_text, organisation=fuzz_text)
def test_preferences_form_never_fails_and_saves_only_valid_input(
    client, smtp_server, name, organisation
):
    subscriber = SubscriberFactory(name="Kept", organisation="Kept Trust")
    data = {"name": _utf8(name), "organisation": _utf8(organisation)}
    response = client.post(path_of(subscriber.get_preferences_url()), data)
    assert response.status_code in {200, 400}
    subscriber.refresh_from_db()
    form = PreferencesForm(data)
    if form.is_valid():
        assert subscriber.name == form.cleaned_data["name"]
    else:
        assert (subscriber.name, subscriber.organisation) == ("Kept", "Kept Trust")
    assert not smtp_server.messages


@FUZZ
@given(token=fuzz_text, method=st.sampled_from(["get", "post"]))
def test_confirm_and_unsubscribe_links_never_fail_for_junk_tokens(
    client, smtp_server, token, method
):
    SubscriberFactory(status=Subscriber.Status.PENDING)
    SubscriberFactory()
    states_before = list(Subscriber.objects.order_by("pk").values_list("status", flat=True))
    encoded = quote(_utf8(token), safe="")
    for prefix in ["/subscribe/confirm/", "/unsubscribe/", "/subscribe/preferences/"]:
        response = getattr(client, method)(f"{prefix}{encoded}/", {"name": "Changed"})
        assert response.status_code in {400, 404}
    assert list(Subscriber.objects.order_by("pk").values_list("status", flat=True)) == (
        states_before
    )
    assert not Subscriber.objects.filter(name="Changed").exists()
    assert not smtp_server.messages


def test_validate_email_rejects_header_injection():
    # The oracle above relies on this: an address with a line break is never valid.
    with pytest.raises(ValidationError):
        validate_email("a@example.org\r\nBcc: b@example.org")
