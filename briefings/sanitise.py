"""Clean editor HTML down to what the CKEditor toolbar can make.

Anything else (scripts, event handlers, styles, iframes, SVG, javascript: links) is dropped,
so whatever reaches the database is safe to mark as safe in templates and emails.
"""

from html import unescape
from urllib.parse import urlsplit

import nh3
from django.conf import settings

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "a", "ul", "ol", "li",
    "blockquote", "figure", "figcaption", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def _filter_attribute(tag, attribute, value):
    # Images may only come from our own media (uploads through the editor).
    if tag == "img" and attribute == "src":
        parts = urlsplit(value)
        own_media = settings.MEDIA_URL
        site = urlsplit(settings.SITE_URL)
        ours = parts.scheme in ("", "http", "https") and parts.netloc in ("", site.netloc)
        return value if ours and parts.path.startswith(own_media) else None
    return value


def sanitise_html(html):
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def is_blank_html(html):
    """True for editor HTML with nothing a reader would see: no words and no image.

    CKEditor can hand back `<p>&nbsp;</p>` for an editor nobody typed in.
    """
    if "<img" in (html or "").lower():
        return False
    text = nh3.clean(html or "", tags=set())
    return not unescape(text).replace("\xa0", " ").strip()
