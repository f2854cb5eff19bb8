from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from briefings.uploads import upload_image

from . import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("healthz/worker", health.worker_healthz, name="healthz-worker"),
    path("admin/", admin.site.urls),
    # Our checked image upload, at the address and name the CKEditor widget uses, so it
    # answers before the package's own view.
    path("ckeditor5/image_upload/", upload_image, name="ck_editor_5_upload_file"),
    path("ckeditor5/", include("django_ckeditor_5.urls")),
    path("", include("subscribers.urls")),
    path("", include("briefings.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# A database outage answers 503 "try again later" instead of a 500 (see health.py).
handler500 = "sca_briefings.health.server_error"
