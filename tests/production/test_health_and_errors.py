import pytest
from django.urls import reverse

LEAKS = ["Traceback", "SECRET_KEY", "secret internals", "Django", "django", "Python", "5432"]


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_exempt_from_the_https_redirect_for_load_balancers(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("healthz")).status_code == 200


@pytest.mark.django_db
@pytest.mark.urls("tests.production.urls_errors")
def test_database_outage_answers_503_with_a_plain_apology(client):
    client.raise_request_exception = False
    response = client.get("/test-database-gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "try again later" in body
    for leak in LEAKS:
        assert leak not in body


@pytest.mark.django_db
@pytest.mark.urls("tests.production.urls_errors")
def test_server_error_page_leaks_nothing(client):
    client.raise_request_exception = False
    response = client.get("/test-boom/")
    assert response.status_code == 500
    body = response.content.decode()
    for leak in LEAKS:
        assert leak not in body


@pytest.mark.django_db
def test_not_found_page_leaks_nothing(client):
    response = client.get("/people/nobody-of-that-name/")
    assert response.status_code == 404
    body = response.content.decode()
    for leak in [*LEAKS, "urlpatterns", "URLconf"]:
        assert leak not in body
