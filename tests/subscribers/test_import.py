"""Importing a subscriber list: all or nothing, within a stated size, in a constant number of
queries. The rules for each row are pinned in test_admin.py as well."""

import io

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from subscribers import forms, services
from subscribers.models import ErasedAddress, Subscriber, hash_address
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

IMPORT = "/admin/subscribers/subscriber/import/"
HEADER = "name,email,organisation,consent source,consent date\n"


@pytest.fixture
def list_keeper(client):
    user = User.objects.create_user("keeper", "keeper@example.org", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="subscribers",
            codename__in=["view_subscriber", "add_subscriber", "view_subscriber_list"],
        )
    )
    client.force_login(user)
    return user


def csv_of(emails):
    return HEADER + "".join(f"Reader,{email},,Paper form,2024-03-01\n" for email in emails)


def import_text(text):
    return services.import_subscribers(lines=io.StringIO(text, newline=""))


def test_import_stopped_part_way_leaves_no_subscriber_behind(monkeypatch):
    # Small batches, so that some rows are written before the one that is stopped.
    monkeypatch.setattr(services, "IMPORT_BATCH_SIZE", 5, raising=False)
    emails = [f"reader{n}@example.org" for n in range(30)]
    emails[24] = "stopped.here@example.org"

    def stop_the_worker(execute, sql, params, many, context):
        # What gunicorn does at its timeout: the sync worker raises SystemExit mid-request.
        if sql.startswith("INSERT") and "stopped.here@example.org" in str(params):
            raise SystemExit(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(stop_the_worker), pytest.raises(SystemExit):
        import_text(csv_of(emails))
    assert not Subscriber.objects.exists()


def test_import_of_more_rows_than_the_limit_is_refused_whole_with_a_message(
    client,
    list_keeper,
    monkeypatch,
):
    monkeypatch.setattr(services, "IMPORT_MAX_ROWS", 3)
    four = csv_of(["a@example.org", "b@example.org", "c@example.org", "d@example.org"])
    upload = SimpleUploadedFile("list.csv", four.encode(), "text/csv")
    response = client.post(IMPORT, {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The file has more than 3 rows" in html
    assert "Nothing has been imported." in html
    assert not Subscriber.objects.exists()

    report = import_text(csv_of(["a@example.org", "b@example.org", "c@example.org"]))
    assert report.added == 3


def test_import_of_a_file_larger_than_the_limit_is_refused_with_a_message(
    client,
    list_keeper,
    monkeypatch,
):
    monkeypatch.setattr(forms, "IMPORT_MAX_BYTES", 100)
    text = csv_of(["a@example.org", "b@example.org", "c@example.org"])
    assert len(text.encode()) > 100
    upload = SimpleUploadedFile("list.csv", text.encode(), "text/csv")
    response = client.post(IMPORT, {"file": upload})
    assert response.status_code == 200
    assert "The file is larger than" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_import_page_states_the_size_limits(client, list_keeper):
    html = client.get(IMPORT).content.decode()
    assert "at most 150,000 rows and be at most 20 MB" in html


def test_import_command_refuses_a_file_over_the_row_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "IMPORT_MAX_ROWS", 1)
    path = tmp_path / "list.csv"
    path.write_text(csv_of(["a@example.org", "b@example.org"]), encoding="utf-8")
    with pytest.raises(CommandError, match="more than 1 rows"):
        call_command("import_subscribers", str(path))
    assert not Subscriber.objects.exists()


def mixed_list(prefix, rows):
    """`rows` rows, a tenth each of them already active, unsubscribed, erased, repeated and
    broken; the rest new."""
    emails = []
    for n in range(rows):
        email = f"{prefix}{n}@example.org"
        kind = n % 10
        if kind == 0:
            SubscriberFactory(email=email)
        elif kind == 1:
            SubscriberFactory(email=email, status=Subscriber.Status.UNSUBSCRIBED)
        elif kind == 2:
            ErasedAddress.objects.create(email_hash=hash_address(email))
        elif kind == 3:
            email = f"{prefix}{n - 1}@example.org".upper()
        elif kind == 4:
            email = "not-an-address"
        emails.append(email)
    return csv_of(emails)


def test_import_query_count_does_not_grow_with_the_rows():
    counts = {}
    for rows in (10, 200):
        text = mixed_list(f"list{rows}-", rows)
        with CaptureQueriesContext(connection) as queries:
            report = import_text(text)
        counts[rows] = len(queries)
        assert report.added == rows // 10 * 5
        assert report.unchanged == rows // 10
        assert report.refused == rows // 10 * 3  # unsubscribed, erased and the erased repeated
        assert len(report.errors) == rows // 10
    assert counts[200] == counts[10]


def test_an_address_repeated_in_the_file_is_added_once_and_then_counted_as_on_the_list():
    SubscriberFactory(email="left@example.org", status=Subscriber.Status.UNSUBSCRIBED)
    ErasedAddress.objects.create(email_hash=hash_address("erased@example.org"))
    report = import_text(
        csv_of(
            [
                "not-an-address",
                "twice@example.org",
                "Twice@Example.org",
                "left@example.org",
                "LEFT@example.org",
                "erased@example.org",
                "Erased@example.org",
            ]
        )
    )
    assert (report.added, report.unchanged, report.refused) == (1, 1, 4)
    assert [line for line, _ in report.errors] == [2]
    assert Subscriber.objects.get(email__iexact="twice@example.org").email == "twice@example.org"
    assert Subscriber.objects.count() == 2


def test_an_address_that_signs_up_during_the_import_is_left_as_it_is():
    signed_up = []

    def sign_up_meanwhile(execute, sql, params, many, context):
        # Once the import has looked for the file's addresses among the erased, someone signs
        # up with one of them before the import adds it.
        result = execute(sql, params, many, context)
        if "subscribers_erasedaddress" in sql and not signed_up:
            signed_up.append(
                SubscriberFactory(email="Late@example.org", name="Late", status="pending")
            )
        return result

    with connection.execute_wrapper(sign_up_meanwhile):
        report = import_text(csv_of(["early@example.org", "late@example.org", "last@example.org"]))
    assert (report.added, report.unchanged, report.refused) == (2, 1, 0)
    late = Subscriber.objects.with_email("late@example.org").get()
    assert (late.email, late.name, late.status) == ("Late@example.org", "Late", "pending")
    assert Subscriber.objects.count() == 3


@pytest.mark.parametrize("date", ["0001-01-01T00:00:00+01:00", "0024-03-01", "1899-12-31"])
def test_a_consent_date_with_an_impossible_year_is_reported_and_its_row_left_out(date):
    report = services.import_subscribers(
        lines=io.StringIO(
            "name,email,organisation,consent source,consent date\n"
            f"Early,early@example.org,,Paper form,{date}\n"
            "Morag Campbell,morag@example.org,,Paper form,2024-03-01\n"
        )
    )
    assert report.errors == [(2, "The consent date is before 1990: check the year.")]
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["morag@example.org"]
