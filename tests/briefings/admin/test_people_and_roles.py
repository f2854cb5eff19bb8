import json

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.urls import reverse

from briefings.models import Article, Organisation, Person
from briefings.services import EDITOR_GROUP, set_up_roles
from tests.factories import ArticleFactory, IssueFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_editor_group_has_exactly_the_briefings_tag_plain_page_and_redirect_permissions():
    group = set_up_roles()
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
    expected = {
        (app, f"{action}_{model}")
        for app, model in [
            ("briefings", "issue"),
            ("briefings", "article"),
            ("briefings", "section"),
            ("briefings", "person"),
            ("briefings", "organisation"),
            ("taggit", "tag"),
            ("flatpages", "flatpage"),
            ("redirects", "redirect"),
        ]
        for action in ("view", "add", "change", "delete")
    } | {("subscribers", "send_issue")}  # preview, test and send the email edition
    assert codenames == expected


def test_setup_roles_is_idempotent_and_repairs_the_group():
    call_command("setup_roles", stdout=None)
    group = Group.objects.get(name=EDITOR_GROUP)
    before = set(group.permissions.all())
    from django.contrib.auth.models import Permission

    group.permissions.add(Permission.objects.get(codename="delete_user"))
    call_command("setup_roles")
    call_command("setup_roles")
    assert Group.objects.filter(name=EDITOR_GROUP).count() == 1
    assert set(group.permissions.all()) == before


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_group_changelist"),
        reverse("admin:auth_user_add"),
    ],
)
def test_editor_cannot_reach_users_or_groups(editor_client, url):
    response = editor_client.get(url)
    assert response.status_code == 403
    assert "you do not have permission to open this page" in response.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "admin:briefings_issue_changelist",
        "admin:briefings_issue_add",
        "admin:briefings_article_changelist",
        "admin:briefings_section_changelist",
        "admin:briefings_person_changelist",
        "admin:briefings_person_add",
        "admin:briefings_organisation_changelist",
        "admin:briefings_organisation_add",
        "admin:taggit_tag_changelist",
        "admin:flatpages_flatpage_changelist",
        "admin:flatpages_flatpage_add",
        "admin:redirects_redirect_changelist",
        "admin:redirects_redirect_add",
    ],
)
def test_editor_can_open_every_briefings_page(editor_client, name):
    assert editor_client.get(reverse(name)).status_code == 200


def test_editor_adds_a_person_through_the_plus_popup(editor_client):
    organisation = OrganisationFactory(name="Scottish Rural Action")
    url = reverse("admin:briefings_person_add") + "?_to_field=id&_popup=1"
    assert editor_client.get(url).status_code == 200
    response = editor_client.post(
        url,
        {
            "_popup": "1",
            "_to_field": "id",
            "name": "Eilidh Fraser",
            "slug": "",
            "role": "Policy Officer",
            "organisation": str(organisation.pk),
            "website": "",
            "notes": "",
        },
    )
    person = Person.objects.get(name="Eilidh Fraser")
    assert response.status_code == 200
    assert "admin/js/popup_response.js" in response.content.decode()
    assert json.loads(response.context["popup_response_data"]) == {
        "value": str(person.pk),
        "obj": "Eilidh Fraser",
    }
    assert person.slug == "eilidh-fraser"


def test_editor_adds_an_organisation_through_the_plus_popup(editor_client):
    url = reverse("admin:briefings_organisation_add") + "?_to_field=id&_popup=1"
    response = editor_client.post(
        url,
        {
            "_popup": "1",
            "_to_field": "id",
            "name": "Kinloch Housing Association",
            "slug": "",
            "kind": Organisation.Kind.HOUSING_ASSOCIATION,
            "website": "https://example.org/",
            "description": "",
        },
    )
    assert response.status_code == 200
    assert Organisation.objects.filter(slug="kinloch-housing-association").exists()


def test_a_second_person_of_the_same_name_is_told_who_is_there_and_what_to_do(editor_client):
    PersonFactory(name="Ailsa Munro", slug="ailsa-munro")
    PersonFactory(name="Ailsa Munro (Dundee)", slug="ailsa-munro-2")
    url = reverse("admin:briefings_person_add") + "?_to_field=id&_popup=1"
    # The admin fills the address in from the name as the editor types.
    data = {"_popup": "1", "_to_field": "id", "name": "Ailsa Munro", "slug": "ailsa-munro"}
    response = editor_client.post(url, {**data, "role": "Councillor"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "already has the web address “ailsa-munro”" in page
    assert "choose them from the list on the article" in page
    assert "such as “ailsa-munro-3”" in page
    assert "Slug already exists" not in page
    assert 'value="Councillor"' in page  # what was typed is still there
    assert Person.objects.filter(name="Ailsa Munro").count() == 1

    # Following the advice adds them.
    editor_client.post(url, {**data, "slug": "ailsa-munro-3", "role": "Councillor"})
    assert Person.objects.get(slug="ailsa-munro-3").role == "Councillor"


def test_a_second_organisation_at_a_taken_address_is_a_clear_error(editor_client):
    OrganisationFactory(name="Highland Council", slug="highland-council")
    response = editor_client.post(
        reverse("admin:briefings_organisation_add"),
        {"name": "Highland Council", "slug": "highland-council", "kind": "council"},
    )
    assert response.status_code == 200
    assert "“Highland Council” already has the web address" in response.content.decode()
    assert Organisation.objects.count() == 1


def test_the_people_list_filters_by_kind_of_organisation_and_says_so(editor_client):
    council = OrganisationFactory(kind=Organisation.Kind.COUNCIL)
    PersonFactory(name="Ailsa Munro", organisation=council)
    PersonFactory(
        name="Callum Reid", organisation=OrganisationFactory(kind=Organisation.Kind.CHARITY)
    )
    people = reverse("admin:briefings_person_changelist")

    page = editor_client.get(people).content.decode()
    filtered = editor_client.get(people, {"organisation__kind": "council"}).content.decode()

    assert 'data-filter-title="kind of organisation"' in page
    assert 'data-filter-title="kind"' not in page
    assert "Ailsa Munro" in filtered
    assert "Callum Reid" not in filtered


def test_person_autocomplete_from_the_article_inline_finds_people(editor_client):
    PersonFactory(name="Ailsa Munro")
    PersonFactory(name="Callum Reid")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "briefings", "model_name": "article", "field_name": "people", "term": "ail"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Ailsa Munro"]


@pytest.mark.parametrize("typed", ["O'Neill", "O\u2019Neill"])
def test_people_and_organisations_are_found_whichever_apostrophe_is_typed(editor_client, typed):
    PersonFactory(name="Morag O\u2019Neill")
    PersonFactory(name="Sean O'Neill")
    OrganisationFactory(name="O\u2019Neill Tenants\u2019 Co-operative")
    found = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "briefings", "model_name": "article", "field_name": "people", "term": typed},
    )
    assert sorted(r["text"] for r in found.json()["results"]) == [
        "Morag O\u2019Neill",
        "Sean O'Neill",
    ]
    listed = editor_client.get(reverse("admin:briefings_organisation_changelist"), {"q": typed})
    assert "Tenants\u2019 Co-operative" in listed.content.decode()


def test_person_page_lists_the_articles_that_mention_them(
    editor_client, django_assert_max_num_queries
):
    person = PersonFactory(name="Ailsa Munro")
    for n in range(5):
        ArticleFactory(title=f"Mention {n}", issue=IssueFactory(), people=[person])
    ArticleFactory(title="Someone else")
    url = reverse("admin:briefings_person_change", args=[person.pk])
    response = editor_client.get(url)
    html = response.content.decode()
    assert all(f"Mention {n}" in html for n in range(5))
    assert "Someone else" not in html
    # One query for the list however many articles there are.
    ArticleFactory.create_batch(10, people=[person])
    with django_assert_max_num_queries(len(_queries(editor_client, url))):
        editor_client.get(url)


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return ctx.captured_queries


def test_organisation_page_lists_the_articles_that_mention_it(editor_client):
    organisation = OrganisationFactory(name="Glenbrae Development Trust")
    ArticleFactory(title="Glenbrae buys its forest", organisations=[organisation])
    url = reverse("admin:briefings_organisation_change", args=[organisation.pk])
    assert "Glenbrae buys its forest" in editor_client.get(url).content.decode()


def test_admin_speaks_the_sites_language(editor_client):
    page = editor_client.get(reverse("admin:index")).content.decode()
    assert "SCA Briefings" in page
    assert "Django administration" not in page
    assert "Plain pages" in page
    assert "Topics" in page
    assert "Taggit" not in page


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/"])
def test_signing_in_with_an_unsafe_next_address_lands_in_the_admin(client, editor, next_url):
    editor.set_password("a long enough passphrase")
    editor.save()
    response = client.post(
        f"{reverse('admin:login')}?next={next_url}",
        {"username": "morag", "password": "a long enough passphrase", "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_nul_character_in_a_search_is_dropped_not_an_error(editor_client):
    # PostgreSQL refuses NUL in a query; nobody types one, but a pasted link may carry %00.
    PersonFactory(name="Ailsa Munro")
    found = editor_client.get(
        reverse("admin:autocomplete") + "?app_label=briefings&model_name=article"
        "&field_name=people&term=ail%00"
    )
    assert found.status_code == 200
    assert [r["text"] for r in found.json()["results"]] == ["Ailsa Munro"]
    listed = editor_client.get(reverse("admin:briefings_person_changelist") + "?q=%00ail")
    assert listed.status_code == 200
    assert "Ailsa Munro" in listed.content.decode()


def test_deleting_a_person_names_the_articles_that_lose_the_mention(editor_client):
    person = PersonFactory(name="Morag MacLeod")
    ArticleFactory(title="Hall saved", people=[person], issue=IssueFactory(date="2026-03-04"))
    ArticleFactory(title="Ferry fares", people=[person], issue=IssueFactory(date="2026-03-18"))
    url = reverse("admin:briefings_person_delete", args=[person.pk])

    page = editor_client.get(url).content.decode()

    assert "object (" not in page  # Django's "Article_people object (10)"
    assert "relationship" not in page
    assert "Their mention in" in page and "Hall saved" in page and "Ferry fares" in page
    assert "18 March 2026" in page
    assert "Mentions in articles: 2" in page
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    assert not Person.objects.exists()
    assert {a.title for a in Article.objects.all()} == {"Hall saved", "Ferry fares"}


def test_deleting_organisations_from_the_list_names_the_articles_that_lose_the_mention(
    editor_client,
):
    trust = OrganisationFactory(name="Glen Trust")
    ArticleFactory(title="Woodland bought", organisations=[trust])
    OrganisationFactory(name="Never mentioned")
    response = editor_client.post(
        reverse("admin:briefings_organisation_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [
                str(pk) for pk in Organisation.objects.values_list("pk", flat=True)
            ],
        },
    )

    page = response.content.decode()
    assert "object (" not in page
    assert "Woodland bought" in page
    assert "Mentions in articles: 1" in page


def test_staff_who_may_only_view_the_briefing_can_open_its_pages_read_only(client):
    reader = User.objects.create_user("trustee", is_staff=True)
    reader.user_permissions.set(
        Permission.objects.filter(content_type__app_label="briefings", codename__startswith="view_")
    )
    client.force_login(reader)
    article = ArticleFactory(title="Warm halls for winter")
    person = PersonFactory()
    article.people.add(person)
    pages = [
        ("admin:briefings_issue_change", article.issue_id),
        ("admin:briefings_article_change", article.pk),
        ("admin:briefings_person_change", person.pk),
        ("admin:briefings_section_change", article.section_id),
    ]
    for name, pk in pages:
        response = client.get(reverse(name, args=[pk]))
        assert response.status_code == 200, name
        assert 'name="_save"' not in response.content.decode(), name
    issue_page = client.get(reverse("admin:briefings_issue_change", args=[article.issue_id]))
    assert "Warm halls for winter" in issue_page.content.decode()
