"""Plain pages (django.contrib.flatpages) are edited in flatpages' own admin, so their saves
are caught here: the navigation on every page lists them."""

from django.contrib.flatpages.models import FlatPage
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .services import content_changed


@receiver(post_save, sender=FlatPage)
@receiver(post_delete, sender=FlatPage)
@receiver(m2m_changed, sender=FlatPage.sites.through)
def flatpage_changed(**kwargs):
    transaction.on_commit(content_changed)
