"""Old addresses lead readers to the new ones (contrib.redirects): those from the previous
site, which editors add, and those of pages an editor moves."""

import pytest
from django.contrib.redirects.models import Redirect
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from briefings.models import Issue, Person
from tests.factories import PlainPageFactory

from .forms import existing_article, issue_form_data

pytestmark = pytest.mark.django_db

ADD = reverse("admin:redirects_redirect_add")


def test_editor_adds_an_old_address_and_readers_are_sent_to_the_issue(
    client, editor_client, published_issue
):
    new = published_issue.get_absolute_url()
    response = editor_client.post(
        ADD, {"old_path": "https://www.example.org/brief/29th-january-2020/", "new_path": new}
    )
    assert response.status_code == 302
    assert Redirect.objects.get().old_path == "/brief/29th-january-2020/"

    for old in ("/brief/29th-january-2020/", "/brief/29th-january-2020"):
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == new


def test_an_old_address_with_no_new_one_tells_readers_the_page_has_gone(client, editor_client):
    editor_client.post(ADD, {"old_path": "/brief/withdrawn/", "new_path": ""})
    assert client.get("/brief/withdrawn/").status_code == 410


def test_a_page_that_has_gone_says_so_in_words_with_links_onwards(client, editor_client):
    # Django's own answer for it is an empty page: a reader saw nothing at all.
    editor_client.post(ADD, {"old_path": "/brief/withdrawn/", "new_path": ""})
    for old in ("/brief/withdrawn/", "/brief/withdrawn", "/brief/withdrawn/?utm_source=x"):
        response = client.get(old)
        assert response.status_code == 410, old
        body = response.content.decode()
        assert "<h1>This page has gone</h1>" in body, old
        assert f'href="{reverse("briefings:archive")}"' in body
        assert '<meta name="robots" content="noindex">' in body


def test_an_old_address_listed_twice_is_refused_in_plain_words(editor_client, published_issue):
    data = {"old_path": "/brief/23rd-march-22/", "new_path": published_issue.get_absolute_url()}
    assert editor_client.post(ADD, data).status_code == 302

    response = editor_client.post(ADD, data)

    assert response.status_code == 200
    assert "This old address already leads somewhere." in response.content.decode()
    assert Redirect.objects.count() == 1


def test_addresses_that_cannot_work_are_refused(editor_client):
    page = editor_client.post(ADD, {"old_path": "brief/x/", "new_path": "briefings/"})
    text = page.content.decode()
    assert "Start the old address with a slash" in text
    assert "Start the new address with a slash" in text
    page = editor_client.post(ADD, {"old_path": "/brief/x/", "new_path": "/brief/x/"})
    assert "readers would go round in circles" in page.content.decode()
    assert not Redirect.objects.exists()


def test_a_redirect_that_would_lead_back_round_to_itself_is_refused(editor_client):
    assert editor_client.post(ADD, {"old_path": "/a/", "new_path": "/b/"}).status_code == 302
    assert editor_client.post(ADD, {"old_path": "/b/", "new_path": "/c/"}).status_code == 302
    page = editor_client.post(ADD, {"old_path": "/c/", "new_path": "/a/"}).content.decode()
    assert "“/a/” already leads back to “/c/”: readers would go round in circles." in page
    assert Redirect.objects.count() == 2


@pytest.mark.parametrize("typed", ["/brief/ceòl-agus-ùr/", "/brief/ce%C3%B2l-agus-%C3%B9r/"])
def test_an_old_address_with_accented_letters_leads_to_the_new_one(
    client, editor_client, published_issue, typed
):
    new = published_issue.get_absolute_url()
    assert editor_client.post(ADD, {"old_path": typed, "new_path": new}).status_code == 302
    response = client.get("/brief/ceòl-agus-ùr/")
    assert response.status_code == 301
    assert response["Location"] == new


def test_unknown_addresses_are_still_a_friendly_404(client):
    response = client.get("/brief/never-was/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


# Pages that move: links readers already have keep working.


def _save_issue(editor_client, issue, **fields):
    """The issue's change form as the editor sends it, its articles unchanged but for `fields`
    given per article as {pk: {...}}."""
    article_changes = fields.pop("articles", {})
    articles = list(issue.articles.order_by("order", "pk"))
    publish_at = timezone.localtime(issue.publish_at) if issue.publish_at else None
    fields = {
        "date": f"{issue.date:%Y-%m-%d}",
        "status": issue.status,
        "publish_at_0": f"{publish_at:%Y-%m-%d}" if publish_at else "",
        "publish_at_1": f"{publish_at:%H:%M:%S}" if publish_at else "",
        **fields,
    }
    data = issue_form_data(
        issue=issue,
        initial_articles=len(articles),
        articles=[existing_article(a, **article_changes.get(a.pk, {})) for a in articles],
        **fields,
    )
    response = editor_client.post(
        reverse("admin:briefings_issue_change", args=[issue.pk]), data, follow=True
    )
    assert response.redirect_chain, response.context["adminform"].form.errors
    return response


def test_changing_a_public_issues_date_keeps_links_to_it_and_its_articles_working(
    client, editor_client, published_issue, django_capture_on_commit_callbacks
):
    old_issue = published_issue.get_absolute_url()
    old_articles = {a.pk: a.get_absolute_url() for a in published_issue.articles.all()}
    for path in [old_issue, *old_articles.values()]:
        assert client.get(path).status_code == 200  # and now in the page cache

    with django_capture_on_commit_callbacks(execute=True):
        response = _save_issue(editor_client, published_issue, date="2024-01-04")

    assert "Links to the old addresses still work" in response.content.decode()
    assert client.get(old_issue).status_code == 301
    assert client.get(old_issue)["Location"] == "/briefings/2024/01/04/"
    assert client.get("/briefings/2024/01/04/").status_code == 200
    published_issue.refresh_from_db()
    for article in published_issue.articles.all():
        response = client.get(old_articles[article.pk])
        assert response.status_code == 301
        assert response["Location"] == article.get_absolute_url()
        assert client.get(response["Location"]).status_code == 200


def test_moving_an_issue_twice_sends_old_links_straight_to_the_last_address(
    client, editor_client, published_issue
):
    first = published_issue.get_absolute_url()
    _save_issue(editor_client, published_issue, date="2024-01-04")
    published_issue.refresh_from_db()
    _save_issue(editor_client, published_issue, date="2024-01-05")

    assert client.get(first)["Location"] == "/briefings/2024/01/05/"
    assert client.get("/briefings/2024/01/04/")["Location"] == "/briefings/2024/01/05/"


def test_moving_an_issue_back_leaves_no_redirect_from_the_address_in_use(
    client, editor_client, published_issue
):
    first, first_date = published_issue.get_absolute_url(), f"{published_issue.date:%Y-%m-%d}"
    _save_issue(editor_client, published_issue, date="2024-01-04")
    published_issue.refresh_from_db()
    _save_issue(editor_client, published_issue, date=first_date)

    assert client.get(first).status_code == 200
    assert client.get("/briefings/2024/01/04/")["Location"] == first
    assert not Redirect.objects.filter(old_path=first).exists()


def test_changing_a_drafts_date_makes_no_redirect(editor_client, draft_issue):
    _save_issue(editor_client, draft_issue, date="2030-01-01")

    assert not Redirect.objects.exists()


def test_changing_an_articles_web_address_keeps_the_old_link_working(
    client, editor_client, published_issue
):
    article = published_issue.articles.get(title="Village hall becomes a warm space")
    old = article.get_absolute_url()

    response = _save_issue(
        editor_client, published_issue, articles={article.pk: {"slug": "warm-space"}}
    )

    assert f"{old} now leads to {published_issue.get_absolute_url()}warm-space/" in (
        response.content.decode()
    )
    assert client.get(old)["Location"] == f"{published_issue.get_absolute_url()}warm-space/"
    assert Redirect.objects.count() == 1


def test_an_old_address_says_nothing_of_the_new_one_while_its_issue_is_off_the_site(
    client, editor_client, published_issue
):
    article = published_issue.articles.get(title="Village hall becomes a warm space")
    old_issue, old_article = published_issue.get_absolute_url(), article.get_absolute_url()
    _save_issue(editor_client, published_issue, articles={article.pk: {"slug": "warm-space"}})
    published_issue.refresh_from_db()
    _save_issue(editor_client, published_issue, date="2024-01-04")
    published_issue.refresh_from_db()
    published_issue.status = Issue.Status.DRAFT  # taken off the site
    published_issue.save()
    for old in (old_article, old_issue, f"{old_article}?utm_source=email"):
        response = client.get(old)
        assert response.status_code == 404, old
        assert "/warm-space/" not in response.content.decode()
        assert "/2024/01/04/" not in response.content.decode()
    published_issue.status = Issue.Status.PUBLISHED  # back on the site: the links work again
    published_issue.save()
    assert client.get(old_article)["Location"] == "/briefings/2024/01/04/warm-space/"


def test_changing_a_persons_web_address_keeps_the_old_link_working(
    client, editor_client, published_issue
):
    person = Person.objects.get(name="Morag Campbell")
    old = person.get_absolute_url()
    data = {"name": person.name, "slug": "morag-campbell-angus", "role": person.role}
    data |= {"organisation": "", "website": "", "notes": ""}

    response = editor_client.post(reverse("admin:briefings_person_change", args=[person.pk]), data)

    assert response.status_code == 302
    assert client.get(old)["Location"] == "/people/morag-campbell-angus/"
    assert client.get("/people/morag-campbell-angus/").status_code == 200


def test_changing_a_topics_web_address_keeps_the_old_link_working(
    client, editor_client, published_issue
):
    tag = Tag.objects.get(name="Community anchors")
    old = tag.get_absolute_url()

    response = editor_client.post(
        reverse("admin:taggit_tag_change", args=[tag.pk]),
        {"name": tag.name, "slug": "anchors"},
    )

    assert response.status_code == 302
    assert client.get(old)["Location"] == "/topics/anchors/"
    assert client.get("/topics/anchors/").status_code == 200


def test_changing_a_plain_pages_address_keeps_the_old_link_working(client, editor_client):
    page = PlainPageFactory(url="/members/", title="Our members", content="<p>All of them.</p>")

    response = editor_client.post(
        reverse("admin:flatpages_flatpage_change", args=[page.pk]),
        {"url": "/our-members/", "title": page.title, "content": page.content},
    )

    assert response.status_code == 302
    assert client.get("/pages/members/")["Location"] == "/pages/our-members/"
    assert client.get("/pages/our-members/").status_code == 200


def test_an_old_link_with_tracking_tags_added_still_leads_to_the_new_address(
    client, editor_client, published_issue
):
    new = published_issue.get_absolute_url()
    editor_client.post(ADD, {"old_path": "/brief/11th-march-2020/", "new_path": new})
    for old in (
        "/brief/11th-march-2020/?utm_source=newsletter",
        "/brief/11th-march-2020?utm_source=newsletter&utm_medium=email",
    ):
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == new


def test_a_pasted_link_loses_its_tracking_tags_but_keeps_a_query_that_picks_the_page(
    client, editor_client, published_issue
):
    new = published_issue.get_absolute_url()
    editor_client.post(
        ADD,
        {
            "old_path": "https://old.example.org/brief/29th-january-2020/?utm_source=x&fbclid=y",
            "new_path": new,
        },
    )
    editor_client.post(ADD, {"old_path": "/index.php?page=12&utm_campaign=z", "new_path": new})
    assert sorted(Redirect.objects.values_list("old_path", flat=True)) == [
        "/brief/29th-january-2020/",
        "/index.php?page=12",
    ]
    assert client.get("/brief/29th-january-2020/")["Location"] == new
    assert client.get("/index.php?page=12")["Location"] == new
    # Another page of the old site's is not this one.
    assert client.get("/index.php?page=13").status_code == 404


def test_an_old_address_that_has_gone_is_gone_with_a_query_string_too(client, editor_client):
    editor_client.post(ADD, {"old_path": "/brief/withdrawn/", "new_path": ""})
    assert client.get("/brief/withdrawn/?utm_source=x").status_code == 410


def test_an_odd_address_with_a_query_string_is_a_404_not_an_error(client):
    # A NUL byte in the path: PostgreSQL refuses it in a query, so it must not reach one.
    assert client.get("/brief/%00/?utm_source=x").status_code == 404


@pytest.mark.parametrize(
    ("old_path", "new_path"),
    [("http://[::1/brief/x/", "/briefings/"), ("/brief/x/", "https://[::1/briefings/")],
)
def test_an_address_cut_short_in_the_copying_is_refused_in_plain_words(
    client, editor_client, old_path, new_path
):
    page = editor_client.post(ADD, {"old_path": old_path, "new_path": new_path})
    assert page.status_code == 200
    assert "This is not an address a browser can open" in page.content.decode()
    assert not Redirect.objects.exists()
    assert client.get("/brief/x/").status_code == 404
