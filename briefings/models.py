import datetime
import functools

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.contrib.postgres.search import SearchVectorField
from django.db import IntegrityError, models, transaction
from django.db.models import OuterRef, Q
from django.db.models.functions import Now
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.text import slugify
from django_ckeditor_5.fields import CKEditor5Field
from taggit.managers import TaggableManager
from taggit.models import Tag

from .sanitise import sanitise_html


def unique_slug(instance, value, *, queryset, max_length=200):
    """A slug from `value` that no other row in `queryset` uses ("name", "name-2", ...)."""
    base = (slugify(value) or "item")[: max_length - 4]
    slug, n = base, 2
    others = queryset.exclude(pk=instance.pk) if instance.pk else queryset
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


class SluggedByName(models.Model):
    """A row whose web address, left blank, is made from its name, unique."""

    class Meta:
        abstract = True

    # Each retry loses only to a save that has finished, so this many covers a crowd.
    SLUG_ATTEMPTS = 10

    def save(self, *args, **kwargs):
        if self.slug:
            super().save(*args, **kwargs)
            return
        queryset = type(self)._default_manager.all()
        # Two editors (or a double-click) adding the same name at once both find "name" free;
        # the second insert waits for the first and fails. It takes the next free one then,
        # rather than the editor seeing a 500.
        for attempt in range(1, self.SLUG_ATTEMPTS + 1):
            self.slug = unique_slug(self, self.name, queryset=queryset)
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                self.slug = ""
                if attempt == self.SLUG_ATTEMPTS:
                    raise


class Organisation(SluggedByName):
    class Kind(models.TextChoices):
        THINK_TANK = "think_tank", "Think tank"
        CHARITY = "charity", "Charity"
        HOUSING_ASSOCIATION = "housing_association", "Housing association"
        COUNCIL = "council", "Council"
        GOVERNMENT = "government", "Government"
        PARLIAMENT = "parliament", "Parliament"
        NETWORK = "network", "Network"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, help_text="The organisation's full name.")
    slug = models.SlugField(
        "web address",
        max_length=200,
        unique=True,
        blank=True,
        help_text="Used in the web address. Leave blank to make one from the name.",
    )
    kind = models.CharField(max_length=30, choices=Kind, default=Kind.OTHER)
    website = models.URLField(blank=True, help_text="Its home page, starting https://")
    description = models.TextField(blank=True, help_text="One or two sentences for readers.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("briefings:organisation-detail", kwargs={"slug": self.slug})


class PersonQuerySet(models.QuerySet):
    def for_page(self):
        """With their organisation, and `organisation_is_public`: whether a published article
        mentions it, so that it has a page to link to (Organisation pages list only those)."""
        return self.select_related("organisation").annotate(
            organisation_is_public=models.Exists(
                Article.objects.published().filter(organisations=OuterRef("organisation"))
            )
        )


class Person(SluggedByName):
    name = models.CharField(max_length=200, help_text="As readers know them, e.g. “Hazel Blears”.")
    slug = models.SlugField(
        "web address",
        max_length=200,
        unique=True,
        blank=True,
        help_text="Used in the web address. Leave blank to make one from the name.",
    )
    role = models.CharField(
        max_length=200, blank=True, help_text="Their title or job, e.g. “MSP” or “Chief Executive”."
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        help_text="Where they work or sit, if any.",
    )
    website = models.URLField(blank=True)
    notes = models.TextField(
        blank=True, help_text="Private notes for editors; not shown on the site."
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("briefings:person-detail", kwargs={"slug": self.slug})


class Section(models.Model):
    name = models.CharField(
        max_length=100, unique=True, help_text="E.g. “On the ground”, “Policy”."
    )
    slug = models.SlugField("web address", max_length=100, unique=True, blank=True)
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Sections appear in an issue in this order, lowest first."
    )

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name, queryset=Section.objects.all())
        super().save(*args, **kwargs)


@functools.lru_cache(maxsize=4096)
def _issue_path(date, script_prefix, urlconf):
    """An issue's address. reverse() costs about 50 µs and list pages show dozens of issues and
    articles, so each answer is kept; the key holds what reverse() depends on."""
    return reverse(
        "briefings:issue-detail",
        kwargs={"year": date.year, "month": f"{date:%m}", "day": f"{date:%d}"},
        urlconf=urlconf,
    )


def issue_path(date):
    """The address of the issue dated `date`."""
    return _issue_path(date, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def articles_for_page(*, with_clickers=False):
    """What an issue page shows of its articles, in order, for prefetch_related.

    `with_clickers` also counts each article's readers from the email (for the home page's
    "most read"), in the same query.
    """
    articles = (
        Article.objects.select_related("section")
        .defer("body", "search_vector")
        .order_by(*IN_ISSUE_ORDER)
    )
    if with_clickers:
        articles = articles.with_clickers()
    return models.Prefetch("articles", queryset=articles)


def public_plain_pages():
    """The editors' plain pages (contrib.flatpages) readers may see, for the navigation and
    the sitemap: this site's, and none that asks for a sign-in."""
    return FlatPage.objects.filter(sites=settings.SITE_ID, registration_required=False)


def _public(through=""):
    """The one definition of what the public may see, as a condition on an issue (reached
    `through` a relation, such as "issue__" from an article).

    Scheduling needs no cron: an issue with a future `publish_at` simply is not published
    yet, and becomes so when the clock passes it.
    """
    return Q(**{f"{through}status": Issue.Status.PUBLISHED, f"{through}publish_at__lte": Now()})


class IssueQuerySet(models.QuerySet):
    def published(self):
        return self.filter(_public())

    def scheduled(self):
        """Published by an editor, but waiting for its `publish_at` to come."""
        return self.filter(status=Issue.Status.PUBLISHED, publish_at__gt=Now())

    def with_articles(self):
        return self.prefetch_related(articles_for_page())

    def count_as_saved(self):
        """Count a change made to these issues' articles elsewhere (the Articles screen, a
        topic merge) as a save of each issue: an issue screen opened before it is then refused
        with a message, rather than saving its old copy over the change or failing on an
        article that is no longer there."""
        return self.update(version=models.F("version") + 1)

    def with_neighbours(self):
        """Annotate `previous_date` and `following_date`: the published issues either side
        (None at either end), for "previous" and "next" links without more queries."""
        published = Issue.objects.published().values("date")
        return self.annotate(
            previous_date=models.Subquery(
                published.filter(date__lt=OuterRef("date")).order_by("-date")[:1]
            ),
            following_date=models.Subquery(
                published.filter(date__gt=OuterRef("date")).order_by("date")[:1]
            ),
        )


class Issue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    date = models.DateField(
        unique=True,
        help_text="The issue's date (usually a Wednesday). It names the issue and its web address.",
    )
    title = models.CharField(
        max_length=200, blank=True, help_text="Optional headline for the issue as a whole."
    )
    leader = CKEditor5Field(
        "leader",
        blank=True,
        config_name="default",
        help_text="The editor's opening piece, about 150–250 words.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text="Drafts are never shown to the public.",
    )
    publish_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "When a published issue becomes public. Leave blank to publish as soon as you save "
            "with status “Published”; a future time schedules it."
        ),
    )
    email_subject = models.CharField(
        max_length=200,
        blank=True,
        help_text=(
            "Subject line of the email. Leave blank for the usual one with this issue's date, "
            "e.g. “SCA Briefing – 25 November 2026”."
        ),
    )
    send_on_publish = models.BooleanField(
        default=False,
        help_text="Send the email to subscribers automatically when the issue goes public.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every save so that two editors saving the same issue cannot silently
    # overwrite each other (the admin compares it).
    version = models.PositiveIntegerField(default=1, editable=False)
    # Kept up to date by a PostgreSQL trigger (migration 0002); always empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        get_latest_by = "date"
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(publish_at__isnull=False),
                name="issue_published_has_publish_at",
            ),
        ]

    def __str__(self):
        return f"Briefing – {self.date:%-d %B %Y}"

    def get_absolute_url(self):
        return issue_path(self.date)

    def get_preview_url(self):
        """The staff preview: the issue as it will look, public or not."""
        return reverse("admin:briefings_issue_preview", args=[self.pk])

    def save(self, *args, **kwargs):
        self.leader = sanitise_html(self.leader)
        if not self._state.adding:
            self.version += 1
        self._publish_at_now_if_blank()
        super().save(*args, **kwargs)

    def clean(self):
        # Form validation checks the database constraint before save() runs.
        self._publish_at_now_if_blank()

    def _publish_at_now_if_blank(self):
        """A published issue with "Publish at" left blank goes public now."""
        if self.status == self.Status.PUBLISHED and self.publish_at is None:
            # Whole seconds: SQLite's clock in `published()` has milliseconds, so a time
            # with microseconds could stay in its future for the rest of that millisecond.
            self.publish_at = timezone.now().replace(microsecond=0)

    @property
    def is_public(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    @property
    def next_date(self):
        return self.date + datetime.timedelta(days=14)

    def most_read_article(self):
        """The article most readers clicked in the email, or None before anyone has.

        Most readers first, then the issue's own order. Picked from articles prefetched with
        `articles_for_page(with_clickers=True)`, so the home page needs no query of its own.
        """
        clicked = [article for article in self.articles.all() if article.clickers]
        return min(
            clicked,
            key=lambda article: (-article.clickers, article.order, article.pk),
            default=None,
        )


# The order of articles within an issue, as the issue page, the email and the feeds show them.
IN_ISSUE_ORDER = ("section__order", "section__name", "order", "pk")


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles of published issues (`Issue.objects.published()`), through a join: cheaper
        to build and to plan than a subquery, and list pages join the issue anyway."""
        return self.filter(_public(through="issue__"))

    def for_list(self):
        # Lists never show bodies or leaders; search vectors are for the database only.
        return self.select_related("issue", "section").defer(
            "body", "search_vector", "issue__leader", "issue__search_vector"
        )

    def for_links(self):
        """Only what a list of links to articles shows: title, issue date and section.

        Person, organisation and topic pages and search results list a page of them; loading
        whole rows cost about a twentieth of a person's page."""
        return self.select_related("issue", "section").only(
            "title", "slug", "issue__date", "section__name"
        )

    def with_clickers(self):
        """Annotate `clickers`: how many readers followed a link to it from the email.

        Counts readers (deliveries), not clicks, so one keen reader cannot top the list.
        """
        return self.annotate(clickers=models.Count("clicks__delivery", distinct=True))


class Article(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="articles")
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        related_name="articles",
        help_text="The heading it appears under, e.g. “On the ground”.",
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(
        "web address",
        max_length=200,
        blank=True,
        help_text="Used in the web address; unique within the issue. Leave blank to make one.",
    )
    teaser = models.TextField(
        help_text="Plain text, 60–120 words. Shown in the email and in lists, before “Read more”."
    )
    body = CKEditor5Field("body", blank=True, config_name="default")
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Position within its section, lowest first."
    )
    source_url = models.URLField(
        "source link",
        max_length=500,
        blank=True,
        help_text="The report or page the article discusses, starting https://",
    )
    source_label = models.CharField(
        max_length=200, blank=True, help_text="Link text, e.g. “Read the full report”."
    )
    people = models.ManyToManyField(
        Person, blank=True, related_name="articles", help_text="Everyone the article mentions."
    )
    organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="articles",
        help_text="Every organisation the article mentions.",
    )
    tags = TaggableManager(blank=True, help_text="Topics, separated by commas.")
    # Kept up to date by a PostgreSQL trigger (migration 0002); always empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["issue", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "slug"],
                name="article_slug_unique_in_issue",
                violation_error_message=(
                    "Another article in this issue already has this web address. Change it, "
                    "or leave it blank to make one from the title."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        # An article lives under its issue's address (see briefings/urls.py); joining the two
        # saves a reverse() per article on pages that list dozens.
        return f"{self.issue.get_absolute_url()}{self.slug}/"

    def get_preview_url(self):
        """The staff preview of this article, the "Read more" of its issue's preview."""
        return reverse("admin:briefings_issue_preview_article", args=[self.issue_id, self.slug])

    def save(self, *args, **kwargs):
        self.body = sanitise_html(self.body)
        if not self.slug:
            self.slug = unique_slug(
                self, self.title, queryset=Article.objects.filter(issue_id=self.issue_id)
            )
        super().save(*args, **kwargs)


def public_topics():
    """The topics (taggit's tags) of published articles that have a page of their own, for
    the topic list and the sitemap. The admin refuses a name without a letter or number, but
    a tag made by a script or a data import can have one, and so an empty slug: no page."""
    return Tag.objects.filter(article__in=Article.objects.published()).exclude(slug="")
