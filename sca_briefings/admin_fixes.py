"""Permission fixes for third-party admin screens (found by tests/production/test_url_access.py).

django-taggit's "merge tags" screen checks only that the user is staff, so staff without any
tag permission could create tags through it. Imported from urls.py once the admin has loaded.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from taggit.admin import TagAdmin
from taggit.models import Tag


class PermissionCheckedTagAdmin(TagAdmin):
    def merge_tags_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        return super().merge_tags_view(request)


# Only replace taggit's own registration: a project admin that re-registers Tag keeps its own.
if type(admin.site._registry.get(Tag)) is TagAdmin:
    admin.site.unregister(Tag)
    admin.site.register(Tag, PermissionCheckedTagAdmin)
