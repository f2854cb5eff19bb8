"""CPU cost of rendering each public page in-process, page cache off.

Usage: .venv/bin/python bench/profile_pages.py [--runs 30] [--profile PAGE] [--hits] [--parts]
       [PAGE ...]

Uses the benchmark database built by bench/site.py (BENCH_DATABASE_URL), DEBUG off. Prints,
for each page, the minimum and median over --runs of the process CPU time per request (the
minimum is the least disturbed by other work on a shared machine), and the time spent in
queries. --profile PAGE prints a cProfile of that page instead. --hits turns the page cache on
and times a cache hit through Django's whole WSGI handler (every middleware), beside the CSS
file WhiteNoise serves, as a gunicorn worker would run them. --parts splits each page's median
CPU time into the ORM turning querysets into SQL, the template engine, and the rest (running
the queries, building model instances, the view and the middleware).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sca_site_bench"
)
os.environ.update(
    {
        "ENV_FILE": "",  # as in production: no developer .env
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SITE_URL": "http://127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "PAGE_CACHE_SECONDS": os.environ.get("PAGE_CACHE_SECONDS", "0"),
        "DJANGO_SETTINGS_MODULE": "sca_briefings.settings",
    }
)

PAGES = {
    "home": "/",
    "issue": "/briefings/2025/12/10/",
    "article": "/briefings/2025/12/10/article-0/",
    "archive": "/briefings/",
    "person": "/people/person-0/",
    "search": "/search/?q=village+hall+funding",
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", choices=PAGES)
    parser.add_argument("--hits", action="store_true")
    parser.add_argument("--parts", action="store_true")
    parser.add_argument("pages", nargs="*", default=list(PAGES))
    args = parser.parse_args()
    if args.hits:
        os.environ["PAGE_CACHE_SECONDS"] = "600"

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    client = Client()
    if args.parts:
        time_parts(args, client)
        return
    if args.hits:
        time_hits(args)
        return
    if args.profile:
        path = PAGES[args.profile]
        for _ in range(5):
            client.get(path)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.runs):
            client.get(path)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return

    print(f"{'page':8} {'min ms':>7} {'median ms':>9} {'queries':>7} {'query ms':>8}")
    for name in args.pages:
        path = PAGES[name]
        for _ in range(3):
            assert client.get(path).status_code == 200, path
        times, query_times = [], []
        for _ in range(args.runs):
            connection.force_debug_cursor = True
            connection.queries_log.clear()
            started = time.process_time()
            client.get(path)
            times.append(time.process_time() - started)
            query_times.append(sum(float(q["time"]) for q in connection.queries))
            queries = len(connection.queries)
            connection.force_debug_cursor = False
        print(
            f"{name:8} {1000 * min(times):7.2f} {1000 * statistics.median(times):9.2f} "
            f"{queries:7} {1000 * min(query_times):8.2f}"
        )


class Stopwatch:
    """CPU time inside one function, counting only the outermost call of nested ones."""

    def __init__(self, owner, name):
        self.spent, self.depth = 0.0, 0
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            self.depth += 1
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.depth -= 1
                if self.depth == 0:
                    self.spent += time.process_time() - started

        setattr(owner, name, timed)


def time_parts(args, client):
    from django.db.models.sql.compiler import SQLCompiler
    from django.template.backends.django import Template

    compile_sql = Stopwatch(SQLCompiler, "as_sql")
    templates = Stopwatch(Template, "render")
    print(f"{'page':8} {'median ms':>9} {'SQL compile':>11} {'templates':>9} {'rest':>6}")
    for name in args.pages:
        path = PAGES[name]
        for _ in range(3):
            assert client.get(path).status_code == 200, path
        rows = []
        for _ in range(args.runs):
            compile_sql.spent = templates.spent = 0.0
            started = time.process_time()
            client.get(path)
            total = time.process_time() - started
            rows.append((total, compile_sql.spent, templates.spent))
        # The median of each column on its own, so "rest" is approximate.
        columns = zip(*rows, strict=True)
        total, sql, template = (1000 * statistics.median(column) for column in columns)
        print(f"{name:8} {total:9.2f} {sql:11.2f} {template:9.2f} {total - sql - template:6.2f}")


def time_hits(args):
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    handler = WSGIHandler()

    def call(path):
        environ = RequestFactory().get(path, HTTP_HOST="127.0.0.1").environ
        result = handler(environ, lambda *args: None)
        body = b"".join(result)
        result.close()
        return body

    paths = {"static file": staticfiles_storage.url("css/site.css")}
    paths |= {name: PAGES[name] for name in args.pages}
    print(f"{'page':12} {'min ms':>7} {'bytes':>6}")
    for name, path in paths.items():
        body = call(path)
        times = []
        for _ in range(args.runs * 10):
            started = time.process_time()
            call(path)
            times.append(time.process_time() - started)
        print(f"{name:12} {1000 * min(times):7.3f} {len(body):6}")


if __name__ == "__main__":
    main()
