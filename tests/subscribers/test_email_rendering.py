import email
import email.policy
import re

import pytest
from django.core import signing
from django.urls import reverse

from subscribers import tokens
from subscribers.emails import PreparedIssue, build_issue_message, read_click_token
from subscribers.models import Delivery
from tests.factories import ArticleFactory, IssueFactory, SectionFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def twelve_article_issue(**kwargs):
    issue = IssueFactory(
        title="Winter pressures",
        leader=(
            "<p>Community anchors are carrying more than their share this winter – read "
            '<a href="https://www.gov.scot/publications/report/">the report</a> and '
            '<a href="/about/">about us</a>.</p>'
        ),
        **kwargs,
    )
    sections = [SectionFactory(name=n, order=i) for i, n in enumerate(["On the ground", "Policy"])]
    for n in range(12):
        ArticleFactory(
            issue=issue,
            section=sections[n % 2],
            title=f"Halls that hold a village together {n}",
            teaser=" ".join(["A village hall committee in Angus has turned a draughty hub."] * 10),
            source_url=f"https://example.org/report-{n}" if n % 3 == 0 else "",
            source_label="Read the full report" if n % 3 == 0 else "",
            order=n,
        )
    return issue


def personal_links(body, *, site="https?://[^/]+"):
    """{"unsubscribe": {subscriber ids}, "preferences": {...}} from the links in a body.

    The tokens are timestamped, so they are compared by whom they name, not as strings.
    """
    found = {"unsubscribe": set(), "preferences": set()}
    for kind in found:
        path = reverse(f"subscribers:{kind}", kwargs={"token": "TOKEN"})
        before, after = path.split("TOKEN")
        pattern = rf"{site}{re.escape(before)}([^/\s\"<>]+){re.escape(after)}"
        found[kind] = {tokens.read_manage_token(t) for t in re.findall(pattern, body)}
    return found


def parse(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def parts(parsed):
    """The plain-text part (lines ending in "\\n", as it is read) and the HTML part."""
    text = parsed.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = parsed.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_subscriber_copy_has_headers_personal_links_and_both_parts(settings):
    settings.SITE_URL = "https://briefing.example.org"
    settings.BRIEFING_REPLY_TO = "editor@example.org"
    settings.DEFAULT_FROM_EMAIL = "SCA Briefing <briefing@example.org>"
    issue = twelve_article_issue()
    subscriber = SubscriberFactory(email="morag@example.org")
    delivery = Delivery.objects.create(issue=issue, subscriber=subscriber)
    prepared = PreparedIssue(issue)

    parsed = parse(
        prepared.message(to=subscriber.email, subscriber=subscriber, delivery_id=delivery.pk)
    )

    assert parsed["Subject"] == f"SCA Briefing – {issue.date:%-d %B %Y}"
    assert parsed["To"] == "morag@example.org"
    assert parsed["From"] == "SCA Briefing <briefing@example.org>"
    assert parsed["Reply-To"] == "editor@example.org"
    assert personal_links(parsed["List-Unsubscribe"])["unsubscribe"] == {subscriber.pk}
    assert parsed["List-Unsubscribe"].startswith("<https://briefing.example.org/unsubscribe/")
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["List-Id"] == "SCA Briefing <briefing.briefing.example.org>"
    assert parsed["Message-ID"].endswith("@briefing.example.org>")
    assert parsed["X-SCA-Delivery"] == str(delivery.pk)
    text, html = parts(parsed)
    for body in (text, html):
        assert "Community anchors are carrying more than their share" in body
        assert personal_links(body) == {
            "unsubscribe": {subscriber.pk},
            "preferences": {subscriber.pk},
        }
        assert "1 Example Street" in body
        assert "@@" not in body
    assert html.count(">Read more</a>") == 12
    assert text.count("Read more: ") == 12
    assert "Halls that hold a village together 11" in text
    assert "Read the full report: https://briefing.example.org/r/" in text
    assert "== ON THE GROUND ==" in text
    assert "<table" in html and 'style="' in html  # table layout, CSS inlined
    assert "<style" not in html.split("<body", 1)[1]
    # Every web link goes through our signed redirect, for this delivery.
    links = re.findall(r'href="([^"]+)"', html)
    tracked = [link for link in links if "/r/" in link]
    assert len(tracked) >= 12 * 2 + 2
    for link in links:
        assert link.startswith("https://briefing.example.org/"), link
    for link in tracked:
        token = link.split("/r/", 1)[1].rstrip("/")
        assert read_click_token(token)[0] == delivery.pk


def test_each_reader_gets_their_own_links_from_one_rendering():
    issue = twelve_article_issue()
    first, second = SubscriberFactory.create_batch(2)
    prepared = PreparedIssue(issue)
    d1 = Delivery.objects.create(issue=issue, subscriber=first)
    d2 = Delivery.objects.create(issue=issue, subscriber=second)

    text1, html1 = parts(
        parse(prepared.message(to=first.email, subscriber=first, delivery_id=d1.pk))
    )
    text2, html2 = parts(
        parse(prepared.message(to=second.email, subscriber=second, delivery_id=d2.pk))
    )

    assert personal_links(html1)["unsubscribe"] == {first.pk}
    assert personal_links(html2)["unsubscribe"] == {second.pk}
    assert personal_links(text2)["preferences"] == {second.pk}
    tokens1 = set(re.findall(r"/r/([^/\s\"]+)/", html1))
    tokens2 = set(re.findall(r"/r/([^/\s\"]+)/", html2))
    assert tokens1 and tokens2 and not tokens1 & tokens2


def test_twelve_article_email_is_under_gmail_clipping_limit():
    issue = twelve_article_issue()
    subscriber = SubscriberFactory()
    delivery = Delivery.objects.create(issue=issue, subscriber=subscriber)
    message = PreparedIssue(issue).message(
        to=subscriber.email, subscriber=subscriber, delivery_id=delivery.pk
    )

    html = message.alternatives[0].content

    assert 10_000 < len(html.encode()) < 102 * 1024


def test_copy_for_a_non_subscriber_invites_them_and_has_no_personal_links(settings):
    settings.SITE_URL = "https://briefing.example.org"
    issue = twelve_article_issue()

    parsed = parse(build_issue_message(issue, to="friend@example.com"))

    text, html = parts(parsed)
    assert "Subscribe to get it every fortnight" in text
    assert "Subscribe to get it every fortnight" in html
    assert "Someone sent you" not in text  # they asked for it themselves
    # The plain text wraps at 72 characters, so the sentence may run over two lines.
    assert "asked for on our website" in " ".join(text.split())
    assert "asked for on our website" in html
    assert "Unsubscribe" not in html and "/r/" not in html and "@@" not in html
    assert "List-Unsubscribe" not in parsed
    assert f"https://briefing.example.org{issue.articles.first().get_absolute_url()}" in html


def test_articles_come_grouped_by_section_however_the_issue_was_fetched():
    # Written in an order that interleaves the sections: a copy built from an issue fetched
    # without with_articles() (as "email me this issue" did) showed Policy three times.
    issue = IssueFactory()
    ground, policy = (
        SectionFactory(name="On the ground", order=1),
        SectionFactory(name="Policy", order=2),
    )
    for n, section in enumerate([policy, ground, policy, ground, policy]):
        ArticleFactory(issue=issue, section=section, title=f"Piece {n}", order=n)
    text, html = parts(parse(build_issue_message(issue, to="friend@example.com")))
    assert text.count("POLICY") == 1 and text.count("ON THE GROUND") == 1
    titles = re.findall(r"Piece (\d)", text)
    assert titles == ["1", "3", "0", "2", "4"]
    in_html = list(dict.fromkeys(re.findall(r"Piece (\d)", html)))  # first mention of each
    assert in_html == titles


def test_editor_subject_line_is_used():
    issue = IssueFactory(email_subject="Halls, heat and hope")

    assert build_issue_message(issue, to="a@example.org").subject == "Halls, heat and hope"


def test_images_in_the_leader_are_absolute_with_alt_text(settings):
    settings.SITE_URL = "https://briefing.example.org"
    issue = IssueFactory(leader='<p><img src="/media/uploads/hall.jpg" alt="The hall"></p>')

    _, html = parts(parse(build_issue_message(issue, to="a@example.org")))

    assert 'src="https://briefing.example.org/media/uploads/hall.jpg"' in html
    assert 'alt="The hall"' in html


COUNCIL_CUTS = (
    '<p>This year\'s cuts:</p><figure class="table"><table>'
    "<thead><tr><th>Council</th><th>Cut</th></tr></thead>"
    "<tbody><tr><td>Highland</td><td>4%</td></tr><tr><td><p>Fife</p></td><td>3%</td></tr></tbody>"
    "</table></figure><p>More next time.</p>"
)


def test_table_in_the_leader_has_a_row_to_a_line_in_the_plain_text():
    issue = IssueFactory(leader=COUNCIL_CUTS)

    text, _ = parts(parse(build_issue_message(issue, to="a@example.org")))

    assert "This year's cuts:\n\nCouncil | Cut\nHighland | 4%\nFife | 3%\n\nMore next time." in text


def test_table_in_the_leader_has_borders_and_padding_but_the_layout_does_not():
    issue = IssueFactory(leader=COUNCIL_CUTS)

    _, html = parts(parse(build_issue_message(issue, to="a@example.org")))

    cells = re.findall(r'<t[hd] style="([^"]*)">', html)  # the editor's cells have no class
    assert len(cells) == 6
    for style in cells:
        assert "border: 1px solid" in style and "padding: 6px 10px" in style
    layout_cells = re.findall(r'<td class="[^"]*" style="([^"]*)"', html)
    assert layout_cells and not any("border:" in style for style in layout_cells)


def test_numbered_lists_in_the_leader_are_numbered_in_the_plain_text():
    issue = IssueFactory(
        leader=(
            "<ol><li>First step</li><li>Second step<ol><li>Ask the council</li>"
            "<li>Ask the trust<ul><li>in writing</li></ul></li></ol></li><li>Third step</li></ol>"
            "<ul><li>A bullet</li></ul>"
        )
    )

    text, _ = parts(parse(build_issue_message(issue, to="a@example.org")))

    assert (
        "1. First step\n\n2. Second step\n\n   1. Ask the council\n\n   2. Ask the trust\n\n"
        "      * in writing\n\n3. Third step\n\n* A bullet"
    ) in text


def test_pictures_in_the_leader_are_named_by_their_description_in_the_plain_text():
    issue = IssueFactory(
        leader=(
            '<p>Our new hall:</p><figure class="image"><img src="/media/uploads/hall.png" '
            'alt="The hall at Ardgay,  newly  painted"></figure>'
            '<figure class="image"><img src="/media/uploads/rule.png" alt=""></figure>'
            "<p>Come and see it.</p>"
        )
    )

    text, _ = parts(parse(build_issue_message(issue, to="a@example.org")))

    assert (
        "Our new hall:\n\n[Picture: The hall at Ardgay, newly painted]\n\nCome and see it." in text
    )
    assert "rule.png" not in text and "[Picture: ]" not in text


def test_tampered_click_token_is_rejected():
    token = signing.Signer(salt="subscribers.click").sign("1.a2")

    with pytest.raises(signing.BadSignature):
        read_click_token(token.replace("1.a2", "1.a3"))


def test_subscriber_copy_outside_a_send_has_personal_links_but_no_tracking(settings):
    settings.SITE_URL = "https://briefing.example.org"
    issue = twelve_article_issue()
    subscriber = SubscriberFactory()

    parsed = parse(build_issue_message(issue, to=subscriber.email, subscriber=subscriber))

    text, html = parts(parsed)
    assert personal_links(html)["unsubscribe"] == {subscriber.pk}
    assert personal_links(text)["preferences"] == {subscriber.pk}
    assert "/r/" not in html
    assert personal_links(parsed["List-Unsubscribe"])["unsubscribe"] == {subscriber.pk}
    assert "X-SCA-Delivery" not in parsed


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_email_fits_a_phone_and_keeps_its_width_on_a_desktop(page):
    # Readers open it on phones; a fixed 600 px sheet scrolled sideways there.
    _, html = parts(parse(build_issue_message(twelve_article_issue(), to="a@example.org")))
    page.set_viewport_size({"width": 375, "height": 740})
    page.set_content(html)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.locator("table.sheet").bounding_box()["width"] == 600


@pytest.mark.parametrize("personal", [False, True], ids=["one copy", "subscriber"])
def test_long_links_in_the_plain_text_are_never_broken_across_lines(personal):
    # Mail programs make a link of an address only up to the line end: one split at a
    # hyphen or at 72 characters leads nowhere.
    long_url = (
        "https://www.gov.scot/publications/community-wealth-building-consultation-"
        "analysis-of-responses-to-the-scottish-government-consultation/pages/4/"
    )
    issue = IssueFactory(
        leader=f'<p>Read <a href="{long_url}">the analysis of responses</a> before Friday.</p>'
    )
    ArticleFactory(issue=issue)
    subscriber = SubscriberFactory() if personal else None

    text, html = parts(parse(build_issue_message(issue, to="a@example.org", subscriber=subscriber)))

    hrefs = set(re.findall(r'href="([^"]+)"', html.replace("&amp;", "&")))
    links_in_text = re.findall(r"https?://[^\s)>\]]+", text)
    assert links_in_text
    for link in links_in_text:
        assert link in hrefs, link


@pytest.mark.parametrize("kind", ["test copy", "one copy", "subscriber"])
def test_plain_text_lines_other_than_web_addresses_fit_72_characters(kind, settings):
    settings.SITE_NAME = "Scottish Community Sector Alliance"  # longer than the default
    issue = IssueFactory(leader="<p>" + "Halls and hubs across the Highlands. " * 12 + "</p>")
    ArticleFactory(issue=issue, teaser="Community anchors carry more than their share. " * 4)
    subscriber = SubscriberFactory() if kind == "subscriber" else None
    if kind == "test copy":
        message = PreparedIssue(issue, personal=False, test_copy=True).message(to="a@example.org")
    else:
        message = build_issue_message(issue, to="a@example.org", subscriber=subscriber)

    text, _ = parts(parse(message))

    long_lines = [line for line in text.split("\n") if len(line) > 72 and "http" not in line]
    assert not long_lines


def test_each_read_more_link_names_its_article_to_screen_readers():
    # Eight links all read out as "Read more" say nothing; text hidden with display:none is
    # hidden from screen readers too, and shows in mail programs that drop styles.
    issue = IssueFactory()
    ArticleFactory(issue=issue, title="Hall saved")
    ArticleFactory(issue=issue, title="Ferry fares frozen")

    _, html = parts(parse(build_issue_message(issue, to="a@example.org")))

    labels = re.findall(r'aria-label="([^"]*)"[^>]*>Read more</a>', html)
    assert sorted(labels) == ["Read more about Ferry fares frozen", "Read more about Hall saved"]
    assert "display:none" not in html


def test_long_issue_and_article_titles_wrap_at_72_characters_in_the_plain_text():
    issue = IssueFactory(
        title="Community halls, warm spaces and the winter fuel crisis: what the budget means"
    )
    ArticleFactory(
        issue=issue,
        title="Village halls across the Highlands and Islands count the cost of a second winter",
    )

    text, _ = parts(parse(build_issue_message(issue, to="a@example.org")))

    lines = text.split("\n")
    assert not [line for line in lines if len(line) > 72 and "http" not in line]
    assert "Community halls, warm spaces and the winter fuel crisis: what the budget" in lines
    assert "Village halls across the Highlands and Islands count the cost of a" in lines
