"""The admin's SVG charts stay readable on a phone and in the admin's dark theme."""

import re

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from subscribers import charts
from tests.factories import SubscriberFactory


def test_bar_chart_shrinks_to_fit_a_narrow_screen():
    svg = charts.bar_chart([("Village hall", 3)], title="Clicks per article")

    # Its width is 640 px: without this it ran off a 390 px phone screen.
    assert 'style="max-width: 100%; height: auto;"' in svg


@pytest.mark.parametrize(
    "svg",
    [
        charts.bar_chart([("Village hall", 3)], title="Clicks per article"),
        charts.line_chart([("1 Jun", 1), ("8 Jun", 2)], title="Confirmed subscribers"),
    ],
    ids=["bar", "line"],
)
def test_chart_text_is_dark_on_its_own_white_background(svg):
    # Unset, text is drawn black on the page behind: invisible in the admin's dark theme.
    assert 'fill="#1f1f1f"' in svg.split(">", 1)[0]
    assert '<rect width="100%" height="100%" fill="#ffffff"/>' in svg


@pytest.mark.django_db
def test_subscriber_list_gives_the_growth_chart_figures_as_a_table(client):
    user = User.objects.create_user("lister", "lister@example.org", "x", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_subscriber"),
        Permission.objects.get(codename="view_subscriber_list"),
    )
    client.force_login(user)
    SubscriberFactory.create_batch(3)

    page = client.get(reverse("admin:subscribers_subscriber_changelist")).content.decode()

    assert '<th scope="col">Week starting</th>' in page
    assert "<td>3</td>" in page


def test_long_link_labels_keep_their_ends_so_links_to_the_same_site_differ():
    svg = charts.bar_chart(
        [
            ("https://briefing.example.org/briefings/2026/11/25/village-hall-saved/", 4),
            ("https://briefing.example.org/briefings/2026/11/25/ferry-fares-frozen/", 2),
        ],
        title="Clicks per link",
    )

    labels = re.findall(r'text-anchor="end">([^<]*)<', svg)
    assert len(labels) == 2 and labels[0] != labels[1]
    assert all(len(label) <= 40 for label in labels)
    assert labels[0].startswith("https://briefing") and labels[0].endswith("village-hall-saved/")
