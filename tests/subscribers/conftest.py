import re
import time

import pytest
from django.core import signing
from django.core.cache import cache

from subscribers import consent, spam


@pytest.fixture(autouse=True)
def clear_rate_limits():
    # Rate-limit counters live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


def started_token(seconds_ago=60):
    """The signed start time a form rendered `seconds_ago` would carry."""
    return signing.dumps(int(time.time()) - seconds_ago, salt=spam.STARTED_SALT)


def signup_data(**overrides):
    data = {
        "name": "Morag Campbell",
        "email": "morag@example.org",
        "organisation": "Angus Community Trust",
        "website": "",
        "started": started_token(),
        "consent_version": consent.CURRENT_VERSION,
        "source": "/",
    }
    data.update(overrides)
    return data


LINK = re.compile(r"https?://[^\s\"<>]+")


def links_in(message, contains):
    """Links in the plain-text part of a received message whose path contains `contains`."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    return [link for link in LINK.findall(body) if contains in link]


def path_of(url):
    from urllib.parse import urlsplit

    return urlsplit(url).path


def main_of(response):
    """The page's main content (the sign-up box beside it carries a render time)."""
    html = response.content.decode()
    return html.split("<main", 1)[1].split("</main>", 1)[0]
