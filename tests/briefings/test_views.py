import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import (
    ArticleFactory,
    IssueFactory,
    OrganisationFactory,
    PersonFactory,
    PlainPageFactory,
    SectionFactory,
    SubscriberFactory,
)

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def test_home_shows_latest_issue_with_articles_grouped_by_section(client, published_issue):
    older = IssueFactory(date=published_issue.date - datetime.timedelta(days=14))
    response = client.get("/")
    assert response.status_code == 200
    body = text(response)
    assert "Halls and hubs" in body
    assert "Read more" in body
    assert older.get_absolute_url() in body
    assert reverse("briefings:archive") in body
    body = body[body.index('class="section"') :]
    assert body.index("On the ground") < body.index("Village hall becomes a warm space")
    assert body.index("Village hall becomes a warm space") < body.index("Policy")
    assert body.index("Policy") < body.index("Council budgets under strain")


def test_home_heading_leads_to_the_latest_issues_own_page(client, published_issue):
    body = text(client.get("/"))
    heading = body[body.index("<h1>") : body.index("</h1>")]
    assert f'<a href="{published_issue.get_absolute_url()}">' in heading
    # The issue page itself does not link its heading to itself.
    body = text(client.get(published_issue.get_absolute_url()))
    assert "<a" not in body[body.index("<h1>") : body.index("</h1>")]


def test_issue_page_title_names_the_briefing_and_its_date(client, published_issue):
    body = text(client.get(published_issue.get_absolute_url()))
    title = body[body.index("<title>") + 7 : body.index("</title>")]
    assert title == f"Halls and hubs – SCA Briefing, {published_issue.date:%-d %B %Y}"


def test_issue_page_shares_the_same_title_as_its_tab(client, published_issue):
    body = text(client.get(published_issue.get_absolute_url()))
    shared = f"Halls and hubs – SCA Briefing, {published_issue.date:%-d %B %Y}"
    assert f'<meta property="og:title" content="{shared}">' in body
    # X reads og:title; a twitter:title of its own had said only "SCA Briefing".
    assert "twitter:title" not in body


def test_navigation_marks_where_the_reader_is(client, published_issue):
    def marked(path):
        body = text(client.get(path))
        nav = body[body.index('aria-label="Main"') : body.index("</nav>")]
        return re.findall(r'aria-current="[a-z]+">([^<]+)</a>', nav)

    assert marked("/") == ["Latest"]
    assert marked("/people/") == ["People"]
    # An issue, an article and a year are all within the archive.
    assert marked(published_issue.get_absolute_url()) == ["Archive"]
    body = text(client.get(published_issue.get_absolute_url()))
    assert 'href="/briefings/" aria-current="true">Archive' in body
    assert 'href="/people/" aria-current="page">People' in text(client.get("/people/"))
    assert marked("/search/?q=hall") == []


def test_home_shows_only_the_two_previous_issues(client):
    issues = [
        IssueFactory(date=datetime.date(2024, 1, 3) + datetime.timedelta(14 * n)) for n in range(5)
    ]
    body = text(client.get("/"))
    assert issues[3].get_absolute_url() in body
    assert issues[2].get_absolute_url() in body
    assert issues[1].get_absolute_url() not in body


def test_home_without_any_published_issue_is_friendly(client, draft_issue):
    response = client.get("/")
    assert response.status_code == 200
    assert "No briefing has been published yet" in text(response)
    assert "Secret draft" not in text(response)


def test_home_has_no_most_read_block_without_click_data(client, published_issue):
    assert "Most read" not in text(client.get("/"))


def test_issue_page_links_previous_and_next_published_issues(client, published_issue):
    before = IssueFactory(date=published_issue.date - datetime.timedelta(days=14))
    after = IssueFactory(date=published_issue.date + datetime.timedelta(days=14))
    body = text(client.get(published_issue.get_absolute_url()))
    assert f'href="{before.get_absolute_url()}" rel="prev"' in body
    assert f'href="{after.get_absolute_url()}" rel="next"' in body


def test_issue_page_skips_draft_and_scheduled_neighbours(client, published_issue):
    draft = IssueFactory(draft=True, date=published_issue.date - datetime.timedelta(days=14))
    scheduled = IssueFactory(
        scheduled=True, date=published_issue.date + datetime.timedelta(days=14)
    )
    body = text(client.get(published_issue.get_absolute_url()))
    assert draft.get_absolute_url() not in body
    assert scheduled.get_absolute_url() not in body
    assert 'rel="prev"' not in body
    assert 'rel="next"' not in body


def test_draft_and_scheduled_issue_pages_are_404(client, draft_issue, scheduled_issue):
    assert client.get(draft_issue.get_absolute_url()).status_code == 404
    assert client.get(scheduled_issue.get_absolute_url()).status_code == 404


def test_draft_and_scheduled_article_pages_are_404(client, draft_issue, scheduled_issue):
    for issue in (draft_issue, scheduled_issue):
        assert client.get(issue.articles.get().get_absolute_url()).status_code == 404


def test_impossible_date_is_404_not_an_error(client):
    assert client.get("/briefings/2024/02/31/").status_code == 404
    assert client.get("/briefings/2024/13/01/some-slug/").status_code == 404


def test_year_nought_is_404_not_an_error(client, published_issue):
    # Dates start at year 1: year 0 once reached the database lookup and failed with a 500.
    assert client.get("/briefings/0000/").status_code == 404
    assert client.get("/briefings/0000/01/01/").status_code == 404
    assert client.get("/briefings/0000/01/01/some-slug/").status_code == 404


def test_article_page_shows_body_source_people_organisations_and_topics(client, published_issue):
    article = published_issue.articles.get(title="Village hall becomes a warm space")
    body = text(client.get(article.get_absolute_url()))
    assert "The committee raised the money" in body
    assert 'href="https://example.org/report"' in body
    assert "Read the report" in body
    assert 'href="/people/morag-campbell/"' in body
    assert 'href="/organisations/angus-community-trust/"' in body
    assert 'href="/topics/community-anchors/"' in body
    assert published_issue.get_absolute_url() in body
    assert "On the ground" in body


def test_tables_in_articles_leaders_and_plain_pages_take_the_keyboards_focus(client):
    # site.css lets a wide table scroll inside itself on a phone; a keyboard can only scroll
    # a box it can focus.
    table = "<figure><table><tr><th>Area</th><th>Halls</th></tr></table></figure>"
    issue = IssueFactory(leader=f"<p>The figures:</p>{table}")
    article = ArticleFactory(issue=issue, body=f"<p>The figures:</p>{table}")
    PlainPageFactory(url="/members/", title="Our members", content=table)
    for path in [issue.get_absolute_url(), article.get_absolute_url(), "/pages/members/"]:
        body = text(client.get(path))
        assert '<table tabindex="0">' in body, path
        assert "<table>" not in body, path


def test_article_page_lists_more_from_the_same_issue_only(client, published_issue):
    other_issue_article = ArticleFactory(title="From another issue entirely")
    article = published_issue.articles.get(title="Village hall becomes a warm space")
    body = text(client.get(article.get_absolute_url()))
    more = body[body.index("More from the briefing") :]
    assert "Council budgets under strain" in more
    assert "Village hall becomes a warm space" not in more
    assert other_issue_article.title not in more
    # The heading names the issue's date once; each entry gives only its section.
    assert more.count(f'datetime="{published_issue.date.isoformat()}"') == 0
    assert "Policy" in more


def test_article_page_has_canonical_open_graph_and_news_article_json_ld(client, published_issue):
    article = published_issue.articles.get(title="Village hall becomes a warm space")
    body = text(client.get(article.get_absolute_url()))
    url = "http://127.0.0.1:8000" + article.get_absolute_url()
    assert f'<link rel="canonical" href="{url}">' in body
    assert f'<meta property="og:url" content="{url}">' in body
    assert '<meta property="og:type" content="article">' in body
    assert '<meta name="twitter:card" content="summary">' in body
    assert '<script type="application/ld+json">' in body
    assert '"@type": "NewsArticle"' in body
    assert '"headline": "Village hall becomes a warm space"' in body


def test_json_ld_cannot_close_its_script_element(client):
    article = ArticleFactory(title="</script><script>alert(1)</script>")
    body = text(client.get(article.get_absolute_url()))
    ld = body[body.index("application/ld+json") :]
    ld = ld[: ld.index("</script>")]
    assert "<script>" not in ld


def test_archive_groups_issues_by_year_newest_first_with_counts(client):
    old = IssueFactory(date=datetime.date(2023, 6, 7), title="Summer")
    ArticleFactory(issue=old, title="First of summer")
    ArticleFactory(issue=old, title="Second of summer")
    new = IssueFactory(date=datetime.date(2024, 2, 7))
    body = text(client.get("/briefings/"))
    assert body.index('id="year-2024"') < body.index('id="year-2023"')
    assert body.index(new.get_absolute_url()) < body.index(old.get_absolute_url())
    assert "First of summer" in body
    assert "2 articles" in body
    assert 'href="/briefings/2023/"' in body


def test_a_year_without_published_briefings_is_not_found(client):
    IssueFactory(date=datetime.date(2024, 3, 6))
    IssueFactory(date=datetime.date(2023, 6, 7), draft=True)

    assert client.get("/briefings/2024/").status_code == 200
    assert client.get("/briefings/2023/").status_code == 404  # drafts only
    assert client.get("/briefings/9999/").status_code == 404


def test_archive_year_page_lists_only_that_year(client):
    IssueFactory(date=datetime.date(2023, 6, 7))
    in_2024 = IssueFactory(date=datetime.date(2024, 2, 7))
    body = text(client.get("/briefings/2024/"))
    assert in_2024.get_absolute_url() in body
    assert "/briefings/2023/06/07/" not in body


def test_archive_is_paginated(client):
    IssueFactory.create_batch(55)
    first = text(client.get("/briefings/"))
    second = client.get("/briefings/?page=2")
    assert "Page 1 of 2" in first
    assert 'rel="next"' in first
    assert second.status_code == 200
    assert "Page 2 of 2" in text(second)
    assert first.count('class="issue-list"') >= 1
    assert text(second).count("<li>\n      <h3>") == 5


def test_archive_page_past_the_end_or_not_a_number_is_404(client, published_issue):
    assert client.get("/briefings/?page=9").status_code == 404
    assert client.get("/briefings/?page=abc").status_code == 404


def test_archive_leaves_out_draft_and_scheduled_issues(
    client, published_issue, draft_issue, scheduled_issue
):
    body = text(client.get("/briefings/"))
    assert published_issue.get_absolute_url() in body
    assert draft_issue.get_absolute_url() not in body
    assert scheduled_issue.get_absolute_url() not in body


def test_people_index_counts_published_mentions_only(client, published_issue, draft_issue):
    person = PersonFactory(name="Ailsa Fraser")
    ArticleFactory(issue=published_issue, people=[person])
    ArticleFactory(issue=IssueFactory(), people=[person])
    ArticleFactory(issue=draft_issue, people=[person], title="Draft mention")
    body = text(client.get("/people/"))
    assert "Ailsa Fraser" in body
    line = body[body.index("Ailsa Fraser") :]
    assert "2 articles" in line[: line.index("</li>")]
    assert "Hidden Person" not in body


def test_people_index_is_alphabetical(client, published_issue):
    ArticleFactory(
        issue=published_issue,
        people=[PersonFactory(name="Zara Young"), PersonFactory(name="Alan Brown")],
    )
    body = text(client.get("/people/"))
    assert body.index("Alan Brown") < body.index("Morag Campbell") < body.index("Zara Young")


def test_person_page_lists_published_articles_newest_first_with_role(client):
    person = PersonFactory(
        name="Ailsa Fraser", role="Director", website="https://ailsa.example.org/"
    )
    old = ArticleFactory(
        issue=IssueFactory(date=datetime.date(2023, 1, 4)), people=[person], title="Older piece"
    )
    new = ArticleFactory(
        issue=IssueFactory(date=datetime.date(2024, 1, 3)), people=[person], title="Newer piece"
    )
    ArticleFactory(
        issue=IssueFactory(draft=True, date=datetime.date(2025, 1, 1)),
        people=[person],
        title="Draft piece",
    )
    body = text(client.get(person.get_absolute_url()))
    assert body.index(new.title) < body.index(old.title)
    assert "Draft piece" not in body
    assert "Director" in body
    assert 'href="https://ailsa.example.org/"' in body


def test_person_page_links_their_organisation_only_when_it_has_a_page(client, draft_issue):
    # An editor may name someone's organisation without the article naming it too; its page
    # lists published articles that mention it, so without one a link would lead to a 404.
    unmentioned = OrganisationFactory(name="Glen Trust")
    mentioned = OrganisationFactory(name="Loch Trust")
    only_in_a_draft = draft_issue.articles.get().organisations.get()
    people = [
        PersonFactory(name="Isla Ross", organisation=unmentioned),
        PersonFactory(name="Euan Bell", organisation=mentioned),
        PersonFactory(name="Rab Neil", organisation=only_in_a_draft),
    ]
    ArticleFactory(people=people, organisations=[mentioned])

    def organisation_link(person):
        body = text(client.get(person.get_absolute_url()))
        assert person.organisation.name in body
        return f'href="{person.organisation.get_absolute_url()}"' in body

    assert not organisation_link(people[0])
    assert client.get(unmentioned.get_absolute_url()).status_code == 404
    assert organisation_link(people[1])
    assert not organisation_link(people[2])


def test_mentions_from_one_issue_are_listed_in_the_issues_own_order(client):
    # Created in the opposite order to the issue's: pk order would put Policy first.
    person = PersonFactory()
    issue = IssueFactory()
    policy = ArticleFactory(
        issue=issue, section=SectionFactory(name="Policy", order=2), people=[person], tags=["x"]
    )
    ground = ArticleFactory(
        issue=issue, section=SectionFactory(name="On the ground", order=1), people=[person]
    )
    ground.tags.add("x")
    for url in [person.get_absolute_url(), "/topics/x/"]:
        body = text(client.get(url))
        assert body.index(ground.title) < body.index(policy.title), url


def test_numbering_of_a_persons_articles_carries_on_from_page_to_page(client):
    from briefings.views import ARTICLES_PER_PAGE

    person = PersonFactory()
    ArticleFactory.create_batch(ARTICLES_PER_PAGE + 2, issue=IssueFactory(), people=[person])
    assert '<ol class="article-list" start="1">' in text(client.get(person.get_absolute_url()))
    second = text(client.get(person.get_absolute_url(), {"page": 2}))
    assert f'<ol class="article-list" start="{ARTICLES_PER_PAGE + 1}">' in second


def test_person_or_organisation_mentioned_only_in_drafts_is_404(
    client, draft_issue, scheduled_issue
):
    for issue in (draft_issue, scheduled_issue):
        article = issue.articles.get()
        assert client.get(article.people.get().get_absolute_url()).status_code == 404
        assert client.get(article.organisations.get().get_absolute_url()).status_code == 404


def test_organisation_index_and_page_count_and_list_published_mentions(
    client, published_issue, draft_issue
):
    index = text(client.get("/organisations/"))
    assert "Angus Community Trust" in index
    assert "Hidden Organisation" not in index
    page = text(client.get("/organisations/angus-community-trust/"))
    assert "Village hall becomes a warm space" in page


def test_topic_pages_list_published_articles_only(
    client, published_issue, draft_issue, scheduled_issue
):
    ArticleFactory(issue=draft_issue, tags=["Community anchors"], title="Draft anchors")
    index = text(client.get("/topics/"))
    assert "Community anchors" in index
    assert "Hidden topic" not in index
    assert "Future topic" not in index
    page = text(client.get("/topics/community-anchors/"))
    assert "Village hall becomes a warm space" in page
    assert "<title>Topic: Community anchors – SCA Briefing</title>" in page
    assert "Draft anchors" not in page
    assert client.get("/topics/hidden-topic/").status_code == 404
    assert client.get("/topics/no-such-topic/").status_code == 404


def test_topics_in_any_script_have_pages_readers_can_reach(client, published_issue):
    ArticleFactory(
        issue=published_issue,
        title="Gaelic in the glens",
        tags=["Café culture", "Gàidhlig", "עברית"],
    )
    index = client.get("/topics/").content.decode()
    sitemap = text(client.get("/sitemap.xml"))
    for name in ["Café culture", "Gàidhlig", "עברית"]:
        link = re.search(rf'<a href="([^"]+)">{name}</a>', index).group(1)
        assert "Gaelic in the glens" in text(client.get(link))
        assert f"<loc>http://127.0.0.1:8000{link}</loc>" in sitemap
    assert "Gaelic in the glens" in text(client.get("/topics/g%C3%A0idhlig/"))
    article = published_issue.articles.get(title="Gaelic in the glens")
    assert 'href="/topics/g%C3%A0idhlig/"' in text(client.get(article.get_absolute_url()))


def test_a_topic_without_letters_made_outside_the_admin_breaks_no_public_page(
    client, published_issue
):
    # The admin refuses such a name, but a script or data import can make one, and taggit
    # gives it an empty web address: there is no page to link to, so it is named, unlinked.
    ArticleFactory(issue=published_issue, title="Planet first", tags=["🌍", "Climate"])
    article = published_issue.articles.get(title="Planet first")

    index = client.get("/topics/")
    sitemap = client.get("/sitemap.xml")
    page = client.get(article.get_absolute_url())

    assert [index.status_code, sitemap.status_code, page.status_code] == [200, 200, 200]
    assert "🌍" not in text(index)
    assert 'href="/topics/climate/"' in text(index)
    assert "<loc>http://127.0.0.1:8000/topics/</loc>" in text(sitemap)
    assert "<loc>http://127.0.0.1:8000/topics/climate/</loc>" in text(sitemap)
    assert "<li>🌍</li>" in text(page)
    assert 'href="/topics/climate/"' in text(page)


def test_sitemap_lists_public_pages_only(client, published_issue, draft_issue, scheduled_issue):
    # Factories date issues a fortnight apart through the whole run, so a fixed year could
    # be the published issue's own; decades after it, a year has only this draft.
    draft_only_year = published_issue.date.year + 40
    IssueFactory(draft=True, date=datetime.date(draft_only_year, 1, 8))
    PlainPageFactory(url="/about/", title="About us", content="<p>-</p>")
    PlainPageFactory(
        url="/members-area/", title="Members", content="<p>-</p>", registration_required=True
    )
    body = text(client.get("/sitemap.xml"))
    assert "http://127.0.0.1:8000" + published_issue.get_absolute_url() in body
    assert "/people/morag-campbell/" in body
    assert "<loc>http://127.0.0.1:8000/topics/community-anchors/</loc>" in body
    assert "<loc>http://127.0.0.1:8000/pages/about/</loc>" in body
    year = published_issue.date.year
    assert f"<loc>http://127.0.0.1:8000/briefings/{year}/</loc>" in body
    assert f"/briefings/{draft_only_year}/</loc>" not in body  # the year of only a draft
    assert "members-area" not in body
    assert "/topics/hidden-topic/" not in body
    assert "/topics/future-topic/" not in body
    for issue in (draft_issue, scheduled_issue):
        article = issue.articles.get()
        assert issue.get_absolute_url() not in body
        assert article.get_absolute_url() not in body
        assert article.people.get().get_absolute_url() not in body
        assert article.organisations.get().get_absolute_url() not in body


def test_favicon_ico_leads_to_the_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    body = b"".join(icon.streaming_content) if icon.streaming else icon.content
    assert b"<svg" in body


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in text(response)
    assert "Disallow: /admin/" in text(response)


def test_plain_page_is_served_and_linked_from_navigation(client):
    PlainPageFactory(url="/about/", title="About us", content="<p>We are the SCA.</p>")
    response = client.get("/pages/about/")
    assert response.status_code == 200
    assert "We are the SCA." in text(response)
    assert 'href="/pages/about/">About us</a>' in text(client.get("/briefings/"))


def test_plain_page_has_a_canonical_address_like_every_page(client):
    PlainPageFactory(url="/about/", title="About us", content="<p>We are the SCA.</p>")
    body = text(client.get("/pages/about/"))
    assert '<link rel="canonical" href="http://127.0.0.1:8000/pages/about/">' in body
    assert '<meta property="og:url" content="http://127.0.0.1:8000/pages/about/">' in body


def test_plain_page_content_made_outside_the_admin_is_still_sanitised(client):
    PlainPageFactory(
        url="/about/", title="About & us", content="<p>Hi<script>alert(1)</script></p>"
    )
    body = text(client.get("/pages/about/"))
    assert "<script>alert(1)" not in body
    assert "<h1>About &amp; us</h1>" in body


def test_people_index_has_no_stray_separator_for_a_name_alone(client):
    ArticleFactory(people=[PersonFactory(name="Plain Person", role="", organisation=None)])
    body = text(client.get("/people/"))
    line = re.search(r"Plain Person</a>.*?</li>", body).group(0)
    assert '<span class="meta">1 article</span>' in line


def test_indexes_are_alphabetical_whatever_the_case(client):
    ArticleFactory(
        people=[PersonFactory(name="alasdair Gray"), PersonFactory(name="Bella Stewart")],
        tags=["Village hall", "anchors", "Zero waste"],
    )
    people = text(client.get("/people/"))
    assert people.index("alasdair Gray") < people.index("Bella Stewart")
    topics = text(client.get("/topics/"))
    assert topics.index("anchors") < topics.index("Village hall") < topics.index("Zero waste")


def test_indexes_put_names_with_accented_initials_among_their_letter(client):
    # Gaelic names often start with an accented capital, which SQLite and PostgreSQL's C
    # collation put after Z.
    ArticleFactory(
        people=[PersonFactory(name="Zoe Young"), PersonFactory(name="Èilidh Macleod")],
        organisations=[
            OrganisationFactory(name="Zero Waste Scotland"),
            OrganisationFactory(name="Òran Mór Trust"),
        ],
        tags=["Volunteering", "Ùrachadh", "Energy"],
    )
    people = text(client.get("/people/"))
    assert people.index("Èilidh Macleod") < people.index("Zoe Young")
    organisations = text(client.get("/organisations/"))
    assert organisations.index("Òran Mór Trust") < organisations.index("Zero Waste Scotland")
    topics = text(client.get("/topics/"))
    assert topics.index("Energy") < topics.index("Ùrachadh") < topics.index("Volunteering")


def test_later_pages_of_a_list_say_their_page_number_in_the_title(client, monkeypatch):
    monkeypatch.setattr("briefings.views.ARTICLES_PER_PAGE", 2)
    person = PersonFactory(name="Morag Campbell")
    ArticleFactory.create_batch(3, people=[person])
    first = text(client.get(person.get_absolute_url()))
    second = text(client.get(person.get_absolute_url() + "?page=2"))
    assert "<title>Morag Campbell – SCA Briefing</title>" in first
    assert "<title>Morag Campbell, page 2 – SCA Briefing</title>" in second


def test_later_pages_of_person_organisation_and_topic_lists_are_their_own_canonical(
    client, monkeypatch
):
    # A canonical naming page 1 tells search engines that page 2 is a copy, to be dropped.
    monkeypatch.setattr("briefings.views.ARTICLES_PER_PAGE", 2)
    person = PersonFactory(name="Morag Campbell")
    organisation = OrganisationFactory(name="Angus Community Trust")
    ArticleFactory.create_batch(
        3, people=[person], organisations=[organisation], tags=["Village halls"]
    )
    for path in [
        person.get_absolute_url(),
        organisation.get_absolute_url(),
        "/topics/village-halls/",
    ]:
        first = text(client.get(path))
        second = text(client.get(path + "?page=2"))
        assert f'<link rel="canonical" href="http://127.0.0.1:8000{path}">' in first
        assert f'<link rel="canonical" href="http://127.0.0.1:8000{path}?page=2">' in second


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in text(response)
    assert "Traceback" not in text(response)


def test_server_error_page_is_friendly_and_reveals_nothing(client, settings):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert "Django" not in html
    assert "Traceback" not in html


def test_public_pages_set_no_cookie_and_do_not_vary_on_cookie(client, published_issue):
    article = published_issue.articles.first()
    for url in (
        "/",
        published_issue.get_absolute_url(),
        article.get_absolute_url(),
        "/briefings/",
        "/search/?q=hall",
    ):
        response = client.get(url)
        assert not response.cookies, url
        assert "Cookie" not in response.get("Vary", ""), url
        assert "csrfmiddlewaretoken" not in text(response), url


def test_sections_appear_in_their_order(client):
    issue = IssueFactory()
    late = SectionFactory(name="Research", order=9)
    early = SectionFactory(name="Funding", order=1)
    ArticleFactory(issue=issue, section=late, title="Late section article")
    ArticleFactory(issue=issue, section=early, title="Early section article")
    body = text(client.get(issue.get_absolute_url()))
    assert body.index("Early section article") < body.index("Late section article")


def test_home_earlier_issues_skip_draft_and_scheduled_issues(client, published_issue):
    draft = IssueFactory(draft=True, date=published_issue.date - datetime.timedelta(days=14))
    scheduled = IssueFactory(
        scheduled=True, date=published_issue.date + datetime.timedelta(days=14)
    )
    older = IssueFactory(date=published_issue.date - datetime.timedelta(days=28))
    body = text(client.get("/"))
    assert "Halls and hubs" in body  # the scheduled issue is newer but not yet the latest
    assert older.get_absolute_url() in body
    assert draft.get_absolute_url() not in body
    assert scheduled.get_absolute_url() not in body


def test_issue_description_keeps_words_of_separate_paragraphs_apart(client):
    issue = IssueFactory(leader="<p>See the budget.</p><ul><li>halls</li><li>libraries</li></ul>")
    ArticleFactory(issue=issue)
    body = text(client.get(issue.get_absolute_url()))
    assert '<meta name="description" content="See the budget. halls libraries">' in body


def test_a_page_marked_registration_required_is_not_served_to_anyone(client, admin_client):
    # Readers have no accounts: such a page would send them to a sign-in page that does not
    # exist, and once cached it would be shared with every visitor.
    PlainPageFactory(
        url="/members-area/",
        title="Members",
        content="<p>For members.</p>",
        registration_required=True,
    )
    for visitor in (client, admin_client):
        response = visitor.get("/pages/members-area/")
        assert response.status_code == 404
        assert "For members." not in text(response)


def test_a_plain_page_address_without_its_slash_leads_to_the_page(client):
    PlainPageFactory(url="/about/", title="About us", content="<p>We are the SCA.</p>")
    response = client.get("/pages/about")
    assert response.status_code == 301
    assert response["Location"] == "/pages/about/"


def test_an_expired_form_says_so_in_plain_words_and_that_nothing_was_saved():
    subscriber = SubscriberFactory(name="Morag")
    path = subscriber.get_preferences_url().removeprefix("http://127.0.0.1:8000")
    response = Client(enforce_csrf_checks=True).post(path, {"name": "Changed"})
    assert response.status_code == 403
    assert "This form has expired" in text(response)
    assert "Your changes have not been saved" in text(response)
    assert "CSRF" not in text(response)
    subscriber.refresh_from_db()
    assert subscriber.name == "Morag"


def test_a_request_too_large_to_read_gets_a_plain_page(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = client.post("/subscribe/", {f"field{n}": "x" for n in range(50)})
    assert response.status_code == 400
    assert "Request not understood" in text(response)
    assert "Bad Request (400)" not in text(response)


@pytest.mark.parametrize("path", ["/pages/%00/", "/pages/about/%00", "/nope%00/"])
def test_an_address_with_a_nul_character_is_not_found(client, path):
    PlainPageFactory(url="/about/", title="About", content="<p>About the SCA.</p>")
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
