"""Editors' changes through the admin reach the cached public pages at once."""

import pytest
from django.contrib.flatpages.models import FlatPage
from django.urls import reverse
from taggit.models import Tag

from tests.factories import ArticleFactory, PersonFactory, PlainPageFactory

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def plain_page_data(**overrides):
    return {
        "url": "/members/",
        "title": "Our members",
        "content": "<p>Community councils and trusts.</p>",
        **overrides,
    }


def test_editor_adds_a_plain_page_and_every_page_links_to_it_at_once(
    client, editor_client, published_issue, django_capture_on_commit_callbacks
):
    assert "Our members" not in text(client.get("/"))  # cached from here on
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(reverse("admin:flatpages_flatpage_add"), plain_page_data())
    assert response.status_code == 302

    assert 'href="/pages/members/">Our members</a>' in text(client.get("/"))
    assert "Community councils and trusts." in text(client.get("/pages/members/"))


def test_editor_removes_a_plain_page_and_it_leaves_the_navigation_at_once(
    client, editor_client, published_issue, django_capture_on_commit_callbacks
):
    page = PlainPageFactory(url="/members/", title="Our members", content="<p>-</p>")
    assert "Our members" in text(client.get("/"))
    delete_url = reverse("admin:flatpages_flatpage_delete", args=[page.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(delete_url, {"post": "yes"}).status_code == 302

    assert "Our members" not in text(client.get("/"))
    assert client.get("/pages/members/").status_code == 404


def test_plain_page_content_is_sanitised_and_written_with_the_rich_text_editor(editor_client):
    form = text(editor_client.get(reverse("admin:flatpages_flatpage_add")))
    assert "django_ckeditor_5" in form
    assert 'name="sites"' not in form  # the site is set for the editor
    assert 'name="template_name"' not in form

    data = plain_page_data(content='<p onclick="steal()">Hello<script>alert(1)</script></p>')
    assert editor_client.post(reverse("admin:flatpages_flatpage_add"), data).status_code == 302

    assert FlatPage.objects.get().content == "<p>Hello</p>"


def test_a_second_page_at_the_same_address_is_refused_in_plain_words(editor_client):
    PlainPageFactory(url="/members/", title="Our members", content="<p>-</p>")

    response = editor_client.post(
        reverse("admin:flatpages_flatpage_add"), plain_page_data(title="Members again")
    )

    assert response.status_code == 200
    assert "There is already a plain page at this address." in text(response)
    assert FlatPage.objects.count() == 1


def test_a_link_that_is_not_a_web_address_is_refused_on_a_plain_page(editor_client):
    content = '<p>Our <a href="javascript:void(0)">members</a>.</p>'
    response = editor_client.post(
        reverse("admin:flatpages_flatpage_add"), plain_page_data(content=content)
    )
    assert response.status_code == 200
    assert "The link on “members” goes to “javascript:void(0)”" in text(response)
    assert not FlatPage.objects.exists()


def test_an_image_without_a_description_is_refused_on_a_plain_page(editor_client):
    content = '<figure class="image"><img src="/media/uploads/2026/01/members.png"></figure>'
    response = editor_client.post(
        reverse("admin:flatpages_flatpage_add"), plain_page_data(content=content)
    )
    assert response.status_code == 200
    assert "The image in this text has no description for readers who cannot see it" in text(
        response
    )
    assert not FlatPage.objects.exists()


def test_an_address_given_with_the_pages_prefix_is_refused_in_plain_words(editor_client):
    # The site adds /pages/ itself: saved as given, the page would be at /pages/pages/members/.
    response = editor_client.post(
        reverse("admin:flatpages_flatpage_add"), plain_page_data(url="/pages/members/")
    )
    assert response.status_code == 200
    assert "Leave out /pages/: the site adds it." in text(response)
    assert not FlatPage.objects.exists()


@pytest.mark.parametrize("typed", ["/", "/../../etc/", "/members//highlands/", "/./about/"])
def test_an_address_with_no_name_or_a_dot_part_is_refused_in_plain_words(editor_client, typed):
    # "/" would be listed at /pages//, and a browser opens /pages/../../etc/ as /etc/.
    response = editor_client.post(
        reverse("admin:flatpages_flatpage_add"), plain_page_data(url=typed)
    )
    assert response.status_code == 200
    assert "Give the page a name between slashes" in text(response)
    assert not FlatPage.objects.exists()


@pytest.mark.parametrize("typed", ["our-funders", "/our-funders", "our-funders/"])
def test_an_address_typed_without_its_slashes_gets_them(editor_client, typed):
    response = editor_client.post(
        reverse("admin:flatpages_flatpage_add"), plain_page_data(url=typed, title="Our funders")
    )
    assert response.status_code == 302
    assert FlatPage.objects.get(title="Our funders").url == "/our-funders/"


def test_view_on_site_opens_the_page_where_readers_find_it(editor_client):
    page = PlainPageFactory(url="/members/", title="Our members", content="<p>-</p>")

    form = text(editor_client.get(reverse("admin:flatpages_flatpage_change", args=[page.pk])))

    assert 'href="/pages/members/" class="viewsitelink"' in form


def test_renaming_a_tag_changes_the_cached_article_page(
    client, editor_client, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    article.tags.add("Land reform")
    assert "Land reform" in text(client.get(article.get_absolute_url()))
    tag = Tag.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:taggit_tag_change", args=[tag.pk]),
            {"name": "Community land", "slug": tag.slug},
        )
    assert response.status_code == 302

    page = text(client.get(article.get_absolute_url()))
    assert "Community land" in page
    assert "Land reform" not in page


def test_deleting_people_from_the_list_removes_them_from_cached_pages(
    client, editor_client, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    person = PersonFactory(name="Morag Stewart")
    article.people.add(person)
    assert "Morag Stewart" in text(client.get(article.get_absolute_url()))
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:briefings_person_changelist"),
            {"action": "delete_selected", "_selected_action": [person.pk], "post": "yes"},
        )
    assert response.status_code == 302

    assert "Morag Stewart" not in text(client.get(article.get_absolute_url()))
