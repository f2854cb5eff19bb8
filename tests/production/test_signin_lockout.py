"""Admin sign-in guessing is locked out per username and address (django-axes).

These post the real sign-in form: axes needs the request, so client.login() cannot be used.
"""

import pytest
from django.core.management import call_command
from django.urls import reverse

PASSWORD = "a long and correct passphrase"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)


def sign_in(client, password, *, address="192.0.2.10", username="editor"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def fail_five_times(client, **kwargs):
    for _ in range(5):
        response = sign_in(client, "wrong guess", **kwargs)
        assert response.status_code in (200, 429)
    return response


@pytest.mark.django_db
def test_correct_password_signs_in(client, editor):
    assert sign_in(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_four_failures_do_not_lock_out(client, editor):
    for _ in range(4):
        assert sign_in(client, "wrong guess").status_code == 200
    assert sign_in(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_five_failures_lock_out_even_the_right_password_with_a_plain_message(client, editor):
    fail_five_times(client)
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert "too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_is_per_address(client, editor):
    fail_five_times(client, address="192.0.2.10")
    assert sign_in(client, PASSWORD, address="198.51.100.7").status_code == 302


@pytest.mark.django_db
def test_lockout_is_per_username(client, editor, django_user_model):
    django_user_model.objects.create_user("colleague", password=PASSWORD, is_staff=True)
    fail_five_times(client, username="editor")
    assert sign_in(client, PASSWORD, username="colleague").status_code == 302


@pytest.mark.django_db
def test_an_administrator_can_unlock_a_user(client, editor):
    fail_five_times(client)
    call_command("axes_reset_username", "editor")
    assert sign_in(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_address_comes_from_the_trusted_proxy_header(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # Behind nginx every request comes from 127.0.0.1; the client is in X-Forwarded-For,
    # and a value the client forged in front of it is ignored.
    for _ in range(5):
        client.post(
            reverse("admin:login"),
            {"username": "editor", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5",
        )
    locked = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.1.1.1, 203.0.113.5",
    )
    assert locked.status_code == 429
    other_visitor = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert other_visitor.status_code == 302


@pytest.mark.django_db
def test_forwarded_header_is_ignored_without_a_trusted_proxy(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        client.post(
            reverse("admin:login"),
            {"username": "editor", "password": "wrong"},
            REMOTE_ADDR="192.0.2.10",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",  # a guesser cannot pick a fresh address
        )
    assert sign_in(client, PASSWORD, address="192.0.2.10").status_code == 429
