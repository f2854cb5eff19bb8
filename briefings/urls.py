from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter

from . import feeds, views
from .pagecache import cache_public_page
from .sitemaps import SITEMAPS


class FourDigitYear:
    # Year 0000 does not exist (Python's dates start at 1): it is a 404, not an error.
    regex = r"(?!0000)[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigits:
    regex = r"[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


class AnyScriptSlug:
    # Topic addresses are made by taggit from the name in any script ("gàidhlig"), as
    # Wagtail's are by default; Django's <slug:> takes only ASCII letters.
    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FourDigitYear, "yyyy")
register_converter(AnyScriptSlug, "anyslug")
register_converter(TwoDigits, "dd")

app_name = "briefings"

urlpatterns = [
    path("", views.home, name="home"),
    path("briefings/", views.archive, name="archive"),
    path("briefings/<yyyy:year>/", views.archive_year, name="archive-year"),
    path("briefings/<yyyy:year>/<dd:month>/<dd:day>/", views.issue_detail, name="issue-detail"),
    path(
        "briefings/<yyyy:year>/<dd:month>/<dd:day>/<slug:slug>/",
        views.article_detail,
        name="article-detail",
    ),
    path("people/", views.person_list, name="person-list"),
    path("people/<slug:slug>/", views.person_detail, name="person-detail"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<anyslug:slug>/", views.topic_detail, name="topic-detail"),
    path("search/", views.search, name="search"),
    path("pages/<path:url>", views.plain_page, name="page"),
    path("feeds/issues/rss/", cache_public_page(feeds.IssuesFeed()), name="issues-rss"),
    path("feeds/issues/atom/", cache_public_page(feeds.IssuesAtomFeed()), name="issues-atom"),
    path("feeds/articles/rss/", cache_public_page(feeds.ArticlesFeed()), name="articles-rss"),
    path("feeds/articles/atom/", cache_public_page(feeds.ArticlesAtomFeed()), name="articles-atom"),
    path(
        "sitemap.xml",
        cache_public_page(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon, name="favicon"),
]
