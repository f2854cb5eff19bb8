import pytest
from django.db.models import prefetch_related_objects
from django.urls import reverse

from briefings.models import articles_for_page
from subscribers.models import Click, Delivery
from tests.factories import ArticleFactory, IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def clicks(article, readers, times=1):
    for _ in range(readers):
        delivery = Delivery.objects.create(
            issue=article.issue, subscriber=SubscriberFactory(), status="sent"
        )
        for _ in range(times):
            Click.objects.create(delivery=delivery, article=article, url="https://x.example/")


def test_most_read_counts_readers_not_clicks():
    issue = IssueFactory()
    keen = ArticleFactory(issue=issue, title="One keen reader")
    broad = ArticleFactory(issue=issue, title="Many readers")
    ArticleFactory(issue=issue, title="Nobody")
    clicks(keen, readers=1, times=10)
    clicks(broad, readers=3)

    prefetch_related_objects([issue], articles_for_page(with_clickers=True))

    counted = {a.title: a.clickers for a in issue.articles.all()}
    assert counted == {"Many readers": 3, "One keen reader": 1, "Nobody": 0}
    assert issue.most_read_article() == broad


def test_no_article_is_most_read_before_anyone_clicks():
    issue = IssueFactory()
    ArticleFactory(issue=issue)

    prefetch_related_objects([issue], articles_for_page(with_clickers=True))

    assert issue.most_read_article() is None


def test_home_page_shows_most_read_from_the_latest_issue(client):
    older = IssueFactory()
    clicks(ArticleFactory(issue=older, title="Old favourite"), readers=9)
    latest = IssueFactory()
    ArticleFactory(issue=latest, title="Ignored piece")
    clicks(ArticleFactory(issue=latest, title="Read by many", teaser="Halls in the glen."), 2)
    IssueFactory(draft=True)  # a newer draft never counts as the latest issue

    page = client.get(reverse("briefings:home")).content.decode()

    assert "Most read from the latest issue" in page
    assert "Read by many" in page and "Halls in the glen." in page
    assert "Old favourite" not in page


def test_home_page_has_no_most_read_box_without_clicks(client):
    ArticleFactory(issue=IssueFactory())

    page = client.get(reverse("briefings:home")).content.decode()

    assert "Most read" not in page
