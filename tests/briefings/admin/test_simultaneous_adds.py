import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from briefings.models import Issue, Person

from .forms import issue_form_data

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one writer in at a time (BEGIN IMMEDIATE), so the race cannot happen",
)


@pytest.mark.django_db(transaction=True)
def test_two_editors_adding_the_same_date_at_once_get_one_issue_and_a_plain_error(editor):
    for day in range(7, 12):
        date = f"2026-01-{day:02d}"
        barrier = threading.Barrier(2)
        results = []

        def add_issue(title, barrier=barrier, results=results, date=date):
            client = Client(raise_request_exception=False)
            client.force_login(editor)
            data = issue_form_data(date=date, title=title)
            try:
                barrier.wait()
                results.append(client.post(reverse("admin:briefings_issue_add"), data))
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=add_issue, args=(title,)) for title in ["First", "Second"]
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(response.status_code for response in results) == [200, 302], date
        [refused] = [response for response in results if response.status_code == 200]
        assert "There is already an issue dated" in refused.content.decode()
        assert Issue.objects.filter(date=date).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_person_added_twice_at_once_by_a_double_click_gives_no_error(editor):
    barrier = threading.Barrier(4)
    results = []

    def add_person():
        client = Client(raise_request_exception=False)
        client.force_login(editor)
        data = {"name": "Ailsa Munro", "slug": "", "role": "", "website": "", "notes": ""}
        try:
            barrier.wait()
            results.append(client.post(reverse("admin:briefings_person_add"), data))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add_person) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [response.status_code for response in results] == [302] * 4
    slugs = sorted(Person.objects.values_list("slug", flat=True))
    assert slugs == ["ailsa-munro", "ailsa-munro-2", "ailsa-munro-3", "ailsa-munro-4"]
