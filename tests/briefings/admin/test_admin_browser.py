"""An editor writes an issue in Chromium: CKEditor, image upload and the "+" popup."""

import datetime
import io
import re

import pytest
from django.test import Client
from PIL import Image

from briefings.models import Issue, Person
from tests.factories import ArticleFactory, IssueFactory, SectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in_page(page, live_server, editor):
    # Sign in by session cookie, so the test does not depend on the login form's extras.
    client = Client()
    client.force_login(editor)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


def test_editor_writes_an_issue_with_an_image_and_a_new_person(
    signed_in_page, live_server, media_root, tmp_path
):
    page = signed_in_page
    section = SectionFactory(name="On the ground")
    picture = tmp_path / "harbour.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 100, 200)).save(buffer, format="PNG")
    picture.write_bytes(buffer.getvalue())

    page.goto(f"{live_server.url}/admin/briefings/issue/add/")
    page.fill("#id_date", "07/01/2026")
    leader = page.locator(".field-leader .ck-editor__editable")
    leader.click()
    page.keyboard.type("Village halls carried us through the winter.")
    # Upload only: a picture inserted by its web address would be dropped on save.
    toolbar = page.locator(".field-leader .ck-toolbar")
    assert toolbar.get_by_role("button", name="Upload image from computer").count() == 1
    assert toolbar.get_by_role("button", name=re.compile("Insert image|via URL")).count() == 0
    page.locator(".field-leader .ck-editor input[type=file]").set_input_files(picture)
    uploaded = leader.locator("img[src^='/media/uploads/']")
    uploaded.wait_for()
    # A picture is described for readers who cannot see it, or the save is refused.
    uploaded.click()
    page.get_by_role("button", name="Change image text alternative").click()
    page.get_by_label("Text alternative").fill("Glenbrae harbour at dawn")
    page.keyboard.press("Enter")

    page.select_option("#id_articles-0-section", str(section.pk))
    page.fill("#id_articles-0-title", "A hall that heats itself")
    page.fill("#id_articles-0-teaser", "Glenbrae's hall now runs on a heat pump.")
    with page.expect_popup() as popup_info:
        page.click("#add_id_articles-0-people")
    popup = popup_info.value
    popup.fill("#id_name", "Morven Gillies")
    popup.fill("#id_role", "Chief Executive")
    popup.click("input[name=_save]")
    popup.wait_for_event("close")
    assert page.locator("#id_articles-0-people option:checked").all_inner_texts() == [
        "Morven Gillies"
    ]

    page.click("input[name=_save]")
    page.wait_for_url(f"{live_server.url}/admin/briefings/issue/")

    issue = Issue.objects.get()
    assert "Village halls carried us through the winter." in issue.leader
    assert '<img src="/media/uploads/' in issue.leader
    assert 'alt="Glenbrae harbour at dawn"' in issue.leader
    article = issue.articles.get()
    assert list(article.people.all()) == [Person.objects.get(name="Morven Gillies")]
    assert any(media_root.rglob("*.png"))

    # Opened again, the picture is still a block image of its own, not one inside a line.
    page.goto(f"{live_server.url}/admin/briefings/issue/{issue.pk}/change/")
    leader = page.locator(".field-leader .ck-editor__editable")
    leader.locator("img").wait_for()
    assert leader.locator("figure.image img").count() == 1
    assert leader.locator("p img, .image-inline").count() == 0


def test_editor_publishes_a_saved_draft_by_choosing_published_and_saving(
    signed_in_page, live_server
):
    # The form shows the draft's article and one empty article, both with CKEditor; the
    # editor touches neither, leaves "Publish at" blank and expects it to go live at once.
    issue = IssueFactory(draft=True, date=datetime.date(2026, 1, 7), title="Halls")
    ArticleFactory(issue=issue, title="A hall that heats itself")
    page = signed_in_page

    page.goto(f"{live_server.url}/admin/briefings/issue/{issue.pk}/change/")
    page.locator(".field-body .ck-editor__editable").first.wait_for()
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    page.wait_for_url(f"{live_server.url}/admin/briefings/issue/")

    issue.refresh_from_db()
    assert issue.is_public
    assert issue.articles.count() == 1
    assert Client().get(issue.get_absolute_url()).status_code == 200


def test_an_editor_sees_their_correction_on_the_next_visit_to_a_page_just_read(
    signed_in_page, live_server
):
    # Browsers keep pages they may reuse without asking; a page read a moment before a save
    # must still be asked for again, so the editor does not think the save was lost.
    article = ArticleFactory(title="Tenants take the keys")
    page = signed_in_page
    page.goto(live_server.url + article.get_absolute_url())
    assert page.locator("h1").inner_text() == "Tenants take the keys"

    page.goto(f"{live_server.url}/admin/briefings/article/{article.pk}/change/")
    page.locator(".field-body .ck-editor__editable").first.wait_for()
    page.fill("#id_title", "Tenants take the keys at last")
    page.click("input[name=_save]")
    page.wait_for_url(f"{live_server.url}/admin/briefings/article/")

    page.goto(live_server.url + article.get_absolute_url())
    assert page.locator("h1").inner_text() == "Tenants take the keys at last"


def test_editor_reads_a_drafts_article_from_the_issue_preview(signed_in_page, live_server):
    issue = IssueFactory(draft=True, date=datetime.date(2026, 1, 7), title="Halls")
    ArticleFactory(
        issue=issue, title="A hall that heats itself", body="<p>The pump paid for itself.</p>"
    )
    page = signed_in_page
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(f"{live_server.url}/admin/briefings/issue/{issue.pk}/change/")
    with page.expect_popup() as popup_info:
        page.get_by_role("link", name="Preview as the public will see it").click()
    preview = popup_info.value
    preview.on("console", lambda message: message.type == "error" and errors.append(message.text))
    preview.get_by_role("link", name="Read more about A hall that heats itself").click()
    # Before reading the heading, so it is the article's and not the issue's still.
    preview.wait_for_url(f"**/admin/briefings/issue/{issue.pk}/preview/a-hall-that-heats-itself/")

    assert preview.locator("h1").inner_text() == "A hall that heats itself"
    assert "The pump paid for itself." in preview.locator(".prose").inner_text()
    assert "It is not public yet." in preview.get_by_role("status").inner_text()
    assert errors == []
