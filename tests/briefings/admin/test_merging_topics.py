"""Merging topics ("Merge selected tags" on the tag list): what readers see follows at once,
links to the merged topics keep working, and no article loses its topic."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from taggit.models import Tag

from briefings.forms import CONFLICT_MESSAGE
from briefings.models import Issue
from briefings.services import merge_topics
from tests.factories import ArticleFactory

from .forms import existing_article, public_issue_form_data

pytestmark = pytest.mark.django_db


def _select_tags(editor_client, *names):
    """Tick tags on the tag list and choose "Merge selected tags", as the editor does."""
    editor_client.post(
        reverse("admin:taggit_tag_changelist"),
        {
            "action": "render_tag_form",
            "_selected_action": [Tag.objects.get(name=name).pk for name in names],
        },
    )


@pytest.fixture
def ticked_halls(editor_client):
    """Two articles, one tagged "Village hall" and one "Village halls", both tags ticked."""
    first = ArticleFactory(title="Warm halls")
    first.tags.add("Village hall")
    second = ArticleFactory(title="Hall boards")
    second.tags.add("Village halls")
    _select_tags(editor_client, "Village hall", "Village halls")
    return first, second


def test_merging_topics_updates_cached_pages_and_keeps_links_to_the_merged_ones(
    client, editor_client, ticked_halls, django_capture_on_commit_callbacks
):
    first, _ = ticked_halls
    assert "Village hall<" in client.get(first.get_absolute_url()).content.decode()  # cached
    old_topic = Tag.objects.get(name="Village hall").get_absolute_url()

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:taggit_tag_merge_tags"), {"name": "Village halls"}
        )

    assert response.status_code == 302
    page = client.get(first.get_absolute_url()).content.decode()
    assert "Village halls<" in page
    assert "Village hall<" not in page
    assert client.get(old_topic)["Location"] == "/topics/village-halls/"
    topic = client.get("/topics/village-halls/").content.decode()
    assert "Warm halls" in topic and "Hall boards" in topic


def test_merging_a_topic_into_one_of_the_ticked_ones_keeps_every_article_tagged(
    editor_client, ticked_halls
):
    # taggit 6.1's own merge untagged every article here (TopicAdmin.merge_tags_view).
    first, second = ticked_halls

    editor_client.post(reverse("admin:taggit_tag_merge_tags"), {"name": "Village halls"})

    assert list(first.tags.names()) == ["Village halls"]
    assert list(second.tags.names()) == ["Village halls"]
    assert list(Tag.objects.values_list("name", flat=True)) == ["Village halls"]


def test_merging_a_topic_into_itself_changes_nothing(editor_client):
    article = ArticleFactory()
    article.tags.add("Village halls")
    _select_tags(editor_client, "Village halls")

    response = editor_client.post(
        reverse("admin:taggit_tag_merge_tags"), {"name": "Village halls"}, follow=True
    )

    assert "Merged into “Village halls”" in response.content.decode()
    assert list(article.tags.names()) == ["Village halls"]


def test_merging_into_a_name_in_other_letters_keeps_the_existing_topic(editor_client, ticked_halls):
    first, _ = ticked_halls

    editor_client.post(reverse("admin:taggit_tag_merge_tags"), {"name": "village HALLS"})

    assert list(first.tags.names()) == ["Village halls"]
    assert not Tag.objects.filter(name="village HALLS").exists()


def test_the_merge_screen_lists_the_ticked_tags_and_suggests_the_most_used(editor_client):
    ArticleFactory().tags.add("Village hall", "Village halls")
    ArticleFactory().tags.add("Village halls")
    _select_tags(editor_client, "Village hall", "Village halls")

    response = editor_client.get(reverse("admin:taggit_tag_merge_tags"))

    page = response.content.decode()
    assert "Village hall (1 article)" in page
    assert "Village halls (2 articles)" in page
    assert response.context["form"]["name"].value() == "Village halls"


def test_the_merge_screen_without_ticked_tags_says_what_to_do(editor_client):
    response = editor_client.get(reverse("admin:taggit_tag_merge_tags"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:taggit_tag_changelist")
    assert "Tick the tags to merge" in response.content.decode()


def test_a_blank_name_is_a_clear_error_and_merges_nothing(editor_client):
    article = ArticleFactory()
    article.tags.add("Village hall")
    _select_tags(editor_client, "Village hall")

    response = editor_client.post(reverse("admin:taggit_tag_merge_tags"), {"name": " "})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert list(article.tags.names()) == ["Village hall"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Halls, village", "cannot contain a comma"),
        ("★", "a topic needs at least one letter or number"),  # its page would have no address
        ("Village\x7fhalls", "has a hidden control character in it"),
    ],
)
def test_a_name_that_cannot_be_a_topic_is_refused_and_merges_nothing(editor_client, name, message):
    article = ArticleFactory()
    article.tags.add("Village hall", "Village halls")
    _select_tags(editor_client, "Village hall", "Village halls")

    response = editor_client.post(reverse("admin:taggit_tag_merge_tags"), {"name": name})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert sorted(article.tags.names()) == ["Village hall", "Village halls"]


def test_merging_from_a_searched_tag_list_opens_the_merge_form(editor_client):
    ArticleFactory().tags.add("Village hall", "Village halls", "Energy")
    selected = Tag.objects.filter(name__startswith="Village")

    response = editor_client.post(
        reverse("admin:taggit_tag_changelist") + "?q=village",
        {"action": "render_tag_form", "_selected_action": [tag.pk for tag in selected]},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("admin:taggit_tag_merge_tags")
    assert 'name="name"' in response.content.decode()


def test_an_article_with_several_of_the_merged_tags_gets_the_new_one_once(editor_client):
    article = ArticleFactory()
    article.tags.add("Halls", "Village halls")
    _select_tags(editor_client, "Halls", "Village halls")

    editor_client.post(reverse("admin:taggit_tag_merge_tags"), {"name": "Community buildings"})

    assert list(article.tags.names()) == ["Community buildings"]


def test_the_tag_list_shows_how_many_articles_use_each_tag(editor_client):
    ArticleFactory().tags.add("Village hall", "Village halls")
    ArticleFactory().tags.add("Village halls")

    response = editor_client.get(reverse("admin:taggit_tag_changelist"))

    rows = {tag.name: tag.article_count for tag in response.context["cl"].result_list}
    assert rows == {"Village hall": 1, "Village halls": 2}


def test_renaming_a_tag_to_another_topic_in_other_letters_is_refused_in_plain_words(
    editor_client,
):
    ArticleFactory().tags.add("Funding", "Fair funding")
    tag = Tag.objects.get(name="Fair funding")

    response = editor_client.post(
        reverse("admin:taggit_tag_change", args=[tag.pk]), {"name": "funding", "slug": "f"}
    )

    assert response.status_code == 200
    assert "There is already a topic called “Funding”" in response.content.decode()
    assert Tag.objects.get(pk=tag.pk).name == "Fair funding"


def test_staff_who_may_not_delete_tags_cannot_merge_them(client, django_user_model):
    user = django_user_model.objects.create_user("iona", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_tag", "change_tag"]))
    client.force_login(user)
    ArticleFactory().tags.add("Village hall", "Village halls")

    response = client.get(reverse("admin:taggit_tag_changelist"))
    assert "render_tag_form" not in response.content.decode()
    assert client.get(reverse("admin:taggit_tag_merge_tags")).status_code == 403


def test_merging_takes_the_same_queries_for_two_articles_as_for_twenty():
    def merge_with(n):
        for article in ArticleFactory.create_batch(n):
            article.tags.add(f"Hall {n}", f"Halls {n}")
        ArticleFactory().tags.add(f"Halls {n}")
        tags = list(Tag.objects.filter(name__in=[f"Hall {n}", f"Halls {n}"]))
        with CaptureQueriesContext(connection) as queries:
            merge_topics(tags=tags, name=f"Halls {n}")
        return len(queries)

    assert merge_with(2) == merge_with(20)
    assert Tag.objects.get(name="Halls 20").taggit_taggeditem_items.count() == 21


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("village halls", "There is already a topic called “Village halls”"),
        ("Halls", "The topic “Village halls” already has the web address “village-halls”"),
    ],
)
def test_a_topic_name_or_address_already_taken_is_said_once_in_plain_words(
    editor_client, name, message
):
    ArticleFactory().tags.add("Village halls")
    response = editor_client.post(
        reverse("admin:taggit_tag_add"), {"name": name, "slug": "village-halls"}
    )
    page = response.content.decode()
    assert message in page
    assert "already exists" not in page
    assert Tag.objects.count() == 1


@pytest.mark.parametrize("control", ["\x0b", "\x1f", "\x7f", "\x85"])
def test_a_topic_name_with_a_hidden_control_character_is_refused_in_plain_words(
    editor_client, control
):
    # Pasted along with the name (Word's line break is \x0b): readers would get a topic that
    # looks like another, or shows a stray box.
    response = editor_client.post(
        reverse("admin:taggit_tag_add"), {"name": f"Village{control}halls", "slug": "halls"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "“Villagehalls” cannot be a topic: it has a hidden control character in it" in page
    assert not Tag.objects.exists()


def test_an_issue_screen_opened_before_a_merge_cannot_put_the_merged_tag_back(
    editor_client, ticked_halls
):
    first, _ = ticked_halls
    issue = first.issue
    opened_at = Issue.objects.get(pk=issue.pk).version
    editor_client.post(reverse("admin:taggit_tag_merge_tags"), {"name": "Village halls"})

    response = editor_client.post(
        reverse("admin:briefings_issue_change", args=[issue.pk]),
        public_issue_form_data(
            issue,
            loaded_version=str(opened_at),
            articles=[existing_article(first, tags="Village hall")],
            initial_articles=1,
        ),
    )

    assert response.status_code == 200
    assert CONFLICT_MESSAGE in response.content.decode()
    assert not Tag.objects.filter(name="Village hall").exists()
    assert list(first.tags.names()) == ["Village halls"]
