from functools import partial

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from briefings.models import Issue, Person
from tests.conftest import at_once

from .forms import issue_form_data

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one writer in at a time (BEGIN IMMEDIATE), so the race cannot happen",
)


ADD_ISSUE = reverse("admin:briefings_issue_add")


def _post(editor, url, data):
    """One editor's press of Save, from a browser of their own."""
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    return client.post(url, data)


@pytest.mark.django_db(transaction=True)
def test_two_editors_adding_the_same_date_at_once_get_one_issue_and_a_plain_error(editor):
    for day in range(7, 12):
        date = f"2026-01-{day:02d}"
        results = at_once(
            *(partial(_post, editor, ADD_ISSUE, issue_form_data(date=date, title=title))
              for title in ["First", "Second"])
        )  # fmt: skip

        assert sorted(response.status_code for response in results) == [200, 302], date
        [refused] = [response for response in results if response.status_code == 200]
        assert "There is already an issue dated" in refused.content.decode()
        assert Issue.objects.filter(date=date).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_person_added_twice_at_once_by_a_double_click_gives_no_error(editor):
    data = {"name": "Ailsa Munro", "slug": "", "role": "", "website": "", "notes": ""}
    results = at_once(*[partial(_post, editor, reverse("admin:briefings_person_add"), data)] * 4)

    assert [response.status_code for response in results] == [302] * 4
    slugs = sorted(Person.objects.values_list("slug", flat=True))
    assert slugs == ["ailsa-munro", "ailsa-munro-2", "ailsa-munro-3", "ailsa-munro-4"]
