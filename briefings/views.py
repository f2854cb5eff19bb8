import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import Article, Issue, Organisation, Person


def _issue_date(year, month, day):
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise Http404("No such date") from None


def home(request):
    issue = Issue.objects.published().with_articles().first()
    most_read = (
        Article.objects.filter(issue=issue).most_clicked().select_related("issue").first()
        if issue
        else None
    )
    return render(request, "briefings/home.html", {"issue": issue, "most_read": most_read})


def render_issue(request, issue, *, preview=False):
    """Render an issue page. The staff preview uses this too, so it matches the public page."""
    return render(request, "briefings/issue_detail.html", {"issue": issue, "preview": preview})


def issue_detail(request, year, month, day):
    issue = get_object_or_404(
        Issue.objects.published().with_articles(), date=_issue_date(year, month, day)
    )
    return render_issue(request, issue)


def article_detail(request, year, month, day, slug):
    article = get_object_or_404(
        Article.objects.published().for_list().prefetch_related("people", "organisations", "tags"),
        issue__date=_issue_date(year, month, day),
        slug=slug,
    )
    return render(request, "briefings/article_detail.html", {"article": article})


def person_detail(request, slug):
    person = get_object_or_404(Person.objects.select_related("organisation"), slug=slug)
    articles = Article.objects.published().for_list().filter(people=person)
    return render(request, "briefings/person_detail.html", {"person": person, "articles": articles})


def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    articles = Article.objects.published().for_list().filter(organisations=organisation)
    return render(
        request,
        "briefings/organisation_detail.html",
        {"organisation": organisation, "articles": articles},
    )
