"""Admin forms: optimistic locking for issues, clean slugs for the article inline, rich text
for plain pages, and old addresses that lead to new ones."""

import hashlib
import unicodedata
from urllib.parse import unquote, urlsplit

from django import forms
from django.conf import settings
from django.contrib.flatpages.forms import FlatpageForm
from django.contrib.flatpages.models import FlatPage
from django.contrib.redirects.models import Redirect
from django.db import connection
from django.forms.models import BaseInlineFormSet, model_to_dict
from django.utils.encoding import escape_uri_path, iri_to_uri
from django.utils.functional import cached_property
from django.utils.text import slugify
from django_ckeditor_5.widgets import CKEditor5Widget
from taggit.forms import TagField
from taggit.models import Tag

from .models import Article, Issue, Organisation, Person, unique_slug
from .sanitise import (
    foreign_images,
    is_blank_html,
    links_with_spaces,
    sanitise_html,
    undescribed_images,
    unreadable_links,
    unusable_links,
)

# The same editor in another tab is caught too, so the messages blame no one in particular.
CONFLICT_MESSAGE = (
    "This issue was saved elsewhere (by a colleague, or by you in another tab) after you "
    "opened it, so your changes have not been saved. Copy any text you want to keep, open the "
    "issue again to see the version saved, and make your changes there."
)
ARTICLE_CONFLICT_MESSAGE = (
    "This article or its issue was saved elsewhere (by a colleague, or by you in another tab) "
    "after you opened it, so your changes have not been saved. Copy any text you want to "
    "keep, open the article again to see the version saved, and make your changes there."
)
DELETED_MESSAGE = (
    "This issue was deleted by someone else (or by you in another tab) while you were editing "
    "it, so your changes have not been saved. Everything you typed is still below. To keep "
    "it, check it and press Save: it will be added as a new issue. Or copy any text you want "
    "to keep before leaving this page."
)
# The first key of the PostgreSQL advisory locks on issue dates (the second is the date).
ISSUE_DATE_LOCK = 0x5CA


def _lock_issue_date(date):
    """Hold a lock on `date` until the transaction ends.

    Two editors adding an issue for the same date at once would both find the date free, and
    the second save would then fail on the unique date with an error page. The admin checks
    and saves in one transaction, so the second waits here until the first has saved, then
    finds its issue and gets the plain message. (SQLite lets one writer in at a time anyway.)
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [ISSUE_DATE_LOCK, date.toordinal()]
            )


# en-GB's own formats (the first is the one the admin writes dates in), then the site's own
# style, as editors copy it from a page or type it: "9 December 2026", "9 Dec 2026".
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"]
DATE_FORMAT_MESSAGE = "Enter the date as day/month/year, for example 09/12/2026."
TIME_FORMAT_MESSAGE = "Enter the time as hours and minutes, for example 09:00."

RICH_TEXT_MAX_LENGTH = 200_000
EARLIEST_ISSUE_YEAR, LATEST_ISSUE_YEAR = 1900, 2999


class RichTextField(forms.CharField):
    """A CKEditor field where an editor nobody typed in counts as empty.

    Without this, the empty article at the foot of the issue form came back as
    `<p>&nbsp;</p>`, looked changed, and was refused for want of a title and teaser.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return "" if is_blank_html(value) else value

    def validate(self, value):
        super().validate(value)
        if len(value) > RICH_TEXT_MAX_LENGTH:
            # PostgreSQL's search index of a text has a size limit (1 MB), which a pasted
            # book would pass; this is far beyond any briefing, and far below that.
            raise forms.ValidationError(
                f"This text is too long to save: {len(value):,} characters with its "
                f"formatting, where the most is {RICH_TEXT_MAX_LENGTH:,}. Put a long document "
                "on its own site and link to it."
            )
        refuse_unusable_links(value)


# A teaser is a few sentences (60–120 words). Like rich text, a long document pasted in would
# pass the size limit of PostgreSQL's search index of the article, failing the whole save.
TEASER_MAX_LENGTH = 5_000


class TeaserField(forms.CharField):
    """An article's teaser, plain text, refused in plain words when far too long.

    No maxlength on the box: the browser would cut a paste short without a word.
    """

    def validate(self, value):
        super().validate(value)
        if len(value) > TEASER_MAX_LENGTH:
            raise forms.ValidationError(
                f"This teaser is too long to save: {len(value):,} characters, where the most "
                f"is {TEASER_MAX_LENGTH:,}. A teaser is a few sentences before “Read more”; "
                "put the rest in the body."
            )


def refuse_unusable_links(html):
    """Saving would quietly drop these links' addresses and these images (sanitise.py), or
    publish an image that readers who cannot see it are told nothing about: say so instead."""
    errors = [
        forms.ValidationError(
            f"The link on “{words or address}” goes to “{address}”, which is not a web "
            "address. Links must start with https://, http:// or mailto:."
        )
        for address, words in unusable_links(html)
    ]
    errors += [
        forms.ValidationError(
            f"The link on “{words or address}” goes to “{address}”, which has a space in it, "
            "so it would not work. Check the address, or copy it again from the browser’s "
            "address bar."
        )
        for address, words in links_with_spaces(html)
    ]
    errors += [
        forms.ValidationError(
            f"The link on “{words or address}” goes to “{address}”, which is not an address a "
            "browser can open: part of it may be missing. Copy it again from the browser’s "
            "address bar."
        )
        for address, words in unreadable_links(html)
    ]
    for src in foreign_images(html):
        where = "pasted in from another program" if src.startswith("data:") else f"at “{src}”"
        errors.append(
            forms.ValidationError(
                f"The image {where} is not stored on this site, so it would not be shown. "
                "Save it to your computer and add it with the editor’s image button instead."
            )
        )
    undescribed = undescribed_images(html)
    for number, lacking in enumerate(undescribed, start=1):
        if lacking:
            which = "The image" if len(undescribed) == 1 else f"Image {number}"
            errors.append(
                forms.ValidationError(
                    f"{which} in this text has no description for readers who cannot see it. "
                    "Click the image, press “Change image text alternative” above it and say "
                    "in a few words what it shows."
                )
            )
    if errors:
        raise forms.ValidationError(errors)


class PublishAtField(forms.SplitDateTimeField):
    """A date and a time in the site's time zone, as the admin's two boxes give them."""

    def compress(self, data_list):
        try:
            return super().compress(data_list)
        except forms.ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
            # Django's own words ("2027-03-28 01:30:00 couldn't be interpreted in time zone
            # Europe/London; it may be ambiguous...") are a programmer's.
            day, time = data_list
            raise forms.ValidationError(
                f"The clocks change in the night of {day:%-d %B %Y}, so {time:%H:%M} that "
                "night is skipped or comes twice. Choose another time, such as 09:00."
            ) from error


class IssueAdminForm(forms.ModelForm):
    # The version the editor loaded. If the issue has been saved since, saving this form
    # would silently overwrite someone else's work, so it is refused instead.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Issue
        fields = [
            "date",
            "title",
            "leader",
            "status",
            "publish_at",
            "email_subject",
            "send_on_publish",
        ]
        field_classes = {"publish_at": PublishAtField}

    # Set by IssueAdmin on the form it shows again when the issue was deleted while open.
    deleted_while_open = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
        if "publish_at" not in self.fields:
            # Staff who may only view issues get a form without the fields they cannot change.
            return
        # The admin makes these fields (with its calendar widgets); the dates they take and
        # what they say of one they cannot read are set here.
        publish_at = self.fields["publish_at"]
        publish_date = publish_at.fields[0]
        for field in (self.fields["date"], publish_date):
            field.input_formats = DATE_INPUT_FORMATS
            field.error_messages["invalid"] = DATE_FORMAT_MESSAGE
        publish_at.error_messages["invalid_date"] = DATE_FORMAT_MESSAGE
        # Also said of a date given without a time.
        publish_at.fields[1].error_messages["invalid"] = TIME_FORMAT_MESSAGE
        publish_at.error_messages["invalid_time"] = TIME_FORMAT_MESSAGE

    def clean_email_subject(self):
        # A text box cannot hold a line break, but a crafted request can, and a subject with
        # one cannot be sent (nor previewed).
        subject = self.cleaned_data["email_subject"]
        if any(unicodedata.category(ch) in {"Cc", "Zl", "Zp"} for ch in subject):
            raise forms.ValidationError("The subject must be one line of text.")
        return subject

    def clean_date(self):
        date = self.cleaned_data["date"]
        if not EARLIEST_ISSUE_YEAR <= date.year <= LATEST_ISSUE_YEAR:
            # A slip of the keyboard (0026, 9999) would file the issue far off in the archive,
            # and the next issue's date, a fortnight on, can pass the last date Python has.
            raise forms.ValidationError(
                f"Give a date between {EARLIEST_ISSUE_YEAR} and {LATEST_ISSUE_YEAR}."
            )
        _lock_issue_date(date)
        others = Issue.objects.filter(date=date).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                f"There is already an issue dated {date:%-d %B %Y}. Choose another date, "
                "or edit that issue instead."
            )
        return date

    def clean(self):
        cleaned = super().clean()
        if self.deleted_while_open:
            raise forms.ValidationError(DELETED_MESSAGE, code="deleted")
        if self.instance.pk:
            _refuse_if_saved_since(
                self.instance.pk, cleaned.get("loaded_version"), CONFLICT_MESSAGE
            )
        if (
            cleaned.get("send_on_publish")
            and self.instance.pk
            and not self.instance.send_on_publish
            and self.instance.is_public  # as saved before this change
            and not self.instance.deliveries.exists()
        ):
            # The flag sends when an issue goes public; this one already has, so ticking it
            # would email every subscriber within a minute, with no confirmation.
            self.add_error(
                "send_on_publish",
                "This issue is already on the site, so ticking this would email it to every "
                "subscriber straight away. To send it, use “Send to subscribers” above, which "
                "asks you to confirm.",
            )
        return cleaned


def _refuse_if_saved_since(issue_id, loaded_version, message):
    """Refuse a save made from an old copy of an issue: someone saved it (or, through the
    Articles screen, one of its articles) since. The row stays locked until the admin's
    transaction ends, so no save slips in between this check and this save (PostgreSQL;
    SQLite allows one writer at a time anyway)."""
    current = (
        Issue.objects.select_for_update()
        .filter(pk=issue_id)
        .values_list("version", flat=True)
        .first()
    )
    if loaded_version != current:
        raise forms.ValidationError(message, code="conflict")


class ArticleAdminForm(forms.ModelForm):
    """An article on its own screen (Articles). It can also be edited within its issue, so a
    save from either screen made from an old copy is refused, as two issue screens are: an
    article's save counts as a save of its issue (ArticleAdmin.save_model)."""

    loaded_state = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = [
            "issue",
            "section",
            "title",
            "slug",
            "teaser",
            "body",
            "order",
            "source_url",
            "source_label",
            "people",
            "organisations",
            "tags",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_state"].initial = article_state(self.instance)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # This article as saved now, locked until the save ends. Only a change to it
            # conflicts: colleagues saving other articles of the issue (or the issue page
            # leaving this one alone) take nothing from this editor.
            current = Article.objects.select_for_update().filter(pk=self.instance.pk).first()
            if current is None or article_state(current) != cleaned.get("loaded_state"):
                raise forms.ValidationError(ARTICLE_CONFLICT_MESSAGE, code="conflict")
        return cleaned


def article_state(article):
    """A digest of everything the Articles screen edits, as saved. A save made from a copy
    whose digest no longer matches would overwrite someone else's change, whichever screen
    (or topic merge) made it."""
    values = model_to_dict(article, fields=ArticleAdminForm.Meta.fields)
    for name, value in values.items():
        if isinstance(value, list):  # people, organisations, topics
            values[name] = sorted(item.pk for item in value)
    return hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()


class ArticleInlineFormSet(BaseInlineFormSet):
    """Checks the articles of an issue together.

    Blank slugs get a unique value made from the title, duplicate slugs are named clearly,
    and new articles left at order 0 go to the end.
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Every article's form offers the same sections: read once for the page, rather than
        # once for each article (and the blank and template forms).
        form.fields["section"].choices = self._section_choices

    @cached_property
    def _section_choices(self):
        return list(self.form.base_fields["section"].choices)

    def clean(self):
        forms_kept = [
            form
            for form in self.forms
            if form.has_changed()
            and not self._should_delete_form(form)
            and hasattr(form, "cleaned_data")
            and form.cleaned_data.get("title")
        ]
        if self.instance.status == Issue.Status.PUBLISHED and not any(
            (form.instance.pk or form.has_changed()) and not self._should_delete_form(form)
            for form in self.forms
        ):
            # It would become the home page (and perhaps the email) with nothing in it.
            raise forms.ValidationError(
                "A published issue needs at least one article. Add one, or keep the issue "
                "as a draft until it has some."
            )
        seen = {}
        for form in forms_kept:
            slug = form.cleaned_data.get("slug")
            if not slug:
                continue
            if slug in seen:
                form.add_error(
                    "slug",
                    f"Two articles in this issue have the web address “{slug}”. "
                    "Change one of them, or leave it blank to make one from the title.",
                )
            seen[slug] = form
        # New articles left at the default order go after the others, in the order they
        # appear on the page, rather than jumping to the top.
        last = max((form.cleaned_data.get("order") or 0 for form in forms_kept), default=0)
        for form in forms_kept:
            if form.instance.pk is None and not form.cleaned_data.get("order"):
                last += 10
                form.cleaned_data["order"] = last
                form.instance.order = last
        taken = set(seen)
        if self.instance.pk:
            # Articles of this issue that are not on the page still hold their slugs.
            on_page = [form.instance.pk for form in self.forms if form.instance.pk]
            taken |= set(
                self.instance.articles.exclude(pk__in=on_page).values_list("slug", flat=True)
            )
        for form in forms_kept:
            if form.cleaned_data.get("slug"):
                continue
            base = (slugify(form.cleaned_data["title"]) or "article")[:190]
            slug, n = base, 2
            while slug in taken:
                slug, n = f"{base}-{n}", n + 1
            taken.add(slug)
            form.cleaned_data["slug"] = slug
            form.instance.slug = slug
        super().clean()


class PlainPageForm(FlatpageForm):
    """A plain page (About, Our members, ...) written with the same editor as articles.

    Flatpages publish their content as raw HTML, so it is sanitised like an article's body.
    The site has one address, so pages belong to it without the editor choosing
    (PlainPageAdmin), and an address can be used once. Flatpages' "registration required" and
    "template name" are left out: the public site has no reader sign-in, and every plain page
    uses the site's layout.
    """

    class Meta(FlatpageForm.Meta):
        fields = ["url", "title", "content"]
        widgets = {"content": CKEditor5Widget(config_name="default")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].label = "Address"
        self.fields["url"].help_text = (
            "Where the page lives under /pages/ on the site: “/about/” is shown at "
            "/pages/about/. Start and end it with a slash."
        )

    def clean_url(self):
        # "about" and "/about" mean "/about/": add the slashes rather than ask for them.
        path = self.cleaned_data["url"].strip("/")
        self.cleaned_data["url"] = f"/{path}/" if path else "/"
        url = super().clean_url()
        segments = url.strip("/").split("/")
        if url == "/" or any(segment in ("", ".", "..") for segment in segments):
            # "/" would be /pages// and "/../x/" a browser opens as /x/: no page there.
            raise forms.ValidationError(
                "Give the page a name between slashes, such as “/about/” or "
                "“/members/highlands/”, without “..” or empty parts."
            )
        if url == "/pages/" or url.startswith("/pages/"):
            raise forms.ValidationError(
                "Leave out /pages/: the site adds it. For a page at /pages/members/, give "
                "/members/."
            )
        if FlatPage.objects.filter(url=url).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                "There is already a plain page at this address. Choose another address, or "
                "edit that page instead."
            )
        return url

    def clean_content(self):
        refuse_unusable_links(self.cleaned_data["content"])
        return sanitise_html(self.cleaned_data["content"])


# Query parameters that say where a reader came from, not which page they want.
_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")


def _path_of(value):
    """An address as the site sees it: a pasted full link keeps only its path and the part of
    its query that picks a page (the old site's /index.php?page=12), not tracking tags, which
    readers' links would not share."""
    parts = urlsplit(value.strip())
    query = [
        pair for pair in parts.query.split("&") if pair and not pair.lower().startswith(_TRACKING)
    ]
    # Escaped as Django's redirect lookup sees a request ("/ünï/" arrives as "/%C3%BCn%C3%AF/"),
    # whether the editor typed the letters or pasted them escaped from a browser.
    path = escape_uri_path(unquote(parts.path))
    return path + ("?" + iri_to_uri("&".join(query)) if query else "")


UNREADABLE_ADDRESS = (
    "This is not an address a browser can open: part of it may be missing. Copy it again "
    "from the browser’s address bar."
)


class RedirectForm(forms.ModelForm):
    """An old address that leads to a new one. The site has one address, so the redirect
    belongs to it without the editor choosing (briefings.admin.OldAddressAdmin)."""

    class Meta:
        model = Redirect
        fields = ["old_path", "new_path"]
        labels = {"old_path": "Old address", "new_path": "New address"}
        help_texts = {
            "old_path": "The address readers still follow, such as /brief/29th-january-2020/. "
            "A full link pasted from the browser is fine.",
            "new_path": "Where they should land, such as /briefings/2020/01/29/, or a link to "
            "another site. Leave it empty to tell readers the page has gone.",
        }

    def clean_old_path(self):
        try:
            old_path = _path_of(self.cleaned_data["old_path"])
        except ValueError:  # such as "http://[::1", an address cut short in the copying
            raise forms.ValidationError(UNREADABLE_ADDRESS) from None
        if not old_path.startswith("/"):
            raise forms.ValidationError("Start the old address with a slash, as in /brief/.")
        taken = Redirect.objects.filter(site_id=settings.SITE_ID, old_path=old_path)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                "This old address already leads somewhere. Edit that redirect instead."
            )
        return old_path

    def clean_new_path(self):
        new_path = self.cleaned_data["new_path"].strip()
        if new_path and not new_path.startswith(("/", "https://", "http://")):
            raise forms.ValidationError(
                "Start the new address with a slash, or give a full link starting https://."
            )
        try:
            urlsplit(new_path)
        except ValueError:
            # Readers sent there would get an error page.
            raise forms.ValidationError(UNREADABLE_ADDRESS) from None
        return new_path

    def clean(self):
        cleaned = super().clean()
        old_path, new_path = cleaned.get("old_path"), cleaned.get("new_path")
        if old_path and old_path == new_path:
            raise forms.ValidationError(
                "The new address is the old one: readers would go round in circles."
            )
        if old_path and new_path:
            # Follow the redirects already listed from the new address: one leading back here
            # would send readers round in circles (browsers give up with an error).
            others = Redirect.objects.filter(site_id=settings.SITE_ID).exclude(pk=self.instance.pk)
            leads_to = dict(others.values_list("old_path", "new_path"))
            step, seen = new_path, set()
            while step in leads_to and step not in seen:
                seen.add(step)
                if leads_to[step] == old_path:
                    raise forms.ValidationError(
                        f"“{new_path}” already leads back to “{old_path}”: readers would go "
                        "round in circles. Change or delete one of those redirects first."
                    )
                step = leads_to[step]
        return cleaned


def _no_comma(name):
    # Articles' topic fields separate topics with commas (briefings/tags.py).
    if "," in name:
        raise forms.ValidationError(
            "A topic’s name cannot contain a comma: commas separate topics on an article."
        )


TOPIC_NAME_LENGTH = Tag._meta.get_field("name").max_length


def validate_topic_name(name):
    """A topic's page address is made from its name (in any script, as taggit makes it), so
    a name needs a letter or a number; and the database keeps at most 100 characters.

    A control character (Word's line break, \\x0b, comes along in a paste) is refused rather
    than quietly taken out: it may have stood for a space, and only the editor knows."""
    if len(name) > TOPIC_NAME_LENGTH:
        raise forms.ValidationError(
            f"The topic “{name[:40]}…” is too long: a topic can have at most "
            f"{TOPIC_NAME_LENGTH} characters."
        )
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        shown = "".join(ch for ch in name if unicodedata.category(ch) != "Cc")
        raise forms.ValidationError(
            f"“{shown}” cannot be a topic: it has a hidden control character in it, perhaps "
            "copied along with the name. Type the name again rather than pasting it."
        )
    if not slugify(name, allow_unicode=True):
        raise forms.ValidationError(
            f"“{name}” cannot be a topic: a topic needs at least one letter or number."
        )


class TopicsField(TagField):
    """An article's topics, separated by commas, each checked before anything is saved."""

    def clean(self, value):
        names = super().clean(value)
        errors = []
        for name in names:
            try:
                validate_topic_name(name)
            except forms.ValidationError as error:
                errors.append(error)
        if errors:
            raise forms.ValidationError(errors)
        return names


class MergeTopicsForm(forms.Form):
    name = forms.CharField(
        label="Merge into",
        max_length=100,
        help_text="The topic to keep: one of those above, another existing topic, or a new name.",
        validators=[_no_comma, validate_topic_name],
    )


class TopicForm(forms.ModelForm):
    """A tag as the admin edits it. Articles' tags ignore case (TAGGIT_CASE_INSENSITIVE), so
    a second tag differing only in case would split a topic in two."""

    class Meta:
        model = Tag
        fields = ["name", "slug"]
        labels = {"slug": "Web address"}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        _no_comma(name)
        validate_topic_name(name)
        other = Tag.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).first()
        if other is not None:
            raise forms.ValidationError(
                f"There is already a topic called “{other.name}”. To make them one, tick both "
                "on the tag list and choose “Merge selected tags”."
            )
        return name

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        other = Tag.objects.filter(slug=slug).exclude(pk=self.instance.pk).first()
        if other is not None and "name" not in self.errors:
            raise forms.ValidationError(
                f"The topic “{other.name}” already has the web address “{slug}”. Give this "
                "one another address."
            )
        return slug

    def validate_unique(self):
        # A name already taken has said so in plain words; its web address, made from the
        # name, would only add Django's "Tag with this Slug already exists".
        if "name" not in self.errors:
            super().validate_unique()


class _MentionedForm(forms.ModelForm):
    """A person or organisation. The admin fills the web address in from the name as the
    editor types, so a second "Ailsa Munro" would meet the database's "Person with this Slug
    already exists"; say instead who is there already and what to do."""

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if not slug:
            return slug  # made from the name when saved, unique (Person.save)
        model = self._meta.model
        other = model.objects.filter(slug=slug).exclude(pk=self.instance.pk).first()
        if other is not None:
            free = unique_slug(self.instance, slug, queryset=model.objects.all())
            raise forms.ValidationError(
                f"“{other.name}” already has the web address “{slug}”. If they are the one "
                f"you mean, choose them from the list on the article instead. If this is "
                f"someone else, give this one another address, such as “{free}”."
            )
        return slug


class PersonForm(_MentionedForm):
    class Meta:
        model = Person
        fields = ["name", "slug", "role", "organisation", "website", "notes"]


class OrganisationForm(_MentionedForm):
    class Meta:
        model = Organisation
        fields = ["name", "slug", "kind", "website", "description"]
