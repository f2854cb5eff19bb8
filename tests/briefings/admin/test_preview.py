import re

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, IssueFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def preview_url(issue):
    return reverse("admin:briefings_issue_preview", args=[issue.pk])


@pytest.fixture
def draft():
    issue = IssueFactory(draft=True, title="Not out yet")
    ArticleFactory(issue=issue, title="A secret about halls")
    return issue


def test_editor_previews_a_draft_exactly_as_the_public_page(editor_client, draft):
    response = editor_client.get(preview_url(draft))
    assert response.status_code == 200
    assert response.templates[0].name == "briefings/issue_detail.html"
    assert response.context["preview"] is True
    assert "A secret about halls" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"]


def test_editor_previews_a_scheduled_issue(editor_client):
    issue = IssueFactory(scheduled=True, title="Coming on Wednesday")
    response = editor_client.get(preview_url(issue))
    assert response.status_code == 200
    assert "Coming on Wednesday" in response.content.decode()


def test_preview_is_linked_from_the_issue_change_page(editor_client, draft):
    response = editor_client.get(reverse("admin:briefings_issue_change", args=[draft.pk]))
    assert preview_url(draft) in response.content.decode()


def test_anonymous_visitor_gets_404_not_a_login_page(client, draft):
    response = client.get(preview_url(draft))
    assert response.status_code == 404
    assert "A secret about halls" not in response.content.decode()


def test_signed_in_non_staff_user_gets_404(client, django_user_model, draft):
    client.force_login(django_user_model.objects.create_user("reader"))
    assert client.get(preview_url(draft)).status_code == 404


def test_staff_without_briefings_permission_is_refused(client, django_user_model, draft):
    client.force_login(django_user_model.objects.create_user("clerk", is_staff=True))
    response = client.get(preview_url(draft))
    assert response.status_code == 403
    assert "A secret about halls" not in response.content.decode()


def test_preview_of_a_missing_issue_is_404(editor_client):
    assert (
        editor_client.get(reverse("admin:briefings_issue_preview", args=[999])).status_code == 404
    )


# Articles in a preview: "Read more" on a draft's preview leads to the article as it will look,
# not to its public address, which is a 404 until the issue is public.


def article_preview_url(article):
    return reverse("admin:briefings_issue_preview_article", args=[article.issue_id, article.slug])


def links(response):
    return re.findall(r'href="([^"]+)"', response.content.decode())


@pytest.fixture
def draft_with_two():
    issue = IssueFactory(draft=True, title="Not out yet")
    first = ArticleFactory(issue=issue, title="Halls stay open", body="<p>The whole story.</p>")
    second = ArticleFactory(issue=issue, title="Library hours cut")
    return issue, first, second


def test_read_more_in_a_draft_preview_opens_the_article_preview(editor_client, draft_with_two):
    issue, first, second = draft_with_two
    hrefs = links(editor_client.get(preview_url(issue)))
    assert article_preview_url(first) in hrefs
    assert article_preview_url(second) in hrefs
    assert first.get_absolute_url() not in hrefs

    response = editor_client.get(article_preview_url(first))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Halls stay open" in page
    assert "The whole story." in page
    assert "Preview: this is how the article will look. It is not public yet." in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"]


def test_article_preview_links_back_to_previews_not_public_pages(editor_client, draft_with_two):
    issue, first, second = draft_with_two
    hrefs = links(editor_client.get(article_preview_url(first)))
    assert preview_url(issue) in hrefs  # the issue's date above the title
    assert article_preview_url(second) in hrefs  # "More from the briefing"
    assert issue.get_absolute_url() not in hrefs
    assert second.get_absolute_url() not in hrefs


def test_article_preview_links_only_names_that_already_have_a_public_page(editor_client, draft):
    known, new = PersonFactory(name="Morag Campbell"), PersonFactory(name="Ewan Fraser")
    trust, newcomer = OrganisationFactory(name="Angus Trust"), OrganisationFactory(name="New Hall")
    ArticleFactory(
        issue=IssueFactory(), people=[known], organisations=[trust], tags=["community anchors"]
    )
    article = ArticleFactory(
        issue=draft,
        people=[known, new],
        organisations=[trust, newcomer],
        tags=["community anchors", "land reform"],
    )
    response = editor_client.get(article_preview_url(article))
    page = response.content.decode()
    hrefs = links(response)
    assert known.get_absolute_url() in hrefs
    assert trust.get_absolute_url() in hrefs
    assert "/topics/community-anchors/" in hrefs
    # Named in this draft only: their pages are 404 until it is published, so no link.
    assert "Ewan Fraser" in page and new.get_absolute_url() not in hrefs
    assert "New Hall" in page and newcomer.get_absolute_url() not in hrefs
    assert "land reform" in page and "/topics/land-reform/" not in hrefs


def test_public_pages_never_link_to_previews(client):
    issue = IssueFactory(title="Out now")
    first = ArticleFactory(issue=issue)
    second = ArticleFactory(issue=issue)
    for url in ["/", issue.get_absolute_url()]:
        assert second.get_absolute_url() in links(client.get(url))
    hrefs = links(client.get(first.get_absolute_url()))
    assert issue.get_absolute_url() in hrefs
    assert second.get_absolute_url() in hrefs
    for url in ["/", issue.get_absolute_url(), first.get_absolute_url()]:
        assert not [href for href in links(client.get(url)) if "/preview/" in href], url


def test_article_preview_is_404_to_anonymous_and_non_staff(client, django_user_model, draft):
    article = draft.articles.get()
    response = client.get(article_preview_url(article))
    assert response.status_code == 404
    assert "A secret about halls" not in response.content.decode()
    client.force_login(django_user_model.objects.create_user("reader"))
    assert client.get(article_preview_url(article)).status_code == 404


def test_article_preview_refuses_staff_without_briefings_permission(
    client, django_user_model, draft
):
    client.force_login(django_user_model.objects.create_user("clerk", is_staff=True))
    response = client.get(article_preview_url(draft.articles.get()))
    assert response.status_code == 403
    assert "A secret about halls" not in response.content.decode()


def test_article_preview_of_another_issue_or_a_missing_slug_is_404(editor_client, draft):
    article = draft.articles.get()
    other = IssueFactory(draft=True)
    assert (
        editor_client.get(
            reverse("admin:briefings_issue_preview_article", args=[other.pk, article.slug])
        ).status_code
        == 404
    )
    assert (
        editor_client.get(
            reverse("admin:briefings_issue_preview_article", args=[draft.pk, "no-such-article"])
        ).status_code
        == 404
    )


def test_article_change_page_links_to_its_preview(editor_client, draft):
    article = draft.articles.get()
    response = editor_client.get(reverse("admin:briefings_article_change", args=[article.pk]))
    assert article_preview_url(article) in links(response)


def test_issue_preview_has_no_email_me_this_issue_form(editor_client, draft):
    # The form sends public issues only; in a draft's preview it could only fail.
    page = editor_client.get(preview_url(draft)).content.decode()
    assert "Email me this issue" not in page
    assert "/briefings/request/" not in page
