import datetime

import pytest
from django.db import IntegrityError, transaction

from briefings.models import Article, Issue
from tests.factories import ArticleFactory, IssueFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_two_issues_cannot_share_a_date():
    IssueFactory(date=datetime.date(2026, 1, 7))
    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.create(date=datetime.date(2026, 1, 7))


def test_two_articles_in_one_issue_cannot_share_a_slug():
    article = ArticleFactory(slug="warm-halls")
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(
            issue=article.issue,
            section=article.section,
            title="Another",
            slug="warm-halls",
            teaser="x",
        )


def test_articles_in_different_issues_may_share_a_slug():
    ArticleFactory(slug="warm-halls")
    ArticleFactory(slug="warm-halls")
    assert Article.objects.filter(slug="warm-halls").count() == 2


def test_a_blank_slug_is_made_unique_within_the_issue():
    issue = IssueFactory()
    section = SectionFactory()
    first = Article.objects.create(issue=issue, section=section, title="Warm halls", teaser="x")
    second = Article.objects.create(issue=issue, section=section, title="Warm halls", teaser="y")
    assert (first.slug, second.slug) == ("warm-halls", "warm-halls-2")


def test_a_published_issue_must_have_a_publish_time_in_the_database():
    issue = IssueFactory(draft=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.PUBLISHED)


def test_a_section_with_articles_cannot_be_deleted():
    from django.db.models import ProtectedError

    article = ArticleFactory()
    with pytest.raises(ProtectedError):
        article.section.delete()


def test_every_save_of_an_issue_bumps_its_version():
    issue = IssueFactory(draft=True)
    assert issue.version == 1
    issue.save()
    issue.save()
    issue.refresh_from_db()
    assert issue.version == 3
