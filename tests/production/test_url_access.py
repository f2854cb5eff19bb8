"""Every URL pattern, requested by strangers and by staff without permissions.

The test walks the whole URLconf, so a new view is checked the moment it is routed. A URL
outside the admin must be classed below before the suite passes again: PUBLIC (anyone may
use it; it must still never 500) or PRIVATE (anonymous requests must be refused). Everything
in the admin namespace is private unless listed in PUBLIC.
"""

import itertools
import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.regex_helper import normalize

from tests.factories import (
    ArticleFactory,
    IssueFactory,
    OrganisationFactory,
    PersonFactory,
    SubscriberFactory,
)

# Anyone may request these. Keyed by "namespace:name" (or the route, for unnamed patterns).
PUBLIC = {
    "healthz",
    "healthz-worker",  # says only whether tasks wait too long for the worker
    "admin:login",  # the sign-in form itself
    "admin:logout",  # signing out shows nothing private
    "briefings:home",
    "briefings:issue-detail",
    "briefings:article-detail",
    "briefings:person-detail",
    "briefings:organisation-detail",
    "subscribers:subscribe",
    # Token links from emails: the signed token is the key; without a valid one they refuse.
    "subscribers:confirm",
    "subscribers:preferences",
    "subscribers:unsubscribe",
    # From the site, subscribers and email branches (unused until they are merged).
    "subscribers:issue-request",
    "subscribers:click",  # tracked links in emails: redirect to the article
    "briefings:archive",
    "briefings:archive-year",
    "briefings:person-list",
    "briefings:organisation-list",
    "briefings:topic-list",
    "briefings:topic-detail",
    "briefings:search",
    "briefings:page",
    "briefings:issues-rss",
    "briefings:issues-atom",
    "briefings:articles-rss",
    "briefings:articles-atom",
    "briefings:sitemap",
    "briefings:robots-txt",
    "briefings:favicon",
}

# Outside the admin namespace, but for signed-in staff only.
PRIVATE = {
    "ck_editor_5_upload_file",
}

# Every pattern in these namespaces must refuse strangers: the admin, and the mail
# provider's webhooks (django-anymail checks their shared secret).
PRIVATE_NAMESPACES = {"admin", "anymail"}

# Staff without any permission may still reach these admin pages (they show nothing private:
# an empty index, their own password form, the JavaScript catalogue, CKEditor's upload for
# staff by design).
STAFF_WITHOUT_PERMISSIONS_MAY_USE = {
    "admin:index",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:jsi18n",
    "admin:view_on_site",
    "ck_editor_5_upload_file",
}

# Values tried, in order, for each path parameter: the first its regex accepts is used.
SAMPLE_VALUES = ["1", "2024", "01", "sample", "auth"]

# 400: a request the view will not act on (e.g. a webhook without its credentials).
REFUSED = {400, 401, 403, 404, 405}


def iter_patterns(resolver=None, prefix=(), namespace=()):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace + ((pattern.namespace,) if pattern.namespace else ())
            yield from iter_patterns(pattern, prefix + (pattern,), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + (pattern,), namespace


def key_for(chain, namespace):
    route = "".join(str(p.pattern) for p in chain)
    name = chain[-1].name
    return ":".join(namespace + (name,)) if name else route


def fill(regex_source, object_id):
    """One concrete string that `regex_source` matches, with sample values for its groups."""
    template, params = normalize(regex_source)[0]
    choices = [
        ([object_id] if param == "object_id" and object_id else []) + SAMPLE_VALUES
        for param in params
    ]
    for combination in itertools.product(*choices):
        trial = template % dict(zip(params, combination, strict=True))
        if re.search(regex_source, trial):
            return trial
    raise AssertionError(f"No sample values fit {regex_source}")


def model_object_ids():
    """Map "app_model" (as in admin URL names) to the pk of an existing row, if any."""
    ids = {}
    for model in admin.site._registry:
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            ids[f"{model._meta.app_label}_{model._meta.model_name}"] = str(obj.pk)
    return ids


def all_urls():
    """(key, path, namespace) for every pattern, with sample values filled in."""
    ids = model_object_ids()
    urls = []
    for chain, namespace in iter_patterns():
        key = key_for(chain, namespace)
        object_id = next((pk for prefix, pk in ids.items() if f":{prefix}_" in key), None)
        path = "/" + "".join(fill(p.pattern.regex.pattern, object_id) for p in chain)
        # The sample path must at least route somewhere (else the samples are wrong). If it
        # routes to another view, an earlier pattern shadows this one: nobody can reach it,
        # and the earlier one is tested in its own right.
        if resolve(path).func != chain[-1].callback:
            continue
        urls.append((key, path, namespace))
    return urls


def is_private(key, namespace):
    if key in PUBLIC:
        return False
    return key in PRIVATE or bool(set(namespace) & PRIVATE_NAMESPACES)


def refused(response):
    if response.status_code in REFUSED:
        return True
    return response.status_code == 302 and "/login/" in response["Location"]


def refused_to_staff(key, response):
    if response.status_code in REFUSED:
        return True
    if response.status_code != 302:
        return False
    # The admin answers a missing object by going back to its index, and its old-style
    # object address (unnamed pattern) by pointing at the change page, which is tested too.
    return response["Location"] == reverse("admin:index") or not key.startswith("admin:")


@pytest.fixture
def some_content():
    """At least one row behind the main admin screens, so change views find something."""
    ArticleFactory(
        issue=IssueFactory(),
        people=[PersonFactory()],
        organisations=[OrganisationFactory()],
        tags=["housing"],
    )
    IssueFactory(draft=True)
    SubscriberFactory()


def test_every_url_pattern_is_classed_public_or_private():
    unclassed = [
        key
        for key, _path, namespace in all_urls()
        if key not in PUBLIC | PRIVATE and not set(namespace) & PRIVATE_NAMESPACES
    ]
    assert not unclassed, (
        f"New URL patterns: add each to PUBLIC or PRIVATE in {__file__}: {unclassed}"
    )


@pytest.mark.django_db
def test_private_urls_refuse_anonymous_visitors(client, some_content):
    failures = []
    checked = 0
    for key, path, namespace in all_urls():
        if not is_private(key, namespace):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            checked += 1
            if not refused(response):
                failures.append(f"{method.upper()} {path} ({key}) -> {response.status_code}")
    assert checked > 50  # the admin alone has dozens; fewer means the walk is broken
    assert not failures, "Reachable anonymously:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_public_urls_never_fail_with_a_server_error(client, some_content):
    client.raise_request_exception = False
    failures = []
    for key, path, namespace in all_urls():
        if is_private(key, namespace):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {path} ({key}) -> {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_admin_refuses_staff_without_permissions(client, some_content):
    staff = get_user_model().objects.create_user(
        "nopermissions", "staff@example.org", "x", is_staff=True
    )
    client.force_login(staff)
    counts_before = {model: model._default_manager.count() for model in admin.site._registry}
    failures = []
    checked = 0
    for key, path, namespace in all_urls():
        if not is_private(key, namespace) or key in STAFF_WITHOUT_PERMISSIONS_MAY_USE:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            checked += 1
            if not refused_to_staff(key, response):
                failures.append(f"{method.upper()} {path} ({key}) -> {response.status_code}")
    assert checked > 50
    assert not failures, "Reachable by staff without permissions:\n" + "\n".join(failures)
    counts_after = {model: model._default_manager.count() for model in admin.site._registry}
    assert counts_after == counts_before
