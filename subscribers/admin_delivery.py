"""Admin for the email edition: deliveries, and the issue email tools.

The tools live under DeliveryAdmin's URLs (admin/subscribers/delivery/issue/<id>/...) and are
linked from the Issue change form by templates/admin/briefings/issue/_email_tools.html.
Everything needs the "subscribers.send_issue" permission; every change is a CSRF-protected
POST.
"""

import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.text import Truncator

from briefings.models import Issue

from . import charts, sending
from .admin import LIST_PERMISSION
from .emails import PreparedIssue
from .models import Delivery

logger = logging.getLogger(__name__)

PERMISSION = "subscribers.send_issue"
MAX_EXTRA_TEST_ADDRESSES = 5
MAX_FAILURES_SHOWN = 100


class TestSendForm(forms.Form):
    extra = forms.CharField(
        label="Also send to",
        required=False,
        # 50 columns are wider than a phone: it may shrink to fit.
        widget=forms.Textarea(attrs={"rows": 3, "cols": 50, "style": "max-width: 100%;"}),
        help_text=f"Up to {MAX_EXTRA_TEST_ADDRESSES} more addresses, one a line or separated "
        "by commas.",
    )

    def clean_extra(self):
        raw = self.cleaned_data["extra"].replace(",", "\n").split()
        addresses = _once_each(address.strip() for address in raw if address.strip())
        if len(addresses) > MAX_EXTRA_TEST_ADDRESSES:
            raise forms.ValidationError(
                f"A test can go to at most {MAX_EXTRA_TEST_ADDRESSES} extra addresses."
            )
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                raise forms.ValidationError(f"“{address}” is not an email address.") from None
        return addresses

    def recipients(self, own):
        """The editor's own address (if their account has one) and the extra ones, each once."""
        return _once_each(([own] if own else []) + self.cleaned_data["extra"])


def _once_each(addresses):
    # Mail servers treat capitals alike: "Ann@example.org" typed beside ann@example.org is the
    # same mailbox, which would get two copies of the test.
    first_spelling = {}
    for address in addresses:
        first_spelling.setdefault(address.casefold(), address)
    return list(first_spelling.values())


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["subscriber", "issue", "status", "attempts", "possible_duplicate", "sent_at"]
    list_filter = ["status", "possible_duplicate", "issue"]
    search_fields = ["subscriber__email"]
    list_select_related = ["subscriber", "issue"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        def view(func):
            return self.admin_site.admin_view(func)

        return [
            path("issue/<int:issue_id>/preview/", view(self.preview), name="issue-email-preview"),
            path(
                "issue/<int:issue_id>/preview/html/",
                view(self.preview_html),
                name="issue-email-preview-html",
            ),
            path("issue/<int:issue_id>/test/", view(self.send_test), name="issue-email-test"),
            path("issue/<int:issue_id>/send/", view(self.send), name="issue-email-send"),
            path("issue/<int:issue_id>/stats/", view(self.stats), name="issue-email-stats"),
            path("growth.svg", view(self.growth_svg), name="subscriber-growth-svg"),
            *super().get_urls(),
        ]

    # --- helpers -------------------------------------------------------------------------

    def _issue(self, request, issue_id):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return get_object_or_404(Issue.objects.with_articles(), pk=issue_id)

    def _render(self, request, template, issue, title, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": Issue._meta,
                "original": issue,
                "issue": issue,
                "title": title,
                "issue_change_url": _issue_change_url(issue),
                **context,
            },
        )

    # --- views ---------------------------------------------------------------------------

    def preview(self, request, issue_id):
        issue = self._issue(request, issue_id)
        prepared = PreparedIssue(issue, personal=False)
        text, _ = prepared.bodies({})
        return self._render(
            request,
            "admin/subscribers/issue_email_preview.html",
            issue,
            f"Email preview: {issue}",
            subject=prepared.subject,
            text=text,
        )

    def preview_html(self, request, issue_id):
        issue = self._issue(request, issue_id)
        _, html = PreparedIssue(issue, personal=False).bodies({})
        response = HttpResponse(html)
        # Shown in a frame on the preview page; the email itself has no scripts.
        response["X-Frame-Options"] = "SAMEORIGIN"
        response["Content-Security-Policy"] = "script-src 'none'"
        return response

    def send_test(self, request, issue_id):
        issue = self._issue(request, issue_id)
        form = TestSendForm(request.POST or None)
        own = request.user.email
        if request.method == "POST" and form.is_valid():
            addresses = form.recipients(own)
            if not addresses:
                form.add_error("extra", "Your account has no email address: give one here.")
            else:
                try:
                    report = sending.send_test(issue=issue, addresses=addresses)
                except OSError as error:  # the mail server cannot be reached
                    logger.exception("Test of issue %s could not be sent", issue.pk)
                    self.message_user(
                        request,
                        "The test could not be sent: the mail server could not be reached. "
                        "Nothing was sent. Try again in a few minutes; if it keeps happening, "
                        "ask whoever looks after the site to check its email settings. "
                        f"(The error: {error})",
                        messages.ERROR,
                    )
                except Exception as error:  # noqa: BLE001 - show the editor what went wrong
                    self.message_user(
                        request, f"The test could not be sent: {error}", messages.ERROR
                    )
                else:
                    self._report_test(request, report)
                    if report.sent:
                        return redirect(_issue_change_url(issue))
        return self._render(
            request,
            "admin/subscribers/issue_email_test.html",
            issue,
            f"Send a test of {issue}",
            form=form,
            own_address=own,
        )

    def _report_test(self, request, report):
        refusals = [
            f"{address} ({Truncator(reason).chars(160)})"
            for address, reason in report.refused.items()
        ]
        if not refusals:
            self.message_user(request, f"Test sent to {', '.join(report.sent)}.")
        elif report.sent:
            # Sending again would give those who have it a second copy, so say who they are.
            self.message_user(
                request,
                f"Test sent to {', '.join(report.sent)}, but not to {', '.join(refusals)}.",
                messages.WARNING,
            )
        else:
            self.message_user(
                request,
                f"The test was not sent: {', '.join(refusals)}. Nothing was sent.",
                messages.ERROR,
            )

    def send(self, request, issue_id):
        issue = self._issue(request, issue_id)
        published = Issue.objects.published().filter(pk=issue.pk).exists()
        count = sending.count_new_recipients(issue=issue)
        tally = Delivery.objects.filter(issue=issue).tally()
        # Sent before it was unpublished: what had not gone yet waits for it to be public again.
        held = 0 if published else tally["waiting"]
        if request.method == "POST" and published:
            try:
                created = sending.start_sending(issue=issue)
            except sending.NotPublished as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                if created:
                    self.message_user(
                        request,
                        f"Sending {issue} to {intcomma(created)} subscriber{pluralize(created)} "
                        "in the background.",
                    )
                elif waiting := Delivery.objects.filter(issue=issue).unfinished().count():
                    # Pressed twice (two tabs, or a colleague): the first press is still going.
                    self.message_user(
                        request,
                        f"{issue} is already being sent: {intcomma(waiting)} subscriber"
                        f"{pluralize(waiting)} still to go. Nothing new was queued.",
                        messages.WARNING,
                    )
                else:
                    self.message_user(
                        request, "Nothing to send: every subscriber has had it.", messages.WARNING
                    )
                return redirect("admin:issue-email-stats", issue_id=issue.pk)
        return self._render(
            request,
            "admin/subscribers/issue_email_send.html",
            issue,
            f"Send {issue} to subscribers",
            published=published,
            count=count,
            tally=tally,
            held=held,
        )

    def stats(self, request, issue_id):
        issue = self._issue(request, issue_id)
        stats = sending.issue_stats(issue=issue)
        # Addresses are personal data: only those who may see the subscriber list see them.
        can_see_addresses = request.user.has_perm(LIST_PERMISSION)
        failures = []
        if can_see_addresses and stats["failed"]:
            failures = list(sending.failures(issue=issue)[:MAX_FAILURES_SHOWN])
        return self._render(
            request,
            "admin/subscribers/issue_email_stats.html",
            issue,
            f"Email statistics: {issue}",
            stats=stats,
            can_see_addresses=can_see_addresses,
            failures=failures,
            article_chart=charts.bar_chart(
                [(a.title, a.click_count) for a in stats["articles"]],
                title="Clicks per article",
            ),
            link_chart=charts.bar_chart(
                [(link["url"], link["click_count"]) for link in stats["links"][:15]],
                title="Clicks per link",
            ),
        )

    def growth_svg(self, request):
        if not request.user.has_perm(LIST_PERMISSION):
            raise PermissionDenied
        points = [(f"{day:%-d %b}", n) for day, n in sending.subscriber_growth()]
        svg = charts.line_chart(points, title="Confirmed subscribers, week by week")
        response = HttpResponse(svg, content_type="image/svg+xml")
        response["Cache-Control"] = "private, max-age=300"
        return response


def _issue_change_url(issue):
    try:
        return reverse("admin:briefings_issue_change", args=[issue.pk])
    except NoReverseMatch:  # the Issue admin is not registered (e.g. in a partial set-up)
        return reverse("admin:issue-email-stats", kwargs={"issue_id": issue.pk})


@admin.action(description="Send the selected issue to subscribers…", permissions=["send"])
def send_to_subscribers(modeladmin, request, queryset):
    """An Issue admin action: goes to the confirmation page (one issue at a time)."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    if queryset.count() != 1:
        modeladmin.message_user(request, "Choose exactly one issue to send.", messages.WARNING)
        return None
    return redirect("admin:issue-email-send", issue_id=queryset.get().pk)
