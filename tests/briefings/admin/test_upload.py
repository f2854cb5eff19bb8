"""The CKEditor image upload: editors only, real images only, clear JSON errors."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse
from PIL import Image

from briefings.uploads import upload_image

pytestmark = pytest.mark.django_db

URL = reverse("ck_editor_5_upload_file")


def image_file(fmt="PNG", name="photo.png", size=(20, 10)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


def error_of(response):
    return response.json()["error"]["message"]


def test_the_widget_upload_address_is_our_checked_view():
    assert URL == "/ckeditor5/image_upload/"
    assert resolve(URL).func is upload_image


@pytest.mark.parametrize(
    ("fmt", "name", "extension"),
    [
        ("PNG", "harbour.png", "png"),
        ("JPEG", "harbour.jpg", "jpg"),
        ("GIF", "harbour.gif", "gif"),
        ("WEBP", "harbour.webp", "webp"),
        ("PNG", "misnamed.jpg", "png"),
    ],
)
def test_editor_uploads_an_image_and_gets_its_address(
    editor_client, media_root, fmt, name, extension
):
    response = editor_client.post(URL, {"upload": image_file(fmt, name)})

    assert response.status_code == 200
    url = response.json()["url"]
    assert url.startswith("/media/uploads/")
    assert url.endswith(f".{extension}")
    assert name.split(".")[0] not in url  # a random name, not the uploader's
    saved = media_root / url.removeprefix("/media/")
    assert Image.open(saved).format == fmt


def test_an_image_with_too_many_pixels_is_called_too_large(editor_client, media_root, monkeypatch):
    # Pillow refuses images over twice this many pixels; lowered so the test image stays small
    # (the same refusal a 15,000 × 15,000 photo meets at the real limit).
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50)
    response = editor_client.post(URL, {"upload": image_file(size=(20, 10))})
    assert response.status_code == 400
    assert error_of(response).startswith("That image has too many pixels to use on a web page.")
    assert not (media_root / "uploads").exists()


def test_missing_file_is_a_clear_error_not_a_500(editor_client, media_root):
    response = editor_client.post(URL, {})
    assert response.status_code == 400
    assert error_of(response) == "No file arrived. Choose an image to upload."


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.png", b"just some text, not an image"),
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
        ("drawing.png", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
        ("page.gif", b"GIF89a<html><script>alert(1)</script></html>"),
        ("empty.jpg", b""),
    ],
)
def test_a_file_that_is_not_an_allowed_image_is_refused(editor_client, media_root, name, content):
    response = editor_client.post(URL, {"upload": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert "not an image we can use" in error_of(response)
    assert not any(media_root.rglob("*.*"))


def test_an_allowed_looking_but_unwanted_image_type_is_refused(editor_client, media_root):
    response = editor_client.post(URL, {"upload": image_file("BMP", "picture.png")})
    assert response.status_code == 400
    assert "Upload a JPEG, PNG, GIF or WebP" in error_of(response)


def test_a_really_large_file_is_refused_by_its_size(editor_client, media_root, settings):
    settings.CKEDITOR_5_MAX_FILE_SIZE = 1
    data = b"\x89PNG" + b"0" * (1024 * 1024 + 10)
    response = editor_client.post(URL, {"upload": SimpleUploadedFile("big.png", data)})
    assert response.status_code == 400
    assert "too large" in error_of(response)


def test_anonymous_upload_is_refused(client, media_root):
    response = client.post(URL, {"upload": image_file()})
    assert response.status_code == 403
    assert "permission" in error_of(response)
    assert not any(media_root.rglob("*.*"))


def test_staff_without_change_permission_cannot_upload(client, django_user_model, media_root):
    client.force_login(django_user_model.objects.create_user("clerk", is_staff=True))
    assert client.post(URL, {"upload": image_file()}).status_code == 403


def test_upload_must_be_a_post(editor_client):
    assert editor_client.get(URL).status_code == 405


def test_upload_needs_the_csrf_token(editor, media_root):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(URL, {"upload": image_file()}).status_code == 403
    assert not any(media_root.rglob("*.*"))


def test_location_and_camera_data_are_removed_from_photos(editor_client, media_root):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {2: (55.0, 57.0, 0.0)}  # GPS latitude
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (90, 90, 90)).save(buffer, format="JPEG", exif=exif)
    photo = SimpleUploadedFile("holiday.jpg", buffer.getvalue())
    assert Image.open(io.BytesIO(buffer.getvalue())).getexif()

    response = editor_client.post(URL, {"upload": photo})

    assert response.status_code == 200
    saved = Image.open(media_root / response.json()["url"].removeprefix("/media/"))
    assert saved.format == "JPEG"
    assert saved.size == (30, 20)
    assert not saved.getexif()


@pytest.mark.parametrize(
    ("fmt", "with_photo_data"), [("JPEG", True), ("JPEG", False), ("PNG", False)]
)
def test_an_image_cut_short_is_refused_as_damaged(editor_client, media_root, fmt, with_photo_data):
    buffer = io.BytesIO()
    exif = Image.Exif()
    if with_photo_data:
        exif[0x010F] = "Phone"  # the camera's make: photo data the upload removes
    Image.effect_noise((400, 400), 60).convert("RGB").save(buffer, format=fmt, exif=exif)
    cut_short = buffer.getvalue()[: len(buffer.getvalue()) // 2]

    response = editor_client.post(URL, {"upload": SimpleUploadedFile("harbour", cut_short)})

    assert response.status_code == 400
    assert "damaged or incomplete" in error_of(response)
    assert not any(path.is_file() for path in media_root.rglob("*"))
