import datetime
import time

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from subscribers import consent, tokens
from subscribers.models import Subscriber
from tests.factories import IssueFactory, SubscriberFactory

from .conftest import links_in, main_of, path_of, signup_data, started_token

SUBSCRIBE = "/subscribe/"
CHECK_EMAIL = "Check your email"

pytestmark = pytest.mark.django_db


def test_subscribe_page_shows_the_form_and_the_consent_wording(client):
    response = client.get(SUBSCRIBE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="email"' in html
    assert "Send me the briefing" in html
    assert consent.current_wording() in html
    # One form and one heading: no second sign-up form in the layout beside its own.
    assert html.count('name="email"') == 1
    assert html.count("Please send me the fortnightly briefing") == 1


def test_signup_form_on_the_home_page_has_no_csrf_token_and_sets_no_cookie(client):
    response = client.get("/")
    html = response.content.decode()
    assert 'action="/subscribe/"' in html
    assert "csrfmiddlewaretoken" not in html
    assert not response.cookies


def test_full_flow_signup_confirm_welcome_and_one_click_unsubscribe(client, smtp_server):
    issue = IssueFactory()
    response = client.post(SUBSCRIBE, signup_data(email="Morag@Example.org"))
    assert response.status_code == 200
    assert CHECK_EMAIL in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.consent_text == consent.current_wording()
    assert subscriber.consent_version == consent.CURRENT_VERSION
    assert subscriber.consent_source == "/"
    assert subscriber.consent_at is not None

    [confirmation] = smtp_server.messages
    assert confirmation["To"] == "Morag@Example.org"
    assert confirmation.get_body(preferencelist=("html",)) is not None
    [confirm_url] = links_in(confirmation, "/subscribe/confirm/")

    # Following the link (as a mail scanner would) changes nothing.
    page = client.get(path_of(confirm_url))
    assert page.status_code == 200
    assert "Confirm my subscription" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING

    confirmed = client.post(path_of(confirm_url))
    assert confirmed.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert subscriber.confirmed_at is not None

    welcome = smtp_server.messages[1]
    assert "Welcome" in welcome["Subject"]
    assert links_in(welcome, issue.get_absolute_url())
    assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [unsubscribe_url] = links_in(welcome, "/unsubscribe/")
    assert welcome["List-Unsubscribe"] == f"<{unsubscribe_url}>"

    # RFC 8058: the mail provider POSTs this body, with no CSRF token and no cookies.
    csrf_client = client.__class__(enforce_csrf_checks=True)
    left = csrf_client.post(
        path_of(unsubscribe_url),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert left.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    assert len(smtp_server.messages) == 2


def test_confirmation_and_welcome_emails_are_identified_by_the_site_not_the_machine(
    client, smtp_server, settings
):
    settings.SITE_URL = "https://briefing.example.org"
    client.post(SUBSCRIBE, signup_data())
    [confirm_url] = links_in(smtp_server.messages[0], "/subscribe/confirm/")
    client.post(path_of(confirm_url))
    confirmation, welcome = smtp_server.messages
    for message in (confirmation, welcome):
        assert message["Message-ID"].endswith("@briefing.example.org>")
    assert confirmation["Message-ID"] != welcome["Message-ID"]


def test_welcome_names_the_latest_issue_and_gives_the_postal_address(client, smtp_server, settings):
    settings.BRIEFING_POSTAL_ADDRESS = "SCA, 12 High Street, Perth PH1 5TJ"
    IssueFactory(date=datetime.date(2026, 11, 25), title="Budget season")
    client.post(SUBSCRIBE, signup_data())
    confirmation = smtp_server.messages[0]
    [confirm_url] = links_in(confirmation, "/subscribe/confirm/")
    client.post(path_of(confirm_url))
    welcome = smtp_server.messages[1]
    text = welcome.get_body(("plain",)).get_content()
    html = welcome.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Read the latest issue, 25 November 2026: Budget season" in part
        assert "SCA, 12 High Street, Perth PH1 5TJ" in part
    # The confirmation's HTML title is its subject, on one line.
    subject = confirmation["Subject"]
    assert f"<title>{subject}</title>" in confirmation.get_body(("html",)).get_content()


def test_confirming_twice_sends_one_welcome(client, smtp_server):
    client.post(SUBSCRIBE, signup_data())
    [confirm_url] = links_in(smtp_server.messages[0], "/subscribe/confirm/")
    client.post(path_of(confirm_url))
    again = client.post(path_of(confirm_url))
    assert again.status_code == 200
    assert "already gets the briefing" in again.content.decode()
    assert len(smtp_server.messages) == 2
    # Opening the link again says so instead of showing the button once more.
    reopened = client.get(path_of(confirm_url)).content.decode()
    assert "already gets the briefing" in reopened
    assert "Confirm my subscription" not in reopened


def test_a_welcome_that_could_not_be_sent_is_not_said_to_have_been(client, smtp_server, settings):
    from tests.conftest import free_port

    client.post(SUBSCRIBE, signup_data())
    [confirm_url] = links_in(smtp_server.messages[0], "/subscribe/confirm/")
    # The mail server goes away between the sign-up and the click.
    settings.MAILERS["default"]["OPTIONS"]["port"] = free_port()
    page = client.post(path_of(confirm_url)).content.decode()
    assert "You are subscribed" in page
    assert "We have sent you a short welcome email" not in page
    assert "welcome email could not be sent just now" in page
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE


def reply_to(response, typed):
    """The reply's main content, with the address the visitor typed (which it repeats back, so
    that they can spot a mistake) taken out: the rest must not tell one address from another."""
    main = main_of(response)
    assert f"<strong>{typed}</strong>" in main
    return main.replace(typed, "ADDRESS")


def test_duplicate_signup_gets_the_same_reply_and_no_second_row_or_mail(client, smtp_server):
    first = client.post(SUBSCRIBE, signup_data(email="ailsa@example.org"))
    second = client.post(SUBSCRIBE, signup_data(email="AILSA@example.org"))
    assert first.status_code == second.status_code == 200
    assert reply_to(first, "ailsa@example.org") == reply_to(second, "AILSA@example.org")
    assert Subscriber.objects.count() == 1
    assert len(smtp_server.messages) == 1


@pytest.mark.parametrize(
    "status",
    [Subscriber.Status.ACTIVE, Subscriber.Status.UNSUBSCRIBED, Subscriber.Status.PENDING],
)
def test_reply_is_the_same_whatever_the_address_status(client, smtp_server, status):
    new_reply = client.post(SUBSCRIBE, signup_data(email="new@example.org"))
    SubscriberFactory(email="known@example.org", status=status)
    known_reply = client.post(SUBSCRIBE, signup_data(email="known@example.org"))
    assert known_reply.status_code == new_reply.status_code == 200
    assert reply_to(known_reply, "known@example.org") == reply_to(new_reply, "new@example.org")


def test_active_subscriber_details_are_not_changed_by_a_strangers_signup(client, smtp_server):
    subscriber = SubscriberFactory(email="kept@example.org", name="Kept Name")
    client.post(SUBSCRIBE, signup_data(email="kept@example.org", name="Someone Else"))
    subscriber.refresh_from_db()
    assert subscriber.name == "Kept Name"
    assert subscriber.status == Subscriber.Status.ACTIVE
    [notice] = smtp_server.messages
    assert "already get" in notice["Subject"]
    assert not links_in(notice, "/subscribe/confirm/")


def test_confirmation_is_not_sent_twice_within_ten_minutes(client, smtp_server):
    client.post(SUBSCRIBE, signup_data())
    client.post(SUBSCRIBE, signup_data())
    assert len(smtp_server.messages) == 1
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - datetime.timedelta(minutes=11))
    client.post(SUBSCRIBE, signup_data())
    assert len(smtp_server.messages) == 2


def test_unsubscribed_address_needs_a_fresh_confirmation(client, smtp_server):
    subscriber = SubscriberFactory(email="back@example.org", status=Subscriber.Status.UNSUBSCRIBED)
    client.post(SUBSCRIBE, signup_data(email="back@example.org"))
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    [confirm_url] = links_in(smtp_server.messages[0], "/subscribe/confirm/")
    client.post(path_of(confirm_url))
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE


def test_leaving_the_list_cancels_confirmation_links_sent_before(client, smtp_server):
    client.post(SUBSCRIBE, signup_data(email="carol@example.org", name="Carol"))
    [first_link] = links_in(smtp_server.messages[0], "/subscribe/confirm/")
    client.post(path_of(first_link))
    subscriber = Subscriber.objects.get()
    [unsubscribe_url] = links_in(smtp_server.messages[1], "/unsubscribe/")
    client.post(path_of(unsubscribe_url))
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED

    # The old link no longer offers the button, and pressing it anyway brings nobody back.
    reopened = client.get(path_of(first_link))
    assert reopened.status_code == 400
    assert "no longer in use" in reopened.content.decode()
    assert client.post(path_of(first_link)).status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert len(smtp_server.messages) == 2  # no second welcome


def test_signing_up_again_straight_after_leaving_sends_a_fresh_link(client, smtp_server):
    client.post(SUBSCRIBE, signup_data(email="carol@example.org", name="Carol"))
    [first_link] = links_in(smtp_server.messages[0], "/subscribe/confirm/")
    client.post(path_of(first_link))
    [unsubscribe_url] = links_in(smtp_server.messages[1], "/unsubscribe/")
    client.post(path_of(unsubscribe_url))

    client.post(SUBSCRIBE, signup_data(email="carol@example.org", name="Carol C"))
    assert len(smtp_server.messages) == 3
    [fresh_link] = links_in(smtp_server.messages[2], "/subscribe/confirm/")
    assert client.post(path_of(fresh_link)).status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert subscriber.name == "Carol C"
    # Once back on the list, any of their links just says so.
    assert "already gets the briefing" in client.get(path_of(fresh_link)).content.decode()
    assert "already gets the briefing" in client.get(path_of(first_link)).content.decode()


def test_twenty_rapid_signups_from_one_ip_are_refused_after_the_limit(client, smtp_server):
    statuses = [
        client.post(SUBSCRIBE, signup_data(email=f"flood{n}@example.org")).status_code
        for n in range(20)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429] * 10
    refused = client.post(SUBSCRIBE, signup_data(email="one-more@example.org"))
    assert "Too many requests" in refused.content.decode()
    # The limits count in clock hours: the page and the header say when the next one starts.
    retry_after = int(refused["Retry-After"])
    assert 0 < retry_after <= 60 * 60 + 1
    minutes = -(-retry_after // 60)
    assert f"Please try again in {minutes} minute" in refused.content.decode()
    assert len(smtp_server.messages) == 10
    assert not Subscriber.objects.filter(email__startswith="one-more").exists()


def test_mistakes_do_not_use_up_an_offices_sign_up_allowance(client, smtp_server):
    # Readers behind one office address: typos and second presses send nothing, so they are
    # not counted against the ten sign-ups an hour.
    for _ in range(12):
        assert client.post(SUBSCRIBE, signup_data(email="typo@")).status_code == 200
        client.post(SUBSCRIBE, signup_data(started=started_token(seconds_ago=0)))
    response = client.post(SUBSCRIBE, signup_data(email="colleague@example.org"))
    assert CHECK_EMAIL in response.content.decode()
    assert len(smtp_server.messages) == 1


def test_form_shown_again_after_a_mistake_keeps_its_start_time(client, smtp_server):
    # A person who corrects a typo at once has been filling the form in since it was first
    # shown, so is not made to wait and press the button a second time.
    first_shown = started_token(seconds_ago=2)
    reshown = client.post(SUBSCRIBE, signup_data(email="typo@", started=first_shown))
    assert f'name="started" value="{first_shown}"' in reshown.content.decode()
    forged = client.post(SUBSCRIBE, signup_data(email="typo@", started="forged"))
    assert 'name="started" value="forged"' not in forged.content.decode()


def test_replies_to_the_form_do_not_offer_the_form_again(client, smtp_server):
    requested = client.post(SUBSCRIBE, signup_data())
    assert "morag@example.org" in main_of(requested)
    for response in [requested, client.get("/subscribe/confirm/bad/")]:
        assert 'name="email"' not in response.content.decode()


def test_one_address_from_many_ips_is_limited(client, smtp_server):
    statuses = []
    for n in range(5):
        Subscriber.objects.update(confirmation_sent_at=None)  # each past the pause between
        statuses.append(
            client.post(SUBSCRIBE, signup_data(), REMOTE_ADDR=f"192.0.2.{n}").status_code
        )
    assert statuses == [200, 200, 200, 429, 429]
    assert len(smtp_server.messages) == 3


def test_honeypot_gets_the_neutral_reply_but_nothing_is_stored_or_sent(client, smtp_server):
    response = client.post(SUBSCRIBE, signup_data(website="http://spam.example"))
    assert response.status_code == 200
    assert not Subscriber.objects.exists()
    assert not smtp_server.messages


def test_instant_post_is_shown_the_form_again_without_sending(client, smtp_server):
    response = client.post(SUBSCRIBE, signup_data(started=started_token(seconds_ago=0)))
    assert response.status_code == 200
    assert "press the button once more" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert not smtp_server.messages


@pytest.mark.parametrize(
    "started",
    ["", "forged", started_token(seconds_ago=3 * 24 * 3600)],
    ids=["missing", "forged", "three-days-old"],
)
def test_missing_forged_or_stale_start_time_shows_a_fresh_form(client, smtp_server, started):
    response = client.post(SUBSCRIBE, signup_data(started=started))
    html = response.content.decode()
    assert "press the button once more" in html
    assert "or from a page opened days ago" in html  # the reason, whichever it was
    assert 'value="Morag Campbell"' in html
    assert not smtp_server.messages


def test_person_who_resends_the_reshown_form_gets_through(client, smtp_server, settings):
    settings.SUBSCRIBERS_MIN_FILL_SECONDS = 1
    reshown = client.post(SUBSCRIBE, signup_data(started=""))
    html = reshown.content.decode()
    fresh = html.split('name="started" value="')[1].split('"')[0]
    time.sleep(1.1)
    response = client.post(SUBSCRIBE, signup_data(started=fresh))
    assert CHECK_EMAIL in response.content.decode()
    assert len(smtp_server.messages) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-address", "full email address"),
        ("email", "jo@localhost", "full email address"),
        ("email", "ops@[10.1.2.3]", "full email address"),
        ("email", "x@example.org\r\nBcc: victim@example.org", "full email address"),
        ("email", "qa@xn--zz.example", "full email address"),
        ("email", "zoë@example.com", "cannot send to an address with accented letters"),
        ("email", '"qa quoted"@example.com', "cannot send to an address with accented letters"),
        ("name", "Kaur\u202eevil", "letters, numbers and punctuation"),
        ("name", "x\r\nBcc: victim@example.org", "letters, numbers and punctuation"),
        ("name", "n" * 201, "shorten your name"),
        ("organisation", "o" * 201, "shorten the organisation"),
        ("name", "", "give your name"),
        ("consent_version", "1999", "read the wording"),
    ],
)
def test_bad_input_gets_a_clear_message_and_no_state_change(
    client, smtp_server, field, value, message
):
    response = client.post(SUBSCRIBE, signup_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Subscriber.objects.exists()
    assert not smtp_server.messages


@pytest.mark.parametrize(
    "name",
    [
        "Mirz\u0101 \u0645\u06cc\u200c\u0631\u0632\u0627",  # Persian, with a non-joiner
        "\u0915\u094d\u200d\u0937 Sharma",  # Devanagari, with a joiner
        "\U0001f469\u200d\U0001f52c Dr Kaur",  # an emoji sequence
    ],
)
def test_names_written_with_joiners_are_accepted(client, smtp_server, name):
    response = client.post(SUBSCRIBE, signup_data(name=name))
    assert CHECK_EMAIL in response.content.decode()
    assert Subscriber.objects.get().name == name


def test_get_of_confirm_link_changes_nothing_and_tampered_link_is_refused(client, smtp_server):
    client.post(SUBSCRIBE, signup_data())
    [confirm_url] = links_in(smtp_server.messages[0], "/subscribe/confirm/")
    tampered = path_of(confirm_url).rstrip("/") + "x/"
    assert client.post(tampered).status_code == 400
    assert client.get(tampered).status_code == 400
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_expired_confirmation_link_is_refused(client, smtp_server):
    client.post(SUBSCRIBE, signup_data())
    subscriber = Subscriber.objects.get()
    response = client.post(
        reverse("subscribers:confirm", kwargs={"token": _token_signed_days_ago(subscriber, 8)})
    )
    assert response.status_code == 400
    assert "has expired" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING


class _SignerInThePast(signing.TimestampSigner):
    days = 0

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - self.days * 24 * 3600)


def _token_signed_days_ago(subscriber, days):
    """A confirmation token made by the real signer with its clock `days` behind."""
    signer = _SignerInThePast(salt=tokens.CONFIRM_SALT)
    signer.days = days
    return signer.sign_object({"id": subscriber.pk, "e": subscriber.email.lower()}, compress=True)


def test_confirm_link_does_not_carry_the_address(client, smtp_server):
    # Links land in access logs and proxies; the address was in them, base64 and readable.
    client.post(SUBSCRIBE, signup_data(email="Morag@Example.org"))
    [confirm_url] = links_in(smtp_server.messages[0], "/subscribe/confirm/")
    token = path_of(confirm_url).rstrip("/").rsplit("/", 1)[1]
    payload = signing.loads(token, salt=tokens.CONFIRM_SALT)
    assert "morag" not in str(payload).lower()
    assert client.post(path_of(confirm_url)).status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE


def test_confirm_link_sent_before_the_address_was_left_out_still_works(client, smtp_server):
    client.post(SUBSCRIBE, signup_data())
    subscriber = Subscriber.objects.get()
    old_style = _token_signed_days_ago(subscriber, 1)  # {"id": ..., "e": address}
    assert (
        client.post(reverse("subscribers:confirm", kwargs={"token": old_style})).status_code == 200
    )
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE


def test_confirm_link_for_a_changed_address_is_refused(client, smtp_server):
    client.post(SUBSCRIBE, signup_data())
    [confirm_url] = links_in(smtp_server.messages[0], "/subscribe/confirm/")
    Subscriber.objects.update(email="other@example.org")
    assert client.post(path_of(confirm_url)).status_code == 400
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_signup_says_try_again_later_when_the_mail_server_is_down(client, settings):
    from tests.conftest import free_port

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5},
        }
    }
    response = client.post(SUBSCRIBE, signup_data())
    assert response.status_code == 503
    assert CHECK_EMAIL not in response.content.decode()
    # The request is kept, but not marked as sent: trying again soon sends the email.
    assert Subscriber.objects.get().confirmation_sent_at is None


def test_confirming_works_even_if_the_welcome_email_cannot_be_sent(client, smtp_server, settings):
    from tests.conftest import free_port

    client.post(SUBSCRIBE, signup_data())
    [confirm_url] = links_in(smtp_server.messages[0], "/subscribe/confirm/")
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5},
        }
    }
    response = client.post(path_of(confirm_url))
    assert response.status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE


def test_confirmation_email_does_not_repeat_text_typed_into_the_form(client, smtp_server):
    client.post(SUBSCRIBE, signup_data(name="Win a prize at evil.example", organisation="Spam"))
    [confirmation] = smtp_server.messages
    assert "evil.example" not in confirmation.as_string()
    assert "Spam" not in confirmation.get_body(preferencelist=("plain",)).get_content()


def test_rate_limit_holds_with_redis_as_production_runs_it(client, smtp_server, redis_cache):
    statuses = [
        client.post(SUBSCRIBE, signup_data(email=f"redis{n}@example.org")).status_code
        for n in range(12)
    ]
    assert statuses == [200] * 10 + [429] * 2


def test_rate_limit_holds_with_the_on_disk_cache_shared_by_workers(
    client, smtp_server, settings, tmp_path
):
    # Production without Redis uses the on-disk cache; the limit must work there too.
    settings.CACHES = {
        "default": {
            "BACKEND": "sca_briefings.cache.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    statuses = [
        client.post(SUBSCRIBE, signup_data(email=f"disk{n}@example.org")).status_code
        for n in range(12)
    ]
    assert statuses == [200] * 10 + [429] * 2


def test_a_refused_signup_lists_each_problem_linked_to_its_field_and_says_error_in_the_title(
    client, smtp_server
):
    response = client.post(SUBSCRIBE, signup_data(name="", email="not-an-address"))
    page = response.content.decode()
    assert "<title>Error: Get the briefing" in page
    summary = page.split('class="errors error-summary"')[1].split("</div>")[0]
    assert '<a href="#subscribe-name">Please give your name.</a>' in summary
    assert '<a href="#subscribe-email">Please give a full email address' in summary
    # Each link leads to a field that is on the page.
    assert 'id="subscribe-name"' in page
    assert 'id="subscribe-email"' in page


def test_a_problem_with_a_hidden_field_is_listed_without_a_link_to_nowhere(client, smtp_server):
    response = client.post(SUBSCRIBE, signup_data(consent_version="1999"))
    summary = response.content.decode().split('class="errors error-summary"')[1].split("</div>")[0]
    assert "<li>Please read the wording beside the button and send again.</li>" in summary
    assert "href" not in summary


def test_an_address_in_another_script_is_mailed_at_its_own_domain_and_kept_once(
    client, smtp_server
):
    reply = client.post(SUBSCRIBE, signup_data(email="ops@straße.example"))
    assert "We have sent an email to <strong>ops@straße.example</strong>" in main_of(reply)
    [(_, recipients)] = smtp_server.envelopes
    assert recipients == ["ops@xn--strae-oqa.example"]  # not Python's own "strasse"
    Subscriber.objects.update(confirmation_sent_at=None)  # past the pause between emails
    client.post(SUBSCRIBE, signup_data(email="ops@xn--strae-oqa.example"))
    assert Subscriber.objects.count() == 1


def test_pages_from_email_links_name_an_address_in_another_script_as_its_owner_wrote_it(
    client, smtp_server
):
    # The address is kept in its ASCII form; the reader typed (and reads) their own script.
    client.post(SUBSCRIBE, signup_data(email="ops@straße.example"))
    [confirm_url] = links_in(smtp_server.messages[0], "/subscribe/confirm/")
    subscriber = Subscriber.objects.get()
    pages = [
        client.get(path_of(confirm_url)),
        client.post(path_of(confirm_url)),
        client.get(path_of(confirm_url)),
        client.get(path_of(subscriber.get_preferences_url())),
        client.get(path_of(subscriber.get_unsubscribe_url())),
        client.post(path_of(subscriber.get_unsubscribe_url())),
        client.get(path_of(subscriber.get_unsubscribe_url())),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "ops@straße.example" in main_of(page)
        assert "xn--" not in main_of(page)


def test_pressing_again_while_the_email_is_on_its_way_does_not_use_up_the_allowance(
    client, smtp_server, settings
):
    settings.SUBSCRIBERS_RATE_LIMIT_PER_IP = (3, 60 * 60)
    for _ in range(5):  # an impatient reader: one email, and the same reply each time
        response = client.post(SUBSCRIBE, signup_data(email="morag@example.org"))
        assert response.status_code == 200
    for colleague in ("ailsa@example.org", "ewan@example.org"):  # the same office address
        assert client.post(SUBSCRIBE, signup_data(email=colleague)).status_code == 200
    assert len(smtp_server.messages) == 3
