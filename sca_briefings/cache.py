"""The on-disk cache used when REDIS_URL is unset.

Django's FileBasedCache counts its entries before every write by listing the whole cache
directory, so each write costs more as the cache fills: about 1 ms per 1,000 entries here, or
19 ms per stored page once it nears MAX_ENTRIES (bench/README.md). Every search a reader types
is a page of its own, so a busy site fills the directory, and each page cache miss then paid
that on top of rendering. This one counts and culls on one write in CULL_EVERY instead, so the
directory may hold up to CULL_EVERY entries more than MAX_ENTRIES between culls.
"""

import itertools
import random
import threading

from django.core.cache.backends import filebased

CULL_EVERY = 100


class FileBasedCache(filebased.FileBasedCache):
    # Shared by every instance in the process (Django makes one per thread).
    _writes = itertools.count()
    _lock = threading.Lock()

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
