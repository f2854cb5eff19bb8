"""Search over published articles and issue leaders.

PostgreSQL: full-text search on the trigger-maintained `search_vector` columns (title A,
teaser B, body C, English stemming), `websearch` query syntax, ranked, with highlighted
snippets. SQLite (development): every word must appear in the title, teaser or body; title
matches rank first.
"""

import operator
import re
from functools import reduce

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, TextField, Value, When
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import Article, Issue, Section
from .pagecache import page_cache_timeout
from .sanitise import plain_text
from .services import content_version

MAX_QUERY_LENGTH = 200
FILTERS_SECONDS = 24 * 60 * 60
# Markers PostgreSQL puts around matches; swapped for <mark> after the text is made safe.
_START, _STOP = "\u27e6", "\u27e7"
# Phones and word processors type curly quotes and apostrophes, and readers copy phrases
# from pages set with them; the search syntax ("a phrase") and the words need straight ones.
_STRAIGHT_QUOTES = str.maketrans(
    dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'")
    | dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"')
)
# A word, a "quoted phrase" or either with a leading "-" to leave it out.
_TERM = re.compile(r'-?"[^"]*"?|\S+')


def clean_query(text):
    """The query as words separated by single spaces, with straight quotes, without control
    characters (PostgreSQL rejects NUL bytes), at most MAX_QUERY_LENGTH characters."""
    printable = "".join(ch if ch.isprintable() else " " for ch in (text or ""))
    return " ".join(printable.translate(_STRAIGHT_QUOTES).split())[:MAX_QUERY_LENGTH]


def quoted_query(query):
    """The query as the results heading shows it: in quotes, unless it has its own."""
    return query if '"' in query else f"\u201c{query}\u201d"


def search_filters():
    """The sections and years a search can be narrowed to: those with published articles.

    The same for every search, so kept in the cache (even with the page cache off, like the
    navigation) until an editor changes content or the next scheduled issue goes public, which
    may add a year or a section; asking the database cost about 1.5 ms of every search.
    """
    key = f"search-filters:{content_version()}"
    filters = cache.get(key)
    if filters is None:
        sections = list(
            Section.objects.filter(
                Exists(Article.objects.published().filter(section=OuterRef("pk")))
            )
        )
        years = [d.year for d in Issue.objects.published().dates("date", "year", order="DESC")]
        filters = (sections, years)
        cache.set(key, filters, page_cache_timeout(FILTERS_SECONDS))
    return filters


def _uses_postgres():
    return connection.vendor == "postgresql"


def _words(query):
    """Words and "phrases" to find and to leave out ("-word"), as the PostgreSQL search
    reads them."""
    wanted, unwanted = [], []
    for term in _TERM.findall(query)[:10]:
        text = " ".join(term.lstrip("-").replace('"', " ").split()).strip("'-")
        (unwanted if term.startswith("-") else wanted).append(text)
    return [w for w in wanted if w], [w for w in unwanted if w]


def _containing(queryset, query, fields):
    """The simpler search (SQLite): rows with every word or phrase of `query` in one of
    `fields` and none of its "-words"; also the words to find, for ranking."""
    words, unwanted = _words(query)

    def anywhere(word):
        # Text typed in the admin may have curly apostrophes where the query has straight.
        spellings = {word, word.replace("'", "\u2019")}
        return reduce(
            operator.or_,
            (Q(**{f"{field}__icontains": w}) for field in fields for w in spellings),
        )

    for word in words:
        queryset = queryset.filter(anywhere(word))
    for word in unwanted:
        queryset = queryset.exclude(anywhere(word))
    return queryset, words


class _ParsedOnce(SearchQuery):
    """The reader's query as a scalar subquery, which PostgreSQL parses once per statement.

    Searches run as prepared statements with a generic plan, where websearch_to_tsquery() on
    a parameter is not folded to a constant: written inline it was parsed again for every
    match ranked and every snippet made, a quarter of the search's time in the database.
    """

    def as_sql(self, compiler, connection, function=None, template=None):
        sql, params = super().as_sql(compiler, connection, function, template)
        return f"(SELECT {sql})", params


def _search_query(query):
    return _ParsedOnce(query, search_type="websearch", config="english")


def has_no_words(query):
    """True for a query of punctuation and symbols only ("!!!", "-", "&"): there is nothing in
    it to look for, and a search finding nothing should say that rather than blame the
    spelling or call "!!!" a common word."""
    return not any(ch.isalnum() for ch in query)


def only_common_words(query):
    """True if PostgreSQL ignores every word of `query` ("the", "and of"), so that a search
    finding nothing can say why."""
    if not _uses_postgres():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT numnode(websearch_to_tsquery('english', %s)) = 0", [query])
        return cursor.fetchone()[0]


def search_articles(*, query, year=None, section=None):
    articles = Article.objects.published().for_links()
    if year:
        articles = articles.filter(issue__date__year=year)
    if section:
        articles = articles.filter(section=section)
    if _uses_postgres():
        search_query = _search_query(query)
        return (
            articles.filter(search_vector=search_query)
            .annotate(
                rank=SearchRank(F("search_vector"), search_query),
                snippet=SearchHeadline(
                    Concat("teaser", Value(" "), "body", output_field=TextField()),
                    search_query,
                    config="english",
                    start_sel=_START,
                    stop_sel=_STOP,
                    max_words=40,
                    min_words=20,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
            )
            .order_by("-rank", "-issue__date", "pk")
        )
    articles, words = _containing(articles, query, ["title", "teaser", "body"])
    if not words:
        return articles.none()
    return articles.annotate(
        rank=Case(
            When(title__icontains=words[0], then=Value(2)),
            When(teaser__icontains=words[0], then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        snippet=F("teaser"),
    ).order_by("-rank", "-issue__date", "pk")


def search_issues(*, query, year=None):
    """Issues whose headline or leader matches, best first."""
    # The page shows a snippet made in the database, not the leader or its search vector.
    issues = Issue.objects.published().only("date", "title")
    if year:
        issues = issues.filter(date__year=year)
    if _uses_postgres():
        search_query = _search_query(query)
        return (
            issues.filter(search_vector=search_query)
            .annotate(
                rank=SearchRank(F("search_vector"), search_query),
                snippet=SearchHeadline(
                    "leader",
                    search_query,
                    config="english",
                    start_sel=_START,
                    stop_sel=_STOP,
                    max_words=35,
                    min_words=15,
                ),
            )
            .order_by("-rank", "-date")
        )
    issues, words = _containing(issues, query, ["title", "leader"])
    if not words:
        return issues.none()
    return issues.annotate(snippet=F("leader")).order_by("-date")


def snippet_html(text, *, limit=300):
    """Plain, escaped text with PostgreSQL's match markers turned into <mark>."""
    plain = plain_text(text)
    if _START not in plain and len(plain) > limit:
        plain = plain[:limit].rsplit(" ", 1)[0] + " …"
    safe = escape(plain).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(safe)  # noqa: S308 - escaped above; only our own <mark> added
