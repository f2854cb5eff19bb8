"""Helpers shared by the fault and load scripts: a throwaway PostgreSQL, gunicorn, HTTP."""

import contextlib
import html
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PYTHON = sys.executable


def say(message):
    print(message, flush=True)


def setup_django(database_url, **environ):
    """Django in this process, configured as production is (DEBUG off, no .env), for the
    benchmarks that drive it in-process; `environ` adds or overrides variables."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "sca_briefings.settings",
            "ENV_FILE": "",
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "SITE_URL": "https://briefing.example.org",
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
            **environ,
        }
    )
    import django

    django.setup()


def ensure_database(database_url):
    """Create a benchmark's own PostgreSQL database if it is missing."""
    import psycopg

    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


class ThrowawayPostgres:
    """A private PostgreSQL cluster on its own port, run as the postgres user.

    Never the machine's shared cluster: this one may be stopped and started at will.
    """

    def __init__(self, port):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="sca-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"

    def _as_postgres(self, *command):
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *map(str, command)],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def init(self):
        self._as_postgres(PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust")

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        log = self.dir / "postgres.log"
        self._as_postgres(
            PG_BIN / "pg_ctl", "-D", self.data, "-o", options, "-l", log, "-w", "start"
        )

    def stop(self):
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def create_database(self, name):
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-qc",
                f'CREATE DATABASE "{name}"',
            ],
            check=True,
            capture_output=True,
        )

    def url(self, name):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self):
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def production_env(*, database_url, port, static_root, **extra):
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "ENV_FILE": "",  # as in production: no developer .env
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(static_root),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        # A fresh cache per run: the on-disk default would keep pages from earlier runs.
        "CACHE_DIR": tempfile.mkdtemp(prefix="sca-bench-cache-"),
        **extra,
    }


def manage(env, *args, capture=True):
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=capture,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


SEED = """
import datetime
from django.utils import timezone
from briefings.models import Article, Issue, Organisation, Person, Section
org = Organisation.objects.create(name="Community Trust", kind="charity")
person = Person.objects.create(name="Morag Campbell", role="Chief Executive", organisation=org)
sections = [Section.objects.create(name=n, order=i) for i, n in enumerate(
    ["On the ground", "Policy", "Funding"])]
issue = Issue.objects.create(date=datetime.date(2024, 1, 3), status="published",
    publish_at=timezone.now() - datetime.timedelta(days=1), title="Halls and hubs",
    leader="<p>Community anchors are carrying more than their share this winter.</p>")
for n in range(9):
    a = Article.objects.create(issue=issue, section=sections[n % 3], order=n,
        title=f"Halls that hold a village together {n}",
        teaser="A village hall committee in Angus has turned a draughty building into a hub.",
        body="<p>The committee raised the money in eighteen months.</p>" * 6)
    a.people.add(person)
    a.organisations.add(org)
print(issue.get_absolute_url(), a.get_absolute_url(), person.get_absolute_url(),
      org.get_absolute_url())
"""


def prepare_site(env):
    """Migrate, collect static files and add one published issue; return its page paths."""
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    return manage(env, "shell", "-c", SEED).strip().splitlines()[-1].split()


def start_gunicorn(env, workers):
    process = subprocess.Popen(
        [
            str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
            "--config",
            "gunicorn.conf.py",
            "--workers",
            str(workers),
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = "http://" + env["GUNICORN_BIND"]
    end = time.monotonic() + 30
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + process.stderr.read())
        if request(base + "/healthz")[0] == 200:
            return process, base
        time.sleep(0.2)
    stop_process(process)
    raise RuntimeError("gunicorn did not start")


def stop_process(process, timeout=30):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def request(url, data=None, timeout=10):
    """(status, body text, seconds). Status None when nothing answered."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, data=data, timeout=timeout) as response:  # noqa: S310 (loopback URLs built here)
            return (
                response.status,
                response.read().decode(errors="replace"),
                time.monotonic() - started,
            )
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), time.monotonic() - started
    except OSError:
        return None, "", time.monotonic() - started


SIGNUP_PATH = "/subscribe/"  # subscribers:subscribe
MIN_FILL_SECONDS = 3.5  # the sign-up form refuses answers sent faster than a person types


def signup_form_fields(base):
    """The sign-up form's hidden fields (signed start time, consent wording version, ...),
    read from the full form at /subscribe/; None when there is no sign-up view."""
    status, body, _ = request(base + SIGNUP_PATH)
    if status != 200:
        return None
    fields = {}
    for tag in re.findall(r"<input[^>]*>", body):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag and name.group(1) not in fields:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return fields
