"""Image upload for CKEditor 5, replacing the package's own view.

The package's view lets any staff member upload anything Pillow can open and fails with a
500 when the file is missing. This one lets only editors upload, checks the content (not the
name) is a JPEG, PNG, GIF or WebP image within the size limit, strips photo metadata, and
answers every problem in the JSON shape CKEditor shows to the editor.
"""

import io
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_POST
from PIL import Image, ImageOps

# Pillow's format name -> the file extension we store it under. Never SVG: it can carry script.
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


def _without_metadata(upload, kind):
    """The image without its EXIF data, which from a phone often includes where it was taken.

    Only still images that carry EXIF are re-encoded; anything else is stored as uploaded.
    """
    with Image.open(upload) as image:
        if not image.getexif() or getattr(image, "n_frames", 1) > 1:
            upload.seek(0)
            return upload
        # Keep the picture the right way up once the orientation tag is gone.
        clean = ImageOps.exif_transpose(image)
        buffer = io.BytesIO()
        options = {"quality": 90} if kind in ("JPEG", "WEBP") else {}
        clean.save(buffer, format=kind, **options)
    return ContentFile(buffer.getvalue())


def _error(message, status=400):
    return JsonResponse({"error": {"message": message}}, status=status)


@require_POST
def upload_image(request):
    user = request.user
    may_edit = user.has_perm("briefings.change_issue") or user.has_perm("briefings.change_article")
    if not (user.is_active and user.is_staff and may_edit):
        return _error("You do not have permission to upload images.", status=403)

    upload = request.FILES.get("upload")
    if upload is None:
        return _error("No file arrived. Choose an image to upload.")

    limit_mb = settings.CKEDITOR_5_MAX_FILE_SIZE
    if upload.size > limit_mb * 1024 * 1024:
        return _error(f"That image is too large. Images can be up to {limit_mb} MB.")

    kind = None
    try:
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
        # verify() reads an image's structure, not its pixels: a photo cut short on its way
        # (an upload from a phone that lost its signal) passes it, and would be stored with
        # its lower part grey, or fail with an error page when its photo data was removed.
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
        whole = True
    except Image.DecompressionBombError:
        # Small on disk but far too many pixels (Pillow's guard against memory exhaustion).
        return _error(
            "That image has too many pixels to use on a web page. Make it smaller, for "
            "example 2,000 pixels wide, and upload it again."
        )
    except Exception:  # Pillow raises many kinds of error for a damaged or non-image file.
        whole = False  # and `kind` says whether it was an image at all
    if kind not in ALLOWED_FORMATS:
        return _error("That file is not an image we can use. Upload a JPEG, PNG, GIF or WebP.")
    if not whole:
        return _error(
            "That image is damaged or incomplete, perhaps cut short while it was being copied. "
            "Open it on your computer to check it, save it again, and upload it once more."
        )

    upload.seek(0)
    content = _without_metadata(upload, kind)
    # A random name: nothing of the uploader's file name reaches the web address or the disk.
    name = f"uploads/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ALLOWED_FORMATS[kind]}"
    saved = default_storage.save(name, content)
    return JsonResponse({"url": default_storage.url(saved)})
