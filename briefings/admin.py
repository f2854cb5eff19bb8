import datetime
import re

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.flatpages.admin import FlatPageAdmin
from django.contrib.flatpages.models import FlatPage
from django.contrib.humanize.templatetags.humanize import apnumber
from django.contrib.postgres.search import SearchQuery
from django.contrib.redirects.admin import RedirectAdmin
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst, smart_split, unescape_string_literal
from django.views.decorators.cache import never_cache
from django_ckeditor_5.fields import CKEditor5Field
from taggit.admin import TagAdmin
from taggit.managers import TaggableManager
from taggit.models import Tag

from subscribers.admin_delivery import send_to_subscribers
from subscribers.models import Delivery

from . import services
from .forms import (
    DATE_INPUT_FORMATS,
    ArticleAdminForm,
    ArticleInlineFormSet,
    IssueAdminForm,
    MergeTopicsForm,
    OrganisationForm,
    PersonForm,
    PlainPageForm,
    RedirectForm,
    RichTextField,
    TeaserField,
    TopicForm,
    TopicsField,
)
from .models import Article, Issue, Organisation, Person, Section
from .views import render_article, render_issue

admin.site.site_header = admin.site.site_title = f"{settings.SITE_NAME} Briefings"
admin.site.index_title = "Write, publish and send the briefing"


def _content_changed():
    # After commit, so a reader cannot re-cache the old page between the bump and the save.
    transaction.on_commit(services.content_changed)


class RetiresCachedPages:
    """For admins of what public pages show: every save or delete here retires cached pages.

    `save_related` runs after every save, many-to-many fields included, and also for the
    changelist's editable columns.
    """

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _content_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _content_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        _content_changed()


class KeepsOldAddresses:
    """When an editor changes the address of a page readers can open (an issue's date, or the
    web address of an article, person, organisation, topic or plain page), links to the old
    address keep working: they lead to the new one (services.keep_old_addresses).

    `public_addresses(obj)` names the pages the object gives readers, with their paths.
    """

    def public_addresses(self, obj):
        path = self.view_on_site(obj)
        return {"page": path} if path else {}

    def save_model(self, request, obj, form, change):
        # Read from the database: the form has already put the new values on `obj`.
        before = self.public_addresses(type(obj).objects.get(pk=obj.pk)) if change else {}
        form.public_addresses_before = before
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = getattr(form, "public_addresses_before", {})
        after = self.public_addresses(form.instance)
        moved = {
            before[page]: after[page]
            for page in before.keys() & after.keys()
            if before[page] != after[page]
        }
        if moved:
            services.keep_old_addresses(moved=moved)
            if len(moved) == 1:
                [(old, new)] = moved.items()
                message = f"Links to the old address still work: {old} now leads to {new}."
            else:
                message = (
                    f"Links to the old addresses still work: {len(moved)} old addresses now "
                    "lead to the new ones (listed under Redirects)."
                )
            self.message_user(request, message, messages.INFO)


RICH_TEXT = {CKEditor5Field: {"form_class": RichTextField}}
# Django's own message speaks of a "slug", a word editors do not use.
WEB_ADDRESS = {
    models.SlugField: {
        "error_messages": {
            "invalid": "Use only letters, numbers and hyphens in the web address, for example "
            "new-fund-for-halls."
        }
    }
}
ARTICLE_FIELDS = (
    RICH_TEXT
    | WEB_ADDRESS
    | {TaggableManager: {"form_class": TopicsField}}
    # An article's one plain TextField: its teaser.
    | {models.TextField: {"form_class": TeaserField}}
)


def _article_on_site(article):
    # A path, not the contenttypes redirect, which would send the editor to the sites
    # framework's placeholder domain; and only for an article readers can open.
    return article.get_absolute_url() if article.issue.is_public else None


def _site_time(moment):
    """A time as editors read it, such as "09:01 on 29 November 2026", in the site's time zone."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return f"{local:%H:%M} on {local:%-d %B %Y}"


def _repeated_titles(issue):
    """(title, how many) for each title more than one of the issue's articles has, ignoring
    case and spacing, as the first of them spells it."""
    by_title = {}
    for title in issue.articles.order_by("order", "pk").values_list("title", flat=True):
        by_title.setdefault(" ".join(title.split()).casefold(), []).append(title)
    return [(titles[0], len(titles)) for titles in by_title.values() if len(titles) > 1]


def _typed_date(text):
    """The date `text` is, written any way the issue form takes a date, or None."""
    for input_format in DATE_INPUT_FORMATS:
        try:
            return datetime.datetime.strptime(text.strip(), input_format).date()
        except ValueError:
            continue
    return None


def _issues(count):
    return f"{count} issue" if count == 1 else f"{count} issues"


def _people(count):
    return "1 subscriber" if count == 1 else f"{count:,} subscribers"


def _counted(*sentences):
    """An action's message: each ("Published {}.", count) sentence whose count is not nought."""
    return " ".join(text.format(_issues(count)) for text, count in sentences if count)


def _held_email(issue, count):
    """What Unpublish says about an issue whose email was still going out."""
    if count == 1:
        held = "1 email not yet sent is held. It goes out by itself"
    else:
        held = f"{count} emails not yet sent are held. They go out by themselves"
    return (
        f"{issue} was already being emailed: {held} within a few minutes of the issue being "
        "public again; no one gets it twice."
    )


class OnTheSiteFilter(admin.SimpleListFilter):
    title = "on the site"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("public", "Public"), ("scheduled", "Scheduled"), ("draft", "Draft")]

    def queryset(self, request, queryset):
        if self.value() == "public":
            return queryset.published()
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == "draft":
            return queryset.filter(status=Issue.Status.DRAFT)
        return queryset


class KindOfOrganisationFilter(admin.ChoicesFieldListFilter):
    """People by the kind of their organisation: titled after the field alone ("By kind"), it
    read as a kind of person."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "kind of organisation"


class ChoosesPeopleAndOrganisations:
    """An article's people and organisations, as the issue page and the Articles screen offer
    them. One deleted by a colleague while the page was open was refused as "Select a valid
    choice. 57 is not one of the available choices", naming a number editors never see."""

    GONE = {
        "people": "Someone chosen here was deleted from People after this page was opened, "
        "so they have been taken off the list. Check who is left and save again.",
        "organisations": "An organisation chosen here was deleted from Organisations after "
        "this page was opened, so it has been taken off the list. Check what is left and "
        "save again.",
    }

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in self.GONE:
            field.error_messages["invalid_choice"] = self.GONE[db_field.name]
        return field


class ArticleInline(ChoosesPeopleAndOrganisations, admin.StackedInline):
    model = Article
    formset = ArticleInlineFormSet
    formfield_overrides = ARTICLE_FIELDS
    extra = 1
    ordering = ["order", "pk"]
    autocomplete_fields = ["people", "organisations"]
    fieldsets = [
        (None, {"fields": ["section", "title", "teaser", "body", "order"]}),
        (
            "Source, people and topics",
            {"fields": ["source_url", "source_label", "people", "organisations", "tags"]},
        ),
        ("Web address", {"classes": ["collapse"], "fields": ["slug"]}),
    ]

    def get_queryset(self, request):
        # Each article's form shows its people and organisations, and its "View on site" link
        # needs its issue: fetched for all the articles at once, not for each in turn.
        return (
            super()
            .get_queryset(request)
            .select_related("section", "issue")
            .prefetch_related("people", "organisations")
        )

    def view_on_site(self, article):
        return _article_on_site(article)


def _spellings(text):
    """`text` as typed, and with each kind of apostrophe in place of the other."""
    return {text, text.replace("'", "\u2019"), text.replace("\u2019", "'")}


class SearchesEitherApostrophe:
    """Names are set with a curly apostrophe (O’Neill, Tenants’), as the site sets them, or
    typed with a straight one; a search (and the pop-up lists that pick people and
    organisations for an article) finds them whichever the editor types."""

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        for other in _spellings(search_term) - {search_term}:
            more, duplicates = super().get_search_results(request, queryset, other)
            results, may_have_duplicates = results | more, may_have_duplicates or duplicates
        if may_have_duplicates:
            # A search through people's names joins an article once per person. The admin
            # would then ask for DISTINCT rows, comparing whole articles, bodies and all (about a
            # second on a 5,000-article archive); matching primary keys needs no such thing.
            return queryset.filter(pk__in=results.values("pk")), False
        return results, may_have_duplicates


@admin.register(Issue)
class IssueAdmin(SearchesEitherApostrophe, RetiresCachedPages, KeepsOldAddresses, admin.ModelAdmin):
    form = IssueAdminForm
    formfield_overrides = RICH_TEXT
    inlines = [ArticleInline]
    list_display = ["date", "title", "status", "state", "article_count", "updated_at"]
    list_display_links = ["date", "title"]
    list_filter = [OnTheSiteFilter, "status", "send_on_publish"]
    search_fields = ["date", "title", "leader", "articles__title", "articles__teaser"]
    date_hierarchy = "date"
    actions = [
        "publish_now",
        "unpublish",
        "duplicate_as_next",
        send_to_subscribers,
        "delete_selected",
    ]

    # An issue that has been emailed is kept with the record of who was sent it: editors may
    # not delete those records anyway, and an administrator's delete would lose them. Say so
    # plainly, rather than Django's "...the following types of objects: delivery".
    def _refuse_to_delete_emailed(self, request, issues):
        emailed = list(issues.filter(Exists(Delivery.objects.filter(issue=OuterRef("pk")))))
        if emailed:
            names = ", ".join(str(issue) for issue in emailed)
            self.message_user(
                request,
                f"{names} {'has' if len(emailed) == 1 else 'have'} been emailed to subscribers, "
                "so it is kept with the record of who was sent it, and nothing was deleted. To "
                "take an issue off the site, use “Unpublish” on the issue list.",
                messages.ERROR,
            )
        return bool(emailed)

    def delete_view(self, request, object_id, extra_context=None):
        issue = self.get_object(request, object_id)
        if (
            issue is not None
            and self.has_delete_permission(request, issue)
            and self._refuse_to_delete_emailed(request, Issue.objects.filter(pk=issue.pk))
        ):
            return redirect("admin:briefings_issue_change", issue.pk)
        return super().delete_view(request, object_id, extra_context)

    @admin.action(description="Delete selected issues", permissions=["delete"])
    def delete_selected(self, request, queryset):
        # Named as Django's own action, which it replaces on this list.
        if self._refuse_to_delete_emailed(request, queryset):
            return None
        return admin.actions.delete_selected(self, request, queryset)

    fieldsets = [
        (None, {"fields": ["date", "title", "leader"]}),
        ("Publishing", {"fields": ["status", "publish_at", "loaded_version"]}),
        ("Email", {"fields": ["email_subject", "send_on_publish"]}),
    ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if (
            request.method == "POST"
            and object_id is not None
            and request.POST.get("loaded_version")  # sent from the page of a saved issue
            and "_saveasnew" not in request.POST
            and self.has_add_permission(request)
            and self.get_object(request, unquote(object_id)) is None
        ):
            return self._deleted_while_open(request, extra_context)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _deleted_while_open(self, request, extra_context):
        """A colleague deleted the issue while this editor had it open. Django would redirect
        to the issue list ("Issue with ID … doesn't exist"), losing everything they typed.

        The same page comes back instead, with their text and a message, as the add-issue
        form: there is no issue left to change, so the form now sends to "Add issue", and
        pressing Save again adds what they typed as a new issue (after they have seen the
        message, so a deletion meant by the colleague is not quietly undone). Its articles
        become new articles of that issue: their rows went with the issue.
        """
        data = request.POST.copy()
        del data["loaded_version"]
        for inline in self.get_inline_instances(request):
            formset = inline.get_formset(request)
            prefix = formset.get_default_prefix()
            data[f"{prefix}-INITIAL_FORMS"] = "0"
            for name in (inline.model._meta.pk.name, formset.fk.name):
                for key in [key for key in data if re.fullmatch(rf"{prefix}-\d+-{name}", key)]:
                    del data[key]
        request.POST = data
        request.issue_deleted_while_open = True
        return super().changeform_view(
            request, None, reverse("admin:briefings_issue_add"), extra_context
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if getattr(request, "issue_deleted_while_open", False):
            # Shown again with the message, never saved from this request.
            form = type(form.__name__, (form,), {"deleted_while_open": True})
        return form

    def has_send_permission(self, request):
        # Only shows "Send to subscribers" to those allowed to send (subscribers.send_issue).
        return request.user.has_perm("subscribers.send_issue")

    def view_on_site(self, issue):
        # Only a public issue has a page to visit; for the others, use the preview.
        return issue.get_absolute_url() if issue.is_public else None

    def public_addresses(self, issue):
        # An issue's date is in its articles' addresses too.
        addresses = super().public_addresses(issue)
        if addresses:
            addresses |= {
                article.pk: article.get_absolute_url() for article in issue.articles.all()
            }
        return addresses

    def get_search_results(self, request, queryset, search_term):
        # The date is searched as the database writes it (2026-12-09); editors type it as the
        # admin shows it (9 Dec 2026), as the issue is named, or as the date box takes it.
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        date = _typed_date(search_term)
        if date is not None:
            results |= queryset.filter(date=date)
        return results, may_have_duplicates

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            # distinct: searching joins the articles again, which would multiply the count.
            .annotate(article_count=Count("articles", distinct=True))
            # A GROUP BY query drops Meta.ordering; autocomplete pages need an order.
            .order_by(*self.model._meta.ordering)
        )

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, issue):
        return issue.article_count

    @admin.display(description="on the site")
    def state(self, issue):
        if issue.is_public:
            return "Public"
        if issue.is_scheduled:
            # As the admin shows every other time ("29 Nov 2026, 9 a.m."), by the setting.
            when = date_format(timezone.localtime(issue.publish_at), "DATETIME_FORMAT")
            return f"Scheduled for {when}"
        return "Draft (not public)"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.renumber_articles(issue=form.instance)

    # After Django's "added/changed successfully", what the editor may not have meant.

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        self._say_what_the_save_means(request, obj, change=False)
        return response

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        self._say_what_the_save_means(request, obj, change=True)
        return response

    def _say_what_the_save_means(self, request, issue, *, change):
        if issue.publish_at and issue.publish_at > timezone.now():
            when = _site_time(issue.publish_at)
            if issue.status == Issue.Status.DRAFT:
                # "Publish at" only counts for a published issue, and the list shows a draft.
                self.message_user(
                    request,
                    f"This issue is a draft, so it will not go public at {when}. Set Status "
                    "to Published to schedule it.",
                    messages.WARNING,
                )
            else:
                self.message_user(request, f"It will go public at {when}.", messages.SUCCESS)
        emailed = change and issue.deliveries.filter(status=Delivery.Status.SENT).count()
        if emailed:
            # The web page changes at once; an email already delivered cannot. Nor can it be
            # taken back when the issue is taken off the site.
            if issue.is_public:
                said = (
                    "the copies they have keep the earlier text. The web page shows your changes."
                )
            else:
                said = "it is off the site, but still in their inboxes."
            self.message_user(
                request,
                f"This issue has already been emailed to {_people(emailed)}: {said}",
                messages.WARNING,
            )
        for title, count in _repeated_titles(issue):
            # Perhaps meant (a running story), so said rather than refused.
            self.message_user(
                request,
                f"{capfirst(apnumber(count))} articles in this issue have the same title, "
                f"“{title}”: readers will see the same heading twice.",
                messages.WARNING,
            )

    # Actions: thin wrappers over the services.

    @admin.action(description="Publish now", permissions=["change"])
    def publish_now(self, request, queryset):
        published, already, empty = 0, 0, []
        for issue in queryset.annotate(article_count=Count("articles")):
            if issue.is_public:
                already += 1  # keep the date it first went out
                continue
            if not issue.article_count:
                empty.append(issue)  # it would become the home page with nothing on it
                continue
            services.publish_issue(issue=issue)
            self.log_change(request, issue, "Published now.")
            published += 1
        said = _counted(
            ("Published {}: on the site now.", published),
            ("Left {} alone: already public.", already),
        )
        if empty:
            names = ", ".join(f"{issue.date:%-d %B %Y}" for issue in empty)
            said = f"{said} Not published (no articles yet): {names}.".strip()
        self.message_user(request, said, messages.WARNING if empty else messages.SUCCESS)

    @admin.action(description="Unpublish (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        unpublished, already, held = 0, 0, []
        for issue in queryset:
            if issue.status == Issue.Status.DRAFT:
                already += 1
                continue
            services.unpublish_issue(issue=issue)
            self.log_change(request, issue, "Unpublished.")
            unpublished += 1
            # The senders stop at once for an issue that is not public; say what they left.
            tally = Delivery.objects.filter(issue=issue).tally()
            if tally["waiting"]:
                held.append(_held_email(issue, tally["waiting"]))
            if tally["sent"]:
                held.append(
                    f"{issue} had already been emailed to {_people(tally['sent'])}: it is off the "
                    "site, but still in their inboxes."
                )
        said = _counted(
            ("Unpublished {}: drafts again, and not on the site.", unpublished),
            ("Left {} alone: already drafts.", already),
        )
        said = " ".join([said, *held])
        level = messages.WARNING if held else messages.SUCCESS if unpublished else messages.INFO
        self.message_user(request, said, level)

    @admin.action(description="Start the next issue (a draft 14 days later)", permissions=["add"])
    def duplicate_as_next(self, request, queryset):
        for issue in queryset:
            try:
                new = services.duplicate_issue_as_next(issue=issue)
            except services.IssueDateTaken as taken:
                self.message_user(
                    request,
                    f"{taken} No copy of the {issue.date:%-d %B %Y} issue was made.",
                    messages.ERROR,
                )
                continue
            self.log_addition(request, new, f"Started as the issue after {issue.date:%-d %B %Y}.")
            self.message_user(
                request,
                format_html(
                    "Started the next issue: a draft dated {} with no articles yet. "
                    "<a href='{}'>Write it</a>.",
                    f"{new.date:%-d %B %Y}",
                    reverse("admin:briefings_issue_change", args=[new.pk]),
                ),
                messages.SUCCESS,
            )

    # Staff preview.

    def get_urls(self):
        return [
            path(
                "<int:object_id>/preview/",
                never_cache(self.preview_view),
                name="briefings_issue_preview",
            ),
            path(
                "<int:object_id>/preview/<slug:slug>/",
                never_cache(self.preview_article_view),
                name="briefings_issue_preview_article",
            ),
            *super().get_urls(),
        ]

    def _check_preview_access(self, request):
        # Not wrapped in admin_view: that would redirect strangers to the login page and
        # confirm the issue exists. To anyone not signed in as staff, it simply is not there.
        if not (request.user.is_active and request.user.is_staff):
            raise Http404
        if not self.has_view_permission(request):
            raise PermissionDenied

    def preview_view(self, request, object_id):
        self._check_preview_access(request)
        issue = get_object_or_404(Issue.objects.with_articles().with_neighbours(), pk=object_id)
        response = render_issue(request, issue, preview=True)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def preview_article_view(self, request, object_id, slug):
        self._check_preview_access(request)
        response = render_article(
            request, Article.objects.filter(issue=object_id), slug, preview=True
        )
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response


class MentionsMixin(RetiresCachedPages, KeepsOldAddresses):
    """Mention counts, and a read-only list of the articles that mention the person or
    organisation; saving or deleting one changes public pages."""

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(mention_count=Count("articles", distinct=True))
            .order_by(*self.model._meta.ordering)
        )

    @admin.display(description="articles", ordering="mention_count")
    def mention_count(self, obj):
        return obj.mention_count

    def view_on_site(self, obj):
        # Their page lists published articles only, and is not found until there is one.
        return obj.get_absolute_url() if obj.articles.published().exists() else None

    def get_deleted_objects(self, objs, request):
        # Django would list the rows that tie each one to its articles ("Article_people object
        # (10)"). The articles stay; what goes is their mention, so name those articles.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        links = self.model.articles.through._meta.verbose_name_plural
        if links not in counts:
            return deleted, counts, perms_needed, protected
        opts = self.model._meta
        objs = list(objs)
        prefetch_related_objects(
            objs,
            Prefetch(
                "articles",
                Article.objects.select_related("issue").order_by("-issue__date", "order"),
            ),
        )
        deleted, mentions = [], 0
        for obj in objs:
            articles = obj.articles.all()
            deleted.append(
                format_html(
                    '{}: <a href="{}">{}</a>',
                    capfirst(opts.verbose_name),
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
                    obj,
                )
            )
            deleted.append(
                [
                    format_html(
                        'Their mention in <a href="{}">{}</a> ({}); the article stays',
                        reverse("admin:briefings_issue_change", args=[article.issue_id]),
                        article.title,
                        f"{article.issue.date:%-d %B %Y}",
                    )
                    for article in articles
                ]
            )
            mentions += len(articles)
        del counts[links]
        counts["mentions in articles"] = mentions
        return deleted, counts, perms_needed, protected

    @admin.display(description="mentioned in")
    def mentions(self, obj):
        if obj.pk is None:
            return "—"
        articles = obj.articles.select_related("issue").order_by("-issue__date", "order")
        if not articles:
            return "No articles yet."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><a href='{}'>{}</a> ({}, {})</li>",
                (
                    (
                        reverse("admin:briefings_issue_change", args=[a.issue_id]),
                        a.title,
                        f"{a.issue.date:%-d %B %Y}",
                        a.issue.get_status_display().lower(),
                    )
                    for a in articles
                ),
            ),
        )


@admin.register(Person)
class PersonAdmin(SearchesEitherApostrophe, MentionsMixin, admin.ModelAdmin):
    form = PersonForm
    formfield_overrides = WEB_ADDRESS
    list_display = ["name", "role", "organisation", "mention_count"]
    list_filter = [("organisation__kind", KindOfOrganisationFilter)]
    list_select_related = ["organisation"]
    search_fields = ["name", "role", "organisation__name"]
    autocomplete_fields = ["organisation"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["mentions"]
    fields = ["name", "slug", "role", "organisation", "website", "notes", "mentions"]


@admin.register(Organisation)
class OrganisationAdmin(SearchesEitherApostrophe, MentionsMixin, admin.ModelAdmin):
    form = OrganisationForm
    formfield_overrides = WEB_ADDRESS
    list_display = ["name", "kind", "website", "mention_count"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["mentions"]
    fields = ["name", "slug", "kind", "website", "description", "mentions"]


@admin.register(Section)
class SectionAdmin(RetiresCachedPages, admin.ModelAdmin):
    formfield_overrides = WEB_ADDRESS
    list_display = ["name", "order", "article_count"]
    list_editable = ["order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(article_count=Count("articles", distinct=True))
            # A GROUP BY query drops Meta.ordering; autocomplete pages need an order.
            .order_by(*self.model._meta.ordering)
        )

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, section):
        return section.article_count


@admin.register(Article)
class ArticleAdmin(
    ChoosesPeopleAndOrganisations,
    SearchesEitherApostrophe,
    RetiresCachedPages,
    KeepsOldAddresses,
    admin.ModelAdmin,
):
    """Every article across the archive, for searching; they are written in the issue."""

    form = ArticleAdminForm
    list_display = ["title", "issue", "section", "order"]
    list_filter = ["section", "issue__status", "tags"]
    list_select_related = ["issue", "section"]
    search_fields = ["title", "teaser", "body", "people__name", "organisations__name"]
    autocomplete_fields = ["issue", "people", "organisations"]
    date_hierarchy = "issue__date"
    formfield_overrides = ARTICLE_FIELDS

    def get_search_results(self, request, queryset, search_term):
        if connection.vendor != "postgresql" or not search_term.strip():
            return super().get_search_results(request, queryset, search_term)
        # Matching every teaser and body with ILIKE read the whole archive's text four times
        # a page (the list, its count and the date bar's two): about a second on 5,000
        # articles. Their words are already indexed for the public search, so they are found
        # there (any form of a word: "housing" finds "houses"); titles and the names of those
        # mentioned still match part words, whichever apostrophe is typed. As in Django's own
        # search, every word (or "quoted phrase") must match somewhere; a -word leaves out the
        # articles that mention it anywhere.
        for term in smart_split(search_term):
            leave_out = term.startswith("-") and len(term) > 1
            term = term.removeprefix("-") if leave_out else term
            if term[0] in "\"'" and term[-1] == term[0] and len(term) > 1:
                term = unescape_string_literal(term)
            if not term.strip():
                continue
            matching = self._matching(term)
            queryset = queryset.exclude(matching) if leave_out else queryset.filter(matching)
        return queryset, False

    @staticmethod
    def _matching(term):
        words = SearchQuery(term, search_type="phrase", config="english")
        found = Q(pk__in=Article.objects.filter(search_vector=words).values("pk"))
        for text in _spellings(term):
            people = Article.people.through.objects.filter(person__name__icontains=text)
            organisations = Article.organisations.through.objects.filter(
                organisation__name__icontains=text
            )
            found |= (
                Q(title__icontains=text)
                | Q(pk__in=people.values("article_id"))
                | Q(pk__in=organisations.values("article_id"))
            )
        return found

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A save of the article is a save of its issue (and of the one it left, if moved):
        # an issue screen opened before it must not save over it (ArticleAdminForm).
        issues = {obj.issue_id, form.initial.get("issue")} - {None}
        Issue.objects.filter(pk__in=issues).count_as_saved()
        if change and "issue" in form.changed_data:
            self._say_what_the_move_means(request, obj, form.initial.get("issue"))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        # The issue screen lists its articles: one opened before could not be saved at all.
        Issue.objects.filter(pk=obj.issue_id).count_as_saved()

    def delete_queryset(self, request, queryset):
        issues = list(queryset.values_list("issue_id", flat=True).distinct())
        super().delete_queryset(request, queryset)
        Issue.objects.filter(pk__in=issues).count_as_saved()

    def _say_what_the_move_means(self, request, article, old_issue_id):
        # Moving an article is one field on this screen, but it can put it on the site, or
        # take it off, at once.
        was_public = Issue.objects.published().filter(pk=old_issue_id).exists()
        if article.issue.is_public and not was_public:
            said = f"“{article.title}” is now on the site, in {article.issue}."
        elif was_public and not article.issue.is_public:
            said = f"“{article.title}” is no longer on the site: {article.issue} is not public."
        else:
            return
        self.message_user(request, said, messages.WARNING)

    def view_on_site(self, article):
        return _article_on_site(article)


class TopicAdmin(RetiresCachedPages, KeepsOldAddresses, TagAdmin):
    """Topics as editors keep them. Renaming or merging tags changes article and topic pages.

    The merge screen is ours: taggit's checked only is_staff, so staff without tag permissions
    could create tags through it (found by tests/production/test_url_access.py), and it lost
    articles' tags (see merge_tags_view).
    """

    form = TopicForm
    formfield_overrides = WEB_ADDRESS
    list_display = ["name", "web_address", "article_count"]
    # taggit's inline listed every article's raw tag row (content type, object id) on the
    # tag's page: meaningless to an editor, and for a topic of a long archive it took seconds
    # to open and had to be posted back whole to rename the tag.
    inlines = []

    def get_queryset(self, request):
        # How many articles use each tag, to see which to merge.
        tags = super().get_queryset(request)
        return tags.annotate(article_count=Count("taggit_taggeditem_items"))

    @admin.display(description="web address", ordering="slug")
    def web_address(self, tag):
        return tag.slug

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, tag):
        return tag.article_count

    def has_merge_permission(self, request):
        # A merge changes articles' tags and deletes the tags merged away.
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.action(description="Merge selected tags", permissions=["merge"])
    def render_tag_form(self, request, queryset):
        # taggit's own action appends "merge-tags/" to the list's address, query string and
        # all, so from a searched or filtered list (?q=hall) it led back to the list.
        request.session["selected_tag_ids"] = ",".join(str(tag.pk) for tag in queryset)
        return redirect("admin:taggit_tag_merge_tags")

    def merge_tags_view(self, request):
        """Merge the ticked tags (services.merge_topics), replacing taggit's own screen.

        taggit 6.1's merge untagged every article when the name given was one of the ticked
        tags ("Village hall" and "Village halls" into "Village halls"), made a second tag when
        it differed in case, retired no cached page, and showed a bare form without the
        tags it was about to merge.
        """
        if not self.has_merge_permission(request):
            raise PermissionDenied
        ids = [pk for pk in request.session.get("selected_tag_ids", "").split(",") if pk.isdigit()]
        tags = list(self.get_queryset(request).filter(pk__in=ids).order_by("name"))
        if not tags:
            self.message_user(
                request,
                "Tick the tags to merge on the list, then choose “Merge selected tags”.",
                messages.WARNING,
            )
            return redirect("admin:taggit_tag_changelist")
        most_used = max(tags, key=lambda tag: tag.article_count)
        form = MergeTopicsForm(request.POST or None, initial={"name": most_used.name})
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                # The topics' pages as readers know them, before their articles move.
                before = [self.view_on_site(tag) for tag in tags]
                into = services.merge_topics(tags=tags, name=form.cleaned_data["name"])
                _content_changed()
                new = self.view_on_site(into)
                moved = {old: new for old in before if old and new and old != new}
                if moved:
                    services.keep_old_addresses(moved=moved)
            del request.session["selected_tag_ids"]
            self.message_user(request, f"Merged into “{into.name}”.", messages.SUCCESS)
            return redirect("admin:taggit_tag_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Merge tags",
            "tags": tags,
            "form": form,
        }
        return TemplateResponse(request, "admin/taggit/tag/merge_topics.html", context)

    def view_on_site(self, tag):
        # Its topic page lists published articles only, and is not found until there is one.
        return (
            tag.get_absolute_url()
            if Article.objects.published().filter(tags=tag).exists()
            else None
        )


admin.site.unregister(Tag)
admin.site.register(Tag, TopicAdmin)


class PlainPageAdmin(RetiresCachedPages, KeepsOldAddresses, FlatPageAdmin):
    """Plain pages are listed in the navigation of every cached page."""

    form = PlainPageForm
    fieldsets = None  # the form's fields, in its order
    list_filter = []

    def view_on_site(self, page):
        # Straight to the page: the contenttypes redirect would send the editor to the sites
        # framework's placeholder domain.
        return page.get_absolute_url()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.sites.add(Site.objects.get_current())


admin.site.unregister(FlatPage)
admin.site.register(FlatPage, PlainPageAdmin)


class OldAddressAdmin(RedirectAdmin):
    form = RedirectForm
    list_filter = []

    def save_model(self, request, obj, form, change):
        obj.site_id = settings.SITE_ID
        super().save_model(request, obj, form, change)


admin.site.unregister(Redirect)
admin.site.register(Redirect, OldAddressAdmin)
