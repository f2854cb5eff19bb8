"""Rich text is cleaned to the editor's toolbar: nothing that can run script survives."""

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.sanitise import links_with_spaces, plain_text, sanitise_html, unusable_links

FORBIDDEN_TAGS = {"script", "iframe", "svg", "style", "object", "embed", "math", "form"}


class Findings(HTMLParser):
    """Collects what a browser would treat as tags and attributes in the output."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.attributes = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)

    handle_startendtag = handle_starttag


def assert_safe(html):
    lowered = html.lower()
    for tag in ("<script", "<iframe", "<svg", "<style", "<object", "<embed"):
        assert tag not in lowered
    findings = Findings()
    findings.feed(html)
    findings.close()
    assert not FORBIDDEN_TAGS & set(findings.tags)
    for tag, name, value in findings.attributes:
        assert not name.startswith("on"), (tag, name)
        assert name != "style", (tag, name)
        if name in ("href", "src"):
            # Browsers ignore whitespace and control characters inside a scheme.
            squashed = re.sub(r"[\x00-\x20]", "", value).lower()
            assert not squashed.startswith(("javascript:", "vbscript:", "data:")), value


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src="x" onerror="alert(1)">',
    '<img src="/media/a.png" onload=alert(1)>',
    "<img src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="  javascript:alert(1)">click</a>',
    '<a href="java&#x09;script:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="width: expression(alert(1))">x</div>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<details open ontoggle=alert(1)>",
    '<p title="x" onmouseover="alert(1)">hover</p>',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<a href="https://example.org" onclick="alert(1)">ok</a>',
    "<!--<script>alert(1)</script>-->",
    '<img src="https://evil.example/track.gif">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_known_xss_payload_is_neutralised(payload):
    cleaned = sanitise_html(payload)
    assert_safe(cleaned)
    assert sanitise_html(cleaned) == cleaned


def test_toolbar_markup_survives():
    html = (
        "<h2>Heading</h2><h3>Sub</h3><p><strong>Bold</strong> <em>it</em> "
        '<a href="https://example.org/report">report</a> '
        '<a href="mailto:editor@example.org">mail</a></p>'
        "<ul><li>one</li></ul><ol><li>two</li></ol><blockquote><p>quote</p></blockquote>"
        '<figure><img src="/media/uploads/2026/01/abc.png" alt="A hall"></figure>'
    )
    cleaned = sanitise_html(html)
    for fragment in [
        "<h2>Heading</h2>",
        "<h3>Sub</h3>",
        "<strong>Bold</strong>",
        "<em>it</em>",
        'href="https://example.org/report"',
        'href="mailto:editor@example.org"',
        "<li>one</li>",
        "<blockquote>",
        '<img src="/media/uploads/2026/01/abc.png" alt="A hall">',
    ]:
        assert fragment in cleaned


def test_links_are_opened_without_giving_the_new_page_our_window():
    assert 'rel="noopener noreferrer"' in sanitise_html('<a href="https://example.org">x</a>')


def test_images_from_other_sites_are_dropped():
    assert "evil.example" not in sanitise_html('<img src="https://evil.example/x.png">')
    # Whole: an <img> left without its src shows as a broken picture.
    assert sanitise_html('<p>Hi <img src="https://evil.example/x.png" alt="x"></p>') == "<p>Hi </p>"
    kept = '<img src="/media/uploads/a.png" alt="A hall">'
    assert sanitise_html(kept) == kept


@pytest.mark.parametrize(
    "src",
    ["/media/../admin/", "/media/uploads/../../r/x/", "/media/%2e%2e/admin/", "/media/..\\admin/"],
)
def test_images_whose_address_climbs_out_of_the_uploads_are_dropped(src):
    assert sanitise_html(f'<p>Hi <img src="{src}" alt="x"></p>') == "<p>Hi </p>"


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("www.fife.gov.uk/budget", "https://www.fife.gov.uk/budget"),
        ("gov.scot", "https://gov.scot"),
        ("info@scvo.org.uk", "mailto:info@scvo.org.uk"),
        ("https://example.org/", "https://example.org/"),
        ("/briefings/2026/11/25/", "/briefings/2026/11/25/"),
        ("#contents", "#contents"),
    ],
)
def test_links_typed_without_https_lead_off_the_site_not_to_a_404(typed, saved):
    # Saved as typed, "www.fife.gov.uk/budget" was relative: /briefings/.../www.fife.gov.uk/...
    assert f'href="{saved}"' in sanitise_html(f'<a href="{typed}">the budget</a>')


# Fragments that attackers combine, so Hypothesis explores mixtures of them as well as
# arbitrary text.
PIECES = st.sampled_from(
    [
        "<", ">", "/", "'", '"', "=", " ", "\t", "\n", "&#", ";", "x", "--", "!",
        "<script>", "</script>", "<img", "<a", "<svg", "<iframe", "<style>", "<p", "</p>",
        "<math>", "<noscript>", "<textarea>", "<title>", "<![CDATA[", "<!--", "-->",
        " src=", " href=", " style=", " onerror=", " onload=", " onclick=", " srcdoc=",
        "javascript:", "JaVaScRiPt:", "java\tscript:", "&#106;", "data:text/html,",
        "alert(1)", "/media/x.png", "https://example.org", "mailto:a@b.c",
    ]
)  # fmt: skip
HTMLISH = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(HTMLISH)
def test_no_sanitised_output_can_run_script(html):
    assert_safe(sanitise_html(html))


@settings(max_examples=400, deadline=None)
@given(HTMLISH)
def test_sanitising_is_idempotent(html):
    once = sanitise_html(html)
    assert sanitise_html(once) == once


def test_plain_text_keeps_a_space_between_paragraphs_and_list_items():
    # Descriptions and the email's inbox preview read "See the budget.hallslibraries".
    html = "<p>See the budget.</p><ul><li>halls</li><li>libraries</li></ul><p>Line<br>break</p>"
    assert plain_text(html) == "See the budget. halls libraries Line break"


def test_a_table_pasted_from_word_is_kept_as_a_table_with_only_safe_attributes():
    pasted = (
        '<figure class="table"><table style="width:100%" border="1"><tbody>'
        '<tr><th scope="col" colspan="2" onclick="x()">Council</th></tr>'
        '<tr><td rowspan="x">Fife</td><td colspan="1">m<sup>2</sup> and H<sub>2</sub>O</td></tr>'
        "</tbody></table></figure>"
    )
    assert sanitise_html(pasted) == (
        '<figure class="table"><table><tbody>'
        '<tr><th scope="col" colspan="2">Council</th></tr>'
        '<tr><td>Fife</td><td colspan="1">m<sup>2</sup> and H<sub>2</sub>O</td></tr>'
        "</tbody></table></figure>"
    )
    assert plain_text(sanitise_html(pasted)) == "Council Fife m2 and H2O"


def test_a_link_whose_address_is_taken_away_is_left_as_plain_words():
    cleaned = sanitise_html('<p>See <a href="javascript:alert(1)">the report</a> today.</p>')
    assert cleaned == "<p>See the report today.</p>"


def test_unusable_links_names_each_link_the_sanitiser_would_take_away():
    html = (
        '<p><a href="javascript:alert(1)">the  report</a> <a href="https://example.org">ok</a> '
        '<a href="/briefings/">ours</a> <a href="www.fife.gov.uk/budget">bare</a> '
        '<a href="mailto:a@example.org">mail</a> <a href=" data:text/html,x">data</a></p>'
    )
    assert unusable_links(html) == [
        ("javascript:alert(1)", "the report"),
        ("data:text/html,x", "data"),
    ]


def test_links_with_spaces_names_web_links_with_a_space_but_not_email_links():
    html = (
        '<p><a href="https://exa mple.org/x">spaced</a> <a href=" https://example.org/ ">ok</a> '
        '<a href="mailto:a@example.org?subject=Hello there">mail</a> '
        '<a href="javascript:alert(1) ">js</a> <a href="www.fife gov.uk">bare</a></p>'
    )
    assert links_with_spaces(html) == [
        ("https://exa mple.org/x", "spaced"),
        ("www.fife gov.uk", "bare"),
    ]


def test_ckeditors_image_and_table_figures_keep_their_class_so_they_reopen_as_blocks():
    # Without class="image" CKEditor opened a saved picture again as a small image inside a
    # paragraph, moving it on the next save.
    html = (
        '<figure class="image image_resized" style="width:50%">'
        '<img src="/media/uploads/2026/01/hall.png" alt="The hall"></figure>'
        '<figure class="table"><table><tbody><tr><td class="x">1</td></tr></tbody></table></figure>'
        '<p class="image">Words</p>'
    )

    assert sanitise_html(html) == (
        '<figure class="image"><img src="/media/uploads/2026/01/hall.png" alt="The hall">'
        '</figure><figure class="table"><table><tbody><tr><td>1</td></tr></tbody></table>'
        "</figure><p>Words</p>"
    )
