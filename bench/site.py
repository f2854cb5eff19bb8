"""Benchmark the public website: a large archive in PostgreSQL, served by gunicorn, loaded by wrk.

    make bench-site    # or: .venv/bin/python bench/site.py [--duration 10] [--connections 16]

Builds (once) 500 issues, 5,000 articles, 1,000 people and 500 organisations in the PostgreSQL
database BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sca_site_bench), then
serves it twice with gunicorn on 127.0.0.1 (DEBUG off): with the page cache on, and with
PAGE_CACHE_SECONDS=0. For each page, and for a static file served by whitenoise as the
reference, wrk measures requests per second and p50/p99 latency. The table is printed and saved
under bench/results/.
"""

import argparse
import datetime
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _serve import ensure_database  # bench/, beside this script

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sca_site_bench"
)
PORT = int(os.environ.get("BENCH_PORT", "8150"))
SERVER_ENV = {
    "ENV_FILE": "",  # as in production: no developer .env
    "DATABASE_URL": DATABASE_URL,
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SITE_URL": f"http://127.0.0.1:{PORT}",
    "LOG_LEVEL": "WARNING",
    # Plain HTTP on loopback stands in for gunicorn behind the TLS proxy.
    "SECURE_SSL_REDIRECT": "false",
    # A fresh cache per run: the on-disk default would keep pages from earlier runs.
    "CACHE_DIR": tempfile.mkdtemp(prefix="sca-bench-cache-"),
}
ISSUES, ARTICLES_PER_ISSUE, PEOPLE, ORGANISATIONS = 500, 10, 1_000, 500

WORDS = (  # noqa: SIM905 - easier to read and edit as prose
    "community council housing funding volunteers village hall energy poverty report "
    "scotland parliament budget charity trust anchor local network policy rural island "
    "transport broadband health care wellbeing climate land reform tenants rent food bank "
    "youth older people digital inclusion employability skills evaluation grant lottery "
    "partnership place regeneration town centre high street enterprise social investment"
).split()


# Real articles use thousands of distinct words, so topic words are mixed into a large filler
# vocabulary; otherwise every article would contain every word and every search would match
# the whole archive.
_syllables = random.Random(99)
FILLER = [
    "".join(_syllables.choice("bcdfghklmnprstvw") + _syllables.choice("aeiou") for _ in range(3))
    for _ in range(3000)
]


def sentence(rng, n):
    words = [rng.choice(WORDS) if rng.random() < 0.08 else rng.choice(FILLER) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def manage(*args, **extra_env):
    env = {**os.environ, **SERVER_ENV, **extra_env}
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def build_archive(*, rebuild=False):
    """Fill the benchmark database once; later runs reuse it."""
    os.environ.update(SERVER_ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sca_briefings.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from taggit.models import Tag, TaggedItem

    from briefings.models import Article, Issue, Organisation, Person, Section

    if Article.objects.count() >= ISSUES * ARTICLES_PER_ISSUE and not rebuild:
        print("Archive already built.")
        return
    print("Building the archive ...", flush=True)
    started = time.perf_counter()
    rng = random.Random(2012)
    with transaction.atomic():
        Article.objects.all().delete()
        Issue.objects.all().delete()
        Person.objects.all().delete()
        Organisation.objects.all().delete()
        Section.objects.all().delete()
        Tag.objects.all().delete()
        sections = Section.objects.bulk_create(
            Section(name=name, slug=name.lower().replace(" ", "-"), order=i)
            for i, name in enumerate(["On the ground", "Policy", "Funding", "Research"])
        )
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"Community Trust {i}",
                slug=f"community-trust-{i}",
                kind=Organisation.Kind.CHARITY,
                website="https://example.org/",
            )
            for i in range(ORGANISATIONS)
        )
        people = Person.objects.bulk_create(
            Person(
                name=f"Person {i}",
                slug=f"person-{i}",
                role="Chief Executive",
                organisation=organisations[i % ORGANISATIONS],
            )
            for i in range(PEOPLE)
        )
        first = datetime.date(2007, 1, 3)
        issues = Issue.objects.bulk_create(
            Issue(
                date=first + datetime.timedelta(days=14 * i),
                title=sentence(rng, 5)[:-1],
                leader="".join(f"<p>{sentence(rng, 25)}</p>" for _ in range(3)),
                status=Issue.Status.PUBLISHED,
                publish_at=datetime.datetime.combine(
                    first + datetime.timedelta(days=14 * i), datetime.time(7), datetime.UTC
                ),
            )
            for i in range(ISSUES)
        )
        articles = Article.objects.bulk_create(
            Article(
                issue=issue,
                section=sections[j % len(sections)],
                title=sentence(rng, 7)[:-1],
                slug=f"article-{j}",
                teaser=" ".join(sentence(rng, 12) for _ in range(6)),
                body="".join(
                    f"<p>{' '.join(sentence(rng, 14) for _ in range(5))}</p>" for _ in range(4)
                ),
                order=j,
                source_url="https://example.org/report",
            )
            for issue in issues
            for j in range(ARTICLES_PER_ISSUE)
        )
        prolific = people[0]  # mentioned in 300 articles, the worst case for a person page
        Article.people.through.objects.bulk_create(
            [
                Article.people.through(article_id=a.pk, person_id=p.pk)
                for i, a in enumerate(articles)
                for p in {people[rng.randrange(1, PEOPLE)], people[rng.randrange(1, PEOPLE)]}
            ]
            + [
                Article.people.through(article_id=a.pk, person_id=prolific.pk)
                for a in articles[-300:]
            ]
        )
        Article.organisations.through.objects.bulk_create(
            Article.organisations.through(
                article_id=a.pk, organisation_id=organisations[i % ORGANISATIONS].pk
            )
            for i, a in enumerate(articles)
        )
        tags = Tag.objects.bulk_create(Tag(name=f"Topic {i}", slug=f"topic-{i}") for i in range(40))
        content_type = ContentType.objects.get_for_model(Article)
        TaggedItem.objects.bulk_create(
            TaggedItem(tag=tags[(i + k) % len(tags)], content_type=content_type, object_id=a.pk)
            for i, a in enumerate(articles)
            for k in (0, 7)
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # fresh planner statistics after the bulk load
    print(f"Built in {time.perf_counter() - started:.1f} s.", flush=True)


def sample_urls():
    from briefings.models import Article, Issue, Person

    issue = Issue.objects.published().order_by("-date")[5]
    article = Article.objects.filter(issue=issue).order_by("pk").first()
    person = Person.objects.get(slug="person-0")
    manifest = (BASE_DIR / "staticfiles" / "staticfiles.json").read_text()
    css = re.search(r'"css/site.css": "([^"]+)"', manifest).group(1)
    return [
        ("static file (whitenoise)", f"/static/{css}"),
        ("home", "/"),
        ("issue", issue.get_absolute_url()),
        ("article", article.get_absolute_url()),
        ("archive", "/briefings/"),
        ("person (300 mentions)", person.get_absolute_url()),
        ("search", "/search/?q=village+hall+funding"),
        # Two topic words at random per request (bench/wrk/search.lua): with the page cache on,
        # what readers' own searches cost, since few of them are asked twice.
        ("search (varied words)", "/search/"),
    ]


# Rows whose requests a wrk script writes: the script, and the arguments it is given.
SCRIPTS = {"search (varied words)": ("search.lua", WORDS)}


def start_server(workers, page_cache_seconds):
    env = {**os.environ, **SERVER_ENV, "PAGE_CACHE_SECONDS": str(page_cache_seconds)}
    server = subprocess.Popen(
        [
            str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
            "--config",  # the production settings, with the command line's changes on top
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(workers),
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/robots.txt", timeout=1)  # noqa: S310
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def to_ms(value):
    number, unit = float(re.match(r"[\d.]+", value).group()), re.sub(r"[\d.]+", "", value)
    return number * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def _cpu_ticks():
    """CPU ticks used so far by each gunicorn and PostgreSQL process, from /proc."""
    ticks = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue  # it ended while we looked
        name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat.rsplit(")", 1)[1].split()
        kind = "app" if b"gunicorn" in command else "db" if name.startswith("postgres") else None
        if kind:
            ticks[pid] = (kind, int(fields[11]) + int(fields[12]))  # utime + stime
    return ticks


def _cpu_ms_per_request(before, after, requests):
    """Milliseconds of CPU per request spent by the app (gunicorn) and by PostgreSQL."""
    spent = {"app": 0, "db": 0}
    for pid, (kind, ticks) in after.items():
        spent[kind] += ticks - before.get(pid, (kind, 0))[1]
    per_tick = 1000 / os.sysconf("SC_CLK_TCK")
    return tuple(spent[kind] * per_tick / max(requests, 1) for kind in ("app", "db"))


def run_wrk(url, *, duration, connections, threads, script=None):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script is not None:
        name, script_args = script
        command += ["--script", str(BASE_DIR / "bench" / "wrk" / name), url, "--", *script_args]
    else:
        command.append(url)
    before = _cpu_ticks()
    out = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    app_ms, db_ms = _cpu_ms_per_request(before, _cpu_ticks(), requests)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, p99, int(non2xx.group(1)) if non2xx else 0, app_ms, db_ms


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--rebuild", action="store_true", help="build the archive afresh")
    parser.add_argument(
        "--rounds", type=int, default=3, help="measurements per row; the table shows the median"
    )
    parser.add_argument(
        "--pages", nargs="+", metavar="PAGE", help="measure only these (e.g. home article)"
    )
    parser.add_argument(
        "--cache", choices=["both", "on", "off"], default="both", help="page cache on, off or both"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    ensure_database(DATABASE_URL)
    manage("migrate", "--noinput", "--verbosity", "0")
    manage("collectstatic", "--noinput", "--verbosity", "0")
    build_archive(rebuild=args.rebuild)
    urls = sample_urls()
    if args.pages:
        urls = urls[:1] + [(n, p) for n, p in urls[1:] if n.split()[0] in args.pages]
    modes = {"on": [("cached", 600)], "off": [("uncached", 0)]}.get(
        args.cache, [("cached", 600), ("uncached", 0)]
    )

    rows = []
    for label, seconds in modes:
        server = start_server(args.workers, seconds)
        try:
            static_name, static_path = urls[0]
            for name, path in urls[1:]:
                # The static file is measured again right before each page, so that a busy
                # machine slows both sides of each comparison alike.
                # This shared machine's speed swings from one minute to the next, so each pair
                # is measured --rounds times, alternating, and the medians are kept.
                results = {static_name: [], name: []}
                for _ in range(args.rounds):
                    for row_name, row_path in ((static_name, static_path), (name, path)):
                        url = f"http://127.0.0.1:{PORT}{row_path}"
                        script = SCRIPTS.get(row_name)
                        # warm up
                        run_wrk(url, duration=1, connections=args.workers, threads=1, script=script)
                        result = run_wrk(
                            url,
                            duration=args.duration,
                            connections=args.connections,
                            threads=args.threads,
                            script=script,
                        )
                        results[row_name].append(result)
                        rps, p50, p99, errors, app_ms, db_ms = result
                        print(
                            f"{label:9} {row_name:26} {rps:9.0f} req/s  p50 {p50:7.2f} ms  "
                            f"p99 {p99:7.2f} ms  CPU/request app {app_ms:5.2f} ms "
                            f"db {db_ms:5.2f} ms" + (f"  {errors} errors" if errors else ""),
                            flush=True,
                        )
                for row_name in (static_name, name):
                    runs = results[row_name]
                    rows.append(
                        (
                            label,
                            row_name,
                            statistics.median(r[0] for r in runs),
                            statistics.median(r[1] for r in runs),
                            statistics.median(r[2] for r in runs),
                            sum(r[3] for r in runs),
                            statistics.median(r[4] for r in runs),
                            statistics.median(r[5] for r in runs),
                        )
                    )
        finally:
            server.terminate()
            server.wait(timeout=10)

    lines = [
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, gunicorn {args.workers} "
        f"sync workers, PostgreSQL, {ISSUES} issues / {ISSUES * ARTICLES_PER_ISSUE} articles / "
        f'{PEOPLE} people / {ORGANISATIONS} organisations. "static" is the whitenoise file '
        f"measured just before that page. Medians of {args.rounds} rounds (errors: the sum). "
        "CPU/request: CPU time of the gunicorn processes (app) and of PostgreSQL (db) over a "
        "measurement, divided by the requests served.",
        "",
        "| page cache | page | req/s | static req/s | % of static | p50 ms | p99 ms | errors "
        "| app CPU ms/request | db CPU ms/request |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for static_row, row in zip(rows[0::2], rows[1::2], strict=True):
        label, name, rps, p50, p99, errors, app_ms, db_ms = row
        static = static_row[2]
        lines.append(
            f"| {label} | {name} | {rps:.0f} | {static:.0f} | {100 * rps / static:.0f}% "
            f"| {p50:.1f} | {p99:.1f} | {errors} | {app_ms:.2f} | {db_ms:.2f} |"
        )
    table = "\n".join(lines)
    print("\n" + table)
    results = BASE_DIR / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"site-{time.strftime('%Y%m%d-%H%M%S')}.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
