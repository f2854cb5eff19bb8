"""The public website. Every page starts from `Issue.objects.published()`.

Public views are wrapped in `cache_public_page`, so they must render the same bytes for every
visitor: no CSRF token, no session, no messages, no `request.user`.
"""

import datetime
import unicodedata
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce, Lower
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from taggit.models import Tag

from .models import (
    IN_ISSUE_ORDER,
    Article,
    Issue,
    Organisation,
    Person,
    articles_for_page,
    issue_path,
    public_plain_pages,
    public_topics,
)
from .pagecache import cache_public_page
from .sanitise import plain_text, sanitise_html
from .search import (
    clean_query,
    has_no_words,
    only_common_words,
    quoted_query,
    search_articles,
    search_filters,
    search_issues,
    snippet_html,
)

ISSUES_PER_PAGE = 50
ARTICLES_PER_PAGE = 50
RESULTS_PER_PAGE = 10
MATCHING_ISSUES_SHOWN = 3  # beside the article results; a link leads to the rest


def _issue_date(year, month, day):
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise Http404("No such date") from None


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _page(request, queryset, per_page, *, nearest=False):
    """One page of `queryset`; a page number past the end or not a number is a 404, or with
    `nearest`, the last or the first page."""
    paginator = Paginator(queryset, per_page)
    number = request.GET.get("page") or 1
    if nearest:
        # Search results change as content does, so an old link's page 5 may be gone; it is a
        # page of results a reader wants, not an error. (Lists keep their 404: they are
        # crawled, and a missing page is really missing.)
        number = _int_or_none(number)
        number = 1 if number is None or number < 1 else min(number, paginator.num_pages)
    try:
        page = paginator.page(number)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such page") from None
    # Fetched here, with its prefetches, so that the template never runs a query.
    page.object_list = list(page.object_list)
    return page


def _absolute(path):
    return settings.SITE_URL + path


def _page_canonical(path, page):
    """A list page's own address: page 2 is not a copy of page 1, and a canonical naming page
    1 would tell search engines to drop it and the articles only it links to."""
    return _absolute(path if page.number == 1 else f"{path}?page={page.number}")


def _description(text, words=30):
    return Truncator(plain_text(text)).words(words)


def _publisher():
    return {"@type": "Organization", "name": settings.SITE_NAME, "url": settings.SITE_URL + "/"}


@cache_public_page
def home(request):
    # The latest issue and the two before it in one query; only the latest needs its articles.
    latest = list(Issue.objects.published().defer("search_vector").order_by("-date")[:3])
    issue = latest[0] if latest else None
    previous_issues = latest[1:]
    most_read = None
    if issue is not None:
        prefetch_related_objects([issue], articles_for_page(with_clickers=True))
        # From email clicks; the cached page refreshes it every PAGE_CACHE_SECONDS.
        most_read = issue.most_read_article()
    return render(
        request,
        "briefings/home.html",
        {
            "issue": issue,
            "previous_issues": previous_issues,
            "most_read": most_read,
            "canonical": _absolute("/"),
        },
    )


def _issue_link(date):
    return {"date": date, "url": issue_path(date)} if date else None


def render_issue(request, issue, *, preview=False):
    """Render an issue page. The staff preview uses this too, so it matches the public page.

    `issue` comes from `Issue.objects.with_articles().with_neighbours()`.

    A preview may show a draft, so it is never cached anywhere and never indexed.
    """
    context = {
        "issue": issue,
        "preview": preview,
        "previous_issue": _issue_link(issue.previous_date),
        "next_issue": _issue_link(issue.following_date),
        "canonical": _absolute(issue.get_absolute_url()),
        "description": _description(issue.leader),
    }
    response = render(request, "briefings/issue_detail.html", context)
    if preview:
        add_never_cache_headers(response)
    return response


@cache_public_page
def issue_detail(request, year, month, day):
    issue = get_object_or_404(
        Issue.objects.published().defer("search_vector").with_articles().with_neighbours(),
        date=_issue_date(year, month, day),
    )
    return render_issue(request, issue)


@cache_public_page
def article_detail(request, year, month, day, slug):
    articles = Article.objects.published().filter(issue__date=_issue_date(year, month, day))
    return render_article(request, articles, slug)


def _link_public_pages(items, public=None):
    """Give each person, organisation or topic the address of its page as `page_url`, or ""
    when it has none yet: in a preview, one mentioned only in unpublished issues (`public` is
    the queryset of those that have a page)."""
    if public is not None:
        public = set(public.filter(pk__in=[item.pk for item in items]).values_list("pk", flat=True))
    for item in items:
        item.page_url = item.get_absolute_url() if public is None or item.pk in public else ""


def render_article(request, articles, slug, *, preview=False):
    """Render the article `slug` from `articles`, its issue's articles. The staff preview
    uses this too, for the articles of an issue not public yet; like the issue preview, it is
    never cached anywhere and never indexed.
    """
    # The whole issue's articles in one query: the one asked for and "more from this issue".
    # An issue has about ten, so fetching the others' bodies costs less than a second query.
    articles = list(
        articles.select_related("issue", "section")
        .defer("search_vector", "issue__search_vector", "issue__leader")
        .order_by(*IN_ISSUE_ORDER)
    )
    article = next((article for article in articles if article.slug == slug), None)
    if article is None:
        raise Http404("No such article")
    more = [other for other in articles if other is not article]
    people = list(article.people.select_related("organisation"))
    organisations = list(article.organisations.all())
    # By primary key: taggit's generic relation cannot take the instance itself.
    topics = list(Tag.objects.filter(article=article.pk).order_by(Lower("name"), "pk"))
    if preview:
        published = Article.objects.published()
        _link_public_pages(people, Person.objects.filter(articles__in=published))
        _link_public_pages(organisations, Organisation.objects.filter(articles__in=published))
        _link_public_pages(topics, Tag.objects.filter(article__in=published))
    else:
        _link_public_pages(people + organisations + topics)
    url = _absolute(article.get_absolute_url())
    issue_url = _absolute(article.issue.get_absolute_url())
    structured = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.teaser,
        "datePublished": article.issue.publish_at,
        "dateModified": article.issue.updated_at,
        "articleSection": article.section.name,
        "url": url,
        "mainEntityOfPage": url,
        "isPartOf": {"@type": "PublicationIssue", "url": issue_url},
        "publisher": _publisher(),
        "author": _publisher(),
        "about": [{"@type": "Person", "name": p.name} for p in people]
        + [{"@type": "Organization", "name": o.name} for o in organisations],
        "keywords": [tag.name for tag in topics],
    }
    response = render(
        request,
        "briefings/article_detail.html",
        {
            "preview": preview,
            "article": article,
            "people": people,
            "organisations": organisations,
            "topics": topics,
            "more_from_issue": more,
            "canonical": url,
            "description": _description(article.teaser),
            "structured_data": structured,
        },
    )
    if preview:
        add_never_cache_headers(response)
    return response


def _archive(request, issues, *, year=None):
    # Counting through a subquery (rather than a JOIN and GROUP BY) costs only the page's rows.
    article_count = (
        Article.objects.filter(issue=OuterRef("pk"))
        .order_by()
        .values("issue")
        .annotate(n=Count("pk"))
        .values("n")
    )
    issues = (
        issues.only("date", "title")
        .annotate(article_count=Coalesce(Subquery(article_count), 0))
        .prefetch_related(
            Prefetch(
                "articles",
                queryset=Article.objects.only("issue_id", "title").order_by(*IN_ISSUE_ORDER)[:3],
                to_attr="first_articles",
            )
        )
    )
    page = _page(request, issues.order_by("-date"), ISSUES_PER_PAGE)
    if year is not None and not page.object_list:
        # Not an empty page for every year someone types (each would be cached too).
        raise Http404("No briefings that year")
    years = list(Issue.objects.published().dates("date", "year", order="DESC"))
    return render(
        request,
        "briefings/issue_archive.html",
        {
            "page": page,
            "year": year,
            "years": years,
            "canonical": _page_canonical(request.path, page),
        },
    )


@cache_public_page
def archive(request):
    return _archive(request, Issue.objects.published())


@cache_public_page
def archive_year(request, year):
    issues = Issue.objects.published().filter(date__year=year)
    return _archive(request, issues, year=year)


def _alphabetical(items):
    """People, organisations or topics by name as a reader looks for them: "Èilidh" among
    the Es. Sorted here, not by the database: SQLite's lower() and PostgreSQL's C collation
    put every accented capital after Z."""

    def key(item):
        letters = unicodedata.normalize("NFKD", item.name.casefold())
        return "".join(c for c in letters if not unicodedata.combining(c)), item.pk

    return sorted(items, key=key)


def _mentions_page(request, **mentioning):
    """A page of the published articles that mention someone or something, newest first
    (and in the issue's own order within an issue).

    Someone mentioned only in drafts (or a topic used only there) is not public yet: 404.
    """
    articles = Article.objects.published().for_links().filter(**mentioning)
    page = _page(request, articles.order_by("-issue__date", *IN_ISSUE_ORDER), ARTICLES_PER_PAGE)
    if not page.object_list:
        raise Http404("No published articles")
    return page


@cache_public_page
def person_list(request):
    people = (
        Person.objects.filter(articles__in=Article.objects.published())
        .annotate(mentions=Count("articles"))
        .select_related("organisation")
        .order_by()
    )
    return render(
        request,
        "briefings/person_list.html",
        {"people": _alphabetical(people), "canonical": _absolute(request.path)},
    )


@cache_public_page
def person_detail(request, slug):
    person = get_object_or_404(Person.objects.for_page(), slug=slug)
    page = _mentions_page(request, people=person)
    return render(
        request,
        "briefings/person_detail.html",
        {
            "person": person,
            "page": page,
            "canonical": _page_canonical(person.get_absolute_url(), page),
        },
    )


@cache_public_page
def organisation_list(request):
    organisations = (
        Organisation.objects.filter(articles__in=Article.objects.published())
        .annotate(mentions=Count("articles"))
        .order_by()
    )
    return render(
        request,
        "briefings/organisation_list.html",
        {"organisations": _alphabetical(organisations), "canonical": _absolute(request.path)},
    )


@cache_public_page
def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    page = _mentions_page(request, organisations=organisation)
    return render(
        request,
        "briefings/organisation_detail.html",
        {
            "organisation": organisation,
            "page": page,
            "canonical": _page_canonical(organisation.get_absolute_url(), page),
        },
    )


@cache_public_page
def topic_list(request):
    topics = public_topics().annotate(article_count=Count("article")).order_by()
    return render(
        request,
        "briefings/topic_list.html",
        {"topics": _alphabetical(topics), "canonical": _absolute(request.path)},
    )


@cache_public_page
def topic_detail(request, slug):
    topic = get_object_or_404(Tag, slug=slug)
    page = _mentions_page(request, tags=topic)
    return render(
        request,
        "briefings/topic_detail.html",
        {"topic": topic, "page": page, "canonical": _page_canonical(request.path, page)},
    )


def _add_snippets(results):
    for result in results:
        result.snippet_html = snippet_html(result.snippet)


@cache_public_page
def search(request):
    query = clean_query(request.GET.get("q"))
    sections, years = search_filters()
    asked_year, asked_section = request.GET.get("year", ""), request.GET.get("section", "")
    year = _int_or_none(asked_year)
    if year not in years:
        year = None
    section = next((s for s in sections if s.slug == asked_section), None)
    context = {
        # A filter from an old or mistyped link is left out, and the page says so.
        "ignored_year": asked_year if asked_year and year is None else "",
        "ignored_section": asked_section if asked_section and section is None else "",
        "query": query,
        "quoted_query": quoted_query(query),
        "sections": sections,
        "years": years,
        "year": year,
        "section": section,
        "canonical": _absolute(request.path),
    }
    if not query:
        return render(request, "briefings/search.html", context)
    briefings_query = urlencode({"q": query, "year": year or "", "show": "briefings"})
    if request.GET.get("show") == "briefings":
        # Every briefing whose introduction matches, a page at a time (issues have no section).
        page = _page(request, search_issues(query=query, year=year), RESULTS_PER_PAGE, nearest=True)
        _add_snippets(page.object_list)
        context |= {
            "page": page,
            "show_briefings": True,
            "section": None,
            "extra_query": briefings_query,
            "articles_query": urlencode({"q": query, "year": year or ""}),
        }
        return render(request, "briefings/search.html", context)
    articles = search_articles(query=query, year=year, section=section)
    page = _page(request, articles, RESULTS_PER_PAGE, nearest=True)
    _add_snippets(page.object_list)
    issues, all_issues_count = [], None
    if page.number == 1 and section is None:
        matching = search_issues(query=query, year=year)
        issues = list(matching[:MATCHING_ISSUES_SHOWN])
        if len(issues) == MATCHING_ISSUES_SHOWN:
            # Counted only when there may be more; set only when there are, for a link to all.
            count = matching.count()
            all_issues_count = count if count > len(issues) else None
        _add_snippets(issues)
    filters = {"q": query, "year": year or "", "section": section.slug if section else ""}
    context |= {
        "page": page,
        "matching_issues": issues,
        "all_issues_count": all_issues_count,
        "briefings_query": briefings_query,
        "extra_query": urlencode(filters),
    }
    if not page.object_list and not issues:
        context["no_words"] = has_no_words(query)
        context["only_common_words"] = not context["no_words"] and only_common_words(query)
    return render(request, "briefings/search.html", context)


@cache_public_page
def plain_page(request, url):
    """An editor's plain page (django.contrib.flatpages), served at /pages/<url>.

    Readers have no accounts, so a page marked "registration required" is not served at all,
    as it is left out of the navigation and the sitemap: flatpages' own view would send
    visitors to a sign-in page that does not exist, and the page cache would share the page.
    """
    url = "/" + url
    pages = public_plain_pages()
    page = pages.filter(url=url).first()
    if page is None:
        if not url.endswith("/") and pages.filter(url=url + "/").exists():
            return redirect(request.path + "/", permanent=True)
        raise Http404("No such page")
    # Rendered here rather than by flatpages' own render_flatpage, so that the page has a
    # canonical address like every other page. PlainPageForm sanitises the content on saving;
    # again here for pages made another way (a fixture, the shell), as the page is cached.
    page.content = mark_safe(sanitise_html(page.content))  # noqa: S308 - sanitised
    context = {"flatpage": page, "canonical": _absolute(request.path)}
    return render(request, "flatpages/default.html", context)


@cache_public_page
def robots_txt(request):
    text = render_to_string("robots.txt", {"SITE_URL": settings.SITE_URL})
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


def favicon(request):
    """Browsers, feed readers and the admin ask for /favicon.ico whatever the page says."""
    response = redirect(static("favicon.svg"))
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response
