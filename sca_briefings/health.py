"""Health check and the "database unavailable" answer."""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.template import loader
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
