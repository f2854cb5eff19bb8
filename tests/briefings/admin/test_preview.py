import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, IssueFactory

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
