"""A reader's journey through the public site in Debian's Chromium: no console errors, no
horizontal scrolling at 360 px, no serious or critical axe-core violations, and screenshots
at phone and desktop widths under test-artifacts/ for a person to look at."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories import (
    ArticleFactory,
    IssueFactory,
    OrganisationFactory,
    PersonFactory,
    PlainPageFactory,
    SectionFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def content():
    person = PersonFactory(name="Morag Campbell", role="Chief Executive")
    organisation = OrganisationFactory(name="Angus Community Trust")
    ground = SectionFactory(name="On the ground", order=1)
    policy = SectionFactory(name="Policy", order=2)
    older = IssueFactory(date=datetime.date(2024, 11, 20), title="Autumn pressures")
    ArticleFactory(
        issue=older, section=policy, title="Council budgets under strain", people=[person]
    )
    latest = IssueFactory(date=datetime.date(2024, 12, 4), title="Halls and hubs")
    ArticleFactory(
        issue=latest,
        section=ground,
        title="Village hall becomes a warm space",
        teaser="A village hall committee in Angus has turned a draughty building into a hub.",
        body="<p>The committee raised the money in eighteen months, with help from "
        "<a href='https://example.org/'>a local trust</a>.</p><h2>What next</h2><p>More halls.</p>",
        people=[person],
        organisations=[organisation],
        tags=["Community anchors"],
        source_url="https://example.org/report",
        source_label="Read the report",
    )
    ArticleFactory(
        issue=latest,
        section=policy,
        title="A longer headline about the new community wealth building bill and what it means",
    )
    PlainPageFactory(url="/about/", title="About", content="<p>About the SCA.</p>")
    return latest


def check_page(page, name, artifacts_dir):
    """Axe at desktop width, then no sideways scrolling at 360 px; screenshots at both."""
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(artifacts_dir / f"site-{name}-desktop.png"), full_page=True)
    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], name
    page.set_viewport_size(PHONE)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"{name} scrolls sideways at 360 px ({scroll_width} px)"
    page.screenshot(path=str(artifacts_dir / f"site-{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_reader_goes_from_home_to_article_person_archive_and_search(
    page, live_server, content, console_errors, artifacts_dir
):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Halls and hubs"
    check_page(page, "home", artifacts_dir)

    page.get_by_role("link", name="Read more about Village hall becomes a warm space").click()
    assert page.locator("h1").inner_text() == "Village hall becomes a warm space"
    check_page(page, "article", artifacts_dir)

    page.get_by_role("link", name="Morag Campbell").click()
    assert page.locator("h1").inner_text() == "Morag Campbell"
    assert page.get_by_role("link", name="Council budgets under strain").is_visible()
    check_page(page, "person", artifacts_dir)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Archive").click()
    assert page.locator("h1").inner_text() == "Every briefing"
    check_page(page, "archive", artifacts_dir)

    page.get_by_role("link", name="4 December 2024: Halls and hubs").click()
    assert "Previous briefing" in page.content()
    check_page(page, "issue", artifacts_dir)

    page.get_by_label("Search the briefings").fill("warm space")
    page.get_by_label("Search the briefings").press("Enter")
    assert "1 article found" in page.locator("#results-heading").inner_text()
    check_page(page, "search", artifacts_dir)

    page.get_by_role("link", name="Village hall becomes a warm space").click()
    page.get_by_role("link", name="Angus Community Trust").click()
    check_page(page, "organisation", artifacts_dir)

    page.goto(live_server.url + "/topics/community-anchors/")
    check_page(page, "topic", artifacts_dir)

    for name, path in [
        ("people", "/people/"),
        ("organisations", "/organisations/"),
        ("topics", "/topics/"),
        ("search-empty", "/search/"),
        ("search-nothing", "/search/?q=zzzqqq"),
        ("plain-page", "/pages/about/"),
    ]:
        page.goto(live_server.url + path)
        check_page(page, name, artifacts_dir)

    assert console_errors == []


def test_not_found_page_is_accessible(page, live_server, content, artifacts_dir):
    response = page.goto(live_server.url + "/no-such-page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    check_page(page, "not-found", artifacts_dir)


def test_skip_link_moves_focus_to_the_main_content(page, live_server, content):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_keyboard_goes_through_the_header_in_the_order_it_is_seen(
    page, live_server, content, size
):
    page.set_viewport_size(size)
    page.goto(live_server.url + "/")
    stops = []
    for _ in range(5):  # skip link, title, search box, search button, first navigation link
        page.keyboard.press("Tab")
        stops.append(page.evaluate("document.activeElement.getBoundingClientRect().top"))
    # The title and the search form are on the rows above the navigation, on every screen.
    assert max(stops[1:4]) < stops[4], stops
    assert page.evaluate("document.activeElement.textContent") == "Latest"


def test_pages_work_without_javascript(browser, live_server, content):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/search/?q=warm")
        assert "1 article found" in page.content()
    finally:
        context.close()


def test_printed_article_is_the_article_without_the_sites_navigation(page, live_server, content):
    article = content.articles.get(title="Village hall becomes a warm space")
    page.goto(live_server.url + article.get_absolute_url())
    page.emulate_media(media="print")
    assert page.get_by_role("heading", name="Village hall becomes a warm space").is_visible()
    assert page.get_by_text("The committee raised the money").is_visible()
    for hidden in ["More from the briefing of", "Please send me the fortnightly briefing"]:
        assert not page.get_by_text(hidden).is_visible(), hidden
    # The printout says where it came from, but not the site's navigation.
    assert page.locator(".site-title").is_visible()
    assert not page.get_by_role("navigation", name="Main").is_visible()
    # Links print their address, since paper cannot be clicked.
    link_after = page.locator(".prose a[href^='http']").evaluate(
        "element => getComputedStyle(element, '::after').content"
    )
    assert "example.org" in link_after


def wide_table(columns=10):
    head = "".join(f"<th>Column heading {n}</th>" for n in range(columns))
    cells = "".join(f"<td>£{n},000,000</td>" for n in range(columns))
    return f"<figure><table><tr>{head}</tr><tr>{cells}</tr></table></figure>"


def test_a_wide_table_scrolls_inside_itself_on_a_phone_and_prints_whole(page, live_server, content):
    article = content.articles.get(title="Village hall becomes a warm space")
    article.body = f"<p>The figures:</p>{wide_table()}"
    article.save()
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + article.get_absolute_url())
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    table = page.locator(".prose table")
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")  # it scrolls, the page does not
    page.set_viewport_size({"width": 718, "height": 1000})  # A4's printable width
    page.emulate_media(media="print")
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth"), "columns cut off on paper"
    last = page.locator(".prose td").last
    assert last.evaluate("td => td.getBoundingClientRect().right") <= 718


def test_a_wide_table_can_be_scrolled_from_the_keyboard(page, live_server, content):
    article = content.articles.get(title="Village hall becomes a warm space")
    article.body = f"<p>The figures:</p>{wide_table()}"
    article.save()
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + article.get_absolute_url())
    results = Axe().run(page, options={"runOnly": ["scrollable-region-focusable"]})
    assert results.response["violations"] == []
    table = page.locator(".prose table")
    table.focus()
    page.keyboard.press("ArrowRight")
    # Chromium scrolls smoothly: wait for it to move rather than read it at once.
    page.wait_for_function(
        "() => document.querySelector('.prose table').scrollLeft > 0", timeout=5000
    )


def test_a_topic_named_with_one_long_word_does_not_push_the_page_sideways_on_a_phone(
    page, live_server, content
):
    article = content.articles.get(title="Village hall becomes a warm space")
    article.tags.add("Communityempowermentandparticipationrequestsandassettransfers")
    page.set_viewport_size(PHONE)
    for path in [article.get_absolute_url(), "/topics/"]:
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path


def test_printed_issue_leaves_out_read_more(page, live_server, content):
    page.goto(live_server.url + content.get_absolute_url())
    page.emulate_media(media="print")
    assert page.get_by_role("heading", name="Village hall becomes a warm space").is_visible()
    assert not page.get_by_text("Read more").first.is_visible()
