import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from briefings.models import Issue
from briefings.services import content_version
from subscribers.models import Delivery
from tests.factories import (
    ArticleFactory,
    IssueFactory,
    OrganisationFactory,
    PersonFactory,
    SubscriberFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:briefings_issue_changelist")


def run_action(client, action, *issues):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [str(i.pk) for i in issues]},
        follow=True,
    )


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_publish_now_makes_a_draft_public_and_retires_cached_pages(
    editor_client, django_capture_on_commit_callbacks
):
    issue = IssueFactory(draft=True)
    ArticleFactory(issue=issue)
    before = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(editor_client, "publish_now", issue)

    assert Issue.objects.published().get() == issue
    assert messages_of(response) == ["Published 1 issue: on the site now."]
    assert content_version() != before
    [entry] = LogEntry.objects.filter(object_id=str(issue.pk))
    assert entry.get_change_message() == "Published now."


def test_publish_now_leaves_already_public_issues_alone(editor_client):
    public = IssueFactory()
    first_out = public.publish_at
    draft = IssueFactory(draft=True)
    ArticleFactory(issue=draft)
    response = run_action(editor_client, "publish_now", public, draft)
    public.refresh_from_db()
    assert public.publish_at == first_out
    assert Issue.objects.published().count() == 2
    assert messages_of(response) == [
        "Published 1 issue: on the site now. Left 1 issue alone: already public."
    ]


def test_publish_now_refuses_an_issue_with_no_articles(client, editor_client):
    # It would have become the home page: a date, and "This briefing has no articles yet".
    latest = IssueFactory()
    ArticleFactory(issue=latest)
    empty = IssueFactory(draft=True, date=latest.date + datetime.timedelta(days=14))
    response = run_action(editor_client, "publish_now", empty)
    empty.refresh_from_db()
    assert not empty.is_public
    assert messages_of(response) == [f"Not published (no articles yet): {empty.date:%-d %B %Y}."]
    assert latest.get_absolute_url() in client.get("/").content.decode()


def test_publish_now_brings_a_scheduled_issue_forward(editor_client):
    issue = IssueFactory(scheduled=True)
    ArticleFactory(issue=issue)
    run_action(editor_client, "publish_now", issue)
    assert Issue.objects.published().get() == issue


def test_unpublish_takes_an_issue_off_the_site(editor_client, django_capture_on_commit_callbacks):
    issue = IssueFactory()
    before = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(editor_client, "unpublish", issue)

    assert not Issue.objects.published().exists()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT
    assert "not on the site" in messages_of(response)[0]
    assert content_version() != before


def test_unpublish_leaves_drafts_alone_and_says_so(editor_client):
    public = IssueFactory()
    draft = IssueFactory(draft=True)
    response = run_action(editor_client, "unpublish", public, draft)
    assert messages_of(response) == [
        "Unpublished 1 issue: drafts again, and not on the site. "
        "Left 1 issue alone: already drafts."
    ]
    assert LogEntry.objects.filter(object_id=str(draft.pk)).count() == 0
    response = run_action(editor_client, "unpublish", draft)
    [message] = get_messages(response.wsgi_request)
    assert str(message) == "Left 1 issue alone: already drafts."
    assert message.level_tag == "info"  # not shown as a success: nothing changed


def test_unpublish_says_how_many_emails_not_yet_sent_are_held(editor_client):
    issue = IssueFactory(date=datetime.date(2026, 5, 13))
    for status in ["sent", "sent", "sending", "queued", "queued"]:
        Delivery.objects.create(issue=issue, subscriber=SubscriberFactory(), status=status)
    quiet = IssueFactory(date=datetime.date(2026, 5, 27))  # never emailed: nothing to say

    response = run_action(editor_client, "unpublish", issue, quiet)

    [message] = get_messages(response.wsgi_request)
    assert str(message) == (
        "Unpublished 2 issues: drafts again, and not on the site. "
        "Briefing – 13 May 2026 was already being emailed: 3 emails not yet sent are held. "
        "They go out by themselves within a few minutes of the issue being public again; "
        "no one gets it twice. "
        "Briefing – 13 May 2026 had already been emailed to 2 subscribers: it is off the "
        "site, but still in their inboxes."
    )
    assert message.level_tag == "warning"


def test_unpublish_says_one_held_email_in_the_singular(editor_client):
    issue = IssueFactory(date=datetime.date(2026, 5, 13))
    Delivery.objects.create(issue=issue, subscriber=SubscriberFactory())

    response = run_action(editor_client, "unpublish", issue)

    assert "1 email not yet sent is held. It goes out by itself" in messages_of(response)[0]


def test_start_next_issue_makes_an_empty_draft_fourteen_days_later(editor_client):
    issue = IssueFactory(date=datetime.date(2026, 1, 7), title="Halls")
    ArticleFactory(issue=issue)
    response = run_action(editor_client, "duplicate_as_next", issue)

    new = Issue.objects.get(date=datetime.date(2026, 1, 21))
    assert new.status == Issue.Status.DRAFT
    assert not new.articles.exists()
    assert not new.is_public
    [message] = messages_of(response)
    assert "a draft dated 21 January 2026 with no articles yet" in message
    assert reverse("admin:briefings_issue_change", args=[new.pk]) in message


def test_start_next_issue_onto_a_taken_date_is_a_clear_error(editor_client):
    issue = IssueFactory(date=datetime.date(2026, 1, 7))
    IssueFactory(date=datetime.date(2026, 1, 21))
    response = run_action(editor_client, "duplicate_as_next", issue)

    assert response.status_code == 200
    [message] = messages_of(response)
    assert "There is already an issue dated 21 January 2026." in message
    assert Issue.objects.count() == 2


def test_changelist_shows_state_and_article_count(editor_client):
    public = IssueFactory(title="Out now")
    ArticleFactory.create_batch(3, issue=public)
    scheduled = IssueFactory(scheduled=True, title="Next week")
    scheduled.publish_at = timezone.make_aware(datetime.datetime(2030, 1, 2, 9, 0))
    scheduled.save()
    IssueFactory(draft=True, title="Being written")
    html = editor_client.get(CHANGELIST).content.decode()
    assert "Public" in html
    # Written as the admin writes every other time, such as "Updated at".
    assert "Scheduled for 2 Jan 2030, 9 a.m." in html
    assert "Draft (not public)" in html
    assert '<td class="field-article_count">3</td>' in html


def test_issue_changelist_makes_the_same_number_of_queries_for_3_and_30_issues(
    editor_client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        ArticleFactory.create_batch(2, issue=IssueFactory())
    with CaptureQueriesContext(connection) as few:
        assert editor_client.get(CHANGELIST).status_code == 200

    for _ in range(27):
        ArticleFactory.create_batch(2, issue=IssueFactory())
    with django_assert_num_queries(len(few.captured_queries)):
        response = editor_client.get(CHANGELIST)
    assert response.context["cl"].result_count == 30


def test_searching_issues_by_article_title_keeps_article_counts_right(editor_client):
    issue = IssueFactory()
    ArticleFactory(issue=issue, title="Heat pumps in halls")
    ArticleFactory(issue=issue, title="Heat networks")
    ArticleFactory(issue=issue, title="Food larders")
    response = editor_client.get(CHANGELIST, {"q": "heat"})
    assert response.context["cl"].result_count == 1
    assert '<td class="field-article_count">3</td>' in response.content.decode()


@pytest.mark.parametrize(
    ("state", "expected"),
    [("public", "Out now"), ("scheduled", "Next week"), ("draft", "Being written")],
)
def test_issues_can_be_filtered_by_whether_they_are_on_the_site(editor_client, state, expected):
    IssueFactory(title="Out now")
    IssueFactory(scheduled=True, title="Next week")
    IssueFactory(draft=True, title="Being written")
    response = editor_client.get(CHANGELIST, {"state": state})
    assert [issue.title for issue in response.context["cl"].result_list] == [expected]


def test_view_on_site_is_offered_only_for_public_issues(editor_client):
    public = IssueFactory()
    draft = IssueFactory(draft=True)
    public_page = editor_client.get(reverse("admin:briefings_issue_change", args=[public.pk]))
    draft_page = editor_client.get(reverse("admin:briefings_issue_change", args=[draft.pk]))
    assert public_page.context["has_absolute_url"]
    assert not draft_page.context["has_absolute_url"]


def view_on_site_link(client, admin_name, obj, app="briefings"):
    """Where the change page's "View on site" button leads, or None without one."""
    page = client.get(reverse(f"admin:{app}_{admin_name}_change", args=[obj.pk]))
    return page.context["absolute_url"] if page.context["has_absolute_url"] else None


def test_view_on_site_opens_public_articles_people_and_organisations_on_this_site(
    client, editor_client
):
    person, organisation = PersonFactory(), OrganisationFactory()
    article = ArticleFactory(people=[person], organisations=[organisation])

    for admin_name, obj in [
        ("article", article),
        ("person", person),
        ("organisation", organisation),
    ]:
        link = view_on_site_link(editor_client, admin_name, obj)
        # A path on this site: the sites framework's placeholder domain is example.com.
        assert link == obj.get_absolute_url(), admin_name
        assert client.get(link).status_code == 200, admin_name


def test_view_on_site_opens_a_topic_page_once_a_public_article_has_the_tag(client, editor_client):
    ArticleFactory().tags.add("Land reform")
    ArticleFactory(issue__draft=True).tags.add("Rent")
    land_reform, rent = Tag.objects.get(name="Land reform"), Tag.objects.get(name="Rent")

    link = view_on_site_link(editor_client, "tag", land_reform, app="taggit")

    assert link == "/topics/land-reform/"
    assert client.get(link).status_code == 200
    assert view_on_site_link(editor_client, "tag", rent, app="taggit") is None


def test_view_on_site_is_not_offered_for_what_readers_cannot_open_yet(editor_client):
    person, organisation = PersonFactory(), OrganisationFactory()
    article = ArticleFactory(issue__draft=True, people=[person], organisations=[organisation])
    unmentioned = PersonFactory()

    assert view_on_site_link(editor_client, "article", article) is None
    assert view_on_site_link(editor_client, "person", person) is None
    assert view_on_site_link(editor_client, "organisation", organisation) is None
    assert view_on_site_link(editor_client, "person", unmentioned) is None


def test_articles_in_the_issue_form_link_to_their_pages_only_once_public(editor_client):
    public = ArticleFactory()
    draft = ArticleFactory(issue__draft=True)

    def inline_links(issue):
        page = editor_client.get(reverse("admin:briefings_issue_change", args=[issue.pk]))
        (articles,) = page.context["inline_admin_formsets"]
        return [form.absolute_url for form in articles if form.original]

    assert inline_links(public.issue) == [public.get_absolute_url()]
    assert inline_links(draft.issue) == [None]


def test_issues_can_be_found_by_date(editor_client):
    IssueFactory(date=datetime.date(2026, 1, 7))
    IssueFactory(date=datetime.date(2026, 2, 4))
    response = editor_client.get(CHANGELIST, {"q": "2026-02"})
    assert [issue.date for issue in response.context["cl"].result_list] == [
        datetime.date(2026, 2, 4)
    ]


def test_deleting_an_emailed_issue_says_why_not_in_plain_words(editor_client):
    issue = IssueFactory()
    Delivery.objects.create(issue=issue, subscriber=SubscriberFactory())
    delete = reverse("admin:briefings_issue_delete", args=[issue.pk])
    page = editor_client.get(delete, follow=True).content.decode()
    assert "has been emailed to subscribers, so it is kept" in page
    assert "following types of objects" not in page
    editor_client.post(delete, {"post": "yes"})
    assert Issue.objects.filter(pk=issue.pk).exists()


def test_deleting_an_issue_never_emailed_still_works(editor_client):
    issue = IssueFactory(draft=True)
    delete = reverse("admin:briefings_issue_delete", args=[issue.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Issue.objects.filter(pk=issue.pk).exists()


@pytest.mark.parametrize("who", ["editor_client", "admin_client"])
def test_deleting_emailed_issues_from_the_list_is_refused_for_everyone(request, who):
    client = request.getfixturevalue(who)
    emailed, draft = IssueFactory(), IssueFactory(draft=True)
    Delivery.objects.create(issue=emailed, subscriber=SubscriberFactory())
    response = client.post(
        reverse("admin:briefings_issue_changelist"),
        {"action": "delete_selected", "_selected_action": [emailed.pk, draft.pk], "post": "yes"},
        follow=True,
    )
    assert "has been emailed to subscribers, so it is kept" in response.content.decode()
    assert Issue.objects.count() == 2
    assert Delivery.objects.count() == 1


def test_deleting_never_emailed_issues_from_the_list_still_works(editor_client):
    drafts = IssueFactory.create_batch(2, draft=True)
    editor_client.post(
        reverse("admin:briefings_issue_changelist"),
        {"action": "delete_selected", "_selected_action": [d.pk for d in drafts], "post": "yes"},
    )
    assert not Issue.objects.exists()
