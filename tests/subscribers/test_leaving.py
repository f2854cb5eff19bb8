import pytest
from django.test import Client

from subscribers import services
from subscribers.models import Subscriber
from subscribers.tokens import make_confirm_token
from tests.factories import SubscriberFactory

from .conftest import main_of, path_of

pytestmark = pytest.mark.django_db


def test_unsubscribe_get_shows_one_button_and_changes_nothing(client):
    subscriber = SubscriberFactory()
    response = client.get(path_of(subscriber.get_unsubscribe_url()))
    assert response.status_code == 200
    assert main_of(response).count("<button") == 1
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE


def test_unsubscribe_button_works_without_login_or_csrf_token():
    subscriber = SubscriberFactory()
    response = Client(enforce_csrf_checks=True).post(path_of(subscriber.get_unsubscribe_url()))
    assert response.status_code == 200
    assert "You have unsubscribed" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_unsubscribing_twice_keeps_the_first_time(client):
    subscriber = SubscriberFactory()
    client.post(path_of(subscriber.get_unsubscribe_url()))
    subscriber.refresh_from_db()
    first = subscriber.unsubscribed_at
    assert client.post(path_of(subscriber.get_unsubscribe_url())).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at == first


def test_unsubscribe_link_opened_again_says_there_is_nothing_more_to_do(client):
    subscriber = SubscriberFactory()
    client.post(path_of(subscriber.get_unsubscribe_url()))

    again = client.get(path_of(subscriber.get_unsubscribe_url()))

    assert "is not on the list" in main_of(again)
    assert "<button" not in main_of(again)


@pytest.mark.parametrize("method", ["get", "post"])
def test_tampered_manage_link_is_refused_and_changes_nothing(client, method):
    subscriber = SubscriberFactory()
    url = path_of(subscriber.get_unsubscribe_url()).rstrip("/") + "A/"
    response = getattr(client, method)(url)
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    # Someone trying to leave is told how, not asked to sign up.
    assert "To stop getting the briefing" in response.content.decode()
    assert "sign up again" not in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE


@pytest.mark.parametrize("method", ["get", "post"])
def test_unsubscribe_link_of_an_erased_reader_says_they_are_off_the_list(client, method):
    subscriber = SubscriberFactory()
    url = path_of(subscriber.get_unsubscribe_url())
    services.erase_subscriber(subscriber=subscriber)
    # A mail program's RFC 8058 one-click request, or the reader clicking an old email.
    response = getattr(client, method)(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You are not subscribed" in main_of(response)
    assert "no more briefings will be sent" in main_of(response)
    assert not Subscriber.objects.exists()


def test_preferences_link_of_an_erased_reader_says_they_are_off_the_list(client):
    subscriber = SubscriberFactory()
    url = path_of(subscriber.get_preferences_url())
    services.erase_subscriber(subscriber=subscriber)
    # "Change your preferences" in an old email: the link is fine, the reader is gone; telling
    # them it was cut short or no longer works sends them hunting for a better copy.
    response = client.get(url)
    assert response.status_code == 200
    assert "You are not subscribed" in main_of(response)
    assert "no more briefings will be sent" in main_of(response)


def test_manage_link_of_another_subscriber_cannot_be_forged_from_an_id(client):
    subscriber = SubscriberFactory()
    other = SubscriberFactory()
    token = subscriber.manage_token.replace(
        subscriber.manage_token.split(":")[0], other.manage_token.split(":")[0]
    )
    response = client.post(f"/unsubscribe/{token}/")
    assert response.status_code == 400
    assert Subscriber.objects.active().count() == 2


def test_preferences_page_changes_name_and_organisation(client):
    subscriber = SubscriberFactory(name="Old", organisation="Old Trust")
    url = path_of(subscriber.get_preferences_url())
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="Old"' in page.content.decode()
    response = client.post(url, {"name": "Morag New", "organisation": "New Trust"})
    assert response.status_code == 200
    assert "Your details are saved" in response.content.decode()
    subscriber.refresh_from_db()
    assert (subscriber.name, subscriber.organisation) == ("Morag New", "New Trust")


def test_preferences_page_needs_its_csrf_token(client):
    subscriber = SubscriberFactory(name="Old")
    response = Client(enforce_csrf_checks=True).post(
        path_of(subscriber.get_preferences_url()), {"name": "Changed", "organisation": ""}
    )
    assert response.status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.name == "Old"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "organisation": ""}, "Please give your name."),
        ({"name": "A\x00B", "organisation": ""}, "Null characters are not allowed."),
        ({"name": "A\r\nBcc: x@example.org", "organisation": ""}, "punctuation only"),
        ({"name": "A", "organisation": "o" * 201}, "shorten the organisation"),
    ],
)
def test_preferences_bad_input_is_refused_with_a_message(client, data, message):
    subscriber = SubscriberFactory(name="Old", organisation="Kept")
    response = client.post(path_of(subscriber.get_preferences_url()), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    subscriber.refresh_from_db()
    assert (subscriber.name, subscriber.organisation) == ("Old", "Kept")


def test_preferences_page_offers_the_unsubscribe_button(client):
    subscriber = SubscriberFactory()
    url = path_of(subscriber.get_preferences_url())
    token = url.rstrip("/").rsplit("/", 1)[1]
    html = client.get(url).content.decode()
    assert f'action="/unsubscribe/{token}/"' in html


def test_personal_pages_use_a_constant_number_of_queries(client, django_assert_num_queries):
    subscriber = SubscriberFactory()
    client.get("/subscribe/")  # warms the site navigation, which the cache then holds
    with django_assert_num_queries(1):
        client.get(path_of(subscriber.get_unsubscribe_url()))
    with django_assert_num_queries(1):
        client.get(path_of(subscriber.get_preferences_url()))


def test_a_preferences_error_is_tied_to_its_field(client):
    subscriber = SubscriberFactory(name="Old")
    response = client.post(
        path_of(subscriber.get_preferences_url()), {"name": "", "organisation": ""}
    )
    page = response.content.decode()
    assert 'aria-invalid="true" aria-describedby="preferences-name-errors"' in page
    assert "<title>Error: Your briefing preferences" in page
    assert '<a href="#preferences-name">Please give your name.</a>' in page
    assert 'id="preferences-name-errors"' in page
    assert 'id="preferences-organisation" name="organisation" value="" autocomplete' in page


def test_head_requests_answer_like_get_and_change_nothing(client):
    """Link checkers and mail scanners send HEAD; it must never confirm or unsubscribe."""
    pending = SubscriberFactory(status=Subscriber.Status.PENDING, confirmed_at=None)
    active = SubscriberFactory()
    for path in (
        "/subscribe/",
        f"/subscribe/confirm/{make_confirm_token(pending)}/",
        path_of(active.get_unsubscribe_url()),
        path_of(active.get_preferences_url()),
    ):
        assert client.head(path).status_code == client.get(path).status_code == 200, path
    pending.refresh_from_db()
    active.refresh_from_db()
    assert pending.status == Subscriber.Status.PENDING
    assert active.status == Subscriber.Status.ACTIVE


def test_an_unsubscribe_link_opened_after_leaving_is_titled_as_it_reads(client):
    subscriber = SubscriberFactory()
    client.post(path_of(subscriber.get_unsubscribe_url()))
    page = client.get(path_of(subscriber.get_unsubscribe_url())).content.decode()
    assert "<title>You are not subscribed – SCA Briefing</title>" in page
    assert "<h1>You are not subscribed</h1>" in page
