"""The Content Security Policy, tried in Chromium: nothing the pages need is blocked."""

import pytest
from django.contrib import admin
from django.urls import clear_url_caches, reverse

from briefings.models import Issue
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Recorded in the page before any of its own scripts run; Playwright's init scripts are not
# subject to the page's policy.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def watch(page):
    console_errors = []
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    page.add_init_script(WATCH_VIOLATIONS)
    return console_errors


def violations(page):
    return page.evaluate("window.__cspViolations")


@pytest.fixture
def admin_urls(settings):
    """The real admin if it edits issues yet, otherwise a bare Issue admin."""
    if not admin.site.is_registered(Issue):
        settings.ROOT_URLCONF = "tests.production.urls_ckeditor_admin"
        clear_url_caches()
    yield
    clear_url_caches()


def test_admin_issue_form_with_ckeditor_runs_under_the_admin_policy(
    page, live_server, admin_urls, django_user_model
):
    django_user_model.objects.create_superuser("chief", "chief@example.org", "a long passphrase")
    console_errors = watch(page)

    # Sign in through the real form (secure session cookie, axes in the way).
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "a long passphrase")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")

    response = page.goto(live_server.url + "/admin/briefings/issue/add/")
    assert "'unsafe-eval'" not in response.headers["content-security-policy"]
    editor = page.locator(".ck-editor__editable").first
    editor.wait_for(state="visible", timeout=15000)
    editor.click()
    page.keyboard.type("Community anchors are carrying more than their share.")
    assert "Community anchors" in editor.inner_text()
    # Open a toolbar drop-down: CKEditor positions its panels at run time.
    page.locator(".ck-heading-dropdown button").first.click()
    page.locator(".ck-list__item button", has_text="Heading").first.click()

    assert violations(page) == []
    assert [e for e in console_errors if "Content Security Policy" in e] == []


def test_public_page_runs_under_the_strict_policy(page, live_server):
    article = ArticleFactory()
    console_errors = watch(page)
    for url in [reverse("briefings:home"), article.issue.get_absolute_url()]:
        response = page.goto(live_server.url + url)
        assert response.status == 200
        policy = response.headers["content-security-policy"]
        assert "script-src 'self';" in policy
        assert "unsafe" not in policy
        assert violations(page) == []
    assert [e for e in console_errors if "Content Security Policy" in e] == []
