"""The remembered date filter gives exactly what Django's date filter gives."""

import datetime

from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation

from briefings.templatetags.briefings_extras import cached_date


def test_cached_date_matches_the_date_filter():
    day = datetime.date(2025, 12, 10)
    assert cached_date(day, "j F Y") == date_filter(day, "j F Y") == "10 December 2025"
    assert cached_date(day, "Y-m-d") == "2025-12-10"


def test_cached_date_follows_the_active_language():
    day = datetime.date(2025, 12, 10)
    assert cached_date(day, "F") == "December"
    with translation.override("de"):
        assert cached_date(day, "F") == "Dezember"
    assert cached_date(day, "F") == "December"


def test_cached_date_leaves_datetimes_to_the_date_filter():
    moment = timezone.now()
    assert cached_date(moment, "c") == date_filter(moment, "c")
