import datetime
import re
import time

import pytest
from django.db import connection
from django.utils import timezone

from briefings.search import MAX_QUERY_LENGTH
from briefings.services import content_changed
from briefings.views import RESULTS_PER_PAGE
from tests.factories import ArticleFactory, IssueFactory, SectionFactory

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search is PostgreSQL only"
)


def search(client, query="", **params):
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_search_finds_words_in_title_teaser_and_body(client):
    ArticleFactory(title="Ferry timetables for the islands", teaser="x", body="<p>y</p>")
    ArticleFactory(title="Second", teaser="Talks about ferry fares", body="<p>y</p>")
    ArticleFactory(title="Third", teaser="x", body="<p>The ferry left late.</p>")
    ArticleFactory(title="Unrelated", teaser="x", body="<p>buses</p>")
    body = search(client, "ferry")
    assert "3 articles found" in body
    assert "Unrelated" not in body


def test_title_match_outranks_body_match(client):
    issue = IssueFactory()
    ArticleFactory(
        issue=issue, title="Budget news", teaser="x", body="<p>A word on volunteering.</p>"
    )
    ArticleFactory(issue=issue, title="Volunteering grows", teaser="x", body="<p>Numbers up.</p>")
    body = search(client, "volunteering")
    assert body.index("Volunteering grows") < body.index("Budget news")


def test_search_never_shows_draft_or_scheduled_articles(
    client, published_issue, draft_issue, scheduled_issue
):
    assert "Zebras" not in search(client, "zebras")
    assert "No articles found" in search(client, "zebras")
    assert "Giraffes" not in search(client, "giraffes")
    assert "Secret draft" not in search(client, "secret draft")


def test_search_never_shows_draft_issue_leaders(client, draft_issue):
    draft_issue.leader = "<p>Unicorns in the leader.</p>"
    draft_issue.save()
    assert "Unicorns" not in search(client, "unicorns")


def test_search_finds_issue_leaders(client):
    issue = IssueFactory(leader="<p>Winter pressures on food banks.</p>")
    body = search(client, "pressures")
    assert issue.get_absolute_url() in body


def test_a_matching_introduction_is_offered_without_telling_the_reader_to_try_again(client):
    issue = IssueFactory(leader="<p>Anchors in a storm.</p>")
    ArticleFactory(issue=issue, title="Halls", teaser="x", body="<p>y</p>")
    body = search(client, "storm")
    assert "No articles found for “storm”" in body
    assert issue.get_absolute_url() in body
    assert "Try fewer or different words" not in body
    assert "Try fewer or different words" in search(client, "hurricane")


@on_postgres
def test_a_search_of_only_common_words_says_why_it_finds_nothing(client, published_issue):
    body = search(client, "the and of")
    assert "too common to search for" in body
    assert "too common" not in search(client, "hurricane")


@pytest.mark.parametrize("query", ["!!!", "-", "&", "<->", ":*", "\U0001f986"])
def test_a_search_of_only_punctuation_or_symbols_says_it_has_no_words(
    client, published_issue, query
):
    # Not "made only of words too common to search for": there are no words in it at all.
    body = search(client, query)
    assert "has no words to search for" in body
    assert "too common" not in body
    assert "has no words" not in search(client, "hurricane")


def test_empty_query_gives_a_friendly_page(client, published_issue):
    body = search(client, "")
    assert "Type a few words" in body
    assert "found" not in body


def test_curly_quotes_and_apostrophes_search_like_straight_ones(client):
    ArticleFactory(title="Niamh O'Connell joins the board", teaser="x", body="<p>y</p>")
    ArticleFactory(
        title="Curly", teaser="x", body="<p>Mairi O\u2019Neill opened the warm spaces.</p>"
    )
    ArticleFactory(title="Apart", teaser="x", body="<p>Spaces for people, warm ones.</p>")
    assert "Niamh O&#x27;Connell joins" in search(client, "O\u2019Connell")
    assert "Curly" in search(client, "O'Neill")
    phrase = search(client, "\u201cwarm spaces\u201d")
    assert "1 article found" in phrase
    assert "Curly" in phrase


def test_a_quoted_phrase_finds_the_words_together_and_in_order(client):
    ArticleFactory(title="Together", teaser="x", body="<p>The hall opened warm spaces.</p>")
    ArticleFactory(title="Reversed", teaser="x", body="<p>Spaces were warm all winter.</p>")
    body = search(client, '"warm spaces"')
    assert "Together" in body
    assert "Reversed" not in body
    # The reader's own quotes are shown as typed, not wrapped in a second pair.
    assert "1 article found for &quot;warm spaces&quot;<" in body
    assert "Reversed" in search(client, "warm spaces")
    assert "Together" not in search(client, 'spaces -"warm spaces"')


@pytest.mark.parametrize(
    "query",
    [
        "the",
        '"""',
        "---",
        "!!! &&& |||",
        "a" * 500,
        "<script>alert(1)</script>",
        "'; DROP TABLE x; --",
        "\u0000",
    ],
)
def test_nonsense_queries_give_a_friendly_page(client, published_issue, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_bad_filters_are_ignored_not_errors(client, published_issue):
    body = search(client, "village", year="abc", section="no-such-section", page="1")
    assert "Village hall becomes a warm space" in body


def test_search_filters_by_year_and_section(client):
    policy = SectionFactory(name="Policy")
    ground = SectionFactory(name="On the ground")
    old = IssueFactory(date=datetime.date(2023, 5, 3))
    new = IssueFactory(date=datetime.date(2024, 5, 1))
    ArticleFactory(issue=old, section=policy, title="Housing policy 2023")
    ArticleFactory(issue=new, section=policy, title="Housing policy 2024")
    ArticleFactory(issue=new, section=ground, title="Housing on the ground 2024")
    by_year = search(client, "housing", year="2023")
    assert "Housing policy 2023" in by_year
    assert "Housing policy 2024" not in by_year
    by_section = search(client, "housing", section="policy")
    assert "Housing on the ground 2024" not in by_section
    assert "Housing policy 2024" in by_section


def test_search_results_are_paginated_and_keep_the_query(client):
    issue = IssueFactory()
    ArticleFactory.create_batch(RESULTS_PER_PAGE + 5, issue=issue, title="Community energy scheme")
    first = search(client, "energy")
    assert "Page 1 of 2" in first
    assert "?q=energy&amp;year=&amp;section=&amp;page=2" in first
    assert "Page 2 of 2" in search(client, "energy", page="2")


def test_numbering_of_results_carries_on_from_page_to_page(client):
    ArticleFactory.create_batch(RESULTS_PER_PAGE + 5, title="Community energy scheme")
    assert '<ol class="results" start="1">' in search(client, "energy")
    second = search(client, "energy", page="2")
    assert f'<ol class="results" start="{RESULTS_PER_PAGE + 1}">' in second


@pytest.mark.parametrize(
    ("asked", "shown"),
    [("7", 2), ("99999999999999999999", 2), ("0", 1), ("-1", 1), ("abc", 1), ("1e9", 1)],
)
def test_a_search_page_that_does_not_exist_shows_the_nearest_one(client, asked, shown):
    ArticleFactory.create_batch(RESULTS_PER_PAGE + 5, title="Community energy scheme")
    response = client.get("/search/", {"q": "energy", "page": asked})
    assert response.status_code == 200
    assert f"Page {shown} of 2" in response.content.decode()


def test_a_year_or_section_that_does_not_exist_is_left_out_and_the_page_says_so(
    client, published_issue
):
    body = search(client, "village", year="1999", section="no-such-section")
    assert "Village hall becomes a warm space" in body
    assert "Searched every year: there are no briefings from 1999." in body
    assert "Searched every section: there is no section called “no-such-section”." in body
    plain = search(client, "village")
    assert "Searched every" not in plain


def test_a_year_that_is_not_a_number_is_called_not_a_year(client, published_issue):
    body = search(client, "village", year="abc")
    assert "Village hall becomes a warm space" in body
    assert "Searched every year: “abc” is not a year." in body


@on_postgres
def test_search_uses_english_stemming(client):
    ArticleFactory(title="Volunteers organised a clean-up", teaser="x", body="<p>y</p>")
    assert "Volunteers organised" in search(client, "volunteering organise")


@on_postgres
def test_search_highlights_matches_in_snippets(client):
    ArticleFactory(
        title="Report", teaser="Rural broadband is patchy.", body="<p>More on broadband.</p>"
    )
    body = search(client, "broadband")
    assert "<mark>broadband</mark>" in body


def test_websearch_syntax_excludes_words(client):
    ArticleFactory(title="Rural bus routes", teaser="x", body="<p>y</p>")
    ArticleFactory(title="Rural broadband", teaser="x", body="<p>y</p>")
    body = search(client, "rural -bus")
    assert "Rural broadband" in body
    assert "Rural bus routes" not in body


@on_postgres
def test_snippet_html_from_the_body_is_escaped(client):
    ArticleFactory(
        title="Markup", teaser="x", body="<p>Dangerous &lt;b&gt;bold&lt;/b&gt; claim.</p>"
    )
    body = search(client, "dangerous")
    assert "<b>bold" not in body


@on_postgres
def test_search_vector_is_kept_up_to_date_on_update(client):
    article = ArticleFactory(title="Old words", teaser="x", body="<p>y</p>")
    article.title = "Otters return to the river"
    article.save()
    assert "Otters return" in search(client, "otters")


@on_postgres
def test_an_articles_search_vector_is_stored_in_its_row_for_fast_ranking():
    # Ranking reads every match's vector; out of line, each cost three more page reads.
    ArticleFactory(body="<p>" + " ".join(f"w{n}" for n in range(400)) + "</p>")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_column_size(search_vector) FROM briefings_article")
        [vector_size] = cursor.fetchone()
        # Rows in the TOAST table this test can see: other tests' rolled-back rows leave its
        # size behind, but are invisible here.
        cursor.execute(
            "SELECT reltoastrelid::regclass FROM pg_class WHERE relname = %s", ["briefings_article"]
        )
        [toast_table] = cursor.fetchone()
        cursor.execute(f"SELECT count(*) FROM {toast_table}")  # noqa: S608 - a name from pg_class
        [toast_size] = cursor.fetchone()
    assert vector_size > 4000  # too big for PostgreSQL's default of moving it out of the row
    assert toast_size == 0


def filter_options(body, name):
    select = re.search(rf'<select id="search-{name}" name="{name}">(.*?)</select>', body, re.S)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))[1:]


def test_search_filters_offer_only_years_and_sections_with_published_articles(
    client, published_issue
):
    secret = SectionFactory(name="Embargoed")
    # Decades after the published issue (factories date issues through the whole run).
    later = published_issue.date.year + 40
    ArticleFactory(
        issue=IssueFactory(draft=True, date=datetime.date(later, 1, 8)),
        section=secret,
        title="Not yet",
    )
    body = search(client)
    assert "Embargoed" not in filter_options(body, "section")
    assert str(later) not in filter_options(body, "year")
    assert str(published_issue.date.year) in filter_options(body, "year")


def test_search_filters_follow_an_editors_change(client, published_issue):
    search(client)  # the filters are now cached
    ArticleFactory(
        issue=IssueFactory(date=datetime.date(2031, 1, 8)),
        section=SectionFactory(name="Letters"),
    )
    content_changed()
    body = search(client)
    assert "Letters" in filter_options(body, "section")
    assert "2031" in filter_options(body, "year")


def test_search_filters_gain_a_scheduled_issues_year_once_it_goes_public(client, published_issue):
    publish_at = timezone.now() + datetime.timedelta(seconds=2)
    later = published_issue.date.year + 40  # a year of its own, whatever the issue's date
    ArticleFactory(
        issue=IssueFactory(date=datetime.date(later, 1, 8), publish_at=publish_at),
        title="Scheduled article",
    )
    assert str(later) not in filter_options(search(client), "year")
    # Nothing saves and nothing calls content_changed(): the cached filters must expire.
    time.sleep((publish_at - timezone.now()).total_seconds() + 1.2)
    assert str(later) in filter_options(search(client), "year")


def test_matching_introductions_come_after_the_articles_under_their_own_heading(client):
    issue = IssueFactory(leader="<p>Anchors in a storm.</p>")
    ArticleFactory(issue=issue, title="Storm damage to halls")
    body = search(client, "storm")
    assert body.index("Storm damage to halls") < body.index(
        '<h2 id="matching-issues-heading">Briefings whose introduction matches</h2>'
    )


def test_every_matching_introduction_can_be_reached_past_the_first_three(client, monkeypatch):
    monkeypatch.setattr("briefings.views.RESULTS_PER_PAGE", 2)
    issues = [IssueFactory(leader="<p>Flamingos at the AGM.</p>") for _ in range(5)]
    IssueFactory(draft=True, leader="<p>Flamingos in a draft.</p>")
    first = search(client, "flamingos")
    assert "See all 5 briefings whose introduction matches “flamingos”" in first
    link = re.search(r'href="\?([^"]*show=briefings[^"]*)"', first).group(1).replace("&amp;", "&")
    shown = set()
    for page in (1, 2, 3):
        body = client.get(f"/search/?{link}&page={page}").content.decode()
        assert "5 briefings whose introduction matches “flamingos”" in body
        shown |= {issue.pk for issue in issues if issue.get_absolute_url() in body}
    assert shown == {issue.pk for issue in issues}
    assert "Page 3 of 3" in client.get(f"/search/?{link}&page=4").content.decode()


def test_three_matching_introductions_need_no_link_to_see_all(client):
    for _ in range(3):
        IssueFactory(leader="<p>Flamingos at the AGM.</p>")
    assert "See all" not in search(client, "flamingos")


def test_every_search_box_takes_no_more_than_a_search_reads(client, published_issue):
    # A long paragraph pasted into a box without a limit made an address longer than gunicorn
    # reads (4,094 bytes), and the reader got its bare "Request Line is too large" instead.
    for path in ["/", published_issue.get_absolute_url(), "/search/?q=hall"]:
        boxes = re.findall(r'<input [^>]*name="q"[^>]*>', client.get(path).content.decode())
        assert boxes, path
        for box in boxes:
            assert f'maxlength="{MAX_QUERY_LENGTH}"' in box, (path, box)
