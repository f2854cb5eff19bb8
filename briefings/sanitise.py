"""Clean editor HTML down to what the CKEditor toolbar can make.

Anything else (scripts, event handlers, styles, iframes, SVG, javascript: links) is dropped,
so whatever reaches the database is safe to mark as safe in templates and emails.
"""

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import nh3
from django.conf import settings
from django.utils.html import strip_tags

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "sup", "sub", "a", "ul", "ol",
    "li", "blockquote", "figure", "figcaption", "img",
    # Tables pasted from Word or a spreadsheet (the editor keeps them; figures need them).
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# CKEditor marks its block images and tables with these; without them it opens a saved
# picture again as a small image inside a paragraph.
ALLOWED_CLASSES = {"figure": {"image", "table"}}


# "www.example.org/report" or "gov.scot": a host name, typed without its scheme.
_BARE_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(?::\d+)?([/?#]|$)", re.IGNORECASE)
_BARE_EMAIL = re.compile(r"^[^@\s/:]+@[a-z0-9-]+(\.[a-z0-9-]+)+$", re.IGNORECASE)
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_A_WITHOUT_HREF = re.compile(r"<a(?=[\s>])(?![^>]*\shref=)[^>]*>(.*?)</a>", re.DOTALL)


class _Links(HTMLParser):
    """Each link's address and words, as (href, text)."""

    def __init__(self):
        super().__init__()
        self.links, self.images, self.described, self._open = [], [], [], None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open = [dict(attrs).get("href") or "", ""]
        elif tag == "img":
            self.images.append(dict(attrs).get("src") or "")
            self.described.append("alt" in dict(attrs))

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            self.links.append(tuple(self._open))
            self._open = None


def _parsed(html):
    parser = _Links()
    parser.feed(html or "")
    parser.close()
    return parser


def unusable_links(html):
    """(address, words) of each link that sanitise_html would take away: an address that is
    not a web page, a relative address or an email address (javascript:, data:, file:, ...)."""
    return [
        (href.strip(), " ".join(text.split()))
        for href, text in _parsed(html).links
        if _scheme(href) not in ALLOWED_URL_SCHEMES | {""}
    ]


def unreadable_links(html):
    """(address, words) of each link whose address cannot be read at all, such as
    "https://[::1/report" (cut short in the copying): sanitise_html takes it away."""
    return [
        (href.strip(), " ".join(text.split()))
        for href, text in _parsed(html).links
        if _unreadable(href)
    ]


def _unreadable(href):
    try:
        urlsplit(href.strip())
    except ValueError:
        return True
    return False


def links_with_spaces(html):
    """(address, words) of each web link with a space in its address. The sanitiser takes
    away one with a space in the site's name ("https://exa mple.org") and keeps the others,
    which email programs can cut short at the space. Email links are left alone: a space in
    their subject is read as one."""
    return [
        (href.strip(), " ".join(text.split()))
        for href, text in _parsed(html).links
        if _scheme(href) in {"http", "https", ""} and any(ch.isspace() for ch in href.strip())
    ]


def foreign_images(html):
    """The address of each image sanitise_html would take away: one not uploaded here (an
    image on another site, or one pasted in from another program as data:)."""
    return [src for src in _parsed(html).images if _filter_attribute("img", "src", src) is None]


def undescribed_images(html):
    """For each image, in order, whether it lacks a text alternative (alt). Without one a
    screen reader reads out the file name, and the page is not valid HTML; an empty alt="" is
    kept, as it says the image is only decoration.

    Every image counts, as the editor shows them all until the save, but one from elsewhere
    is refused for that (foreign_images), not for lacking a description.
    """
    parsed = _parsed(html)
    return [
        not described and _filter_attribute("img", "src", src) is not None
        for src, described in zip(parsed.images, parsed.described, strict=True)
    ]


def _scheme(href):
    try:
        return urlsplit(href.strip()).scheme.lower()
    except ValueError:  # "http://[::1": unreadable_links names it
        return ""


def _filter_attribute(tag, attribute, value):
    if tag == "a" and attribute == "href":
        # Links pasted or typed without a scheme were saved relative to the page, so
        # "www.fife.gov.uk/budget" led to /briefings/.../www.fife.gov.uk/budget, a 404.
        if _BARE_HOST.match(value):
            return "https://" + value
        if _BARE_EMAIL.match(value):
            return "mailto:" + value
        return value
    if attribute in ("colspan", "rowspan"):
        return value if value.isdigit() and 1 <= int(value) <= 100 else None
    if attribute == "scope":
        return value if value in ("row", "col", "rowgroup", "colgroup") else None
    # Images may only come from our own media (uploads through the editor).
    if tag == "img" and attribute == "src":
        parts = urlsplit(value)
        own_media = settings.MEDIA_URL
        site = urlsplit(settings.SITE_URL)
        ours = parts.scheme in ("", "http", "https") and parts.netloc in ("", site.netloc)
        # A browser resolves dot segments (also written %2e, or with backslashes), so
        # "/media/../admin/" would load a page from elsewhere on the site, not an upload.
        segments = unquote(parts.path).replace("\\", "/").split("/")
        inside_media = not {".", ".."} & set(segments)
        return value if ours and parts.path.startswith(own_media) and inside_media else None
    return value


def sanitise_html(html):
    if not html:
        return ""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=_filter_attribute,
        allowed_classes=ALLOWED_CLASSES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # An image from elsewhere loses its src above; the empty <img> left would show as broken.
    # A link whose address was taken away is kept as plain words, not styled as a link.
    return _A_WITHOUT_HREF.sub(r"\1", _IMG_WITHOUT_SRC.sub("", cleaned)).strip()


def is_blank_html(html):
    """True for editor HTML with nothing a reader would see: no words and no image.

    CKEditor can hand back `<p>&nbsp;</p>` for an editor nobody typed in.
    """
    if "<img" in (html or "").lower():
        return False
    text = nh3.clean(html or "", tags=set())
    return not unescape(text).replace("\xa0", " ").strip()


_BLOCK_END = re.compile(
    r"(</(?:p|li|h[1-6]|blockquote|figcaption|div|caption|th|td)\s*>|<br\s*/?>)", re.IGNORECASE
)


def plain_text(html):
    """Editor HTML as one line of plain text, with a space where one block ends and the next
    begins ("See the budget.</p><ul><li>halls" read "See the budget.halls")."""
    return " ".join(strip_tags(_BLOCK_END.sub(r"\1 ", html or "")).split())
