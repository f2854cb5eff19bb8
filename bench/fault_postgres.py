"""Fault: PostgreSQL stops while the site serves, then comes back.

Runs a throwaway PostgreSQL cluster (port 5441) and gunicorn (port 8320) on loopback, stops
the database under load-free traffic and checks what visitors get, then starts it again.
Prints every step; exits 1 if any check fails. Needs root (runs PostgreSQL as `postgres`).

    .venv/bin/python bench/fault_postgres.py        (or: make fault)
"""

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _serve import (  # noqa: E402
    MIN_FILL_SECONDS,
    SIGNUP_PATH,
    ThrowawayPostgres,
    prepare_site,
    production_env,
    request,
    say,
    signup_form_fields,
    start_gunicorn,
    stop_process,
)

PG_PORT = 5441
WEB_PORT = 8320
FAST = 1.5  # seconds: "within about a second"
CHECK_EMAIL = "check your email"

failures = []


def check(ok, message):
    say(("  PASS  " if ok else "  FAIL  ") + message)
    if not ok:
        failures.append(message)


def main():
    started = time.monotonic()
    postgres = ThrowawayPostgres(PG_PORT)
    gunicorn = None
    static_root = Path(tempfile.mkdtemp(prefix="sca-static-"))
    try:
        say(f"1. Starting a throwaway PostgreSQL cluster on 127.0.0.1:{PG_PORT}")
        postgres.init()
        postgres.start()
        postgres.create_database("sca_prod")
        env = production_env(
            database_url=postgres.url("sca_prod"), port=WEB_PORT, static_root=static_root
        )
        say("2. Migrating, collecting static files, adding a published issue")
        issue_url, article_url, person_url, organisation_url = prepare_site(env)
        manifest = json.loads((static_root / "staticfiles.json").read_text())
        static_url = "/static/" + manifest["paths"]["css/site.css"]

        say(f"3. Starting gunicorn (2 workers) on 127.0.0.1:{WEB_PORT}")
        gunicorn, base = start_gunicorn(env, workers=2)
        for path in ["/", issue_url, "/healthz", static_url]:
            status, _, seconds = request(base + path)
            check(status == 200, f"database up: GET {path} -> {status} in {seconds:.2f}s")
        fields = signup_form_fields(base)
        if fields is not None:
            time.sleep(MIN_FILL_SECONDS)
            data = {**fields, "name": "Before Outage", "email": "before.outage@example.org"}
            status, body, _ = request(base + SIGNUP_PATH, data=urlencode(data).encode())
            check(status == 200, f"database up: sign-up POST -> {status}")
        say("4. Stopping PostgreSQL (pg_ctl stop -m fast)")
        postgres.stop()
        # Pages nobody has asked for yet cannot come from a page cache: they need the database.
        for path in [article_url, person_url, organisation_url, "/people/nobody-here/"]:
            status, body, seconds = request(base + path)
            check(
                status == 503 and seconds < FAST,
                f"database down: GET {path} -> {status} in {seconds:.2f}s",
            )
            check("Traceback" not in body and "5441" not in body, "  ...and leaks nothing")
        check("try again later" in body, "  ...and the page says 'try again later'")
        for path in ["/", issue_url]:
            status, _, seconds = request(base + path)
            check(
                status in (200, 503) and seconds < FAST,
                f"database down: GET {path} (seen before; may come from the page cache) "
                f"-> {status} in {seconds:.2f}s",
            )
        status, _, seconds = request(base + "/healthz")
        check(status == 503 and seconds < FAST, f"database down: /healthz -> {status}")
        status, _, seconds = request(base + static_url)
        check(status == 200, f"database down: static {static_url} -> {status}")
        if fields is not None:
            data = {**fields, "name": "During Outage", "email": "during.outage@example.org"}
            status, body, seconds = request(base + SIGNUP_PATH, data=urlencode(data).encode())
            check(
                status == 503 and CHECK_EMAIL not in body.lower(),
                f"database down: sign-up POST -> {status} in {seconds:.2f}s, never '{CHECK_EMAIL}'",
            )
        else:
            say(f"  SKIP  sign-up: no sign-up view on this branch (GET {SIGNUP_PATH} is not 200)")

        say("5. Starting PostgreSQL again")
        postgres.start()
        # Enough requests to reach every worker and its stale persistent connection.
        results = [request(base + path) for path in [article_url, issue_url, "/healthz"] * 4]
        statuses = [status for status, _, _ in results]
        check(
            all(status == 200 for status in statuses),
            f"database back: the next {len(statuses)} requests -> {sorted(set(statuses))} "
            "(no stale-connection errors)",
        )
    finally:
        if gunicorn:
            stop_process(gunicorn)
        postgres.destroy()
        shutil.rmtree(static_root, ignore_errors=True)
    say(f"Done in {time.monotonic() - started:.0f}s: {len(failures)} failure(s).")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
