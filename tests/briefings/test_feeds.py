import datetime
import re
from xml.etree import ElementTree

import feedparser
import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, IssueFactory, SectionFactory

pytestmark = pytest.mark.django_db

FEEDS = ["issues-rss", "issues-atom", "articles-rss", "articles-atom"]


def parse(client, name):
    response = client.get(reverse(f"briefings:{name}"))
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


@pytest.mark.parametrize("name", FEEDS)
def test_feed_parses_cleanly(client, published_issue, name):
    feed = parse(client, name)
    assert feed.entries
    for entry in feed.entries:
        assert entry.link.startswith("http://127.0.0.1:8000/briefings/")


def test_every_page_offers_all_four_feeds_to_feed_readers_and_readers(client, published_issue):
    body = client.get("/").content.decode()
    for name in FEEDS:
        url = reverse(f"briefings:{name}")
        assert f'rel="alternate" type="application/{name.split("-")[1]}+xml"' in body
        assert f'href="{url}"' in body[: body.index("</head>")]
        assert f'href="{url}"' in body[body.index("<footer") :]


@pytest.mark.parametrize("name", FEEDS)
def test_feed_parses_cleanly_when_empty(client, name):
    assert parse(client, name).entries == []


@pytest.mark.parametrize("name", FEEDS)
def test_draft_and_scheduled_content_is_not_in_feeds(
    client, published_issue, draft_issue, scheduled_issue, name
):
    links = {entry.link for entry in parse(client, name).entries}
    for issue in (draft_issue, scheduled_issue):
        assert "http://127.0.0.1:8000" + issue.get_absolute_url() not in links
        assert "http://127.0.0.1:8000" + issue.articles.get().get_absolute_url() not in links
    assert links


def test_articles_feed_lists_newest_issue_first(client):
    ArticleFactory(issue=IssueFactory(date=datetime.date(2023, 1, 4)), title="Older article")
    ArticleFactory(issue=IssueFactory(date=datetime.date(2024, 1, 3)), title="Newer article")
    titles = [entry.title for entry in parse(client, "articles-rss").entries]
    assert titles == ["Newer article", "Older article"]


def test_issues_feed_carries_the_leader(client, published_issue):
    entry = parse(client, "issues-atom").entries[0]
    assert "Community anchors are carrying more" in entry.summary
    assert entry.title == "Halls and hubs"


def test_pages_advertise_the_feeds(client, published_issue):
    body = client.get("/").content.decode()
    assert 'type="application/rss+xml"' in body
    assert 'type="application/atom+xml"' in body


@pytest.mark.parametrize("name", ["issues-atom", "articles-atom"])
def test_atom_feeds_name_their_author_as_rfc_4287_requires(client, published_issue, name):
    feed = parse(client, name)
    assert feed.feed.author == "SCA"


@pytest.mark.parametrize("name", ["issues-atom", "articles-atom"])
def test_every_atom_entry_says_when_it_was_updated_as_rfc_4287_requires(
    client, published_issue, name
):
    response = client.get(reverse(f"briefings:{name}"))
    atom = "{http://www.w3.org/2005/Atom}"
    # feedparser would report <published> as the update time when <updated> is missing.
    feed = ElementTree.fromstring(response.content)  # noqa: S314 - our own feed
    entries = feed.findall(f"{atom}entry")
    assert entries
    for entry in entries:
        assert len(entry.findall(f"{atom}updated")) == 1
        assert entry.findtext(f"{atom}updated") >= entry.findtext(f"{atom}published")


def test_a_scheduled_issue_is_never_updated_before_it_was_published(client):
    issue = IssueFactory()  # saved an hour before it went public, as a scheduled issue is
    type(issue).objects.filter(pk=issue.pk).update(
        updated_at=issue.publish_at - datetime.timedelta(hours=1)
    )
    entry = parse(client, "issues-atom").entries[0]
    assert entry.updated_parsed >= entry.published_parsed


def test_footer_feed_links_say_which_feed_they_are_out_of_context(client, published_issue):
    footer = client.get("/").content.decode().split("<footer", 1)[1]
    names = [
        re.sub(r"<[^>]+>", "", name)
        for name in re.findall(r'<a href="/feeds/[^"]*">(.*?)</a>', footer)
    ]
    assert sorted(names) == [
        "Atom feed of articles",
        "Atom feed of issues",
        "RSS feed of articles",
        "RSS feed of issues",
    ]


@pytest.mark.parametrize("name", ["articles-rss", "articles-atom"])
def test_a_teaser_is_shown_as_typed_in_feed_readers_not_read_as_markup(client, name):
    ArticleFactory(teaser="Halls & hubs: <b>not bold</b> <script>x</script>")
    entry = parse(client, name).entries[0]
    # feedparser, like a feed reader, reads the description as HTML and cleans it.
    assert (
        entry.summary
        == "Halls &amp; hubs: &lt;b&gt;not bold&lt;/b&gt; &lt;script&gt;x&lt;/script&gt;"
    )


@pytest.mark.parametrize("name", FEEDS)
def test_text_pasted_from_word_with_control_characters_does_not_break_the_feeds(client, name):
    # Word copies a line break within a paragraph as a vertical tab (\x0b), which XML 1.0
    # cannot hold: one such title took every feed down.
    issue = IssueFactory(title="Winter\x0bon the islands", leader="<p>Hello\x0bthere</p>")
    ArticleFactory(
        issue=issue,
        section=SectionFactory(name="On\x0cthe ground"),
        title="Hall news\x0bfrom Barra\x1b",
        teaser="Three halls\x0bopen again.",
    )
    entry = parse(client, name).entries[0]
    assert entry.title in {"Winter on the islands", "Hall news from Barra"}
