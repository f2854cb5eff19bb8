"""Health check and the "database unavailable" answer."""

import logging
import sys
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import Q
from django.http import HttpResponse
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.defaults import server_error as default_server_error

logger = logging.getLogger(__name__)

# Errors that mean "the database cannot be reached", not "this query was wrong".
UNAVAILABLE = (OperationalError, InterfaceError)


@never_cache
def healthz(request):
    """200 when the database answers a trivial query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
def worker_healthz(request):
    """200 when the task worker keeps up, 503 when a task has waited for it too long.

    For monitoring, not for a load balancer: a stopped worker sends no email, but the web
    servers are fine and must stay in service. Tasks (sending an issue, a confirmation email)
    are picked up within seconds by a running worker, so one waiting longer than
    WORKER_LATE_SECONDS means no worker is running, or all are stuck.
    """
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return HttpResponse("ok: tasks run without a worker\n", content_type="text/plain")
    from django_tasks_db.models import DBTaskResult, get_date_max  # installed with its backend

    late = timezone.now() - timedelta(seconds=settings.WORKER_LATE_SECONDS)
    try:
        waiting = DBTaskResult.objects.ready().filter(
            Q(run_after__lte=late) | Q(run_after=get_date_max(), enqueued_at__lte=late)
        )
        oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    if oldest is not None:
        waited = int((timezone.now() - oldest).total_seconds() // 60)
        return HttpResponse(
            f"worker late: a task has waited {waited} minutes\n",
            status=503,
            content_type="text/plain",
        )
    return HttpResponse("ok\n", content_type="text/plain")


def service_unavailable():
    """The plain apology page. Rendered with no request, so it needs nothing that could fail."""
    try:
        body = loader.get_template("503.html").render()
    except Exception:  # A broken template must not turn a 503 into a 500.
        logger.exception("Could not render 503.html")
        body = "<h1>Sorry, the site is unavailable</h1><p>Please try again later.</p>"
    response = HttpResponse(body, status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """handler500: a database outage answers 503 "try again later", anything else a 500.

    Django calls this while the exception is being handled, so sys.exception() is it.
    """
    if isinstance(sys.exception(), UNAVAILABLE):
        return service_unavailable()
    return default_server_error(request)
