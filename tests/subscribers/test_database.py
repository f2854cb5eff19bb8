"""Sign-up against a database that refuses, and two simultaneous sign-ups of one address."""

import contextlib
import threading

import pytest
from django.db import connection, connections

from subscribers import services
from subscribers.models import Subscriber
from tests.conftest import free_port

from .conftest import signup_data

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


@on_postgresql  # SQLite's in-memory test database cannot be disconnected
@pytest.mark.django_db(transaction=True)
def test_signup_says_try_again_later_when_the_database_is_unreachable(client, smtp_server):
    saved = dict(connection.settings_dict)
    connection.close()
    # A loopback port nothing listens on: connection refused, as when PostgreSQL is down.
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    try:
        response = client.post("/subscribe/", signup_data())
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert "try again later" in response.content.decode()
    assert not smtp_server.messages


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
