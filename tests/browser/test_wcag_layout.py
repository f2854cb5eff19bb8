"""WCAG 2.2 AA checks that axe-core makes poorly or not at all, on every kind of public page
in Debian's Chromium: reflow at 320 px (1.4.10), double text size (1.4.4), wider text
spacing (1.4.12), focus rings that stand out and are never covered (1.4.11, 2.4.11) in light,
dark and forced colours, targets of at least 24 px or spaced apart (2.5.8) and text contrast
in dark mode (1.4.3). Screenshots go to test-artifacts/ for a person to look at."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe

from subscribers.models import Subscriber
from subscribers.tokens import make_confirm_token, make_manage_token
from tests.factories import (
    ArticleFactory,
    IssueFactory,
    OrganisationFactory,
    PersonFactory,
    PlainPageFactory,
    SectionFactory,
    SubscriberFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROWEST = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 800}
# The figures WCAG 1.4.12 names; a page must lose nothing when a reader's stylesheet sets them.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""
# Text alone at 200%: every size in site.css is in rem, so this is what a reader's larger
# default font size does.
DOUBLE_TEXT = ":root { font-size: 200% !important; }"
# An address with no place to break but its dots, as some readers' work addresses are.
LONG_ADDRESS = "firstname.middlename.lastname@community-development-trust-of-scotland.org.uk"


@pytest.fixture
def pages(settings):
    """Address of every kind of public page, by name."""
    settings.SUBSCRIBERS_MIN_FILL_SECONDS = 0
    person = PersonFactory(name="Morag Campbell")
    organisation = OrganisationFactory(name="Angus Community Trust")
    ground = SectionFactory(name="On the ground", order=1)
    IssueFactory(date=datetime.date(2023, 11, 22), title="Last winter")
    issue = IssueFactory(date=datetime.date(2024, 12, 4), title="Halls and hubs")
    article = ArticleFactory(
        issue=issue,
        section=ground,
        title="Village hall becomes a warm space",
        people=[person],
        organisations=[organisation],
        tags=["Community anchors"],
        source_url="https://example.org/report",
        source_label="Read the report",
    )
    for n in range(11):  # one more than a page of search results, so the pages are linked
        ArticleFactory(issue=issue, section=ground, title=f"Another hall, number {n}")
    PlainPageFactory(url="/about/", title="About", content="<p>About the SCA.</p>")
    pending = SubscriberFactory(email="pending@example.org", status=Subscriber.Status.PENDING)
    reader = SubscriberFactory(email=LONG_ADDRESS)
    return {
        "home": "/",
        "issue": issue.get_absolute_url(),
        "article": article.get_absolute_url(),
        "archive": "/briefings/",
        "year": "/briefings/2024/",
        "people": "/people/",
        "person": person.get_absolute_url(),
        "organisations": "/organisations/",
        "organisation": organisation.get_absolute_url(),
        "topics": "/topics/",
        "topic": "/topics/community-anchors/",
        "search": "/search/?q=hall",
        "search-nothing": "/search/?q=zzzqqq",
        "plain-page": "/pages/about/",
        "not-found": "/no-such-page/",
        "signup": "/subscribe/",
        "confirm": f"/subscribe/confirm/{make_confirm_token(pending)}/",
        "link-invalid": "/subscribe/confirm/not-a-token/",
        "preferences": f"/subscribe/preferences/{make_manage_token(reader)}/",
        "unsubscribe": f"/unsubscribe/{make_manage_token(reader)}/",
    }


def visit(page, url, name):
    page.goto(url)
    if name == "signup":  # the form sent back with a mistake, as a reader sees it most
        main = page.get_by_role("main")
        main.get_by_label("Name", exact=True).fill("Morag Campbell")
        main.get_by_label("Email", exact=True).fill("morag@example")
        main.get_by_role("button", name="Send me the briefing").click()
        page.get_by_role("link", name="Please give a full email address").wait_for()


# Text (not boxes: a box may rightly sit on another's background) that sticks out of the
# window, lies over other text, or is cut off by a box that hides what overflows it.
LAYOUT_PROBLEMS = """() => {
  const shown = e => e.checkVisibility() && !e.closest('.visually-hidden, .skip-link');
  const describe = e => `<${e.tagName.toLowerCase()}> "${e.textContent.trim().slice(0, 40)}"`;
  const problems = [];
  if (document.documentElement.scrollWidth > innerWidth)
    problems.push(`page is ${document.documentElement.scrollWidth} px wide`);
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, element = node.parentElement;
    if (!node.textContent.trim() || !shown(element)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const box of range.getClientRects()) {
      if (box.width < 1) continue;
      texts.push({element, box});
      // A wide table scrolls inside itself rather than the page.
      if ((box.left < -1 || box.right > innerWidth + 1) && !element.closest('.prose table'))
        problems.push(`${describe(element)} goes past the window's edge`);
    }
  }
  for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
    const a = texts[i], b = texts[j];
    if (a.element.contains(b.element) || b.element.contains(a.element)) continue;
    const across = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
    const down = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
    if (across > 2 && down > 4)
      problems.push(`${describe(a.element)} overlaps ${describe(b.element)}`);
  }
  for (const element of document.body.querySelectorAll('*')) {
    if (!shown(element) || element.matches('input, textarea, .prose table')) continue;
    const style = getComputedStyle(element);
    const hides = v => ['hidden', 'clip'].includes(v);
    if ((hides(style.overflowX) && element.scrollWidth > element.clientWidth + 1) ||
        (hides(style.overflowY) && element.scrollHeight > element.clientHeight + 1))
      problems.push(`${describe(element)} cuts off what it holds`);
  }
  return problems;
}"""


def layout_problems(page):
    return page.evaluate(LAYOUT_PROBLEMS)


def test_every_public_page_fits_320_px_without_scrolling_sideways(
    page, live_server, pages, artifacts_dir
):
    page.set_viewport_size(NARROWEST)
    for name, path in pages.items():
        visit(page, live_server.url + path, name)
        assert layout_problems(page) == [], name
        page.screenshot(path=str(artifacts_dir / f"wcag-{name}-320.png"), full_page=True)


@pytest.mark.parametrize(
    ("stylesheet", "size"),
    [(TEXT_SPACING, NARROWEST), (TEXT_SPACING, DESKTOP), (DOUBLE_TEXT, DESKTOP)],
    ids=["text-spacing-320", "text-spacing-desktop", "double-text-desktop"],
)
def test_wider_text_spacing_or_double_text_size_leaves_nothing_cut_off_or_overlapping(
    browser, live_server, pages, stylesheet, size
):
    # The site's Content-Security-Policy rightly refuses inline styles; a reader's own
    # stylesheet is not bound by it, and this stands in for one.
    context = browser.new_context(bypass_csp=True, viewport=size)
    try:
        page = context.new_page()
        for name, path in pages.items():
            visit(page, live_server.url + path, name)
            page.add_style_tag(content=stylesheet)
            assert layout_problems(page) == [], name
    finally:
        context.close()


# Where the keyboard is: whether it is on screen and on top, and how strongly its ring
# (outline or the halo of box-shadow, whichever stands out more) differs from what is behind.
FOCUS = """() => {
  const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const backdrop = element => {
    for (let e = element; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  const focused = document.activeElement;
  if (!focused || focused === document.body) return null;
  const style = getComputedStyle(focused), box = focused.getBoundingClientRect();
  const behind = backdrop(focused.parentElement);
  const rings = [];
  if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
    rings.push(contrast(parse(style.outlineColor), behind));
  const halo = style.boxShadow.match(/rgba?\\([^)]*\\)/);
  if (halo) rings.push(contrast(parse(halo[0]), behind));
  const x = Math.min(Math.max((box.left + box.right) / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max((box.top + box.bottom) / 2, 0), innerHeight - 1);
  const top = document.elementFromPoint(x, y);
  return {
    name: `<${focused.tagName.toLowerCase()}> "${(focused.textContent || focused.name).trim()}"`,
    onScreen: box.top >= -1 && box.bottom <= innerHeight + 1 &&
      box.left >= -1 && box.right <= innerWidth + 1,
    onTop: !!top && (top === focused || focused.contains(top) || top.contains(focused)),
    ring: Math.max(0, ...rings),
  };
}"""


@pytest.mark.parametrize(
    ("scheme", "forced_colors"),
    [("light", "none"), ("dark", "none"), ("light", "active"), ("dark", "active")],
    ids=["light", "dark", "forced-light", "forced-dark"],
)
@pytest.mark.parametrize("size", [DESKTOP, NARROWEST], ids=["desktop", "320"])
def test_the_keyboard_focus_is_always_seen_with_a_ring_of_at_least_3_to_1(
    browser, live_server, pages, scheme, forced_colors, size
):
    context = browser.new_context(color_scheme=scheme, forced_colors=forced_colors, viewport=size)
    try:
        page = context.new_page()
        for name in ["home", "article", "search", "year", "signup", "preferences"]:
            visit(page, live_server.url + pages[name], name)
            page.evaluate("window.scrollTo(0, 0)")
            page.evaluate("document.activeElement && document.activeElement.blur()")
            seen = set()
            for _ in range(120):
                page.keyboard.press("Tab")
                focus = page.evaluate(FOCUS)
                if focus is None or focus["name"] in seen and "Skip to content" in focus["name"]:
                    break  # past the last stop, to the browser's own controls, or round again
                seen.add(focus["name"])
                assert focus["onScreen"], (name, focus)
                assert focus["onTop"], (name, focus)
                assert focus["ring"] >= 3, (name, focus)
    finally:
        context.close()


# Links and buttons standing on their own (navigation, years, pages of results, form
# buttons; not links in a sentence) at least 24 by 24 px, or with a 24 px circle around each
# small one touching no other target (nor another small one's circle): WCAG 2.5.8.
CROWDED_TARGETS = """() => {
  const targets = [...document.querySelectorAll('a[href], button, input, select')].filter(e =>
    e.checkVisibility() && e.tabIndex >= 0 && e.type !== 'hidden' &&
    !e.closest('.prose, .visually-hidden') &&
    !(e.matches('a') && e.closest('p:not(.read-more, .source)')));
  const boxes = targets.map(e => e.getBoundingClientRect());
  const small = b => b.width < 24 || b.height < 24;
  const centre = b => [(b.left + b.right) / 2, (b.top + b.bottom) / 2];
  const crowded = [];
  boxes.forEach((box, i) => {
    if (!small(box)) return;
    const [x, y] = centre(box);
    boxes.forEach((other, j) => {
      if (i === j) return;
      const dx = Math.max(other.left - x, 0, x - other.right);
      const dy = Math.max(other.top - y, 0, y - other.bottom);
      const [ox, oy] = centre(other);
      if (Math.hypot(dx, dy) < 12 || (small(other) && Math.hypot(ox - x, oy - y) < 24))
        crowded.push(`"${targets[i].textContent.trim()}" by "${targets[j].textContent.trim()}"`);
    });
  });
  return crowded;
}"""


@pytest.mark.parametrize("size", [DESKTOP, NARROWEST], ids=["desktop", "320"])
def test_links_and_buttons_outside_sentences_are_big_enough_or_spaced_apart(
    page, live_server, pages, size
):
    page.set_viewport_size(size)
    for name in ["home", "article", "archive", "year", "search", "people", "topics", "signup"]:
        visit(page, live_server.url + pages[name], name)
        assert page.evaluate(CROWDED_TARGETS) == [], name


def test_text_keeps_its_contrast_in_dark_mode(browser, live_server, pages):
    context = browser.new_context(color_scheme="dark", viewport=DESKTOP)
    try:
        page = context.new_page()
        for name in ["home", "article", "search", "signup", "preferences", "not-found"]:
            visit(page, live_server.url + pages[name], name)
            results = Axe().run(page, options={"runOnly": ["color-contrast"]})
            assert results.response["violations"] == [], name
    finally:
        context.close()


def test_nothing_moves_for_a_reader_who_asks_for_reduced_motion(browser, live_server, pages):
    context = browser.new_context(reduced_motion="reduce", viewport=DESKTOP)
    try:
        page = context.new_page()
        for name in ["home", "article", "search", "signup"]:
            visit(page, live_server.url + pages[name], name)
            moving = page.evaluate(
                """() => [document.documentElement, ...document.body.querySelectorAll('*')]
                  .filter(e => { const s = getComputedStyle(e);
                    return s.scrollBehavior === 'smooth' || s.animationName !== 'none' ||
                      s.transitionDuration.split(',').some(d => parseFloat(d) > 0); })
                  .map(e => e.tagName)"""
            )
            assert moving == [], name
    finally:
        context.close()
