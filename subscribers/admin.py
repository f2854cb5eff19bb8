import csv
import io

from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.actions import delete_selected
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from . import sending, services
from .forms import IMPORT_MAX_BYTES, ImportForm
from .models import Delivery, ErasedAddress, IssueRequest, Subscriber

LIST_PERMISSION = "subscribers.view_subscriber_list"


class ListPermissionMixin:
    """Personal data: nobody sees it without the list permission, whatever else they have.

    The Editor group does not get this permission unless an admin grants it.
    """

    def has_module_permission(self, request):
        return request.user.has_perm(LIST_PERMISSION) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(LIST_PERMISSION) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(LIST_PERMISSION) and super().has_change_permission(
            request, obj
        )

    def has_add_permission(self, request):
        return request.user.has_perm(LIST_PERMISSION) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(LIST_PERMISSION) and super().has_delete_permission(
            request, obj
        )


class _Echo:
    """A file-like object whose write() hands back the line, for streaming csv.writer."""

    def write(self, value):
        return value


class DeliveryInline(admin.TabularInline):
    """The history of issues emailed to this subscriber."""

    model = Delivery
    verbose_name_plural = "Emails sent"
    fields = ["issue", "status", "sent_at", "attempts", "possible_duplicate", "last_error"]
    readonly_fields = fields
    can_delete = False
    extra = 0
    max_num = 0
    ordering = ["-issue__date"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("issue")


@admin.register(Subscriber)
class SubscriberAdmin(ListPermissionMixin, admin.ModelAdmin):
    inlines = [DeliveryInline]
    change_list_template = "admin/subscribers/subscriber/change_list.html"
    list_display = ["email", "name", "organisation", "status", "created_at", "confirmed_at"]
    list_filter = ["status", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["email", "name", "organisation"]
    date_hierarchy = "created_at"
    list_per_page = 100
    actions = ["erase_selected"]
    readonly_fields = [
        "created_at",
        "updated_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
        "consent_text",
        "consent_version",
        "consent_source",
        "consent_at",
    ]
    fieldsets = [
        (None, {"fields": ["email", "name", "organisation", "status"]}),
        (
            "Consent record",
            {
                "description": "What they agreed to, where and when (kept for UK GDPR and PECR).",
                "fields": [
                    "consent_text",
                    "consent_version",
                    "consent_source",
                    "consent_at",
                    "confirmation_sent_at",
                    "confirmed_at",
                    "unsubscribed_at",
                ],
            },
        ),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_urls(self):
        urls = [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="subscribers_subscriber_export",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="subscribers_subscriber_import",
            ),
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        counts = dict(Subscriber.objects.order_by().values_list("status").annotate(n=Count("pk")))
        status_counts = [
            (label, counts.get(value, 0)) for value, label in Subscriber.Status.choices
        ]
        extra_context = {**(extra_context or {}), "status_counts": status_counts}
        if request.user.has_perm(LIST_PERMISSION):
            # The growth chart's figures as text: an image's numbers reach no screen reader.
            extra_context["growth"] = sending.subscriber_growth()
        return super().changelist_view(request, extra_context=extra_context)

    # Erasing cannot be undone, so it goes through Django's "Are you sure?" page, and every way
    # of deleting a subscriber erases: a plain delete would keep no hash, and an import could
    # then add the address back.

    @admin.action(
        description="Erase selected subscribers (right to erasure)", permissions=["delete"]
    )
    def erase_selected(self, request, queryset):
        return delete_selected(self, request, queryset)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)  # erase_selected is the same, named for what it does
        return actions

    def delete_model(self, request, obj):
        services.erase_subscriber(subscriber=obj)
        request.subscribers_erased = 1

    def delete_queryset(self, request, queryset):
        count = 0
        for subscriber in queryset:
            services.erase_subscriber(subscriber=subscriber)
            count += 1
        request.subscribers_erased = count

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # Django's delete views report "deleted" right after delete_model/delete_queryset;
        # what the editor needs to know is that the address is erased and cannot come back.
        erased = getattr(request, "subscribers_erased", None)
        if erased is not None and level == messages.SUCCESS:
            del request.subscribers_erased
            who = "1 subscriber" if erased == 1 else f"{erased} subscribers"
            message = (
                f"Erased {who}. Only a hash of each address is kept, so an import cannot add "
                "them again."
            )
        super().message_user(request, message, level, *args, **kwargs)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in services.export_rows()),
            content_type="text/csv; charset=utf-8",
        )
        filename = f"subscribers-active-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        report = None
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    # Decoded whole first, so a bad byte anywhere stops the import before
                    # any row is added.
                    text = upload.read().decode("utf-8-sig")
                    report = services.import_subscribers(lines=io.StringIO(text, newline=""))
                except UnicodeDecodeError:
                    form.add_error("file", "Please save the file as CSV in UTF-8 and try again.")
                except csv.Error as error:
                    form.add_error("file", f"This is not a CSV file we can read ({error}).")
                except services.ImportTooLarge as error:
                    form.add_error("file", str(error))
                if report and not report.errors:
                    self.message_user(
                        request,
                        f"Imported: {report.added} added, {report.unchanged} already on the "
                        f"list, {report.refused} not added because they left or were erased.",
                        messages.SUCCESS,
                    )
                    return redirect("admin:subscribers_subscriber_changelist")
        else:
            form = ImportForm()
        context = {
            **self.admin_site.each_context(request),
            "title": "Import subscribers",
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "max_rows": services.IMPORT_MAX_ROWS,
            "max_megabytes": IMPORT_MAX_BYTES // (1024 * 1024),
        }
        return TemplateResponse(request, "admin/subscribers/subscriber/import.html", context)


@admin.register(IssueRequest)
class IssueRequestAdmin(ListPermissionMixin, admin.ModelAdmin):
    list_display = ["email", "issue", "requested_at", "sent_at"]
    list_filter = [("requested_at", admin.DateFieldListFilter)]
    list_select_related = ["issue"]
    search_fields = ["email"]
    readonly_fields = ["issue", "email", "source", "requested_at", "sent_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ErasedAddress)
class ErasedAddressAdmin(ListPermissionMixin, admin.ModelAdmin):
    list_display = ["email_hash", "erased_at"]
    readonly_fields = ["email_hash", "erased_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


from . import admin_delivery  # noqa: E402,F401 - the email edition's admin (issue #5)
