"""No admin list makes a query per row: the count is the same for 3 rows and 30."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    ArticleFactory,
    IssueFactory,
    OrganisationFactory,
    PersonFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def make_rows(n):
    for i in range(n):
        organisation = OrganisationFactory()
        person = PersonFactory(organisation=organisation)
        section = SectionFactory(name=f"Section {i} {SectionFactory._meta.model.objects.count()}")
        ArticleFactory(
            issue=IssueFactory(),
            section=section,
            people=[person],
            organisations=[organisation],
            tags=[f"topic {i} of {n}"],
        )


@pytest.mark.parametrize(
    "name",
    [
        "admin:briefings_article_changelist",
        "admin:briefings_person_changelist",
        "admin:briefings_organisation_changelist",
        "admin:briefings_section_changelist",
        "admin:taggit_tag_changelist",
    ],
)
def test_changelist_query_count_does_not_grow_with_rows(
    editor_client, django_assert_num_queries, name
):
    url = reverse(name)
    make_rows(3)
    with CaptureQueriesContext(connection) as few:
        assert editor_client.get(url).status_code == 200
    make_rows(27)
    with django_assert_num_queries(len(few.captured_queries)):
        response = editor_client.get(url)
    assert response.context["cl"].result_count >= 30


def test_a_topics_page_opens_in_the_same_queries_however_many_articles_use_it(
    admin_client, django_assert_num_queries
):
    # A superuser sees every inline an editor's permissions hide, so ask as one.
    first = ArticleFactory()
    first.tags.add("Land reform")
    tag = first.tags.get()
    url = reverse("admin:taggit_tag_change", args=[tag.pk])
    admin_client.get(url)  # fills the content-type cache, once per process
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    for article in ArticleFactory.create_batch(20):
        article.tags.add(tag)
    with django_assert_num_queries(len(few.captured_queries)):
        assert admin_client.get(url).status_code == 200


def test_an_issues_page_reads_sections_issue_people_and_organisations_once_for_all_articles(
    editor_client, django_assert_num_queries
):
    issue = IssueFactory(status="published")

    def add_articles(n):
        for _ in range(n):
            ArticleFactory(
                issue=issue,
                section=SectionFactory(),
                people=[PersonFactory()],
                organisations=[OrganisationFactory()],
            )

    url = reverse("admin:briefings_issue_change", args=[issue.pk])
    add_articles(2)
    editor_client.get(url)  # fills the content-type cache, once per process
    with CaptureQueriesContext(connection) as few:
        assert editor_client.get(url).status_code == 200
    add_articles(3)
    # Still three for each article, none of them ours to batch: taggit reads each article's
    # tags, and each people and organisations box looks up the names it shows.
    with django_assert_num_queries(len(few.captured_queries) + 3 * 3):
        assert editor_client.get(url).status_code == 200
