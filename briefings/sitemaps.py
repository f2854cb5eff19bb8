from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article, Issue, Organisation, Person, public_plain_pages, public_topics


class _PublicSite:
    """Use SITE_URL's host, not the sites framework's placeholder "example.com"."""

    def __init__(self):
        self.domain = urlsplit(settings.SITE_URL).netloc


class PublicSitemap(Sitemap):
    def get_urls(self, page=1, site=None, protocol=None):
        return super().get_urls(
            page=page, site=_PublicSite(), protocol=urlsplit(settings.SITE_URL).scheme
        )


class PagesSitemap(PublicSitemap):
    changefreq = "weekly"

    def items(self):
        return [
            "briefings:home",
            "briefings:archive",
            "briefings:person-list",
            "briefings:organisation-list",
            "briefings:topic-list",
        ]

    def location(self, item):
        return reverse(item)


class IssueSitemap(PublicSitemap):
    changefreq = "monthly"

    def items(self):
        return Issue.objects.published().order_by("-date")

    def lastmod(self, item):
        return item.updated_at


class YearSitemap(PublicSitemap):
    """The archive's year pages, one for each year with a published issue."""

    changefreq = "monthly"

    def items(self):
        return [day.year for day in Issue.objects.published().dates("date", "year")]

    def location(self, year):
        return reverse("briefings:archive-year", kwargs={"year": year})


class ArticleSitemap(PublicSitemap):
    changefreq = "monthly"

    def items(self):
        return Article.objects.published().select_related("issue").order_by("-issue__date", "pk")

    def lastmod(self, item):
        return item.issue.updated_at


class PersonSitemap(PublicSitemap):
    def items(self):
        return Person.objects.filter(articles__in=Article.objects.published()).distinct()


class OrganisationSitemap(PublicSitemap):
    def items(self):
        return Organisation.objects.filter(articles__in=Article.objects.published()).distinct()


class TopicSitemap(PublicSitemap):
    def items(self):
        return public_topics().distinct().order_by("slug")


class PlainPageSitemap(PublicSitemap):
    changefreq = "monthly"

    def items(self):
        return public_plain_pages().order_by("url")


SITEMAPS = {
    "pages": PagesSitemap,
    "plain-pages": PlainPageSitemap,
    "years": YearSitemap,
    "issues": IssueSitemap,
    "articles": ArticleSitemap,
    "people": PersonSitemap,
    "organisations": OrganisationSitemap,
    "topics": TopicSitemap,
}
