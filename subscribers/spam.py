"""Abuse limits for the public forms: a signed minimum fill time and rate limits.

The honeypot lives in forms.py. None of these needs a session or a cookie, so the pages that
carry the forms stay cacheable.
"""

import hashlib
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache

STARTED_SALT = "subscribers.form-started"


def min_fill_seconds():
    return getattr(settings, "SUBSCRIBERS_MIN_FILL_SECONDS", 3)


def max_form_age_seconds():
    # Must outlast the page cache: the form on a cached page carries the time that page was
    # rendered, which may be hours before a visitor reads it.
    return getattr(settings, "SUBSCRIBERS_MAX_FORM_AGE_SECONDS", 2 * 24 * 60 * 60)


def make_started_token():
    return signing.dumps(int(time.time()), salt=STARTED_SALT)


def _started_at(token):
    """When the form carrying `token` was rendered, or None for a missing, forged or expired
    token."""
    try:
        started = signing.loads(token or "", salt=STARTED_SALT, max_age=max_form_age_seconds())
    except signing.BadSignature:
        return None
    return started if isinstance(started, int) else None


def started_token_for(previous=None):
    """The start time for a form shown again: the one it was first sent with, if still good.

    A person who corrects a mistake at once has still been filling the form in since it was
    first shown; a fresh time would make them wait and press the button yet again.
    """
    if _started_at(previous) is not None:
        return previous
    return make_started_token()


def started_token_is_fresh_enough(token):
    """True when the form was rendered long enough ago for a person to have filled it in.

    False for a missing, forged, expired or too-recent token. The check is lenient on
    purpose: the form on every page comes from the page cache, so its time is when the page
    was rendered, not when this visitor opened it. It still stops a bot that fetches a fresh
    form and posts at once; a person who is merely quick (or whose cached form is too old)
    gets the full form again and presses the button once more.
    """
    started = _started_at(token)
    if started is None:
        return False
    return min_fill_seconds() <= time.time() - started <= max_form_age_seconds()


def _ip_limit():
    """(requests, window in seconds) from one IP address."""
    return getattr(settings, "SUBSCRIBERS_RATE_LIMIT_PER_IP", (10, 60 * 60))


def _address_limit():
    """(requests, window in seconds) for one email address."""
    return getattr(settings, "SUBSCRIBERS_RATE_LIMIT_PER_ADDRESS", (3, 60 * 60))


def client_ip(request):
    # The production proxy is expected to set REMOTE_ADDR to the real client address; a
    # forwarded-for header from the client itself would let a bot pick its own bucket.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(scope, key, *, limit, window):
    """Count one attempt; return True while the count within the window is within `limit`.

    cache.add then cache.incr is atomic in Redis (and in the per-process local-memory
    cache), so simultaneous requests from several workers cannot all slip under the limit.
    The on-disk cache used without Redis shares counts between workers but increments by
    read-and-write, so there a burst of simultaneous requests may go a little over.
    """
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    bucket = int(time.time() // window)
    cache_key = f"subscribers:rate:{scope}:{digest}:{bucket}"
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window)
        count = 1
    else:
        # Caches without a native increment (the on-disk one) rewrite the key with the
        # default timeout; put the window back so a slow, steady flood is still counted.
        cache.touch(cache_key, window)
    return count <= limit


def seconds_until_limits_reset():
    """How long until every rate limit counts afresh: they count in whole windows of the
    clock (see hit), so a visitor over a limit may try again when the next one starts."""
    now = time.time()
    windows = {_ip_limit()[1], _address_limit()[1]}
    return max(int(window - now % window) + 1 for window in windows)


def allow_ip(request, *, scope):
    limit, window = _ip_limit()
    return hit(f"{scope}:ip", client_ip(request), limit=limit, window=window)


def allow_address(email, *, scope):
    limit, window = _address_limit()
    return hit(f"{scope}:address", email.strip().lower(), limit=limit, window=window)
