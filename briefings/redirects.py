"""Old addresses (contrib.redirects) that still work when a link adds a query string."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.redirects.middleware import RedirectFallbackMiddleware
from django.contrib.redirects.models import Redirect
from django.contrib.sites.shortcuts import get_current_site
from django.shortcuts import render
from django.urls import Resolver404, resolve

from .models import Issue


def _leads_to_a_hidden_issue(path):
    """True if `path` is an issue or article whose issue is not public (taken off the site
    after its address changed): its new address is not the public's to learn yet."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return False
    if match.url_name not in ("issue-detail", "article-detail"):
        return False
    try:
        date = datetime.date(match.kwargs["year"], match.kwargs["month"], match.kwargs["day"])
    except ValueError:
        return False
    return not Issue.objects.published().filter(date=date).exists()


class OldAddressMiddleware(RedirectFallbackMiddleware):
    """Django's redirects, and for an address listed without a query string, the same address
    followed with one: links in old emails and social posts carry ?utm_source=... and the like,
    which Django's own lookup, by the whole address, misses. An old address that is itself a
    query (/index.php?page=12) still needs the whole address to match first.
    """

    def process_response(self, request, response):
        redirected = self._redirect(request, response)
        if redirected.status_code == 301 and _leads_to_a_hidden_issue(redirected["Location"]):
            return response
        if redirected.status_code == 410:
            # Django's answer has no body, so a reader following an old link saw a blank page.
            return render(request, "410.html", status=410)
        return redirected

    def _redirect(self, request, response):
        response = super().process_response(request, response)
        if response.status_code != 404 or not request.META.get("QUERY_STRING"):
            return response
        # As Django's own lookup sees the address: escaped (no NUL byte reaches PostgreSQL).
        paths = [request.get_full_path().split("?", 1)[0]]
        if settings.APPEND_SLASH and not request.path.endswith("/"):
            paths.append(request.get_full_path(force_append_slash=True).split("?", 1)[0])
        redirect = (
            Redirect.objects.filter(site=get_current_site(request), old_path__in=paths)
            .order_by("old_path")
            .first()
        )
        if redirect is None:
            return response
        if redirect.new_path == "":
            return self.response_gone_class()
        return self.response_redirect_class(redirect.new_path)
