import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# The layout's links, by the name templates use ({{ urls.archive }}).
LAYOUT_URLS = {
    "home": "briefings:home",
    "archive": "briefings:archive",
    "people": "briefings:person-list",
    "organisations": "briefings:organisation-list",
    "topics": "briefings:topic-list",
    "search": "briefings:search",
    "issues_rss": "briefings:issues-rss",
    "issues_atom": "briefings:issues-atom",
    "articles_rss": "briefings:articles-rss",
    "articles_atom": "briefings:articles-atom",
    "subscribe": "subscribers:subscribe",
}


@functools.lru_cache(maxsize=16)
def _layout_urls(script_prefix, urlconf):
    """Reversed once per process: {% url %} costs about 30 µs and every page has a dozen."""
    return {key: reverse(name, urlconf=urlconf) for key, name in LAYOUT_URLS.items()}


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "urls": _layout_urls(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF),
    }
