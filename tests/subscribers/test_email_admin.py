from functools import partial

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from subscribers import sending
from subscribers.emails import make_click_token
from subscribers.models import Click, Delivery, Subscriber
from tests.conftest import at_once
from tests.factories import ArticleFactory, IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    user = User.objects.create_user("editor", "editor@example.org", "x", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="send_issue"),
        Permission.objects.get(codename="view_subscriber"),
    )
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def url(name, issue):
    return reverse(f"admin:issue-email-{name}", kwargs={"issue_id": issue.pk})


def test_editor_previews_a_draft_as_html_and_text(editor_client):
    issue = IssueFactory(draft=True)
    ArticleFactory(issue=issue, title="Halls that hold a village together")

    page = editor_client.get(url("preview", issue))
    html = editor_client.get(url("preview-html", issue))

    assert page.status_code == 200
    assert "Halls that hold a village together" in page.content.decode()  # the text part
    assert "This issue is a draft" in page.content.decode()
    assert "<table" in html.content.decode()
    assert "Halls that hold a village together" in html.content.decode()


def test_staff_without_the_permission_cannot_use_the_tools(client):
    user = User.objects.create_user("writer", "w@example.org", "x", is_staff=True)
    client.force_login(user)
    issue = IssueFactory()

    for name in ("preview", "test", "send", "stats"):
        assert client.get(url(name, issue)).status_code == 403


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(url("preview", IssueFactory()))

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_send_a_test_to_myself_and_colleagues(editor_client, smtp_server):
    issue = IssueFactory(draft=True)

    response = editor_client.post(
        url("test", issue), {"extra": "a@example.org, b@example.org\nc@example.org"}
    )

    assert response.status_code == 302
    received = sorted(rcpt for _, rcpts in smtp_server.envelopes for rcpt in rcpts)
    assert received == ["a@example.org", "b@example.org", "c@example.org", "editor@example.org"]
    assert not Delivery.objects.exists()


def test_a_test_goes_once_to_an_address_typed_twice_in_other_capitals(editor_client, smtp_server):
    issue = IssueFactory(draft=True)

    response = editor_client.post(
        url("test", issue), {"extra": "Editor@Example.org, a@example.org\nA@EXAMPLE.ORG"}
    )

    assert response.status_code == 302
    received = sorted(rcpt for _, rcpts in smtp_server.envelopes for rcpt in rcpts)
    assert received == ["a@example.org", "editor@example.org"]


def test_a_test_the_mail_server_cannot_take_is_explained_in_plain_words(
    editor_client, smtp_server, settings
):
    from tests.conftest import free_port

    settings.MAILERS["default"]["OPTIONS"]["port"] = free_port()  # the mail server is down
    response = editor_client.post(url("test", IssueFactory(draft=True)), {"extra": ""})
    page = response.content.decode()
    assert "The test could not be sent: the mail server could not be reached" in page
    assert "Nothing was sent." in page
    assert smtp_server.messages == []


def test_a_test_the_server_partly_refuses_goes_to_the_rest_and_says_who_got_it(
    editor_client, smtp_server
):
    smtp_server.refuse["refuse-me@example.net"] = (550, "5.1.1 No such user here")

    issue = IssueFactory(draft=True)

    editor_client.post(url("test", issue), {"extra": "refuse-me@example.net, second@example.org"})

    page = editor_client.get(url("test", issue)).content.decode()  # shows the message
    received = sorted(rcpt for _, rcpts in smtp_server.envelopes for rcpt in rcpts)
    assert received == ["editor@example.org", "second@example.org"]
    assert (
        "Test sent to editor@example.org, second@example.org, but not to refuse-me@example.net "
        "(the mail server refused the address; it said “550 5.1.1 No such user here”)." in page
    )
    assert "Nothing was sent" not in page
    assert "{'refuse-me@example.net'" not in page  # no raw error dict


def test_a_test_refused_for_every_address_says_nothing_was_sent(editor_client, smtp_server):
    smtp_server.refuse["editor@example.org"] = (450, "Mailbox busy, try later")

    response = editor_client.post(url("test", IssueFactory(draft=True)), {"extra": ""})

    page = response.content.decode()
    assert response.status_code == 200  # the form again, to correct or retry
    assert (
        "The test was not sent: editor@example.org (the mail server turned the address away "
        "for now; it said “450 Mailbox busy, try later”). Nothing was sent." in page
    )
    assert smtp_server.messages == []


def test_test_send_refuses_more_than_five_extra_addresses(editor_client, smtp_server):
    extra = " ".join(f"p{n}@example.org" for n in range(6))

    response = editor_client.post(url("test", IssueFactory()), {"extra": extra})

    assert response.status_code == 200
    assert "at most 5 extra addresses" in response.content.decode()
    assert smtp_server.messages == []


def test_send_confirmation_shows_count_and_sends_once(editor_client, smtp_server):
    issue = IssueFactory()
    SubscriberFactory.create_batch(3)

    confirm = editor_client.get(url("send", issue))
    first = editor_client.post(url("send", issue))
    second = editor_client.post(url("send", issue))

    assert "3 subscribers" in confirm.content.decode()
    assert first.status_code == second.status_code == 302
    assert Delivery.objects.filter(issue=issue, status="sent").count() == 3
    assert len(smtp_server.messages) == 3  # the second press sent nothing


def test_a_second_press_while_the_first_is_still_sending_says_so(
    editor_client, smtp_server, settings
):
    # Workers that have not started yet, as when the task queue is busy.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    issue = IssueFactory()
    # The first press queued everyone; no worker has got to them yet.
    for subscriber in SubscriberFactory.create_batch(3):
        Delivery.objects.create(issue=issue, subscriber=subscriber)

    page = editor_client.post(url("send", issue), follow=True).content.decode()

    assert f"{issue} is already being sent: 3 subscribers still to go." in page
    assert "every subscriber has had it" not in page
    assert Delivery.objects.filter(issue=issue).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_presses_at_once_on_postgresql_the_second_says_nothing_new_was_queued(editor, settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database cannot take two writers at once")
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    issue = IssueFactory()
    SubscriberFactory.create_batch(200)
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(editor)

    pages = at_once(*(partial(client.post, url("send", issue), follow=True) for client in clients))

    # From the pages themselves: the test client's response.context mixes up threads.
    first, second = sorted((page.content.decode() for page in pages), key=lambda p: "Sending" in p)
    assert f"{issue} is already being sent: 200 subscribers still to go. Nothing new" in first
    assert f"Sending {issue} to 200 subscribers in the background." in second
    assert Delivery.objects.filter(issue=issue).count() == 200


def test_sending_to_one_subscriber_says_so_in_the_singular(editor_client, smtp_server):
    issue = IssueFactory()
    SubscriberFactory()

    sent = editor_client.post(url("send", issue), follow=True)

    assert f"Sending {issue} to 1 subscriber in the background." in sent.content.decode()


def test_send_page_without_subscribers_says_there_is_no_one_to_send_to(editor_client):
    issue = IssueFactory()
    SubscriberFactory(status="pending")
    page = editor_client.get(url("send", issue)).content.decode()
    assert "no confirmed subscribers yet" in page
    assert "Every active subscriber has had this issue" not in page


def test_send_page_after_a_send_gives_the_true_figures_not_all_as_sent(editor_client):
    issue = IssueFactory()
    for status in ["sent"] * 3 + ["failed"] + ["queued"]:
        Delivery.objects.create(issue=issue, subscriber=SubscriberFactory(), status=status)
    for _ in range(2):  # they unsubscribed before their turn came
        Delivery.objects.create(
            issue=issue, subscriber=SubscriberFactory(status="unsubscribed"), status="skipped"
        )

    page = editor_client.get(url("send", issue)).content.decode()

    assert (
        "Nothing new to send: every active subscriber is already in this send (3 sent, "
        "1 on their way, 1 failed, 2 not sent because they left before their turn)." in page
    )
    assert "sent or on their way" not in page


def test_send_page_for_readers_who_joined_since_gives_the_figures_so_far(editor_client):
    issue = IssueFactory()
    Delivery.objects.create(issue=issue, subscriber=SubscriberFactory(), status="sent")
    Delivery.objects.create(issue=issue, subscriber=SubscriberFactory(), status="failed")
    SubscriberFactory.create_batch(2)  # joined since

    page = editor_client.get(url("send", issue)).content.decode()

    assert "who joined since it was last sent (so far: 1 sent, 1 failed)?" in page
    assert "already have it" not in page


def test_send_page_and_its_message_group_thousands(editor_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    issue = IssueFactory()
    Subscriber.objects.bulk_create(SubscriberFactory.build_batch(2006))

    confirm = editor_client.get(url("send", issue)).content.decode()
    editor_client.post(url("send", issue))
    after = editor_client.get(url("send", issue)).content.decode()  # shows the message

    assert "to <strong>2,006 subscribers</strong>" in confirm
    assert 'value="Yes, send to 2,006 subscribers"' in confirm
    assert f"Sending {issue} to 2,006 subscribers in the background." in after
    assert "(0 sent, 2,006 on their way)" in after


def test_stats_page_groups_thousands(editor_client):
    issue = IssueFactory()
    subscribers = Subscriber.objects.bulk_create(SubscriberFactory.build_batch(1200))
    Delivery.objects.bulk_create(
        Delivery(issue=issue, subscriber=subscriber, status="sent") for subscriber in subscribers
    )

    page = editor_client.get(url("stats", issue)).content.decode()

    assert '<th scope="row">Sent</th><td>1,200</td>' in page


def test_draft_cannot_be_sent_from_the_admin(editor_client):
    issue = IssueFactory(draft=True)
    SubscriberFactory()

    page = editor_client.get(url("send", issue))
    editor_client.post(url("send", issue))

    assert "not published yet" in page.content.decode()
    assert not Delivery.objects.exists()


def test_send_page_of_an_unpublished_issue_says_its_emails_are_held(editor_client):
    issue = IssueFactory(draft=True)
    for subscriber in SubscriberFactory.create_batch(3):
        Delivery.objects.create(issue=issue, subscriber=subscriber)

    page = editor_client.get(url("send", issue)).content.decode()

    assert "This issue is not public, so it cannot be sent to subscribers." in page
    assert "3 emails from when it was sent are held" in page
    assert "within a few minutes of the issue being public again" in page
    assert "<form" not in page.split('id="content"')[1]


def test_send_form_needs_the_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    SubscriberFactory()

    response = client.post(url("send", IssueFactory()))

    assert response.status_code == 403
    assert not Delivery.objects.exists()


def test_stats_count_deliveries_clickers_and_clicks_per_article(editor_client):
    issue = IssueFactory()
    popular = ArticleFactory(issue=issue, title="Popular piece")
    ArticleFactory(issue=issue, title="Quiet piece")
    deliveries = [
        Delivery.objects.create(issue=issue, subscriber=SubscriberFactory(), status="sent")
        for _ in range(3)
    ]
    Delivery.objects.create(
        issue=issue, subscriber=SubscriberFactory(status="bounced"), status="failed"
    )
    for delivery in deliveries[:2]:
        editor_client.get(
            reverse("subscribers:click", args=[make_click_token(delivery.pk, f"a{popular.pk}")])
        )
    editor_client.get(reverse("subscribers:click", args=[make_click_token(deliveries[0].pk, "i")]))

    response = editor_client.get(url("stats", issue))

    stats = response.context["stats"]
    assert (stats["recipients"], stats["sent"], stats["failed"], stats["bounced"]) == (4, 3, 1, 1)
    assert stats["unique_clickers"] == 2 and stats["clicks"] == 3
    assert [(a.title, a.click_count, a.clickers) for a in stats["articles"]] == [
        ("Popular piece", 2, 2),
        ("Quiet piece", 0, 0),
    ]
    assert Click.objects.count() == 3
    assert "<svg" in response.content.decode() and "Clicks per article" in response.content.decode()


def send_with_one_address_refused(smtp_server):
    issue = IssueFactory()
    SubscriberFactory(email="fine@example.org")
    SubscriberFactory(email="gone@example.net")
    smtp_server.refuse["gone@example.net"] = (550, "5.1.1 No such user here")
    sending.queue_issue(issue=issue)
    sending.send_pending(issue=issue)
    return issue


def test_stats_page_shows_failed_addresses_and_why_to_staff_who_may_see_the_list(
    editor_client, editor, smtp_server
):
    editor.user_permissions.add(Permission.objects.get(codename="view_subscriber_list"))
    issue = send_with_one_address_refused(smtp_server)

    page = editor_client.get(url("stats", issue)).content.decode()

    assert (
        "<tr><td>gone@example.net</td><td>The mail server refused the address; it said "
        "“550 5.1.1 No such user here”</td></tr>" in page
    )
    assert "fine@example.org" not in page


def test_stats_page_gives_only_the_number_failed_to_staff_without_the_list_permission(
    editor_client, smtp_server
):
    issue = send_with_one_address_refused(smtp_server)

    page = editor_client.get(url("stats", issue)).content.decode()

    assert "gone@example.net" not in page
    assert "1 email could not be delivered." in page
    assert "shown only to staff who can see the subscriber list" in page


def test_stats_page_names_possible_duplicates_only_to_staff_who_may_see_the_list(
    editor_client, editor
):
    issue = IssueFactory()
    Delivery.objects.create(
        issue=issue,
        subscriber=SubscriberFactory(email="twice@example.org"),
        status="sent",
        possible_duplicate=True,
    )

    page = editor_client.get(url("stats", issue)).content.decode()
    assert "May have received it twice" in page
    assert "twice@example.org" not in page
    assert "1 reader. Which addresses is shown only to staff" in page

    editor.user_permissions.add(Permission.objects.get(codename="view_subscriber_list"))
    page = editor_client.get(url("stats", issue)).content.decode()
    assert "<li>twice@example.org</li>" in page


def test_stats_page_query_count_does_not_grow_with_failures_clicks_or_duplicates(
    editor_client, editor, django_assert_num_queries
):
    editor.user_permissions.add(Permission.objects.get(codename="view_subscriber_list"))
    issue = IssueFactory()
    article = ArticleFactory(issue=issue)

    def add_deliveries(n):
        for _ in range(n):
            subscriber = SubscriberFactory()
            Delivery.objects.create(issue=issue, subscriber=subscriber, status="failed",
                                    last_error="the mail server refused the address")  # fmt: skip
            sent = Delivery.objects.create(
                issue=issue, subscriber=SubscriberFactory(), status="sent", possible_duplicate=True
            )
            Click.objects.create(delivery=sent, article=article, url=f"https://x.test/{sent.pk}")

    add_deliveries(1)
    with CaptureQueriesContext(connection) as few:
        editor_client.get(url("stats", issue))
    add_deliveries(5)
    with django_assert_num_queries(len(few.captured_queries)):
        page = editor_client.get(url("stats", issue)).content.decode()
    assert page.count("The mail server refused the address") == 6


def test_subscriber_growth_chart_is_an_svg_for_staff_who_may_see_the_list(editor_client, editor):
    SubscriberFactory.create_batch(3)
    assert editor_client.get(reverse("admin:subscriber-growth-svg")).status_code == 403

    editor.user_permissions.add(Permission.objects.get(codename="view_subscriber_list"))
    response = editor_client.get(reverse("admin:subscriber-growth-svg"))

    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg") and b"polyline" in response.content


def test_delivery_list_filters_by_status_and_shows_possible_duplicates(client):
    admin_user = User.objects.create_superuser("boss", "boss@example.org", "x")
    client.force_login(admin_user)
    issue = IssueFactory()
    Delivery.objects.create(issue=issue, subscriber=SubscriberFactory(email="twice@example.org"),
                            status="sent", possible_duplicate=True)  # fmt: skip
    Delivery.objects.create(issue=issue, subscriber=SubscriberFactory(email="once@example.org"),
                            status="sent")  # fmt: skip

    page = client.get(
        reverse("admin:subscribers_delivery_changelist"), {"possible_duplicate__exact": "1"}
    )

    assert page.status_code == 200
    content = page.content.decode()
    assert "twice@example.org" in content and "once@example.org" not in content


def test_issue_page_tools_partial_links_every_tool(rf, editor):
    from django.template.loader import render_to_string

    issue = IssueFactory()
    request = rf.get("/")
    request.user = editor

    html = render_to_string(
        "admin/briefings/issue/_email_tools.html", {"original": issue}, request=request
    )

    for name in ("preview", "test", "send", "stats"):
        assert url(name, issue) in html


@pytest.mark.parametrize("name", ["preview", "test", "send", "stats"])
def test_email_pages_have_the_admins_breadcrumb_bar_back_to_the_issue(editor_client, name):
    issue = IssueFactory()
    html = editor_client.get(url(name, issue)).content.decode()
    # Django's admin styles breadcrumbs as an ordered list; a bare div sits unstyled.
    crumbs = html.split('<ol class="breadcrumbs">', 1)[1].split("</ol>", 1)[0]
    assert reverse("admin:briefings_issue_change", args=[issue.pk]) in crumbs
    assert reverse("admin:briefings_issue_changelist") in crumbs


@pytest.mark.parametrize(
    ("send_on_publish", "says"),
    [
        (True, "it will be sent to subscribers then, by itself"),
        (False, "To have it sent then by itself, tick “Send on publish”"),
    ],
)
def test_a_scheduled_issue_says_when_it_goes_out_rather_than_to_publish_it(
    editor_client, send_on_publish, says
):
    issue = IssueFactory(scheduled=True, send_on_publish=send_on_publish)
    SubscriberFactory()
    page = editor_client.get(url("send", issue)).content.decode()
    assert "This issue is scheduled: it goes on the site at" in page
    assert ".." not in page.split("scheduled:")[1].split("</p>")[0]
    assert says in page
    assert "Publish it first" not in page
