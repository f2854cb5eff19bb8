import datetime
import functools
import json
import re

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.template.defaultfilters import date as date_filter
from django.urls import get_script_prefix
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# The same escapes as Django's json_script: nothing inside can close the <script> element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def jsonld(data):
    """Render a dict as schema.org JSON-LD. It is data, not executable script."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


_TABLE = re.compile(r"<table(?=[\s>])")


@register.filter
def prose(html):
    """Editor HTML, already sanitised on saving, for a page. A wide table scrolls sideways
    inside itself on a phone (site.css); a box that scrolls must take the keyboard's focus, or
    a reader without a mouse cannot reach the columns on its right."""
    return mark_safe(_TABLE.sub('<table tabindex="0"', html or ""))  # noqa: S308


@register.simple_tag(takes_context=True)
def page_url(context, obj):
    """The address of an issue's or article's page; in a staff preview, the address of its
    preview, since an issue not yet public has no public page to follow "Read more" to."""
    return obj.get_preview_url() if context.get("preview") else obj.get_absolute_url()


@register.simple_tag(takes_context=True)
def nav_current(context, url):
    """aria-current for a navigation link: "page" on the page itself, "true" within its part
    of the site (an issue is within the archive); the home link only on the home page."""
    request = context.get("request")
    path = request.path if request else ""
    if path == url:
        return mark_safe(' aria-current="page"')
    if path.startswith(url) and url != get_script_prefix():
        return mark_safe(' aria-current="true"')
    return ""


@functools.lru_cache(maxsize=4096)
def _formatted_date(value, format_string, language):
    return date_filter(value, format_string)


@register.filter
def cached_date(value, format_string):
    """Django's `date` filter, remembered for plain dates (not datetimes).

    Lists show a date or two per row and each `date` costs about 20 µs, a tenth of the archive
    page's render; a date's text depends only on the date, the format and the language.
    """
    if type(value) is not datetime.date:
        return date_filter(value, format_string)
    return _formatted_date(value, format_string, get_language())
