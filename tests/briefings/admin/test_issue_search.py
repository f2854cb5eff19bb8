"""Editors find an issue by its date as the admin shows it and as they type dates."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import IssueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def issues():
    IssueFactory(date=datetime.date(2026, 11, 25), title="Halls")
    IssueFactory(date=datetime.date(2026, 12, 9), title="Hubs")


@pytest.mark.parametrize(
    "typed", ["9 December 2026", "9 Dec 2026", "09/12/2026", "9/12/26", "2026-12-09"]
)
def test_the_issue_list_finds_an_issue_by_its_date_as_editors_write_it(
    editor_client, issues, typed
):
    found = editor_client.get(reverse("admin:briefings_issue_changelist"), {"q": typed})
    assert found.context["cl"].result_count == 1
    assert [issue.title for issue in found.context["cl"].result_list] == ["Hubs"]


def test_the_issue_picker_on_the_articles_screen_finds_an_issue_by_its_date(editor_client, issues):
    found = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "briefings",
            "model_name": "article",
            "field_name": "issue",
            "term": "9 December 2026",
        },
    )
    assert [r["text"] for r in found.json()["results"]] == ["Briefing – 9 December 2026"]


def test_searching_the_issue_list_for_words_still_finds_them(editor_client, issues):
    found = editor_client.get(reverse("admin:briefings_issue_changelist"), {"q": "halls"})
    assert [issue.title for issue in found.context["cl"].result_list] == ["Halls"]
