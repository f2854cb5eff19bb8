"""Sign-up against a database that refuses, and two simultaneous sign-ups of one address."""

import contextlib
import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from subscribers import services
from subscribers.models import Subscriber
from subscribers.tokens import make_confirm_token
from tests.conftest import free_port
from tests.factories import IssueFactory, SubscriberFactory

from .conftest import path_of, signup_data

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's row locks and concurrency"
)


@contextlib.contextmanager
def read_only_database():
    """Make the real database refuse every write, as a failed-over or full one does."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET default_transaction_read_only = on")
        else:
            cursor.execute("PRAGMA query_only = ON")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET default_transaction_read_only = off")
            else:
                cursor.execute("PRAGMA query_only = OFF")


@pytest.mark.django_db(transaction=True)
def test_signup_says_try_again_later_when_the_database_refuses(client, smtp_server):
    with read_only_database():
        response = client.post("/subscribe/", signup_data())
    html = response.content.decode()
    assert response.status_code == 503
    assert "try again later" in html
    assert "Check your email" not in html
    assert not smtp_server.messages
    assert not Subscriber.objects.exists()


@contextlib.contextmanager
def unreachable_database():
    """Point the connection at a loopback port nothing listens on, as when PostgreSQL is down."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@on_postgresql  # SQLite's in-memory test database cannot be disconnected
@pytest.mark.django_db(transaction=True)
def test_every_public_form_says_try_again_later_when_the_database_is_down(client, smtp_server):
    subscriber = SubscriberFactory()
    issue = IssueFactory()
    confirm = reverse("subscribers:confirm", kwargs={"token": make_confirm_token(subscriber)})
    requests = [
        ("post", "/subscribe/", signup_data()),
        ("get", confirm, {}),
        ("post", confirm, {}),
        ("get", path_of(subscriber.get_unsubscribe_url()), {}),
        ("post", path_of(subscriber.get_unsubscribe_url()), {}),
        ("post", path_of(subscriber.get_preferences_url()), {"name": "New"}),
        ("post", f"/briefings/request/{issue.pk}/", {"email": "a@example.org"}),
    ]
    with unreachable_database():
        responses = [getattr(client, method)(url, data) for method, url, data in requests]
    for response in responses:
        assert response.status_code == 503
        assert "try again later" in response.content.decode()
    assert not smtp_server.messages
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_simultaneous_signups_for_one_address_leave_one_subscriber(smtp_server):
    addresses = [f"race{n}@example.org" for n in range(5)]
    for address in addresses:
        barrier = threading.Barrier(2)
        errors = []

        def sign_up(email, barrier=barrier, errors=errors):
            try:
                barrier.wait()
                services.request_subscription(email=email, name="Racer")
            except Exception as error:  # collected and asserted on below
                errors.append(error)
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=sign_up, args=(address,)),
            threading.Thread(target=sign_up, args=(address.upper(),)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert Subscriber.objects.with_email(address).count() == 1
    # One confirmation per address: the second request found the first one's claim.
    assert len(smtp_server.messages) == len(addresses)
