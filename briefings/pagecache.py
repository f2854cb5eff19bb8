"""Whole-page caching for the public site.

Public pages are the same for every visitor (no CSRF token, no session, no per-visitor bits),
so a rendered page is stored once and served to everybody until the content changes:

- the key holds `content_version()`, which editors' saves bump, so a save retires every cached
  page at once;
- the timeout never reaches past the next scheduled `publish_at`, because a scheduled issue
  becomes public with no save to bump the version;
- every answer carries an ETag, so a repeat visit gets a 304 with no body.

A response that sets or varies on a cookie is never stored: that would leak one visitor's
state to the next.

`PageCacheMiddleware`, placed right after WhiteNoise, answers a cached page before the session,
CSRF, authentication and message middleware and the URL resolver run, which makes a cached
page almost as cheap as a static file. It only ever serves what a `cache_public_page` view
stored, so admin pages, previews and POSTs never come from the cache. It stores the page as it
leaves the middleware below it, so headers those add (X-Frame-Options, a security policy) are
kept with it.
"""

import hashlib
import math
import re
import threading
import time
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotAllowed
from django.utils import timezone
from django.utils.cache import get_conditional_response, has_vary_header, patch_cache_control
from django.utils.http import quote_etag

from .models import Issue
from .services import content_version

# Browsers ask again on every visit (max-age=0) and get a bodiless 304 while the page is
# unchanged, so an editor's save shows on their next visit; with max-age=60 Chromium showed
# a page read a moment before the save for up to a minute. Shared caches (a CDN, should one be
# put in front) may keep a page this long.
SHARED_CACHE_SECONDS = 60
KEPT_HEADERS = ("X-Robots-Tag", "Content-Language")
# Set afresh for every answer, so not stored with a page.
ANSWER_HEADERS = {"content-type", "content-length", "etag", "cache-control", "expires", "date"}


def page_cache_timeout(seconds=None):
    """Seconds a page rendered now may be kept: PAGE_CACHE_SECONDS (or `seconds`), capped so it
    expires as the next scheduled issue goes public."""
    timeout = settings.PAGE_CACHE_SECONDS if seconds is None else seconds
    next_publish = (
        Issue.objects.scheduled()
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )
    if next_publish is not None:
        until = math.ceil((next_publish - timezone.now()).total_seconds())
        timeout = max(1, min(timeout, until))
    return timeout


# Each worker also keeps the pages it served last, under the same key. The key holds the
# content version, which is read from the shared cache on every request, so an editor's save
# still retires them at once; a hit then costs that one small read instead of reading and
# unpickling the whole page from the shared cache (bench/README.md has the numbers).
LOCAL_PAGES = 500
_local_pages = OrderedDict()  # key -> (expires at, entry)
_local_lock = threading.Lock()


def _get(key):
    with _local_lock:
        local = _local_pages.get(key)
        if local is not None and time.time() < local[0]:
            _local_pages.move_to_end(key)
            return local[1]
    stored = cache.get(key)
    if stored is None:
        return None
    expires, entry = stored
    _keep_locally(key, expires, entry)
    return entry


def _set(key, entry, timeout):
    expires = time.time() + timeout
    cache.set(key, (expires, entry), timeout)
    _keep_locally(key, expires, entry)


def _keep_locally(key, expires, entry):
    with _local_lock:
        _local_pages[key] = (expires, entry)
        _local_pages.move_to_end(key)
        while len(_local_pages) > LOCAL_PAGES:
            _local_pages.popitem(last=False)


def forget_local_pages():
    """Empty this process's copies (tests do, between tests)."""
    with _local_lock:
        _local_pages.clear()


# The sign-up form's signed start time changes every second, so with the page cache off no
# two renders were alike and no revalidation got a 304. It is no reason to send a page again:
# the copy a browser keeps stays good for SUBSCRIBERS_MAX_FORM_AGE_SECONDS (spam.py).
_STARTED_TIME = re.compile(rb'name="started" value="[^"]*"')


def _etag(content):
    content = _STARTED_TIME.sub(b"", content)
    return quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest())


def _is_storable(response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not has_vary_header(response, "Cookie")
    )


def _entry(response):
    """What the cache keeps of a response: body, content type, ETag and a few safe headers."""
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    content = response.content
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    return (content, response["Content-Type"], _etag(content), headers)


def _answer(request, content, content_type, etag, headers):
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        response = not_modified
    elif request.method == "HEAD":
        # Headers only, but the length a GET would have (the WSGI server sends no body).
        response = HttpResponse(b"", content_type=content_type)
        response["Content-Length"] = str(len(content))
    else:
        response = HttpResponse(content, content_type=content_type)
    if not_modified is None:
        for name, value in headers.items():
            response[name] = value
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=0, s_maxage=SHARED_CACHE_SECONDS)
    return response


# Change this whenever what is stored under a key changes shape, so that a new release never
# reads an entry an older one wrote (they simply expire).
KEY_PREFIX = "page-v2"


def _key(request):
    address = request.build_absolute_uri().encode()
    return f"{KEY_PREFIX}:{content_version()}:{hashlib.sha256(address).hexdigest()}"


ALLOWED_METHODS = ["GET", "HEAD", "OPTIONS"]


def cache_public_page(view):
    """Serve a public GET view from the page cache, with an ETag for conditional requests."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse()
            response["Allow"] = ", ".join(ALLOWED_METHODS)
            return response
        if request.method not in ALLOWED_METHODS:
            # Public pages only show things: a POST, PUT or TRACE is "not allowed", rather
            # than the page (TRACE) or the expired-form page (the CSRF check would answer
            # first, so the wrapper is exempt; it never runs the view for these).
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        if settings.PAGE_CACHE_SECONDS <= 0:
            response = view(request, *args, **kwargs)
            if not _is_storable(response):
                return response
            return _answer(request, *_entry(response))

        key = _key(request)
        entry = _get(key)
        if entry is None:
            response = view(request, *args, **kwargs)
            if not _is_storable(response):
                return response
            entry = _entry(response)
            if getattr(request, "page_cache_middleware", False):
                # The middleware stores it on the way out, with the headers added below it.
                answer = _answer(request, *entry)
                answer.page_cache_store = (key, entry)
                return answer
            _set(key, entry, page_cache_timeout())
        return _answer(request, *entry)

    wrapper.csrf_exempt = True
    return wrapper


class PageCacheMiddleware:
    """Serve cached public pages early; see the module's docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or settings.PAGE_CACHE_SECONDS <= 0:
            return self.get_response(request)
        entry = _get(_key(request))
        if entry is not None:
            return _answer(request, *entry)
        request.page_cache_middleware = True
        response = self.get_response(request)
        store = getattr(response, "page_cache_store", None)
        if store is not None and _is_storable(response):
            key, (content, content_type, etag, headers) = store
            headers = {
                name: value
                for name, value in response.items()
                if name.lower() not in ANSWER_HEADERS
            }
            _set(key, (content, content_type, etag, headers), page_cache_timeout())
        return response
