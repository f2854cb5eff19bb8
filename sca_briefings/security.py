"""Small pieces of production hardening that settings alone cannot express."""

import functools

from django.conf import settings
from django.http import Http404, QueryDict
from django.urls import get_script_prefix, get_urlconf, reverse


@functools.lru_cache(maxsize=16)
def _admin_prefix(script_prefix, urlconf):
    # reverse() costs about 16 µs, a tenth of answering a cached page; the answer depends only
    # on these two.
    return reverse("admin:index", urlconf=urlconf)


class AdminContentSecurityPolicyMiddleware:
    """Give admin pages their own Content Security Policy (settings.SECURE_CSP_ADMIN).

    Sits just inside Django's ContentSecurityPolicyMiddleware, which reads the policy a
    response carries in `_csp_config` (the same attribute `@csp_override` sets).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        admin = _admin_prefix(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
        if request.path.startswith(admin) and not hasattr(response, "_csp_config"):
            response._csp_config = settings.SECURE_CSP_ADMIN
        return response


class ForwardedClientAddressMiddleware:
    """Behind nginx, put the visitor's address in REMOTE_ADDR (which would otherwise be the
    proxy's, 127.0.0.1, for everyone), so sign-in lockouts, rate limits and logs see people.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.TRUSTED_PROXY_COUNT:
            request.META["REMOTE_ADDR"] = client_ip(request)
        return self.get_response(request)


def client_ip(request):
    """The visitor's address.

    Behind TRUSTED_PROXY_COUNT proxies that each append to (or, like our nginx, overwrite)
    X-Forwarded-For, the client is that many entries from the end; anything further left was
    written by the client and cannot be trusted.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


class NullCharacterMiddleware:
    """PostgreSQL cannot store or compare a NUL character, and nobody types one: an address
    with one (/pages/%00/) is a 404, and one in the query string (an admin list search, the
    people picker's ?term=%00) is dropped, rather than each query failing with a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            raise Http404("No such page")
        if "%00" in request.META.get("QUERY_STRING", ""):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
