"""The issue admin, driven through the test client as a member of the Editor group."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import strip_tags
from taggit.models import Tag

from briefings.forms import ARTICLE_CONFLICT_MESSAGE, CONFLICT_MESSAGE, DELETED_MESSAGE
from briefings.models import Article, Issue, Organisation
from subscribers.models import Delivery
from tests.factories import (
    ArticleFactory,
    IssueFactory,
    OrganisationFactory,
    PersonFactory,
    SectionFactory,
    SubscriberFactory,
)

from .forms import article_form_data, existing_article, issue_form_data, public_issue_form_data

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:briefings_issue_add")


def change_url(issue):
    return reverse("admin:briefings_issue_change", args=[issue.pk])


def opened_state(editor_client, article):
    """The state the Articles screen hands back on saving, as a browser opening it gets it."""
    page = editor_client.get(reverse("admin:briefings_article_change", args=[article.pk]))
    return re.search(r'name="loaded_state" value="([0-9a-f]+)"', page.content.decode())[1]


def said(response):
    """The messages a save left for the next page, as (level, text)."""
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def three_articles():
    ground = SectionFactory(name="On the ground", order=1)
    policy = SectionFactory(name="Policy", order=2)
    minister = PersonFactory(name="Ailsa Munro", role="MSP")
    chief = PersonFactory(name="Callum Reid", role="Chief Executive")
    trust = OrganisationFactory(name="Glenbrae Development Trust")
    council = OrganisationFactory(name="Highland Council", kind=Organisation.Kind.COUNCIL)
    return [
        {
            "section": str(ground.pk),
            "title": "A hall with a heat pump",
            "teaser": "Glenbrae's hall committee cut its bills by half.",
            "body": "<p>It took two winters.</p>",
            "order": "1",
            "people": [str(chief.pk)],
            "organisations": [str(trust.pk)],
            "tags": "energy, village halls",
            "source_url": "https://example.org/report",
            "source_label": "Read the report",
        },
        {
            "section": str(policy.pk),
            "title": "Community wealth bill published",
            "teaser": "The bill would put anchor organisations at the centre.",
            "body": "<p>Consultation closes in March.</p>",
            "order": "2",
            "people": [str(minister.pk)],
            "organisations": [str(council.pk)],
            "tags": "community wealth",
        },
        {
            "section": str(ground.pk),
            "title": "Food larder finds a home",
            "teaser": "A shop front on the high street is now a community larder.",
            "order": "3",
            "people": [str(minister.pk), str(chief.pk)],
            "organisations": [str(trust.pk), str(council.pk)],
            "tags": "food, energy",
        },
    ]


def test_editor_creates_an_issue_with_three_articles_in_two_sections(editor_client):
    articles = three_articles()
    response = editor_client.post(ADD_URL, issue_form_data(articles=articles, title="Warm halls"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    issue = Issue.objects.get()
    assert issue.title == "Warm halls"
    assert issue.status == Issue.Status.DRAFT
    saved = list(issue.articles.order_by("order"))
    assert [a.title for a in saved] == [a["title"] for a in articles]
    assert [a.order for a in saved] == [10, 20, 30]
    assert {a.section.name for a in saved} == {"On the ground", "Policy"}
    assert [a.slug for a in saved] == [
        "a-hall-with-a-heat-pump",
        "community-wealth-bill-published",
        "food-larder-finds-a-home",
    ]
    larder = saved[2]
    assert {p.name for p in larder.people.all()} == {"Ailsa Munro", "Callum Reid"}
    assert {o.name for o in larder.organisations.all()} == {
        "Glenbrae Development Trust",
        "Highland Council",
    }
    assert set(larder.tags.names()) == {"food", "energy"}
    assert saved[0].source_url == "https://example.org/report"


def test_a_topic_of_several_words_stays_one_topic_and_saves_back_unchanged(editor_client):
    articles = three_articles()
    articles[0]["tags"] = "Community Empowerment Act"
    articles[1]["tags"] = '"Land reform" ,  community  wealth,land reform'
    response = editor_client.post(ADD_URL, issue_form_data(articles=articles))
    assert response.status_code == 302, response.context["adminform"].form.errors
    issue = Issue.objects.get()
    first, second, _ = issue.articles.order_by("order")
    assert list(first.tags.names()) == ["Community Empowerment Act"]
    assert set(second.tags.names()) == {"community wealth", "Land reform"}

    # The edit page shows the topics as they were typed, and saving it again changes nothing.
    page = editor_client.get(change_url(issue)).content.decode()
    assert 'value="Community Empowerment Act"' in page
    assert 'value="community wealth, Land reform"' in page
    resent = [
        existing_article(article, tags=text)
        for article, text in [
            (first, "Community Empowerment Act"),
            (second, "community wealth, Land reform"),
        ]
    ]
    issue.refresh_from_db()
    response = editor_client.post(
        change_url(issue), issue_form_data(issue=issue, articles=resent, initial_articles=2)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(first.tags.names()) == ["Community Empowerment Act"]
    assert set(second.tags.names()) == {"community wealth", "Land reform"}


def test_editor_changes_an_issue_reorders_and_deletes_articles(editor_client):
    issue = IssueFactory(draft=True, title="Old title")
    first = ArticleFactory(issue=issue, order=10, title="First")
    second = ArticleFactory(issue=issue, order=20, title="Second")
    third = ArticleFactory(issue=issue, order=30, title="Third")
    person = PersonFactory()

    data = issue_form_data(
        issue=issue,
        initial_articles=3,
        date=f"{issue.date:%Y-%m-%d}",
        title="New title",
        articles=[
            existing_article(first, order="35", people=[str(person.pk)], tags="halls"),
            existing_article(second, DELETE=True),
            existing_article(third, order="5"),
        ],
    )
    response = editor_client.post(change_url(issue), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    issue.refresh_from_db()
    assert issue.title == "New title"
    assert issue.version == 2
    assert list(issue.articles.order_by("order").values_list("title", "order")) == [
        ("Third", 10),
        ("First", 20),
    ]
    assert list(first.people.all()) == [person]
    assert not Article.objects.filter(pk=second.pk).exists()


def test_second_of_two_editors_saving_the_same_issue_is_told_and_saves_nothing(
    client, editor, django_user_model
):
    issue = IssueFactory(draft=True, title="Draft")
    other = django_user_model.objects.create_user("iain", is_staff=True)
    other.groups.set(editor.groups.all())

    client.force_login(editor)
    first_page = client.get(change_url(issue))
    loaded_first = first_page.context["adminform"].form["loaded_version"].value()
    client.force_login(other)
    second_page = client.get(change_url(issue))
    loaded_second = second_page.context["adminform"].form["loaded_version"].value()
    assert loaded_first == loaded_second == issue.version

    client.force_login(editor)
    date = f"{issue.date:%Y-%m-%d}"
    response = client.post(
        change_url(issue),
        issue_form_data(issue=issue, date=date, title="Morag's title"),
    )
    assert response.status_code == 302

    client.force_login(other)
    response = client.post(
        change_url(issue),
        issue_form_data(issue=issue, date=date, title="Iain's title"),
    )
    assert response.status_code == 200
    assert CONFLICT_MESSAGE in response.content.decode()
    assert "This issue was saved elsewhere" in response.content.decode()
    issue.refresh_from_db()
    assert issue.title == "Morag's title"
    assert issue.version == 2


def _deleted_while_open(editor_client):
    """An issue with an article, opened and edited by this editor, then deleted by a colleague
    before they press Save: the page that Save brings back."""
    issue = IssueFactory(draft=True, title="Halls")
    article = ArticleFactory(issue=issue, title="Warm spaces", order=10)
    data = issue_form_data(
        issue=issue,
        date=f"{issue.date:%Y-%m-%d}",
        title="Halls, rewritten",
        leader="<p>A leader typed for an hour.</p>",
        initial_articles=1,
        articles=[existing_article(article, title="Warm spaces, rewritten", tags="Halls")],
    )
    url = change_url(issue)
    issue.delete()
    return editor_client.post(url, data)


def test_saving_an_issue_deleted_while_it_was_open_keeps_the_text_and_says_so(editor_client):
    # Django redirected to the issue list ("Issue with ID … doesn't exist. Perhaps it was
    # deleted?") and everything typed was lost.
    response = _deleted_while_open(editor_client)

    assert response.status_code == 200
    page = response.content.decode()
    assert DELETED_MESSAGE in page
    form = response.context["adminform"].form
    assert form["title"].value() == "Halls, rewritten"
    assert form["leader"].value() == "<p>A leader typed for an hour.</p>"
    [articles] = response.context["inline_admin_formsets"]
    assert [f["title"].value() for f in articles.formset.forms] == ["Warm spaces, rewritten"]
    assert not Issue.objects.exists()
    assert not Article.objects.exists()


def test_an_issue_deleted_while_it_was_open_can_be_saved_again_as_a_new_issue(editor_client):
    page = _deleted_while_open(editor_client).content.decode()

    # The page now sends to "Add issue", with its articles as new ones: what the browser
    # sends back when the editor presses Save again.
    assert f'action="{ADD_URL}"' in page
    assert 'name="articles-INITIAL_FORMS" value="0"' in page
    assert re.search(r'name="articles-0-id"(?! value="\d)', page)
    assert 'name="loaded_version"' in page
    assert not re.search(r'name="loaded_version" value="\d', page)
    response = editor_client.post(
        ADD_URL,
        issue_form_data(
            date="2026-01-07",
            title="Halls, rewritten",
            articles=[{**three_articles()[0], "title": "Warm spaces, rewritten"}],
        ),
    )
    assert response.status_code == 302
    assert Issue.objects.get().articles.get().title == "Warm spaces, rewritten"


def test_a_duplicate_date_is_a_clear_error_on_the_form(editor_client):
    IssueFactory(date="2026-01-07")
    response = editor_client.post(ADD_URL, issue_form_data(articles=three_articles()))

    assert response.status_code == 200
    assert "There is already an issue dated 7 January 2026" in response.content.decode()
    assert Issue.objects.count() == 1
    assert not Article.objects.exists()


def test_two_articles_given_the_same_slug_are_a_clear_error_and_nothing_is_saved(editor_client):
    articles = three_articles()
    articles[0]["slug"] = "halls"
    articles[1]["slug"] = "halls"
    response = editor_client.post(ADD_URL, issue_form_data(articles=articles))

    assert response.status_code == 200
    assert "Two articles in this issue have the web address “halls”" in (response.content.decode())
    assert not Issue.objects.exists()
    assert not Article.objects.exists()


def test_two_articles_with_the_same_title_and_blank_slugs_get_different_slugs(editor_client):
    articles = three_articles()
    articles[1]["title"] = articles[0]["title"]
    articles[2]["slug"] = "a-hall-with-a-heat-pump-2"  # already taken by hand, so skipped
    response = editor_client.post(ADD_URL, issue_form_data(articles=articles))

    assert response.status_code == 302
    slugs = list(Issue.objects.get().articles.order_by("order").values_list("slug", flat=True))
    assert slugs == ["a-hall-with-a-heat-pump", "a-hall-with-a-heat-pump-3", slugs[2]]
    assert slugs[2] == "a-hall-with-a-heat-pump-2"


def test_a_new_article_with_a_blank_slug_avoids_slugs_already_in_the_issue(editor_client):
    issue = IssueFactory(draft=True)
    kept = ArticleFactory(issue=issue, title="Heat pumps", slug="heat-pumps")
    data = issue_form_data(
        issue=issue,
        date=f"{issue.date:%Y-%m-%d}",
        initial_articles=1,
        articles=[
            {
                "id": str(kept.pk),
                "section": str(kept.section_id),
                "title": kept.title,
                "slug": kept.slug,
                "teaser": kept.teaser,
                "order": "10",
            },
            {"section": str(kept.section_id), "title": "Heat pumps", "teaser": "Again."},
        ],
    )
    response = editor_client.post(change_url(issue), data)

    assert response.status_code == 302
    assert set(issue.articles.values_list("slug", flat=True)) == {"heat-pumps", "heat-pumps-2"}


def test_an_article_without_a_section_is_refused_and_the_issue_is_not_created(editor_client):
    articles = three_articles()
    articles[2]["section"] = ""
    response = editor_client.post(ADD_URL, issue_form_data(articles=articles))

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Issue.objects.exists()
    assert not Article.objects.exists()


def test_a_malformed_source_link_is_refused_and_nothing_is_saved(editor_client):
    articles = three_articles()
    articles[1]["source_url"] = "not a web address"
    response = editor_client.post(ADD_URL, issue_form_data(articles=articles))

    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    assert not Issue.objects.exists()


def test_a_failing_article_on_the_change_form_leaves_the_issue_unchanged(editor_client):
    issue = IssueFactory(draft=True, title="Before")
    data = issue_form_data(
        issue=issue,
        date=f"{issue.date:%Y-%m-%d}",
        title="After",
        articles=[{"section": "", "title": "No section", "teaser": "x"}],
    )
    response = editor_client.post(change_url(issue), data)

    assert response.status_code == 200
    issue.refresh_from_db()
    assert issue.title == "Before"
    assert issue.version == 1
    assert not issue.articles.exists()


def test_saving_an_issue_retires_cached_public_pages(
    editor_client, django_capture_on_commit_callbacks
):
    from briefings.services import content_version

    before = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(ADD_URL, issue_form_data(articles=three_articles()))
    assert response.status_code == 302
    assert content_version() != before


def test_leader_and_body_are_sanitised_when_saved_through_the_admin(editor_client):
    articles = three_articles()[:1]
    articles[0]["body"] = '<p onclick="steal()">Hi<script>alert(1)</script></p>'
    data = issue_form_data(articles=articles, leader='<p style="color:red">Lead</p>')
    assert editor_client.post(ADD_URL, data).status_code == 302
    issue = Issue.objects.get()
    assert issue.leader == "<p>Lead</p>"
    assert issue.articles.get().body == "<p>Hi</p>"


def test_a_link_that_is_not_a_web_address_is_refused_by_name_and_nothing_is_lost(editor_client):
    articles = three_articles()[:1]
    articles[0]["body"] = '<p>Read <a href="javascript:alert(1)">the plan</a>.</p>'
    data = issue_form_data(
        articles=articles,
        title="Links",
        leader='<p>See <a href="file:///C:/Users/ed/plan.docx">our plan</a>.</p>',
    )
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert not Issue.objects.exists()
    page = strip_tags(response.content.decode())
    assert "The link on “our plan” goes to “file:///C:/Users/ed/plan.docx”" in page
    assert "The link on “the plan” goes to “javascript:alert(1)”" in page
    assert "Links must start with https://, http:// or mailto:." in page
    # Both editors come back with what was typed, for the editor to fix.
    html = response.content.decode()
    assert "file:///C:/Users/ed/plan.docx" in html
    assert 'value="Links"' in html


def refused_body(editor_client, body, **fields):
    """The page text after saving a new issue whose one article has `body`, which the save
    must refuse without keeping anything."""
    articles = three_articles()[:1]
    articles[0]["body"] = body
    response = editor_client.post(ADD_URL, issue_form_data(articles=articles, **fields))
    assert response.status_code == 200
    assert not Issue.objects.exists()
    return strip_tags(response.content.decode())


def test_a_link_with_a_space_in_its_address_is_refused_by_name(editor_client):
    page = refused_body(
        editor_client,
        '<p>Read <a href="https://exa mple.org/x">the plan</a> and '
        '<a href="https://example.org/annual report.pdf">the report</a>.</p>',
        title="Links",
    )
    assert (
        "The link on “the plan” goes to “https://exa mple.org/x”, which has a space in it" in page
    )
    assert "The link on “the report” goes to “https://example.org/annual report.pdf”" in page


def test_a_link_cut_short_in_the_copying_is_refused_by_name_not_dropped_unseen(editor_client):
    page = refused_body(
        editor_client, '<p>Read <a href="https://[::1/plan">the plan</a>.</p>', title="Links"
    )
    assert (
        "The link on “the plan” goes to “https://[::1/plan”, which is not an address a browser "
        "can open" in page
    )


def test_an_image_from_another_site_is_refused_by_name_not_dropped_unseen(editor_client):
    page = refused_body(
        editor_client,
        '<p>The hall:</p><p><img src="https://cdn.example.com/hall.jpg" alt="The hall"></p>'
        '<p><img src="data:image/png;base64,iVBORw0KGgo=" alt="Pasted"></p>'
        '<p><img src="/media/uploads/2026/01/ours.png" alt="Ours"></p>',
    )
    assert "The image at “https://cdn.example.com/hall.jpg” is not stored on this site" in page
    assert "The image pasted in from another program is not stored on this site" in page
    assert "/media/uploads/2026/01/ours.png”" not in page  # an upload is kept as it is
    assert "add it with the editor’s image button instead" in page


def test_an_image_without_a_description_is_refused_with_how_to_give_one(editor_client):
    # Published without one, a screen reader reads out the file name and the page is not
    # valid HTML. An empty description is the editor's word that it is only decoration.
    articles = three_articles()[:1]
    articles[0]["body"] = (
        '<figure class="image"><img src="/media/uploads/2026/01/hall.png"></figure>'
        '<figure class="image"><img src="/media/uploads/2026/01/map.png" alt="A map"></figure>'
        '<figure class="image"><img src="/media/uploads/2026/01/rule.png"></figure>'
        '<figure class="image"><img src="/media/uploads/2026/01/line.png" alt=""></figure>'
    )
    response = editor_client.post(ADD_URL, issue_form_data(articles=articles))
    assert response.status_code == 200
    assert not Issue.objects.exists()
    page = strip_tags(response.content.decode())
    assert "Image 1 in this text has no description for readers who cannot see it" in page
    assert "Image 3 in this text has no description" in page
    assert "Image 2 in" not in page and "Image 4 in" not in page
    assert "press “Change image text alternative” above it" in page

    described = articles[0]["body"].replace('hall.png"', 'hall.png" alt="The hall"')
    articles[0]["body"] = described.replace('rule.png"', 'rule.png" alt="A rule"')
    response = editor_client.post(ADD_URL, issue_form_data(articles=articles))
    assert response.status_code == 302
    assert 'alt="The hall"' in Article.objects.get().body


def test_an_image_without_a_description_is_numbered_as_the_editor_sees_it_among_pasted_ones(
    editor_client,
):
    # The editor shows a pasted image too until the save drops it, so counting only uploads
    # would send the editor to the wrong image.
    articles = three_articles()[:1]
    articles[0]["body"] = (
        '<p><img src="https://cdn.example.com/hall.jpg" alt="The hall"></p>'
        '<p><img src="/media/uploads/2026/01/map.png" alt="A map"></p>'
        '<p><img src="/media/uploads/2026/01/rule.png"></p>'
    )
    response = editor_client.post(ADD_URL, issue_form_data(articles=articles))
    page = strip_tags(response.content.decode())
    assert "Image 3 in this text has no description" in page
    assert "Image 2 in" not in page and "The image in this text" not in page


def test_a_leader_image_without_a_description_is_refused(editor_client):
    picture = '<p><img src="/media/uploads/2026/01/hall.png"></p>'
    response = editor_client.post(ADD_URL, issue_form_data(leader=picture))
    assert "The image in this text has no description" in strip_tags(response.content.decode())
    assert not Issue.objects.exists()


def test_add_form_shows_ckeditor_autocomplete_and_the_article_inline(editor_client):
    three_articles()
    response = editor_client.get(ADD_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "django_ckeditor_5" in html
    assert "admin-autocomplete" in html
    assert "articles-TOTAL_FORMS" in html
    # The "+" links for adding a person or organisation from inside the article.
    assert reverse("admin:briefings_person_add") in html
    assert reverse("admin:briefings_organisation_add") in html


def test_new_articles_left_at_order_0_go_after_the_existing_ones(editor_client):
    issue = IssueFactory(draft=True)
    kept = ArticleFactory(issue=issue, title="Kept", order=10)
    data = issue_form_data(
        issue=issue,
        date=f"{issue.date:%Y-%m-%d}",
        initial_articles=1,
        articles=[
            existing_article(kept),
            {"section": str(kept.section_id), "title": "New one", "teaser": "x", "order": "0"},
            {"section": str(kept.section_id), "title": "New two", "teaser": "x", "order": "0"},
        ],
    )
    assert editor_client.post(change_url(issue), data).status_code == 302
    assert list(issue.articles.order_by("order").values_list("title", "order")) == [
        ("Kept", 10),
        ("New one", 20),
        ("New two", 30),
    ]


def test_every_help_text_on_the_issue_form_reads_in_full(editor_client):
    # The admin renders help text as HTML, so words in angle brackets would vanish.
    page = " ".join(strip_tags(editor_client.get(ADD_URL).content.decode()).split())
    for model in (Issue, Article):
        for field in model._meta.get_fields():
            help_text = str(getattr(field, "help_text", "") or "")
            if help_text and getattr(field, "editable", False):
                assert " ".join(help_text.split()) in page, (model.__name__, field.name)


def test_choosing_published_with_publish_at_blank_publishes_the_saved_draft_now(
    client, editor_client
):
    issue = IssueFactory(draft=True)
    article = ArticleFactory(issue=issue)
    data = issue_form_data(
        issue=issue,
        date=f"{issue.date:%Y-%m-%d}",
        status="published",
        send_on_publish="on",  # going public with this save, so it may be ticked now
        initial_articles=1,
        articles=[existing_article(article)],
    )

    response = editor_client.post(change_url(issue), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    issue.refresh_from_db()
    assert issue.is_public and issue.send_on_publish
    assert client.get(issue.get_absolute_url()).status_code == 200


def test_an_issue_with_no_articles_cannot_be_published_from_the_form(editor_client):
    issue = IssueFactory(draft=True)
    data = issue_form_data(issue=issue, date=f"{issue.date:%Y-%m-%d}", status="published")
    response = editor_client.post(change_url(issue), data)
    assert response.status_code == 200
    assert "A published issue needs at least one article" in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT
    # Saving it as a draft is fine.
    data = issue_form_data(issue=issue, date=f"{issue.date:%Y-%m-%d}", status="draft")
    assert editor_client.post(change_url(issue), data).status_code == 302


def test_ticking_send_on_publish_on_an_issue_already_public_is_refused(editor_client):
    # It would have emailed every subscriber within a minute, with no confirmation.
    issue = IssueFactory()
    article = ArticleFactory(issue=issue)
    data = public_issue_form_data(
        issue, send_on_publish="on", initial_articles=1, articles=[existing_article(article)]
    )
    response = editor_client.post(change_url(issue), data)
    assert response.status_code == 200
    assert "already on the site" in response.content.decode()
    issue.refresh_from_db()
    assert not issue.send_on_publish


def test_the_empty_article_at_the_foot_of_the_form_is_ignored_when_its_editor_sends_a_blank_line(
    editor_client,
):
    # CKEditor can send "<p>&nbsp;</p>" for an editor nobody typed in.
    issue = IssueFactory(draft=True)
    article = ArticleFactory(issue=issue)
    data = issue_form_data(
        issue=issue,
        date=f"{issue.date:%Y-%m-%d}",
        initial_articles=1,
        articles=[existing_article(article), {"body": "<p>&nbsp;</p>"}],
    )

    response = editor_client.post(change_url(issue), data)

    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    assert list(issue.articles.all()) == [article]


def test_an_article_body_of_only_a_blank_line_is_saved_empty(editor_client):
    section = SectionFactory()
    data = issue_form_data(
        articles=[
            {"section": str(section.pk), "title": "Short", "teaser": "x", "body": "<p>&nbsp;</p>"}
        ],
    )

    assert editor_client.post(ADD_URL, data).status_code == 302
    assert Article.objects.get().body == ""


def test_an_article_given_another_articles_web_address_gets_a_plain_message(editor_client):
    issue = IssueFactory()
    first, second = ArticleFactory(issue=issue), ArticleFactory(issue=issue)
    # Given in the issue form, clashing with an article already saved.
    data = public_issue_form_data(
        issue,
        initial_articles=2,
        articles=[existing_article(first), existing_article(second, slug=first.slug)],
    )
    page = editor_client.post(change_url(issue), data).content.decode()
    assert "Another article in this issue already has this web address" in page
    assert "Article with this Issue and Slug already exists" not in page
    second.refresh_from_db()
    assert second.slug != first.slug


def test_a_save_from_an_older_tab_of_the_same_editor_blames_no_one_else(editor_client):
    issue = IssueFactory(draft=True, title="Draft")
    opened_at = issue.version  # open in two tabs; the newer one saves first
    date = f"{issue.date:%Y-%m-%d}"
    saved = editor_client.post(change_url(issue), issue_form_data(issue=issue, date=date))
    assert saved.status_code == 302

    response = editor_client.post(
        change_url(issue),
        issue_form_data(issue=issue, date=date, loaded_version=str(opened_at), title="Old tab"),
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else" not in page
    assert "by a colleague, or by you in another tab" in page
    assert "open the issue again" in page


def test_an_issue_screen_opened_before_an_article_was_saved_alone_cannot_save_over_it(
    editor_client,
):
    issue = IssueFactory(title="Halls", status=Issue.Status.DRAFT, publish_at=None)
    article = ArticleFactory(issue=issue, teaser="Old teaser.")
    opened_at = issue.version  # the issue screen is open in one tab...
    article_url = reverse("admin:briefings_article_change", args=[article.pk])
    saved = editor_client.post(
        article_url,
        article_form_data(
            article, opened_state(editor_client, article), teaser="New teaser, saved alone."
        ),
    )
    assert saved.status_code == 302  # ...while the article is saved from the Articles screen
    response = editor_client.post(
        change_url(issue),
        issue_form_data(
            issue=issue,
            date=f"{issue.date:%Y-%m-%d}",
            loaded_version=str(opened_at),
            articles=[existing_article(article, title="Retitled in the old tab")],
            initial_articles=1,
        ),
    )
    assert response.status_code == 200
    assert CONFLICT_MESSAGE in response.content.decode()
    article.refresh_from_db()
    assert article.teaser == "New teaser, saved alone."
    assert article.title != "Retitled in the old tab"


def test_an_articles_screen_opened_before_its_issue_was_saved_cannot_save_over_it(
    editor_client,
):
    issue = IssueFactory(title="Halls", status=Issue.Status.DRAFT, publish_at=None)
    article = ArticleFactory(issue=issue, teaser="Old teaser.")
    opened_at = opened_state(editor_client, article)  # the Articles screen is open in one tab...
    saved = editor_client.post(
        change_url(issue),
        issue_form_data(
            issue=issue,
            date=f"{issue.date:%Y-%m-%d}",
            articles=[existing_article(article, teaser="New teaser, saved in the issue.")],
            initial_articles=1,
        ),
    )
    assert saved.status_code == 302  # ...while the issue is saved
    article_url = reverse("admin:briefings_article_change", args=[article.pk])
    response = editor_client.post(
        article_url, article_form_data(article, opened_at, title="Retitled in the old tab")
    )
    assert response.status_code == 200
    assert ARTICLE_CONFLICT_MESSAGE in response.content.decode()
    # The same editor saved it, in another tab: the message must not blame someone else.
    assert "by a colleague, or by you in another tab" in response.content.decode()
    article.refresh_from_db()
    assert article.teaser == "New teaser, saved in the issue."
    assert article.title != "Retitled in the old tab"


def test_an_email_subject_with_a_line_break_is_refused_and_nothing_is_saved(editor_client):
    response = editor_client.post(
        ADD_URL,
        issue_form_data(
            articles=three_articles(), email_subject="Hello\r\nBcc: someone@example.org"
        ),
    )
    assert response.status_code == 200
    assert "The subject must be one line of text." in response.content.decode()
    assert not Issue.objects.exists()


@pytest.mark.parametrize(
    ("topics", "message"),
    [
        ("Halls, 😀", "“😀” cannot be a topic: a topic needs at least one letter or number."),
        ("Halls, " + "x" * 101, "is too long: a topic can have at most 100 characters."),
    ],
)
def test_a_topic_that_cannot_have_a_page_is_refused_and_the_issue_is_kept_to_correct(
    editor_client, topics, message
):
    articles = three_articles()
    articles[0]["tags"] = topics
    response = editor_client.post(ADD_URL, issue_form_data(articles=articles))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert articles[1]["title"] in page  # what was typed is all still there
    assert not Issue.objects.exists()
    assert not Tag.objects.exists()


def test_a_topic_that_cannot_have_a_page_is_refused_on_the_articles_screen(editor_client):
    article = ArticleFactory(tags=["Halls"])
    response = editor_client.post(
        reverse("admin:briefings_article_change", args=[article.pk]),
        article_form_data(article, opened_state(editor_client, article), tags="Halls, ★"),
    )
    assert response.status_code == 200
    assert "“★” cannot be a topic" in response.content.decode()
    assert list(article.tags.names()) == ["Halls"]


def test_an_article_topic_with_a_hidden_control_character_is_refused_in_plain_words(
    editor_client,
):
    articles = three_articles()
    articles[0]["tags"] = "Halls, Hou\x7fsing"
    response = editor_client.post(ADD_URL, issue_form_data(articles=articles))
    assert response.status_code == 200
    assert "“Housing” cannot be a topic: it has a hidden control character in it" in (
        response.content.decode()
    )
    assert not Issue.objects.exists()
    assert not Tag.objects.exists()


def test_a_leader_too_long_to_index_is_refused_in_plain_words_and_nothing_is_saved(editor_client):
    # Distinct words, as a pasted table of figures would be: PostgreSQL's search index of the
    # text has a size limit, and passing it was a 500.
    leader = "<p>" + " ".join(f"w{i}" for i in range(250_000)) + "</p>"
    response = editor_client.post(
        ADD_URL, issue_form_data(leader=leader, articles=three_articles())
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"This text is too long to save: {len(leader):,} characters" in page
    assert "where the most is 200,000" in page
    assert not Issue.objects.exists()


def test_a_teaser_too_long_to_index_is_refused_in_plain_words_and_nothing_is_saved(
    editor_client,
):
    # A long document pasted into the teaser box: PostgreSQL's search index of the article
    # has a size limit, and passing it was a 500 that lost the whole issue.
    articles = three_articles()
    articles[1]["teaser"] = " ".join(f"w{i}" for i in range(250_000))
    response = editor_client.post(ADD_URL, issue_form_data(articles=articles))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This teaser is too long to save: 1,888,889 characters" in page
    assert "where the most is 5,000" in page
    assert articles[0]["title"] in page  # the other articles are all still there
    assert not Issue.objects.exists()


def test_a_teaser_too_long_is_refused_on_the_articles_screen(editor_client):
    article = ArticleFactory(teaser="Short.")
    response = editor_client.post(
        reverse("admin:briefings_article_change", args=[article.pk]),
        article_form_data(article, opened_state(editor_client, article), teaser="w" * 10_000),
    )
    assert response.status_code == 200
    assert "This teaser is too long to save: 10,000 characters" in response.content.decode()
    article.refresh_from_db()
    assert article.teaser == "Short."


@pytest.mark.parametrize("date", ["9999-12-31", "0026-01-07"])
def test_a_date_far_outside_the_archive_is_refused_in_plain_words(editor_client, date):
    response = editor_client.post(ADD_URL, issue_form_data(date=date, articles=three_articles()))
    assert response.status_code == 200
    assert "Give a date between 1900 and 2999." in response.content.decode()
    assert not Issue.objects.exists()


def test_editors_saving_different_articles_of_one_issue_do_not_block_each_other(editor_client):
    issue = IssueFactory(title="Halls", status=Issue.Status.DRAFT, publish_at=None)
    first = ArticleFactory(issue=issue, title="First")
    second = ArticleFactory(issue=issue, title="Second", teaser="Old teaser.")
    first_opened = opened_state(editor_client, first)
    second_opened = opened_state(editor_client, second)
    first_url = reverse("admin:briefings_article_change", args=[first.pk])
    second_url = reverse("admin:briefings_article_change", args=[second.pk])

    assert editor_client.post(first_url, article_form_data(first, first_opened)).status_code == 302
    saved = editor_client.post(
        second_url, article_form_data(second, second_opened, teaser="New teaser.")
    )
    assert saved.status_code == 302
    second.refresh_from_db()
    assert second.teaser == "New teaser."

    # The same article saved again from a tab opened before that save is refused.
    stale = editor_client.post(
        second_url, article_form_data(second, second_opened, title="From the old tab")
    )
    assert ARTICLE_CONFLICT_MESSAGE in stale.content.decode()
    second.refresh_from_db()
    assert (second.title, second.teaser) == ("Second", "New teaser.")


def test_an_articles_screen_keeps_working_when_the_issue_page_left_its_article_alone(
    editor_client,
):
    issue = IssueFactory(title="Halls", status=Issue.Status.DRAFT, publish_at=None)
    article = ArticleFactory(issue=issue, order=10)  # as the issue page numbers it
    opened = opened_state(editor_client, article)
    saved = editor_client.post(
        change_url(issue),
        issue_form_data(
            issue=issue,
            date=f"{issue.date:%Y-%m-%d}",
            title="A new headline",
            articles=[existing_article(article)],
            initial_articles=1,
        ),
    )
    assert saved.status_code == 302
    article_url = reverse("admin:briefings_article_change", args=[article.pk])
    response = editor_client.post(article_url, article_form_data(article, opened, title="Mine"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.title == "Mine"


# A time in British Summer Time, so a clock in UTC would show 08:01.
SUMMER_MORNING = {"publish_at_0": "29/06/2027", "publish_at_1": "09:01"}


def test_a_draft_given_a_future_publish_at_warns_that_it_will_not_go_public(editor_client):
    issue = IssueFactory(draft=True)
    response = editor_client.post(
        change_url(issue),
        issue_form_data(issue=issue, date=f"{issue.date:%Y-%m-%d}", **SUMMER_MORNING),
    )

    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.publish_at == datetime.datetime(2027, 6, 29, 8, 1, tzinfo=datetime.UTC)
    assert (
        "warning",
        "This issue is a draft, so it will not go public at 09:01 on 29 June 2027. "
        "Set Status to Published to schedule it.",
    ) in said(response)


def test_a_published_issue_with_a_future_publish_at_says_when_it_will_go_public(
    editor_client,
):
    data = issue_form_data(articles=three_articles()[:1], status="published", **SUMMER_MORNING)
    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 302
    assert Issue.objects.get().is_scheduled
    messages = said(response)
    assert ("success", "It will go public at 09:01 on 29 June 2027.") in messages
    assert not [text for level, text in messages if level == "warning"]


def test_saving_a_draft_with_no_publish_at_says_nothing_of_going_public(editor_client):
    response = editor_client.post(ADD_URL, issue_form_data(articles=three_articles()[:1]))

    assert response.status_code == 302
    assert not [text for _, text in said(response) if "go public" in text]


def test_two_articles_with_the_same_title_save_with_a_warning_naming_it(editor_client):
    articles = three_articles()
    articles[0]["title"] = "Same title here"
    articles[2]["title"] = "Same  title HERE"
    response = editor_client.post(ADD_URL, issue_form_data(articles=articles))

    assert response.status_code == 302
    issue = Issue.objects.get()
    assert sorted(issue.articles.values_list("slug", flat=True))[1:] == [
        "same-title-here",
        "same-title-here-2",
    ]
    assert (
        "warning",
        "Two articles in this issue have the same title, “Same title here”: readers will see "
        "the same heading twice.",
    ) in said(response)


def test_articles_with_different_titles_save_without_a_warning(editor_client):
    response = editor_client.post(ADD_URL, issue_form_data(articles=three_articles()))

    assert response.status_code == 302
    assert not [text for level, text in said(response) if level == "warning"]


@pytest.mark.parametrize("typed", ["9 December 2026", "9 Dec 2026", "09/12/2026", "2026-12-09"])
def test_an_issue_date_is_accepted_in_the_sites_own_style_as_well_as_by_number(
    editor_client, typed
):
    response = editor_client.post(ADD_URL, issue_form_data(date=typed))

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Issue.objects.get().date == datetime.date(2026, 12, 9)


def test_a_publish_at_date_is_accepted_in_the_sites_own_style(editor_client):
    data = issue_form_data(publish_at_0="29 Jun 2027", publish_at_1="09:01")
    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Issue.objects.get().publish_at == datetime.datetime(
        2027, 6, 29, 8, 1, tzinfo=datetime.UTC
    )


def test_a_date_that_cannot_be_read_says_how_to_write_one(editor_client):
    data = issue_form_data(date="31/31/2026", publish_at_0="next Tuesday", publish_at_1="09:00")
    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    expected = ["Enter the date as day/month/year, for example 09/12/2026."]
    assert form.errors["date"] == expected
    assert form.errors["publish_at"] == expected


@pytest.mark.parametrize("typed", ["9am", "25:00", ""])
def test_a_publish_time_that_cannot_be_read_says_how_to_write_one(editor_client, typed):
    data = issue_form_data(publish_at_0="29/06/2027", publish_at_1=typed)
    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["publish_at"] == ["Enter the time as hours and minutes, for example 09:00."]
    assert not Issue.objects.exists()


@pytest.mark.parametrize("day", ["28/03/2027", "31/10/2027"])
def test_a_publish_time_the_clocks_change_over_is_refused_in_plain_words(editor_client, day):
    # 01:30 is skipped when British Summer Time starts, and comes twice when it ends.
    data = issue_form_data(publish_at_0=day, publish_at_1="01:30")
    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["publish_at"]
    assert "Europe/London" not in error
    assert error.startswith("The clocks change in the night of ")
    assert "Choose another time, such as 09:00." in error
    assert not Issue.objects.exists()


def test_saving_an_issue_already_emailed_says_the_emailed_copies_keep_the_earlier_text(
    editor_client,
):
    issue = IssueFactory()
    article = ArticleFactory(issue=issue)
    for status in ["sent", "sent", "queued"]:
        Delivery.objects.create(issue=issue, subscriber=SubscriberFactory(), status=status)
    data = public_issue_form_data(
        issue, title="Corrected", initial_articles=1, articles=[existing_article(article)]
    )

    response = editor_client.post(change_url(issue), data)

    assert response.status_code == 302
    assert (
        "warning",
        "This issue has already been emailed to 2 subscribers: the copies they have keep the "
        "earlier text. The web page shows your changes.",
    ) in said(response)


def test_making_an_issue_already_emailed_a_draft_says_it_is_off_the_site_not_changed_there(
    editor_client,
):
    issue = IssueFactory()
    article = ArticleFactory(issue=issue)
    Delivery.objects.create(issue=issue, subscriber=SubscriberFactory(), status="sent")
    data = {
        **public_issue_form_data(issue, initial_articles=1, articles=[existing_article(article)]),
        "status": "draft",
    }

    response = editor_client.post(change_url(issue), data)

    assert response.status_code == 302
    assert [text for level, text in said(response) if "emailed" in text] == [
        "This issue has already been emailed to 1 subscriber: it is off the site, but still "
        "in their inboxes."
    ]


def test_saving_an_issue_not_yet_emailed_says_nothing_of_email(editor_client):
    issue = IssueFactory()
    article = ArticleFactory(issue=issue)
    Delivery.objects.create(issue=issue, subscriber=SubscriberFactory(), status="queued")
    data = public_issue_form_data(
        issue, title="Corrected", initial_articles=1, articles=[existing_article(article)]
    )

    response = editor_client.post(change_url(issue), data)

    assert response.status_code == 302
    assert not [text for level, text in said(response) if "emailed" in text]


@pytest.mark.parametrize(
    ("from_draft", "to_draft", "expected"),
    [
        (True, False, "“Hall saved” is now on the site, in Briefing – 3 March 2027."),
        (
            False,
            True,
            "“Hall saved” is no longer on the site: Briefing – 3 March 2027 is not public.",
        ),
        (False, False, None),
    ],
)
def test_moving_an_article_between_issues_says_when_it_goes_on_or_off_the_site(
    editor_client, from_draft, to_draft, expected
):
    article = ArticleFactory(title="Hall saved", issue=IssueFactory(draft=from_draft))
    destination = IssueFactory(date=datetime.date(2027, 3, 3), draft=to_draft)

    response = editor_client.post(
        reverse("admin:briefings_article_change", args=[article.pk]),
        article_form_data(article, opened_state(editor_client, article), issue=str(destination.pk)),
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.issue == destination
    warnings = [text for level, text in said(response) if level == "warning"]
    assert warnings == ([expected] if expected else [])


def test_an_issue_screen_opened_before_one_of_its_articles_was_deleted_says_so_on_saving(
    editor_client,
):
    # Without this, the page said "Please correct the error below." and showed no error (the
    # deleted article's hidden id was refused), however often the editor saved.
    issue = IssueFactory(title="Halls", status=Issue.Status.DRAFT, publish_at=None)
    kept, deleted = ArticleFactory(issue=issue), ArticleFactory(issue=issue)
    opened_at = issue.version
    editor_client.post(
        reverse("admin:briefings_article_delete", args=[deleted.pk]), {"post": "yes"}
    )
    assert not Article.objects.filter(pk=deleted.pk).exists()

    response = editor_client.post(
        change_url(issue),
        issue_form_data(
            issue=issue,
            date=f"{issue.date:%Y-%m-%d}",
            loaded_version=str(opened_at),
            articles=[
                existing_article(kept, title="Retitled in the old tab"),
                existing_article(deleted, teaser="Rewritten in the old tab"),
            ],
            initial_articles=2,
        ),
    )

    assert response.status_code == 200
    assert CONFLICT_MESSAGE in response.content.decode()
    kept.refresh_from_db()
    assert kept.title != "Retitled in the old tab"


def test_deleting_articles_from_the_article_list_counts_as_a_save_of_their_issues(
    editor_client,
):
    first, second = ArticleFactory(), ArticleFactory()
    versions = {first.issue_id: first.issue.version, second.issue_id: second.issue.version}
    response = editor_client.post(
        reverse("admin:briefings_article_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    for issue in Issue.objects.filter(pk__in=versions):
        assert issue.version == versions[issue.pk] + 1


def test_a_person_deleted_while_the_issue_was_open_is_named_as_deleted_not_as_a_number(
    editor_client,
):
    issue = IssueFactory(title="Halls", status=Issue.Status.DRAFT, publish_at=None)
    article = ArticleFactory(issue=issue)
    kept, deleted = PersonFactory(name="Ailsa Munro"), PersonFactory(name="Duplicate Ailsa")
    gone = deleted.pk
    deleted.delete()  # by a colleague, on People, while the issue was open

    response = editor_client.post(
        change_url(issue),
        issue_form_data(
            issue=issue,
            date=f"{issue.date:%Y-%m-%d}",
            articles=[
                existing_article(article, title="Retitled", people=[str(kept.pk), str(gone)])
            ],
            initial_articles=1,
        ),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone chosen here was deleted from People after this page was opened" in page
    assert f"{gone} is not one of the available choices" not in page
    assert "Ailsa Munro" in page  # still chosen, ready to save again
    assert "Retitled" in page
