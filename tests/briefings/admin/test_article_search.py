"""Editors find articles on the Articles screen by words, titles and the names mentioned."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ArticleFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

ARTICLES = reverse("admin:briefings_article_changelist")


@pytest.fixture
def articles():
    morag = PersonFactory(name="Morag O’Neill")
    iain = PersonFactory(name="Iain O’Neill")
    trust = OrganisationFactory(name="Glenmoriston Trust")
    ArticleFactory(
        title="Village hall saved",
        teaser="A community buyout.",
        body="<p>The new houses will be let at social rents.</p>",
        people=[morag, iain],
    )
    ArticleFactory(
        title="Ferry fares frozen",
        teaser="Islanders welcome the news.",
        body="<p>Fares stay as they are.</p>",
        organisations=[trust],
    )


def found(editor_client, typed):
    response = editor_client.get(ARTICLES, {"q": typed})
    return sorted(article.title for article in response.context["cl"].result_list)


@pytest.mark.parametrize(
    ("typed", "titles"),
    [
        ("houses", ["Village hall saved"]),  # a word of the body
        ("buyout", ["Village hall saved"]),  # of the teaser
        ("Village ha", ["Village hall saved"]),  # part of a title
        ("O'Neill", ["Village hall saved"]),  # part of a name, straight apostrophe for curly
        ("glenmoriston", ["Ferry fares frozen"]),  # part of an organisation's name
        ("lighthouse", []),
        # Every word must match, each anywhere, as in Django's own admin search.
        ("Village houses", ["Village hall saved"]),
        ("glenmor fares", ["Ferry fares frozen"]),
        ("O'Neill houses", ["Village hall saved"]),
        ("O'Neill fares", []),
        ('"social rents"', ["Village hall saved"]),
        ('"rents social"', []),
        # A -word leaves out articles that have it anywhere, names included.
        ("fa -glenmoriston", []),
    ],
)
def test_the_articles_screen_finds_words_titles_and_names(editor_client, articles, typed, titles):
    assert found(editor_client, typed) == titles


def test_an_article_naming_two_matching_people_is_listed_once(editor_client, articles):
    response = editor_client.get(ARTICLES, {"q": "O’Neill"})
    assert response.context["cl"].result_count == 1
    assert [a.title for a in response.context["cl"].result_list] == ["Village hall saved"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the word index is PostgreSQL's")
def test_on_postgresql_the_search_uses_the_word_index_instead_of_reading_every_body(
    editor_client, articles
):
    # Matching bodies with LIKE read the archive's whole text four times a page: about a
    # second on 5,000 articles, against under 0.2 s with the index.
    with CaptureQueriesContext(connection) as queries:
        assert found(editor_client, "houses") == ["Village hall saved"]
    searches = [q["sql"] for q in queries if "briefings_article" in q["sql"]]
    assert searches
    assert not [sql for sql in searches if re.search(r'"(body|teaser)"::text\) LIKE', sql)]
    assert any("@@" in sql for sql in searches)
