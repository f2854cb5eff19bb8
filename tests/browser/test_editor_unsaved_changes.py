"""An editor who leaves an admin form with unsaved changes is asked first (Chromium)."""

import io

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.management import call_command

from briefings.models import Issue, Person
from tests.factories import ArticleFactory, IssueFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor_page(page, live_server, django_user_model):
    call_command("setup_roles", stdout=io.StringIO())
    editor = django_user_model.objects.create_user(
        "ailsa", "ailsa@example.org", "a long passphrase", is_staff=True
    )
    editor.groups.add(Group.objects.get(name="Editor"))
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "ailsa")
    page.fill("#id_password", "a long passphrase")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    page.goto(live_server.url + "/admin/briefings/issue/add/")
    page.locator(".ck-editor__editable").first.wait_for(state="visible", timeout=15000)
    return page


@pytest.fixture
def questions(editor_page):
    """The "leave this page?" questions the page asks; each is answered "stay"."""
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    editor_page.on("dialog", stay)
    return asked


def follow_home_link(page):
    page.click("#site-name a")
    page.wait_for_timeout(500)


def test_leaving_after_typing_a_title_asks_and_staying_keeps_the_text(
    editor_page, questions, live_server
):
    editor_page.fill("#id_title", "Spring on the islands")
    follow_home_link(editor_page)

    assert questions == ["beforeunload"]
    assert editor_page.url == live_server.url + "/admin/briefings/issue/add/"
    assert editor_page.input_value("#id_title") == "Spring on the islands"


def test_leaving_after_typing_in_the_rich_text_editor_asks(editor_page, questions):
    editor_page.locator(".ck-editor__editable").first.click()
    editor_page.keyboard.type("A word from the editor.")
    follow_home_link(editor_page)

    assert questions == ["beforeunload"]


def test_leaving_after_choosing_a_person_in_an_article_asks(editor_page, questions):
    PersonFactory(name="Ailsa Munro")
    people = editor_page.locator("#id_articles-0-people + .select2")
    people.click()
    editor_page.keyboard.type("Ailsa")
    editor_page.locator(".select2-results__option", has_text="Ailsa Munro").click()
    follow_home_link(editor_page)

    assert questions == ["beforeunload"]


def test_leaving_after_picking_a_date_from_the_calendar_asks(editor_page, questions):
    editor_page.click("#calendarlink0")  # opens the calendar: not a change yet
    editor_page.locator(".calendarbox td a").first.click()
    follow_home_link(editor_page)

    assert questions == ["beforeunload"]


def test_opening_and_cancelling_the_calendar_does_not_ask(editor_page, questions):
    editor_page.click("#calendarlink0")
    editor_page.click(".calendarbox .calendar-cancel a")
    follow_home_link(editor_page)

    assert questions == []


def test_leaving_an_untouched_form_does_not_ask(editor_page, questions, live_server):
    follow_home_link(editor_page)

    assert questions == []
    assert editor_page.url == live_server.url + "/admin/"


def test_saving_does_not_ask(editor_page, questions):
    editor_page.fill("#id_date", "2026-12-09")
    editor_page.click("input[name=_save]")
    editor_page.wait_for_url("**/admin/briefings/issue/")

    assert questions == []
    assert Issue.objects.filter(date="2026-12-09").exists()


def test_a_form_sent_back_with_errors_still_asks_before_leaving(editor_page, questions):
    # Saved with no date: the admin shows the form again, with the text typed but not saved.
    editor_page.fill("#id_title", "Spring on the islands")
    editor_page.click("input[name=_save]")
    editor_page.wait_for_selector(".errornote")
    follow_home_link(editor_page)

    assert questions == ["beforeunload"]
    assert not Issue.objects.exists()


def test_an_issue_deleted_while_it_was_open_keeps_the_text_and_saves_as_a_new_issue(
    editor_page, questions, live_server
):
    issue = IssueFactory(draft=True, date="2026-12-09", title="Halls")
    ArticleFactory(issue=issue, title="Warm spaces")
    editor_page.goto(f"{live_server.url}/admin/briefings/issue/{issue.pk}/change/")
    editor_page.locator(".ck-editor__editable").first.wait_for(state="visible", timeout=15000)
    editor_page.fill("#id_title", "Halls, rewritten")
    editor_page.fill("#id_articles-0-title", "Warm spaces, rewritten")
    issue.delete()  # by a colleague
    editor_page.click("input[name=_save]")

    editor_page.locator(".errorlist", has_text="deleted by someone else").wait_for()
    assert editor_page.input_value("#id_title") == "Halls, rewritten"
    assert editor_page.input_value("#id_articles-0-title") == "Warm spaces, rewritten"
    follow_home_link(editor_page)
    assert questions == ["beforeunload"]

    editor_page.click("input[name=_save]")
    editor_page.wait_for_url("**/admin/briefings/issue/")
    saved = Issue.objects.get()
    assert saved.title == "Halls, rewritten"
    assert [article.title for article in saved.articles.all()] == ["Warm spaces, rewritten"]


def sign_out_elsewhere():
    """As when the sign-in runs out, or the editor signs out in another tab."""
    Session.objects.all().delete()


def test_saving_after_being_signed_out_keeps_the_text_and_says_so(editor_page, questions):
    editor_page.fill("#id_date", "2026-12-09")
    editor_page.fill("#id_title", "Spring on the islands")
    sign_out_elsewhere()
    editor_page.click("input[name=_save]")

    note = editor_page.locator(".errornote", has_text="signed out")
    note.wait_for()
    assert "nothing has been saved" in note.inner_text()
    assert editor_page.url.endswith("/admin/briefings/issue/add/")
    assert editor_page.input_value("#id_title") == "Spring on the islands"
    assert not Issue.objects.exists()


def test_after_signing_in_again_in_another_tab_the_same_form_saves(editor_page, questions):
    editor_page.fill("#id_date", "2026-12-09")
    editor_page.fill("#id_title", "Spring on the islands")
    sign_out_elsewhere()
    editor_page.click("input[name=_save]")
    with editor_page.context.expect_page() as opened:
        editor_page.locator(".errornote a", has_text="Sign in again").click()
    other_tab = opened.value
    other_tab.fill("#id_username", "ailsa")
    other_tab.fill("#id_password", "a long passphrase")
    other_tab.click("input[type=submit]")
    other_tab.wait_for_url("**/admin/")

    editor_page.bring_to_front()
    editor_page.click("input[name=_save]")
    editor_page.wait_for_url("**/admin/briefings/issue/")

    assert Issue.objects.get(date="2026-12-09").title == "Spring on the islands"


def test_saving_a_new_person_in_the_pop_up_after_being_signed_out_keeps_the_text(
    editor_page, live_server
):
    popup = editor_page.context.new_page()
    popup.goto(live_server.url + "/admin/briefings/person/add/?_to_field=id&_popup=1")
    popup.fill("#id_name", "Morag MacLeod")
    sign_out_elsewhere()
    popup.click("input[name=_save]")

    popup.locator(".errornote", has_text="signed out").wait_for()
    assert popup.input_value("#id_name") == "Morag MacLeod"
    assert not Person.objects.exists()
