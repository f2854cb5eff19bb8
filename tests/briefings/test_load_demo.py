import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from briefings.demo import latest_demo_wednesday
from briefings.models import Article, Issue, Organisation, Person, Section
from briefings.services import EDITOR_GROUP
from tests.factories import IssueFactory

pytestmark = pytest.mark.django_db


def load_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts():
    models = [Issue, Article, Section, Person, Organisation, get_user_model()]
    return {model.__name__: model.objects.count() for model in models}


def test_demo_has_three_published_fortnightly_wednesday_issues():
    load_demo()
    issues = list(Issue.objects.published().order_by("date"))
    assert len(issues) == 3
    assert all(issue.date.weekday() == 2 for issue in issues)
    assert [b.date - a.date for a, b in zip(issues, issues[1:], strict=False)] == [
        datetime.timedelta(days=14)
    ] * 2
    assert issues[-1].date < datetime.date.today()
    for issue in issues:
        articles = list(issue.articles.all())
        assert 6 <= len(articles) <= 8
        assert all(a.teaser and a.body for a in articles)
        assert all(a.people.exists() and a.organisations.exists() for a in articles)
        assert all(a.tags.exists() for a in articles)
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind)


def test_demo_replaces_pages_cached_before_it_and_has_an_about_page_in_the_navigation(
    client, django_capture_on_commit_callbacks
):
    assert "About" not in client.get("/").content.decode()  # an empty site, now cached
    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    home = client.get("/").content.decode()
    assert 'href="/pages/about/">About</a>' in home
    assert Issue.objects.latest("date").title in home
    assert "fortnightly round-up" in client.get("/pages/about/").content.decode()


def test_running_load_demo_twice_changes_nothing():
    load_demo()
    before = counts()
    output = load_demo()
    assert counts() == before
    assert "no demo content was added" in output
    assert "password is unchanged" in output


def test_demo_users_can_sign_in_with_the_printed_passwords():
    output = load_demo()
    passwords = dict(re.findall(r"user: (\w+)  password: (\S+)", output))
    User = get_user_model()
    editor = User.objects.get(username="editor")
    admin = User.objects.get(username="admin")
    assert editor.check_password(passwords["editor"])
    assert admin.check_password(passwords["admin"])
    assert editor.is_staff and not editor.is_superuser
    assert list(editor.groups.values_list("name", flat=True)) == [EDITOR_GROUP]
    assert admin.is_superuser


def test_load_demo_leaves_a_site_with_real_issues_alone():
    IssueFactory()
    load_demo()
    assert Issue.objects.count() == 1


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2026, 11, 28), datetime.date(2026, 11, 25)),  # Saturday
        (datetime.date(2026, 11, 25), datetime.date(2026, 11, 18)),  # a Wednesday itself
        (datetime.date(2026, 11, 26), datetime.date(2026, 11, 25)),  # Thursday
    ],
)
def test_newest_demo_issue_is_the_last_wednesday_before_today(today, expected):
    assert latest_demo_wednesday(today) == expected
