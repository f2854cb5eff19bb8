import time

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.redirects.models import Redirect
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from taggit.models import Tag, TaggedItem

from .models import Article, Issue

CONTENT_VERSION_KEY = "briefings:content-version"


# A change this process could not record because the cache was out of reach (the site carries
# on without it: sca_briefings.cache). It is recorded once the cache answers again, or pages
# the cache kept from before the change would come back with it.
_unrecorded_change = False


def _new_content_version():
    """Give the content a new version; False if the cache could not keep it."""
    try:
        cache.incr(CONTENT_VERSION_KEY)
    except ValueError:
        cache.set(CONTENT_VERSION_KEY, time.time_ns(), None)
    return cache.get(CONTENT_VERSION_KEY) is not None


def content_changed():
    """Forget every cached public page: call after an editor saves, publishes or unpublishes.

    Cached pages carry the content version in their key, so bumping it retires them all at
    once without scanning the cache.
    """
    global _unrecorded_change
    _unrecorded_change = not _new_content_version()


def content_version():
    global _unrecorded_change
    if _unrecorded_change:
        _unrecorded_change = not _new_content_version()
    # Starts from the clock, not 1: if the cache is emptied, the new version cannot match the
    # keys of pages that workers still hold in memory (briefings.pagecache).
    return cache.get_or_set(CONTENT_VERSION_KEY, time.time_ns, None)


class IssueDateTaken(Exception):
    """Raised when a new issue would share its date with an existing one."""

    def __init__(self, date):
        self.date = date
        super().__init__(f"There is already an issue dated {date:%-d %B %Y}.")


def publish_issue(*, issue, at=None):
    """Make `issue` public at `at` (now if not given) and retire cached pages."""
    issue.status = Issue.Status.PUBLISHED
    issue.publish_at = at  # None: the issue fills in now (Issue.save)
    issue.save()
    transaction.on_commit(content_changed)
    return issue


def unpublish_issue(*, issue):
    """Take `issue` back to draft: it disappears from every public page at once."""
    issue.status = Issue.Status.DRAFT
    issue.publish_at = None
    issue.save()
    transaction.on_commit(content_changed)
    return issue


def duplicate_issue_as_next(*, issue):
    """Start the next issue: a blank draft dated 14 days after `issue`.

    Sections are shared by every issue, so the new draft has them already; it gets no
    articles, because each issue's articles are new.
    """
    date = issue.next_date
    if Issue.objects.filter(date=date).exists():
        raise IssueDateTaken(date)
    try:
        with transaction.atomic():
            return Issue.objects.create(date=date, status=Issue.Status.DRAFT)
    except IntegrityError:
        # Someone else created it between our check and our insert.
        raise IssueDateTaken(date) from None


def renumber_articles(*, issue):
    """Number the issue's articles 10, 20, 30, ... in their current order.

    Editors can then slot an article in between two others (15 goes between 10 and 20)
    without renumbering anything by hand.
    """
    articles = list(issue.articles.order_by("order", "pk"))
    changed = []
    for position, article in enumerate(articles, start=1):
        if article.order != position * 10:
            article.order = position * 10
            changed.append(article)
    Article.objects.bulk_update(changed, ["order"])


def keep_old_addresses(*, moved):
    """Keep readers' links working after pages move: `moved` maps old paths to new ones.

    Each old path gets a redirect (contrib.redirects answers only where the site has no page).
    Redirects that led to an old path now lead straight to its new one, so readers never
    follow a chain, and a redirect from a path that is a page again is removed.
    """
    redirects = Redirect.objects.filter(site_id=settings.SITE_ID)
    for old, new in moved.items():
        redirects.filter(new_path=old).update(new_path=new)
        redirects.filter(old_path=new).delete()
        Redirect.objects.update_or_create(
            site_id=settings.SITE_ID, old_path=old, defaults={"new_path": new}
        )


def merge_topics(*, tags, name):
    """Give everything tagged with any of `tags` the topic called `name` instead; return it.

    `name` is matched to an existing tag whatever its case, as tags are (TAGGIT_CASE_INSENSITIVE),
    and may be one of `tags`; otherwise a new tag is made. The other tags are then deleted.
    """
    with transaction.atomic():
        into = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        # Each tagged thing ends with `into` once: a few queries, however many articles.
        tagged = set(TaggedItem.objects.filter(tag=into).values_list("content_type", "object_id"))
        move, drop = [], []
        for pk, *thing in (
            TaggedItem.objects.filter(tag__in=tags)
            .exclude(tag=into)
            .values_list("pk", "content_type", "object_id")
        ):
            if tuple(thing) in tagged:
                drop.append(pk)
            else:
                tagged.add(tuple(thing))
                move.append(pk)
        retagged = TaggedItem.objects.filter(pk__in=drop + move)
        # An issue screen opened before the merge would put the merged-away tags back.
        articles = retagged.filter(content_type=ContentType.objects.get_for_model(Article))
        Issue.objects.filter(articles__in=articles.values("object_id")).count_as_saved()
        TaggedItem.objects.filter(pk__in=drop).delete()
        TaggedItem.objects.filter(pk__in=move).update(tag=into)
        Tag.objects.filter(pk__in=[tag.pk for tag in tags]).exclude(pk=into.pk).delete()
    return into


EDITOR_GROUP = "Editor"
# Exactly what an editor needs: the briefing content, its tags, the plain pages (About, ...) and
# redirects from old addresses, and sending issues by email.
# Nothing about users, groups or subscribers. Image upload is allowed to anyone who may change
# issues or articles.
EDITOR_MODELS = [
    ("briefings", "issue"),
    ("briefings", "article"),
    ("briefings", "section"),
    ("briefings", "person"),
    ("briefings", "organisation"),
    ("taggit", "tag"),
    ("flatpages", "flatpage"),
    ("redirects", "redirect"),
]


def set_up_roles():
    """Create or repair the "Editor" group so that it has exactly the editors' permissions."""
    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    wanted = Q()
    for app_label, model in EDITOR_MODELS:
        wanted |= Q(
            content_type__app_label=app_label,
            codename__in=[f"{action}_{model}" for action in ("view", "add", "change", "delete")],
        )
    # Sending the email edition (preview, test, send, statistics): no access to the list itself.
    wanted |= Q(content_type__app_label="subscribers", codename="send_issue")
    permissions = Permission.objects.filter(wanted)
    group.permissions.set(permissions)
    return group
