"""What storing a page costs in the on-disk cache as the cache fills.

Usage: .venv/bin/python bench/cache_writes.py [--sizes 100 1000 5000 19000]

Fills a fresh directory to each size with 30 KB pages (about a rendered page) and prints the
mean time of 200 more writes and 200 reads, for Django's FileBasedCache and for ours
(sca_briefings.cache), both with the site's MAX_ENTRIES of 20,000.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.conf import settings  # noqa: E402

settings.configure()

from django.core.cache.backends.filebased import FileBasedCache  # noqa: E402

from sca_briefings.cache import FileBasedCache as OurFileBasedCache  # noqa: E402

PAGE = b"x" * 30_000


TIMES = 200


def mean_ms(start):
    return (time.perf_counter() - start) / TIMES * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000, 19000])
    args = parser.parse_args()
    print(f"{'backend':28} {'entries':>8} {'write ms':>9} {'read ms':>8}")
    for name, backend in (("Django FileBasedCache", FileBasedCache), ("ours", OurFileBasedCache)):
        with tempfile.TemporaryDirectory() as directory:
            cache = backend(directory, {"OPTIONS": {"MAX_ENTRIES": 20_000}})
            stored = 0
            for size in args.sizes:
                while stored < size:
                    cache.set(f"page-{stored}", PAGE, 600)
                    stored += 1
                start = time.perf_counter()
                for n in range(TIMES):
                    cache.set(f"probe-{size}-{n}", PAGE, 600)
                write = mean_ms(start)
                start = time.perf_counter()
                for n in range(TIMES):
                    cache.get(f"page-{n}")
                read = mean_ms(start)
                print(f"{name:28} {size:8} {write:9.3f} {read:8.3f}")


if __name__ == "__main__":
    main()
