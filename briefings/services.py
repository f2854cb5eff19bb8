from django.core.cache import cache

CONTENT_VERSION_KEY = "briefings:content-version"


def content_changed():
    """Forget every cached public page: call after an editor saves, publishes or unpublishes.

    Cached pages carry the content version in their key, so bumping it retires them all at
    once without scanning the cache.
    """
    try:
        cache.incr(CONTENT_VERSION_KEY)
    except ValueError:
        cache.set(CONTENT_VERSION_KEY, 2, None)


def content_version():
    return cache.get_or_set(CONTENT_VERSION_KEY, 1, None)
