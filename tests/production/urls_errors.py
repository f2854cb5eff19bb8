"""The real URLconf plus views that fail on purpose, for the error-page tests."""

from django.db import OperationalError
from django.urls import path

from sca_briefings.urls import handler500, urlpatterns  # noqa: F401


def boom(request):
    raise ValueError("secret internals: SECRET_KEY and a traceback must never show")


def database_gone(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


urlpatterns = [
    path("test-boom/", boom),
    path("test-database-gone/", database_gone),
    *urlpatterns,
]
