from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import admin_fixes, health  # noqa: F401 (admin_fixes registers on import)

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("ckeditor5/", include("django_ckeditor_5.urls")),
    path("", include("subscribers.urls")),
    path("", include("briefings.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# A database outage answers 503 "try again later" instead of a 500 (see health.py).
handler500 = "sca_briefings.health.server_error"
