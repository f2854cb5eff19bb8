"""Every public page runs the same number of queries however much content it shows.

Each test asks for the page once first: that fills the navigation's list of plain pages, which
is kept in the cache until an editor changes something, so later pages don't query it.
"""

import pytest

from tests.factories import ArticleFactory, IssueFactory, PersonFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0


def issue_with(n_articles, **article_kwargs):
    issue = IssueFactory()
    sections = [SectionFactory(name=name) for name in ("On the ground", "Policy", "Funding")]
    for i in range(n_articles):
        ArticleFactory(issue=issue, section=sections[i % 3], **article_kwargs)
    return issue


@pytest.mark.parametrize("page", ["home", "issue"])
def test_issue_pages_query_count_does_not_grow_with_articles(
    client, page, django_assert_num_queries
):
    # Home: the three latest issues, then the latest one's articles with their readers'
    # clicks. Issue: the issue with the dates of the issues either side, then its articles.
    small = issue_with(5)
    url = "/" if page == "home" else small.get_absolute_url()
    client.get(url)
    with django_assert_num_queries(2):
        client.get(url)
    big = issue_with(50)
    url = "/" if page == "home" else big.get_absolute_url()
    client.get(url)
    with django_assert_num_queries(2):
        client.get(url)


def test_article_page_query_count_does_not_grow_with_mentions(client, django_assert_num_queries):
    few = ArticleFactory(people=PersonFactory.create_batch(2), tags=["a"])
    many = ArticleFactory(people=PersonFactory.create_batch(20), tags=["a", "b", "c", "d"])
    ArticleFactory.create_batch(10, issue=many.issue)
    for article in (few, many):
        client.get(article.get_absolute_url())
        # The issue's articles, then the article's people, organisations and topics.
        with django_assert_num_queries(4):
            client.get(article.get_absolute_url())


@pytest.mark.parametrize("mentions", [3, 300])
def test_person_page_query_count_is_constant(client, mentions, django_assert_num_queries):
    person = PersonFactory()
    issues = IssueFactory.create_batch(10)
    section = SectionFactory()
    for i in range(mentions):
        ArticleFactory(issue=issues[i % 10], section=section, people=[person])
    client.get(person.get_absolute_url())
    with django_assert_num_queries(3):
        client.get(person.get_absolute_url())


@pytest.mark.parametrize("n_issues", [3, 60])
def test_archive_query_count_is_constant(client, n_issues, django_assert_num_queries):
    for issue in IssueFactory.create_batch(n_issues):
        ArticleFactory.create_batch(2, issue=issue)
    client.get("/briefings/")
    with django_assert_num_queries(4):
        client.get("/briefings/")


@pytest.mark.parametrize("n_articles", [3, 40])
def test_search_query_count_is_constant(client, n_articles, django_assert_num_queries):
    issue = IssueFactory()
    ArticleFactory.create_batch(n_articles, issue=issue, title="Warm spaces in village halls")
    client.get("/search/?q=village")
    # The count, the page of articles, the matching issues; the filters come from the cache.
    with django_assert_num_queries(3):
        client.get("/search/?q=village")


@pytest.mark.parametrize("n_issues", [4, 40])
def test_search_of_introductions_query_count_is_constant(
    client, n_issues, django_assert_num_queries
):
    for issue in IssueFactory.create_batch(n_issues, leader="<p>Village halls this winter.</p>"):
        ArticleFactory(issue=issue, title="Warm spaces in village halls")
    client.get("/search/?q=village")
    # As above, and counting the matching issues for the link to see them all.
    with django_assert_num_queries(4):
        client.get("/search/?q=village")
    with django_assert_num_queries(2):  # that list: the count and the page
        client.get("/search/?q=village&show=briefings")


@pytest.mark.parametrize("n_articles", [3, 40])
@pytest.mark.parametrize("feed", ["articles-rss", "articles-atom", "issues-rss", "issues-atom"])
def test_feed_query_count_is_constant(client, feed, n_articles, django_assert_num_queries):
    from django.urls import reverse

    for issue in IssueFactory.create_batch(n_articles):
        ArticleFactory(issue=issue)
    url = reverse(f"briefings:{feed}")
    client.get(url)
    with django_assert_num_queries(1):
        client.get(url)


@pytest.mark.parametrize("n", [2, 30])
def test_people_index_query_count_is_constant(client, n, django_assert_num_queries):
    ArticleFactory(people=PersonFactory.create_batch(n))
    client.get("/people/")
    with django_assert_num_queries(1):
        client.get("/people/")


def test_templates_never_run_queries(client, published_issue, monkeypatch):
    # The views fetch everything a page shows; a lazy queryset left for the template would
    # hide its queries from the view and from the counts above.
    from collections import Counter

    from django.db import connection
    from django.template.backends.django import Template
    from django.test.utils import CaptureQueriesContext

    from tests.briefings.test_views_html import page_urls

    render, queries_in_templates = Template.render, Counter()

    def counting_render(self, *args, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            html = render(self, *args, **kwargs)
        # Summed over every render, so a later render cannot hide an earlier one's queries.
        queries_in_templates[self.origin.template_name] += len(queries)
        return html

    urls = page_urls(published_issue).values()
    # As in the tests above: the navigation's plain pages are loaded once per content version,
    # by the first page that shows them, and come from the cache after that.
    client.get("/")
    monkeypatch.setattr(Template, "render", counting_render)
    for url in urls:
        client.get(url)
        client.get(url + "?page=1")

    assert "briefings/issue_archive.html" in queries_in_templates
    assert {name: n for name, n in queries_in_templates.items() if n} == {}
