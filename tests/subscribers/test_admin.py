import csv
import io
import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from subscribers import services
from subscribers.models import ErasedAddress, IssueRequest, Subscriber, hash_address
from tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/subscribers/subscriber/"
EXPORT = "/admin/subscribers/subscriber/export/"
IMPORT = "/admin/subscribers/subscriber/import/"


def staff(*codenames):
    user = User.objects.create_user("staff", "staff@example.org", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="subscribers", codename__in=codenames)
    )
    return user


@pytest.fixture
def list_keeper(client):
    user = staff("view_subscriber", "add_subscriber", "change_subscriber", "view_subscriber_list")
    client.force_login(user)
    return user


@pytest.fixture
def eraser(client):
    user = staff("view_subscriber", "delete_subscriber", "view_subscriber_list")
    client.force_login(user)
    return user


def test_staff_without_the_list_permission_are_refused(client):
    client.force_login(staff("view_subscriber", "change_subscriber", "view_issuerequest"))
    SubscriberFactory(email="private@example.org")
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert client.get(IMPORT).status_code == 403
    assert client.get("/admin/subscribers/issuerequest/").status_code == 403
    assert b"private@example.org" not in client.get("/admin/").content


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(EXPORT).status_code == 302
    assert client.get(CHANGELIST).status_code == 302


def test_editor_group_does_not_get_the_list_permission_by_default():
    try:
        call_command("setup_roles", stdout=io.StringIO())
    except CommandError:
        pytest.skip("setup_roles comes with the foundation branch")
    group = Group.objects.get(name="Editor")
    assert not group.permissions.filter(codename="view_subscriber_list").exists()


def test_changelist_shows_counts_per_status(client, list_keeper):
    SubscriberFactory.create_batch(3)
    SubscriberFactory(status=Subscriber.Status.PENDING)
    SubscriberFactory.create_batch(2, status=Subscriber.Status.UNSUBSCRIBED)
    html = client.get(CHANGELIST).content.decode()
    assert "<strong>Active:</strong> 3" in html
    assert "<strong>Pending confirmation:</strong> 1" in html
    assert "<strong>Unsubscribed:</strong> 2" in html
    assert "<strong>Bounced:</strong> 0" in html


def test_changelist_query_count_does_not_grow_with_the_list(
    client, list_keeper, django_assert_max_num_queries
):
    SubscriberFactory.create_batch(3)
    with django_assert_max_num_queries(12) as small:
        client.get(CHANGELIST)
    SubscriberFactory.create_batch(40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(CHANGELIST)


def test_changelist_filters_and_search(client, list_keeper):
    SubscriberFactory(email="ailsa@example.org", organisation="Fife Food Bank")
    SubscriberFactory(email="gone@example.org", status=Subscriber.Status.UNSUBSCRIBED)
    searched = client.get(CHANGELIST, {"q": "Fife"}).content.decode()
    assert "ailsa@example.org" in searched
    assert "gone@example.org" not in searched
    filtered = client.get(CHANGELIST, {"status__exact": "unsubscribed"}).content.decode()
    assert "gone@example.org" in filtered
    assert "ailsa@example.org" not in filtered


def test_detail_shows_the_consent_record_read_only(client, list_keeper):
    subscriber = SubscriberFactory(
        consent_text="By pressing the button you agree.",
        consent_version="2026-11",
        consent_source="/briefings/2024/01/03/",
    )
    html = client.get(f"{CHANGELIST}{subscriber.pk}/change/").content.decode()
    assert "Consent record" in html
    assert "By pressing the button you agree." in html
    assert "/briefings/2024/01/03/" in html
    assert 'name="consent_text"' not in html


def test_export_streams_active_subscribers_with_formulas_defused(client, list_keeper):
    SubscriberFactory(email="a@example.org", name='=HYPERLINK("http://evil")')
    SubscriberFactory(email="left@example.org", status=Subscriber.Status.UNSUBSCRIBED)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == services.EXPORT_COLUMNS
    assert [row[0] for row in rows[1:]] == ["a@example.org"]
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'


IMPORT_CSV = """name,email,organisation,consent source,consent date
Morag Campbell,morag@example.org,Angus Trust,Paper form at AGM,2024-03-01
Bad Row,not-an-address,,Paper form,2024-03-01
Left Earlier,left@example.org,,Paper form,2024-03-01
Erased Person,erased@example.org,,Paper form,2024-03-01
No Date,nodate@example.org,,Paper form,
Future,future@example.org,,Paper form,2999-01-01
Injected,"x@example.org
Bcc: y@example.org",,Paper form,2024-03-01
"""


def test_import_adds_valid_rows_reports_bad_lines_and_changes_nothing_on_reimport():
    SubscriberFactory(email="LEFT@example.org", status=Subscriber.Status.UNSUBSCRIBED)
    ErasedAddress.objects.create(email_hash=hash_address("Erased@Example.org"))
    report = services.import_subscribers(lines=io.StringIO(IMPORT_CSV))
    assert report.added == 1
    assert report.refused == 2
    assert [line for line, _ in report.errors] == [3, 6, 7, 9]
    morag = Subscriber.objects.get(email="morag@example.org")
    assert morag.status == Subscriber.Status.ACTIVE
    assert morag.consent_source == "Paper form at AGM"
    assert morag.consent_at.date().isoformat() == "2024-03-01"
    assert not Subscriber.objects.with_email("erased@example.org").exists()
    assert Subscriber.objects.with_email("left@example.org").get().status == "unsubscribed"

    before = list(Subscriber.objects.order_by("pk").values())
    again = services.import_subscribers(lines=io.StringIO(IMPORT_CSV))
    assert again.added == 0
    assert again.unchanged == 1
    assert list(Subscriber.objects.order_by("pk").values()) == before


def test_import_refuses_a_file_with_the_wrong_columns():
    report = services.import_subscribers(lines=io.StringIO("email,name\na@example.org,A\n"))
    assert report.errors[0][0] == 1
    assert not Subscriber.objects.exists()


def test_admin_import_page_uploads_and_reports(client, list_keeper):
    page = client.get(IMPORT)
    assert page.status_code == 200
    upload = SimpleUploadedFile("list.csv", IMPORT_CSV.encode("utf-8-sig"), "text/csv")
    response = client.post(IMPORT, {"file": upload})
    html = response.content.decode()
    assert "3 added" in html
    assert "Line 3:" in html
    assert Subscriber.objects.filter(email="morag@example.org").exists()


def test_admin_import_of_a_non_utf8_file_gets_a_message(client, list_keeper):
    latin1 = (IMPORT_CSV + "Zo\xe9,zoe@example.org,,Form,2024-01-01\n").encode("latin-1")
    upload = SimpleUploadedFile("list.csv", latin1, "text/csv")
    response = client.post(IMPORT, {"file": upload})
    assert response.status_code == 200
    assert "UTF-8" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_import_command_reports_lines_and_totals(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(IMPORT_CSV, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_subscribers", str(path), stdout=out, stderr=err)
    assert "3 added" in out.getvalue()
    assert "Line 3 skipped. " in err.getvalue()
    assert ".;" not in err.getvalue()
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_subscribers", str(tmp_path / "missing.csv"))


def test_erase_removes_personal_data_keeps_a_hash_and_blocks_reimport(client, eraser):
    subscriber = SubscriberFactory(email="Erase.Me@example.org", name="Erase Me")
    IssueRequest.objects.create(issue=IssueFactory(), email="erase.me@EXAMPLE.org")
    asked = client.post(
        CHANGELIST, {"action": "erase_selected", "_selected_action": [subscriber.pk]}
    )
    assert asked.status_code == 200  # "Are you sure?" first: it cannot be undone
    assert Subscriber.objects.exists()
    response = client.post(
        CHANGELIST,
        {"action": "erase_selected", "_selected_action": [subscriber.pk], "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Erased 1 subscriber. Only a hash of each address is kept" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert not IssueRequest.objects.exists()
    [erased] = ErasedAddress.objects.all()
    assert erased.email_hash == hash_address("erase.me@example.org")
    assert "example.org" not in erased.email_hash
    report = services.import_subscribers(
        lines=io.StringIO(
            "name,email,organisation,consent source,consent date\n"
            "Erase Me,erase.me@example.org,,List,2024-01-01\n"
        )
    )
    assert report.refused == 1
    assert not Subscriber.objects.exists()


def test_erasing_asks_first_and_names_who_will_be_erased(client, eraser):
    SubscriberFactory(email="stays@example.org")
    going = SubscriberFactory(email="going@example.org")

    page = client.post(
        CHANGELIST, {"action": "erase_selected", "_selected_action": [going.pk]}
    ).content.decode()

    assert "Are you sure" in page
    assert "going@example.org" in page and "stays@example.org" not in page
    assert Subscriber.objects.count() == 2


def test_pressing_yes_on_the_are_you_sure_page_erases_the_subscriber(client, eraser):
    subscriber = SubscriberFactory(email="going@example.org")
    page = client.post(
        CHANGELIST, {"action": "erase_selected", "_selected_action": [subscriber.pk]}
    ).content.decode()

    # What the page's "Yes, I’m sure" button sends: its form's hidden fields, as they are.
    form = page[page.index('<form method="post">') :]
    form = form[: form.index("</form>")]
    sent = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        sent.setdefault(name, []).append(value)
    response = client.post(CHANGELIST, sent, follow=True)

    assert "Erased 1 subscriber." in response.content.decode()
    assert not Subscriber.objects.exists()
    [erased] = ErasedAddress.objects.all()
    assert erased.email_hash == hash_address("going@example.org")


def test_the_list_offers_erasing_but_not_a_delete_that_would_let_an_import_add_them_back(
    client, eraser
):
    SubscriberFactory()
    page = client.get(CHANGELIST).content.decode()
    assert 'value="erase_selected"' in page
    assert 'value="delete_selected"' not in page


def test_deleting_one_subscriber_from_their_page_erases_them(client, eraser):
    subscriber = SubscriberFactory(email="one@example.org")
    url = f"/admin/subscribers/subscriber/{subscriber.pk}/delete/"

    response = client.post(url, {"post": "yes"}, follow=True)

    assert "Erased 1 subscriber." in response.content.decode()
    assert not Subscriber.objects.exists()
    [erased] = ErasedAddress.objects.all()
    assert erased.email_hash == hash_address("one@example.org")


def test_erasing_needs_the_permission_to_delete_subscribers(client, list_keeper):
    subscriber = SubscriberFactory()
    assert 'value="erase_selected"' not in client.get(CHANGELIST).content.decode()
    client.post(
        CHANGELIST,
        {"action": "erase_selected", "_selected_action": [subscriber.pk], "post": "yes"},
    )
    assert Subscriber.objects.exists()


def test_issue_requests_are_listed_in_the_admin(client, list_keeper):
    list_keeper.user_permissions.add(Permission.objects.get(codename="view_issuerequest"))
    IssueRequest.objects.create(issue=IssueFactory(), email="asked@example.org")
    html = client.get("/admin/subscribers/issuerequest/").content.decode()
    assert "asked@example.org" in html


def test_erasing_from_the_list_says_erased_once_not_also_deleted(client, eraser):
    subscriber = SubscriberFactory()

    page = client.post(
        CHANGELIST,
        {"action": "erase_selected", "_selected_action": [subscriber.pk], "post": "yes"},
        follow=True,
    ).content.decode()

    assert page.count("Erased 1 subscriber.") == 1
    assert "Successfully deleted" not in page


def test_a_subscribers_own_delete_page_asks_to_erase_and_says_erased_once(client, eraser):
    subscriber = SubscriberFactory(email="one@example.org")
    url = f"/admin/subscribers/subscriber/{subscriber.pk}/delete/"

    asked = client.get(url).content.decode()
    done = client.post(url, {"post": "yes"}, follow=True).content.decode()

    assert "Are you sure you want to erase the subscriber" in asked
    assert 'value="Yes, erase them"' in asked
    assert "cannot be undone" in asked
    assert done.count("Erased 1 subscriber.") == 1
    assert "was deleted successfully" not in done


def test_adding_an_address_already_on_the_list_in_other_capitals_says_so_plainly(
    client, list_keeper
):
    SubscriberFactory(email="morag@example.org")
    response = client.post(
        "/admin/subscribers/subscriber/add/",
        {"email": "Morag@Example.org", "name": "", "organisation": "", "status": "active"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is already a subscriber with this email address" in page
    assert "subscriber_email_unique_ci" not in page
    assert Subscriber.objects.count() == 1
