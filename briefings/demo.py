"""Load the demo content in `demo_content.py` (used by `manage.py load_demo`)."""

import datetime

from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from . import demo_content
from .models import Article, Issue, Organisation, Person, Section
from .services import content_changed


def latest_demo_wednesday(today):
    """The most recent Wednesday before `today`, so the newest demo issue is already out."""
    days_back = (today.weekday() - 2) % 7 or 7
    return today - datetime.timedelta(days=days_back)


def _paragraphs(texts):
    return "".join(f"<p>{escape(text)}</p>" for text in texts)


@transaction.atomic
def load_demo_content(*, today=None):
    """Create the demo sections, people, organisations and three published issues.

    Does nothing (and returns None) when any issue exists already, so it is safe to run on
    every start and never touches an editor's real content. Returns the new issues.
    """
    if Issue.objects.exists():
        return None
    today = today or timezone.localdate()

    sections = {}
    for order, name in enumerate(demo_content.SECTIONS, start=1):
        sections[name], _ = Section.objects.get_or_create(name=name, defaults={"order": order})
    organisations = {}
    for name, kind, website in demo_content.ORGANISATIONS:
        organisations[name], _ = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "website": website}
        )
    people = {}
    for name, role, organisation in demo_content.PEOPLE:
        people[name], _ = Person.objects.get_or_create(
            name=name, defaults={"role": role, "organisation": organisations[organisation]}
        )

    latest = latest_demo_wednesday(today)
    issues = []
    count = len(demo_content.ISSUES)
    for position, data in enumerate(demo_content.ISSUES):
        date = latest - datetime.timedelta(days=14 * (count - 1 - position))
        publish_at = timezone.make_aware(datetime.datetime.combine(date, datetime.time(7, 0)))
        issue = Issue.objects.create(
            date=date,
            title=data["title"],
            leader=_paragraphs(data["leader"]),
            status=Issue.Status.PUBLISHED,
            publish_at=publish_at,
        )
        for order, article_data in enumerate(data["articles"], start=1):
            section, title, teaser, body, names, orgs, tags, source = article_data
            url, label = source or ("", "")
            article = Article.objects.create(
                issue=issue,
                section=sections[section],
                title=title,
                teaser=teaser,
                body=_paragraphs(body),
                order=order * 10,
                source_url=url,
                source_label=label,
            )
            article.people.set([people[name] for name in names])
            article.organisations.set([organisations[name] for name in orgs])
            article.tags.set(tags)
        issues.append(issue)
    _about_page()
    # Pages cached before the demo arrived (the disk cache outlives a restart) must go.
    transaction.on_commit(content_changed)
    return issues


def _about_page():
    """A plain page, so the navigation shows one an editor can change under "Flat pages"."""
    page, created = FlatPage.objects.get_or_create(
        url="/about/",
        defaults={"title": "About", "content": _paragraphs(demo_content.ABOUT)},
    )
    if created:
        page.sites.add(Site.objects.get_current())
