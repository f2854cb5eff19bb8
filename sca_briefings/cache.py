"""The site's cache backends: Redis when REDIS_URL is set, otherwise files on disk.

RedisCache: Django's, which the site outlives. Django's raises on every call while Redis cannot
be reached, and every request asks the cache for the content version first, so a Redis outage
made every page a 500, /healthz and the admin included. Ours treats an unreachable Redis as an
empty cache that keeps nothing: pages are rendered afresh, sign-up limits let people through
(double opt-in still guards the list), an editor's save still succeeds. After a failure it
leaves Redis alone for RETRY_SECONDS, so an outage costs one timeout now and then, not one
per cache call, and logs one warning for each of those periods.

FileBasedCache: Django's, carrying on in the same way when its directory cannot be used (a
full disk, a missing or read-only CACHE_DIR). Django's also counts its entries before every
write by listing the whole cache directory, so each write costs more as the cache fills: about
1 ms per 1,000 entries here, or 19 ms per stored page once it nears MAX_ENTRIES
(bench/README.md). Every search a reader types is a page of its own, so a busy site fills the
directory, and each page cache miss then paid that on top of rendering. Ours counts and culls
on one write in CULL_EVERY instead, so the directory may hold up to CULL_EVERY entries more
than MAX_ENTRIES between culls.
"""

import itertools
import logging
import random
import threading
import time

from django.core.cache.backends import filebased
from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from redis import exceptions as redis_errors

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5
CULL_EVERY = 100
_MISSING = object()


class RedisClient(django_redis.RedisCacheClient):
    """Django's, keeping one redis-py client per server. Django's makes a new one for every
    call, which cost about 60 µs of CPU, more than the command itself; a page cache hit makes
    one such call (bench/README.md)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    # Shared by every instance in the process (Django makes one per thread).
    _down_until = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisClient

    def _call(self, method, if_down, *args, **kwargs):
        if time.monotonic() < RedisCache._down_until:
            return if_down
        try:
            return method(*args, **kwargs)
        except (redis_errors.ConnectionError, redis_errors.TimeoutError) as error:
            if time.monotonic() >= RedisCache._down_until:
                logger.warning(
                    "Redis cannot be reached (%s); pages are served without the cache "
                    "for the next %s seconds",
                    error,
                    RETRY_SECONDS,
                )
            RedisCache._down_until = time.monotonic() + RETRY_SECONDS
            return if_down

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        value = self._call(super().incr, _MISSING, key, delta, version)
        if value is _MISSING:
            # As for a key that is not there, which callers already handle.
            raise ValueError(f"Key '{key}' not found.")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, None, keys, version)

    def clear(self):
        return self._call(super().clear, False)


class FileBasedCache(filebased.FileBasedCache):
    # Shared by every instance in the process, like RedisCache._down_until.
    _writes = itertools.count()
    _lock = threading.Lock()
    _warned_until = 0.0

    def __init__(self, dir, params):
        try:
            super().__init__(dir, params)  # creates the directory
        except OSError as error:
            self._unusable(error)

    def _unusable(self, error, result=None):
        # A full disk or a missing or read-only CACHE_DIR: carry on without the cache, as
        # RedisCache does without Redis, warning now and then rather than on every call.
        if time.monotonic() >= FileBasedCache._warned_until:
            logger.warning(
                "The cache directory %s cannot be used (%s); pages are served without the cache",
                self._dir,
                error,
            )
            FileBasedCache._warned_until = time.monotonic() + RETRY_SECONDS
        return result

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except OSError as error:
            return self._unusable(error, default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except OSError as error:
            return self._unusable(error)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except OSError as error:
            return self._unusable(error, False)

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except OSError as error:
            return self._unusable(error, False)

    def _cull(self):
        with self._lock:
            write = next(self._writes)
        if write % CULL_EVERY:
            return
        filelist = self._list_cache_files()
        excess = len(filelist) - self._max_entries
        if excess < 0:
            return
        if self._cull_frequency == 0:
            return self.clear()
        # Back under MAX_ENTRIES by Django's share, however far the writes since went past it.
        doomed = min(len(filelist), excess + self._max_entries // self._cull_frequency)
        for fname in random.sample(filelist, doomed):
            self._delete(fname)
