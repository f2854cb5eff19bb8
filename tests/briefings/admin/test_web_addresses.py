"""Editors meet web addresses, never "slugs": in labels and in what a bad one is told."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from briefings.models import Issue
from tests.factories import IssueFactory, SectionFactory

from .forms import issue_form_data

pytestmark = pytest.mark.django_db

BAD_ADDRESS = "new fund!"
MESSAGE = (
    "Use only letters, numbers and hyphens in the web address, for example new-fund-for-halls."
)


def article_fields():
    return {
        "section": str(SectionFactory().pk),
        "title": "New fund for halls",
        "teaser": "A fund for village halls opens in March.",
        "body": "",
        "order": "1",
        "source_url": "",
        "source_label": "",
        "tags": "",
    }


def article_data():
    return {**article_fields(), "issue": str(IssueFactory(draft=True).pk), "loaded_state": ""}


ADD_PAGES = {
    "person": lambda: {"name": "Ailsa Munro", "role": "", "website": "", "notes": ""},
    "organisation": lambda: {"name": "Halls Trust", "kind": "other", "website": ""},
    "section": lambda: {"name": "Funding", "order": "0"},
    "article": article_data,
}


@pytest.mark.parametrize("model", [*ADD_PAGES, "tag"])
def test_add_pages_call_the_slug_a_web_address(editor_client, model):
    app = "taggit" if model == "tag" else "briefings"
    page = editor_client.get(reverse(f"admin:{app}_{model}_add")).content.decode()

    assert "Web address:</label>" in page
    assert "Slug" not in page


def test_the_issue_page_calls_an_articles_slug_a_web_address(editor_client):
    page = editor_client.get(reverse("admin:briefings_issue_add")).content.decode()

    assert "Web address:</label>" in page
    assert "Slug" not in page


@pytest.mark.parametrize("model", ADD_PAGES)
def test_a_bad_web_address_is_told_in_plain_words(editor_client, model):
    data = {**ADD_PAGES[model](), "slug": BAD_ADDRESS, "_save": "Save"}
    response = editor_client.post(reverse(f"admin:briefings_{model}_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [MESSAGE]


def test_a_bad_topic_web_address_is_told_in_plain_words(editor_client):
    data = {"name": "Village halls", "slug": BAD_ADDRESS, "_save": "Save"}
    response = editor_client.post(reverse("admin:taggit_tag_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [MESSAGE]


def test_a_bad_web_address_in_the_issue_page_is_told_in_plain_words(editor_client):
    articles = [{**article_fields(), "slug": BAD_ADDRESS}]
    response = editor_client.post(
        reverse("admin:briefings_issue_add"), issue_form_data(articles=articles)
    )

    assert response.status_code == 200
    assert not Issue.objects.exists()
    assert MESSAGE in response.content.decode()
    assert "“slug”" not in response.content.decode()


def test_the_topic_list_heads_its_column_web_address(editor_client):
    Tag.objects.create(name="Village halls")
    page = editor_client.get(reverse("admin:taggit_tag_changelist")).content.decode()

    assert "Web address" in page
    assert "Slug" not in page
