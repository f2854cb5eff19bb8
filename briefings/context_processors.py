from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from .models import public_plain_pages
from .services import content_version

NAV_PAGES_SECONDS = 24 * 60 * 60


def _nav_pages():
    """The navigation's plain pages, kept in the cache until an editor changes any content.

    Kept even when whole pages are not cached (PAGE_CACHE_SECONDS=0): the list is part of
    every page's layout, and asking the database for it cost about a millisecond a page.
    """

    def load():
        pages = public_plain_pages().order_by("title")
        # Under /pages/, whatever address the editor typed (ABSOLUTE_URL_OVERRIDES).
        return [(page.title, page.get_absolute_url()) for page in pages]

    return cache.get_or_set(f"nav-pages:{content_version()}", load, NAV_PAGES_SECONDS)


def navigation(request):
    """The editors' plain pages for the navigation, loaded only if a template shows them."""
    return {"nav_pages": SimpleLazyObject(_nav_pages)}
