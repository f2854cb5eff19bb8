"""The email edition of an issue.

Rendering templates and inlining CSS costs ~15 ms, far too much to repeat for every reader. So
an issue is rendered ONCE per send (`PreparedIssue`), with placeholders such as `@@L3@@` where
personal links go, and split into literal pieces. Each reader's copy is then those pieces
joined with their own links, and the MIME bytes are assembled directly (quoted-printable by
`binascii`, in C). That is a few hundred microseconds a message instead of tens of
milliseconds.
"""

import base64
import binascii
import datetime
import hashlib
import hmac
import html
import re
import textwrap
import uuid
from email.message import EmailMessage as MIMEMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from html.parser import HTMLParser
from urllib.parse import urlsplit

import css_inline
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse

from briefings.models import articles_for_page
from briefings.sanitise import plain_text

CLICK_SALT = "subscribers.click"
PLACEHOLDER = re.compile(r"@@([A-Z]+[0-9]*)@@")
DELIVERY_HEADER = "X-SCA-Delivery"


def issue_subject(issue):
    return issue.email_subject or f"{settings.SITE_NAME} Briefing – {issue.date:%-d %B %Y}"


def site_domain():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def list_id():
    return f"{settings.SITE_NAME} Briefing <briefing.{site_domain()}>"


# --- Click tokens ---------------------------------------------------------------------------
# A token signs "<delivery id>.<target>", where the target is one of:
#   i          the issue's web page ("view in browser")
#   a<id>      an article's web page ("Read more")
#   s<id>      an article's source link
#   u<base64>  a link the editor put in the leader, stored in the token itself
# Only targets we signed can be reached, so /r/ is never an open redirect.


def _signer():
    return signing.Signer(salt=CLICK_SALT)


def fast_signer(salt):
    """Signer(salt=salt).sign, with the HMAC key derived once rather than per call.

    Produces exactly what django.core.signing.Signer does (salted_hmac with SHA-256), so
    Signer.unsign reads it; a message has ~30 links, so this saves real time per reader.
    """
    signer = signing.Signer(salt=salt)
    key = hashlib.sha256((signer.salt + "signer" + signer.key).encode()).digest()
    base = hmac.new(key, digestmod=hashlib.sha256)

    def sign(value):
        mac = base.copy()
        mac.update(value.encode())
        return f"{value}:{base64.urlsafe_b64encode(mac.digest()).decode().rstrip('=')}"

    return sign


def make_click_token(delivery_id, target):
    return _signer().sign(f"{delivery_id}.{target}")


def read_click_token(token):
    """Return (delivery_id, target) or raise signing.BadSignature."""
    value = _signer().unsign(token)
    delivery_id, _, target = value.partition(".")
    if not delivery_id.isdigit() or not target:
        raise signing.BadSignature("Malformed click token")
    return int(delivery_id), target


def url_target(url):
    return "u" + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def decode_url_target(code):
    raw = code[1:]
    return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()


def click_url(token):
    return settings.SITE_URL + reverse("subscribers:click", kwargs={"token": token})


# --- Rendering ------------------------------------------------------------------------------


class _LeaderLinks(HTMLParser):
    """Make every link and image in the leader absolute, and collect the links."""

    def __init__(self, track):
        super().__init__(convert_charrefs=True)
        self.track = track
        self.out = []
        self.links = []  # absolute URLs, in order

    def _absolute(self, url):
        return settings.SITE_URL + url if url.startswith("/") else url

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            href = self._absolute(attrs["href"])
            if self.track and href.startswith(("http://", "https://")):
                self.links.append(href)
                href = f"@@U{len(self.links) - 1}@@"
            attrs["href"] = href
        if tag == "img" and attrs.get("src"):
            attrs["src"] = self._absolute(attrs["src"])
            attrs.setdefault("alt", "")
        parts = "".join(
            f' {name}="{html.escape(value or "", quote=True)}"' for name, value in attrs.items()
        )
        self.out.append(f"<{tag}{parts}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(html.escape(data, quote=False))


class _HTMLToText(HTMLParser):
    """The leader as readable plain text: paragraphs, numbered and bulleted lists, tables a
    row to a line with " | " between the cells, links as "text (url)",
    pictures by their description."""

    BLOCKS = {"p", "h2", "h3", "h4", "li", "blockquote", "figure", "figcaption", "ul", "ol"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self.current = []
        self.href = None
        # Each open list: [items so far, or None for a bulleted list; its indent]. A nested
        # list lines up with the text of the item it is in.
        self.lists = []
        self.first_indent = ""  # the next line written ("1. " while an item has no text yet)
        self.indent = ""  # the lines after it
        self.tables = 0  # how deep in tables; a table in a cell is read as words in the cell
        self.rows = []

    def _words(self):
        text = " ".join("".join(self.current).split())
        self.current = []
        return text

    def _flush(self):
        text = self._words()
        if text:
            self.blocks.append(
                _fill(text, initial_indent=self.first_indent, subsequent_indent=self.indent)
            )
            self.first_indent = self.indent

    def _end_table(self):
        # A long row wraps with its next lines indented, so it cannot be read as a new row.
        lines = [" | ".join(row) for row in self.rows if any(row)]
        if lines:
            self.blocks.append(
                "\n".join(
                    _fill(line, initial_indent=self.indent, subsequent_indent="  ")
                    for line in lines
                )
            )
        self.rows = []
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.href = dict(attrs).get("href")
        elif tag == "br":
            self.current.append(" ")
        elif tag == "img":
            # The picture is in the HTML part only; its description stands in for it here.
            alt = " ".join((dict(attrs).get("alt") or "").split())
            if alt:
                self.current.append(f" [Picture: {alt}] ")
        elif tag == "table":
            if not self.tables:
                self._flush()
            self.tables += 1
        elif self.tables:
            # Inside a table each cell is one line of words.
            if self.tables == 1 and tag in {"tr", "td", "th"}:
                self.current = []  # the space between the tags
                if tag == "tr":
                    self.rows.append([])
            else:
                self.current.append(" ")
        elif tag in self.BLOCKS:
            self._flush()
            if tag in {"ul", "ol"}:
                self.lists.append([0 if tag == "ol" else None, self.indent])
            elif tag == "li":
                if not self.lists:
                    self.lists.append([None, ""])
                count, indent = self.lists[-1]
                if count is None:
                    marker = "* "
                else:
                    self.lists[-1][0] = count = count + 1
                    marker = f"{count}. "
                self.first_indent = indent + marker
                self.indent = indent + " " * len(marker)

    def handle_endtag(self, tag):
        if tag == "a" and self.href:
            self.current.append(f" ({self.href})")
            self.href = None
        elif tag == "table" and self.tables:
            self.tables -= 1
            if not self.tables:
                self._end_table()
        elif self.tables:
            if self.tables == 1 and tag in {"td", "th"}:
                if not self.rows:
                    self.rows.append([])
                self.rows[-1].append(self._words())
            else:
                self.current.append(" ")
        elif tag in self.BLOCKS:
            self._flush()
            if tag in {"ul", "ol", "li"} and self.lists:
                # Back to the list's own indent: the text of the item it is in, or none.
                indent = (self.lists[-1] if tag == "li" else self.lists.pop())[1]
                self.first_indent = self.indent = indent

    def handle_data(self, data):
        self.current.append(data)

    def text(self):
        self._flush()
        if self.tables:  # a table never closed
            self._end_table()
        return "\n\n".join(self.blocks)


def _fill(text, **indents):
    # Never inside a word: mail programs make a link of a web address only up to the line's
    # end, so one split at a hyphen or at the 72nd character would lead nowhere.
    return textwrap.fill(text, 72, break_long_words=False, break_on_hyphens=False, **indents)


def _wrap(text):
    return _fill(" ".join(text.split()))


class PreparedIssue:
    """An issue rendered once, ready to be personalised for any number of readers.

    `personal=False` renders the copy for someone who is not a subscriber (a test send or an
    "email me this issue" request): plain links, an invitation to subscribe, no personal links.
    `test_copy=True` (with personal=False) is the copy an editor sends themselves: it has the
    subscribers' footer, so they can check it, with links that name no one.
    """

    def __init__(self, issue, *, personal=True, test_copy=False, subject_prefix=""):
        self.issue = issue
        self.personal = personal
        self.subject = subject_prefix + issue_subject(issue)
        # In the issue's own order, grouped by section, however the issue was fetched (an
        # issue without with_articles() once came out in the order articles were typed).
        prefetch_related_objects([issue], articles_for_page())
        articles = list(issue.articles.all())
        site = settings.SITE_URL

        # Targets of tracked links, in placeholder order: L0, L1, ...
        self.targets = []

        def link(target, plain_url):
            if not personal:
                return plain_url
            self.targets.append(target)
            return f"@@L{len(self.targets) - 1}@@"

        issue_url = site + issue.get_absolute_url()
        view_in_browser = link("i", issue_url)

        leader = _LeaderLinks(track=personal)
        leader.feed(issue.leader or "")
        leader.close()
        leader_html = "".join(leader.out)
        leader_text_parser = _HTMLToText()
        leader_text_parser.feed(leader_html)
        leader_text = leader_text_parser.text()
        for n, url in enumerate(leader.links):
            placeholder = link(url_target(url), url)
            leader_html = leader_html.replace(f"@@U{n}@@", placeholder)
            leader_text = leader_text.replace(f"@@U{n}@@", placeholder)

        sections = []
        for article in articles:
            entry = {
                "article": article,
                "title_text": _wrap(article.title),
                "teaser_text": _wrap(article.teaser),
                "read_more_url": link(f"a{article.pk}", site + article.get_absolute_url()),
                "source_url": link(f"s{article.pk}", article.source_url)
                if article.source_url
                else "",
            }
            if sections and sections[-1]["section"] == article.section:
                sections[-1]["articles"].append(entry)
            else:
                sections.append({"section": article.section, "articles": [entry]})

        preheader = plain_text(issue.leader)[:140] or ", ".join(a.title for a in articles[:3])
        context = {
            "issue": issue,
            "title_text": _wrap(issue.title),
            "subject": self.subject,
            "site_name": settings.SITE_NAME,
            "site_url": site,
            "preheader": preheader,
            "leader_html": leader_html,
            "leader_text": leader_text,
            "sections": sections,
            "view_in_browser_url": view_in_browser,
            "personal": personal,
            "test_copy": test_copy,
            "unsubscribe_url": "@@UNSUB@@",
            "preferences_url": "@@PREFS@@",
            "subscribe_url": site + reverse("subscribers:subscribe"),
            "postal_address": settings.BRIEFING_POSTAL_ADDRESS,
            "open_pixel": False,
        }
        html_body = css_inline.inline(render_to_string("subscribers/email/issue.html", context))
        text_body = render_to_string("subscribers/email/issue.txt", context)
        # Pieces alternate literal text and placeholder names (re.split keeps the groups).
        self.html_pieces = PLACEHOLDER.split(html_body.replace("\r\n", "\n"))
        self.text_pieces = PLACEHOLDER.split(text_body.replace("\r\n", "\n"))
        self._build_mime_frame()
        self._url_patterns = {
            name: settings.SITE_URL
            + reverse(f"subscribers:{name}", kwargs={"token": "TOKEN"})
            .replace("%", "%%")
            .replace("TOKEN", "%s")
            for name in ("unsubscribe", "preferences", "click")
        }
        self._click_signer = fast_signer(CLICK_SALT)
        # "test" is not a signed token, so these open the site's "this link does not work,
        # nothing has been changed" page: the editor's own subscription is never touched.
        self.sample_links = (
            {
                "UNSUB": self._url_patterns["unsubscribe"] % "test",
                "PREFS": self._url_patterns["preferences"] % "test",
            }
            if test_copy
            else {}
        )

    # --- personalising -------------------------------------------------------------------

    def links_for(self, *, delivery_id=None, subscriber=None):
        values = dict(self.sample_links)
        if subscriber is not None:
            # The same URLs as subscriber.get_unsubscribe_url() and get_preferences_url(),
            # with the token signed once instead of twice and the paths reversed once.
            token = subscriber.manage_token
            values["UNSUB"] = self._url_patterns["unsubscribe"] % token
            values["PREFS"] = self._url_patterns["preferences"] % token
        if delivery_id is not None:
            sign = self._click_signer
            pattern = self._url_patterns["click"]
            for n, target in enumerate(self.targets):
                values[f"L{n}"] = pattern % sign(f"{delivery_id}.{target}")
        else:
            for n, target in enumerate(self.targets):
                values[f"L{n}"] = self.plain_target_url(target)
        return values

    def plain_target_url(self, target):
        site = settings.SITE_URL
        if target == "i":
            return site + self.issue.get_absolute_url()
        if target[0] in "as":
            article = next(a for a in self.issue.articles.all() if a.pk == int(target[1:]))
            return site + article.get_absolute_url() if target[0] == "a" else article.source_url
        return decode_url_target(target)

    @staticmethod
    def _fill(pieces, values):
        out = pieces[:]
        for i in range(1, len(out), 2):
            out[i] = values.get(out[i], "")
        return "".join(out)

    def bodies(self, values):
        return self._fill(self.text_pieces, values), self._fill(self.html_pieces, values)

    def message(self, *, to, subscriber=None, delivery_id=None):
        """The email for one reader, as an EmailMultiAlternatives (fast to serialise)."""
        values = self.links_for(delivery_id=delivery_id, subscriber=subscriber)
        text_body, html_body = self.bodies(values)
        message_id = make_msgid(
            idstring=f"d{delivery_id}" if delivery_id else None, domain=site_domain()
        )
        headers = {"Message-ID": message_id, "List-Id": list_id()}
        if subscriber is not None:
            headers["List-Unsubscribe"] = f"<{values['UNSUB']}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        if delivery_id is not None:
            headers[DELIVERY_HEADER] = str(delivery_id)
        message = IssueEmail(
            subject=self.subject,
            body=text_body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            reply_to=[settings.BRIEFING_REPLY_TO] if settings.BRIEFING_REPLY_TO else None,
            headers=headers,
        )
        message.attach_alternative(html_body, "text/html")
        message.frame = self.frame
        return message

    # --- MIME ----------------------------------------------------------------------------

    def _build_mime_frame(self):
        """Encode the headers every copy shares once (RFC 2047 subject and all)."""
        boundary = f"=_sca_{uuid.uuid4().hex}"
        shared = MIMEMessage(policy=SMTP)
        shared["Subject"] = self.subject
        shared["From"] = settings.DEFAULT_FROM_EMAIL
        if settings.BRIEFING_REPLY_TO:
            shared["Reply-To"] = settings.BRIEFING_REPLY_TO
        shared["List-Id"] = list_id()
        shared["MIME-Version"] = "1.0"
        shared["Content-Type"] = f'multipart/alternative; boundary="{boundary}"'
        head = shared.as_bytes().split(b"\r\n\r\n", 1)[0] + b"\r\n"
        part_head = b'Content-Type: text/%s; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'  # noqa: E501
        self.frame = {
            "head": head,
            "text_head": b"\r\n--" + boundary.encode() + b"\r\n" + part_head % b"plain",
            "html_head": b"\r\n--" + boundary.encode() + b"\r\n" + part_head % b"html",
            "tail": b"\r\n--" + boundary.encode() + b"--\r\n",
        }


def _qp(text):
    return binascii.b2a_qp(text.replace("\n", "\r\n").encode(), istext=True)


class _RawMessage:
    """Just enough of email.message.Message for mail backends that serialise it."""

    def __init__(self, data):
        self.data = data

    def as_bytes(self, *args, **kwargs):
        return self.data

    def as_string(self, *args, **kwargs):
        return self.data.decode("ascii")

    def get_charset(self):
        # The console backend asks; the bytes are 7-bit (headers ASCII, bodies quoted-printable).
        return None

    __bytes__ = as_bytes
    __str__ = as_string


def _ascii_address(address):
    """The address if it can go in a header as it is (plain ASCII addr-spec), else None."""
    if address.isascii() and "@" in address and not set(address) & set(' \r\n"<>,;()'):
        return address
    return None


class ListEmail(EmailMultiAlternatives):
    """An email carrying List-Unsubscribe: its headers are never folded into encoded words.

    The SMTP policy folds headers at 78 characters, and a signed unsubscribe URL is longer, so
    Python would write it as RFC 2047 encoded words (=?utf-8?q?...?=), which mail clients do
    not read as a URL (RFC 2369 wants it as is). 998 is RFC 5322's hard limit for a line.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django would name this machine ("@localhost" on many servers); like issue emails,
        # every email the site sends names the site.
        self.extra_headers.setdefault("Message-ID", make_msgid(domain=site_domain()))

    def message(self, *, policy=SMTP):
        return super().message(policy=policy.clone(max_line_length=998))


class IssueEmail(ListEmail):
    """An issue email whose MIME bytes are assembled directly from a prepared frame.

    Backends that build their own request (anymail's API backends) use the ordinary
    attributes; SMTP calls message().as_bytes(), which takes the fast path below.
    """

    frame = None

    def message(self, *, policy=SMTP):
        to = _ascii_address(self.to[0]) if len(self.to) == 1 else None
        if self.frame is None or to is None:
            return super().message(policy=policy)
        frame = self.frame
        personal = [f"To: {to}", f"Date: {format_datetime(datetime.datetime.now(datetime.UTC))}"]
        for name, value in self.extra_headers.items():
            if name != "List-Id":
                personal.append(f"{name}: {value}")
        return _RawMessage(
            b"".join(
                [
                    frame["head"],
                    "\r\n".join(personal).encode("ascii"),
                    b"\r\n",
                    frame["text_head"],
                    _qp(self.body),
                    frame["html_head"],
                    _qp(self.alternatives[0].content),
                    frame["tail"],
                ]
            )
        )


def build_issue_message(issue, *, to, subscriber=None):
    """An EmailMultiAlternatives of `issue` for one recipient address.

    `subscriber` is given for a subscriber's own copy (personal unsubscribe links); None for a
    one-off "email me this issue" request or a test send, which invites the reader to
    subscribe instead. List sends use PreparedIssue directly, rendering once for everyone.
    """
    prepared = PreparedIssue(issue, personal=subscriber is not None)
    return prepared.message(to=to, subscriber=subscriber)
