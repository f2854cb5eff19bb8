from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

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


QUEUE_IN_DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _enqueue_waiting_since(minutes_ago):
    from django_tasks_db.models import DBTaskResult

    from subscribers.tasks import send_deliveries

    result = send_deliveries.enqueue(issue_id=1)
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - timedelta(minutes=minutes_ago)
    )


@pytest.mark.django_db
def test_worker_health_is_ok_when_nothing_waits_for_the_worker(client, settings):
    settings.TASKS = QUEUE_IN_DATABASE
    _enqueue_waiting_since(minutes_ago=1)  # a running worker takes it within seconds

    response = client.get("/healthz/worker")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_worker_health_answers_503_when_a_task_has_waited_too_long(client, settings):
    settings.TASKS = QUEUE_IN_DATABASE
    settings.WORKER_LATE_SECONDS = 300
    _enqueue_waiting_since(minutes_ago=12)

    response = client.get("/healthz/worker")

    assert response.status_code == 503
    assert response.content == b"worker late: a task has waited 12 minutes\n"
    # The web servers are fine: the load balancer's own check still says so.
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_worker_health_is_exempt_from_the_https_redirect_for_monitoring(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.TASKS = QUEUE_IN_DATABASE
    assert client.get("/healthz/worker").status_code == 200


@pytest.mark.django_db
def test_worker_health_is_ok_where_tasks_run_without_a_worker(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    response = client.get("/healthz/worker")
    assert response.status_code == 200
    assert response.content == b"ok: tasks run without a worker\n"
