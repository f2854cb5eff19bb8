"""RSS and Atom feeds of issues and of articles. Links are absolute from SITE_URL, so the
feeds point at the public address whatever host served them."""

import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from .models import IN_ISSUE_ORDER, Article, Issue

FEED_LENGTH = 30

# The control characters XML 1.0 cannot hold (Django's feed writer fails on them with a 500,
# taking the whole feed down). Word copies a line break within a paragraph as one (\x0b).
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_text(text):
    return _NOT_IN_XML.sub(" ", text)


def _absolute(path):
    return settings.SITE_URL + path


def _updated(issue):
    """When an issue (or an article in it: saving one saves its issue) last changed, for
    Atom's required <updated>. A scheduled issue is last saved before it goes public, and Atom
    wants updated >= published."""
    return max(issue.updated_at, issue.publish_at)


class IssuesFeed(Feed):
    description = "Each fortnightly briefing as it is published."

    def title(self):
        return f"{settings.SITE_NAME} Briefing: issues"

    def link(self):
        return _absolute(reverse("briefings:archive"))

    def feed_url(self):
        return _absolute(reverse("briefings:issues-rss"))

    def items(self):
        return Issue.objects.published().order_by("-date")[:FEED_LENGTH]

    def item_title(self, item):
        return _xml_text(item.title or str(item))

    def item_description(self, item):
        return _xml_text(item.leader)

    def item_link(self, item):
        return _absolute(item.get_absolute_url())

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return _updated(item)


class IssuesAtomFeed(IssuesFeed):
    feed_type = Atom1Feed
    subtitle = IssuesFeed.description

    def author_name(self):  # Atom (RFC 4287) requires an author for the feed or each entry.
        return settings.SITE_NAME

    def feed_url(self):
        return _absolute(reverse("briefings:issues-atom"))


class ArticlesFeed(Feed):
    description = "Every article from the fortnightly briefing, newest first."

    def title(self):
        return f"{settings.SITE_NAME} Briefing: articles"

    def link(self):
        return _absolute(reverse("briefings:home"))

    def feed_url(self):
        return _absolute(reverse("briefings:articles-rss"))

    def items(self):
        return (
            Article.objects.published()
            .for_list()
            .order_by("-issue__date", *IN_ISSUE_ORDER)[:FEED_LENGTH]
        )

    def item_title(self, item):
        return _xml_text(item.title)

    def item_description(self, item):
        # The teaser is plain text, and feed readers read a description as HTML: "<b>" typed
        # in a teaser is words to show, not markup.
        return escape(_xml_text(item.teaser))

    def item_link(self, item):
        return _absolute(item.get_absolute_url())

    def item_pubdate(self, item):
        return item.issue.publish_at

    def item_updateddate(self, item):
        return _updated(item.issue)

    def item_categories(self, item):
        return [_xml_text(item.section.name)]


class ArticlesAtomFeed(ArticlesFeed):
    feed_type = Atom1Feed
    subtitle = ArticlesFeed.description
    author_name = IssuesAtomFeed.author_name

    def feed_url(self):
        return _absolute(reverse("briefings:articles-atom"))
