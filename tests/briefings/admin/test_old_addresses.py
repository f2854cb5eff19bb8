"""Old addresses from the previous site lead readers to the new ones (contrib.redirects)."""

import pytest
from django.contrib.redirects.models import Redirect
from django.urls import reverse

pytestmark = pytest.mark.django_db

ADD = reverse("admin:redirects_redirect_add")


def test_editor_adds_an_old_address_and_readers_are_sent_to_the_issue(
    client, editor_client, published_issue
):
    new = published_issue.get_absolute_url()
    response = editor_client.post(
        ADD, {"old_path": "https://www.example.org/brief/29th-january-2020/", "new_path": new}
    )
    assert response.status_code == 302
    assert Redirect.objects.get().old_path == "/brief/29th-january-2020/"

    for old in ("/brief/29th-january-2020/", "/brief/29th-january-2020"):
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == new


def test_an_old_address_with_no_new_one_tells_readers_the_page_has_gone(client, editor_client):
    editor_client.post(ADD, {"old_path": "/brief/withdrawn/", "new_path": ""})
    assert client.get("/brief/withdrawn/").status_code == 410


def test_an_old_address_listed_twice_is_refused_in_plain_words(editor_client, published_issue):
    data = {"old_path": "/brief/23rd-march-22/", "new_path": published_issue.get_absolute_url()}
    assert editor_client.post(ADD, data).status_code == 302

    response = editor_client.post(ADD, data)

    assert response.status_code == 200
    assert "This old address already leads somewhere." in response.content.decode()
    assert Redirect.objects.count() == 1


def test_addresses_that_cannot_work_are_refused(editor_client):
    page = editor_client.post(ADD, {"old_path": "brief/x/", "new_path": "briefings/"})
    text = page.content.decode()
    assert "Start the old address with a slash" in text
    assert "Start the new address with a slash" in text
    page = editor_client.post(ADD, {"old_path": "/brief/x/", "new_path": "/brief/x/"})
    assert "readers would go round in circles" in page.content.decode()
    assert not Redirect.objects.exists()


def test_unknown_addresses_are_still_a_friendly_404(client):
    response = client.get("/brief/never-was/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
