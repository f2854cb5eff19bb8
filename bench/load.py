"""Load benchmark: gunicorn + PostgreSQL under wrk, on loopback.

    .venv/bin/python bench/load.py                  (or: make bench-load)
    .venv/bin/python bench/load.py --phases reads --duration 15

Phases (each skipped, with a note, if the code it needs is not on this branch):
  reads   GET the issue page, 64 connections: must have zero errors and zero non-2xx.
  mixed   90% issue-page GETs, 10% sign-up POSTs (subscribers:subscribe), with the task
          worker running and mail going to a counting SMTP server: zero 5xx, and every
          accepted sign-up has exactly one pending row and exactly one confirmation email.
  send    `manage.py send_issue <date> --foreground` to 5,000 subscribers (mail to Postfix's
          smtp-sink) while the reads run: reads p95 must stay under 500 ms.

It runs its own throwaway PostgreSQL cluster (port 5442) so the machine's shared one is not
disturbed, gunicorn on 127.0.0.1:8330 and SMTP servers on 8335-8336. Prints a table; exits 1
if a target is missed. Results are also written to bench/results/load-<time>.json.
"""

import argparse
import datetime
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _serve import (  # noqa: E402
    BASE_DIR,
    MIN_FILL_SECONDS,
    PYTHON,
    SIGNUP_PATH,
    ThrowawayPostgres,
    manage,
    prepare_site,
    production_env,
    say,
    signup_form_fields,
    start_gunicorn,
    stop_process,
)

PG_PORT = 5442
WEB_PORT = 8330
COUNTING_SMTP_PORT = 8335
SINK_SMTP_PORT = 8336
WRK_DIR = Path(__file__).resolve().parent / "wrk"
ISSUE_DATE = "2024-01-03"
READ_MARKER = "Halls that hold a village together 8"
P95_TARGET_MS = 500


def wrk(base, path, *, script, connections, seconds, args=()):
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_DIR / script),
        base + path,
        *args,
    ]
    say("   $ " + " ".join(command))
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    match = re.search(r"^RESULT (\{.*\})$", output, re.MULTILINE)
    if not match:
        raise RuntimeError("wrk printed no result:\n" + output)
    result = json.loads(match.group(1))
    result["requests_per_second"] = round(result["requests"] / result["seconds"], 1)
    return result


class CountingSMTP:
    """aiosmtpd on loopback that counts messages per recipient (and keeps nothing else)."""

    def __init__(self, port):
        from aiosmtpd.controller import Controller

        self.per_recipient = Counter()
        self.messages = 0
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.messages += 1
            for address in envelope.rcpt_tos:
                self.per_recipient[address.lower()] += 1
        return "250 Message accepted"


def bench_subscribers(env, run_id):
    code = f"""
import json
from subscribers.models import Subscriber
qs = Subscriber.objects.filter(email__startswith="bench-{run_id}-")
print(json.dumps({{
    "rows": qs.count(),
    "distinct": qs.values("email").distinct().count(),
    "pending": sorted(qs.filter(status="pending").values_list("email", flat=True)),
}}))
"""
    return json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])


def phase_reads(base, issue_url, seconds, connections):
    say(f"\n== reads: GET the issue page, {connections} connections, {seconds} s")
    result = wrk(base, issue_url, script="reads.lua", connections=connections, seconds=seconds)
    errors = sum(result[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    result["ok"] = errors == 0 and result["non_2xx_3xx"] == 0 and result["requests"] > 0
    return result


def phase_mixed(base, env, issue_url, seconds, connections):
    say(f"\n== mixed: 90% reads, 10% sign-ups, {connections} connections, {seconds} s")
    fields = signup_form_fields(base)
    if fields is None:
        say(f"   skipped: no sign-up view on this branch (GET {SIGNUP_PATH} is not 200)")
        return {"skipped": "no sign-up view"}
    time.sleep(MIN_FILL_SECONDS)  # the form's signed start time must be this old
    smtp = CountingSMTP(COUNTING_SMTP_PORT)
    smtp.controller.start()
    worker = subprocess.Popen(
        [PYTHON, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        run_id = secrets.token_hex(4)
        result = wrk(
            base,
            issue_url,
            script="mixed.lua",
            connections=connections,
            seconds=seconds,
            args=[issue_url, SIGNUP_PATH, run_id, READ_MARKER, urllib.parse.urlencode(fields)],
        )
        # Confirmation emails may go through the task worker: wait for them to arrive.
        deadline, last, rows = time.monotonic() + 180, -1, None
        while time.monotonic() < deadline:
            rows = bench_subscribers(env, run_id)
            bench_mail = sum(
                n for a, n in smtp.per_recipient.items() if a.startswith(f"bench-{run_id}-")
            )
            if bench_mail >= len(rows["pending"]) and bench_mail == last:
                break
            last = bench_mail
            time.sleep(3)
    finally:
        stop_process(worker)
        smtp.controller.stop()
    pending = rows["pending"]
    mail = {a: n for a, n in smtp.per_recipient.items() if a.startswith(f"bench-{run_id}-")}
    result.update(
        pending_rows=len(pending),
        bench_rows=rows["rows"],
        duplicate_rows=rows["rows"] - rows["distinct"],
        confirmation_emails=sum(mail.values()),
        pending_without_exactly_one_email=sum(1 for a in pending if mail.get(a.lower()) != 1),
        emails_to_unknown_addresses=len(set(mail) - {a.lower() for a in pending}),
    )
    result["ok"] = (
        result["server_errors"] == 0
        and result["socket_errors"] == 0
        and result["signups_accepted"] > 0
        # wrk stops mid-flight: POSTs sent in the last moment may have been saved with their
        # answer never read. Every answered one must be there; no more rows than POSTs sent.
        and result["signups_accepted"] <= len(pending) == rows["rows"]
        and len(pending) <= result["posts_sent"] - result["signups_refused"]
        and result["duplicate_rows"] == 0
        and result["pending_without_exactly_one_email"] == 0
        and result["emails_to_unknown_addresses"] == 0
    )
    return result


SUBSCRIBERS = """
from django.utils import timezone
from subscribers.models import Subscriber
now = timezone.now()
Subscriber.objects.bulk_create(
    [Subscriber(email=f"send-{{n}}@example.org", name=f"Reader {{n}}", status="active",
                confirmed_at=now, consent_at=now) for n in range({count})],
    batch_size=1000, ignore_conflicts=True)
print(Subscriber.objects.active().count())
"""


def start_sink(as_user):
    # smtp-sink's -c counter goes to a file: an unread pipe fills after about 2,600
    # messages and then smtp-sink blocks, which stalls the send it is meant to measure.
    counter = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed with the process
    sink = subprocess.Popen(
        ["smtp-sink", *as_user, "-c", f"127.0.0.1:{SINK_SMTP_PORT}", "1000"],
        stdout=counter,
        stderr=subprocess.DEVNULL,
    )
    sink.counter = counter
    return sink


def sink_count(sink):
    sink.counter.seek(0)
    return re.findall(r"\d+", sink.counter.read())[-1:]


def phase_send(base, env, issue_url, seconds, connections, recipients):
    say(f"\n== send: {recipients} emails while reads run ({connections} connections)")
    try:
        manage(env, "help", "send_issue")
    except RuntimeError:
        say("   skipped: no send_issue command on this branch")
        return {"skipped": "no send_issue command"}
    active = manage(env, "shell", "-c", SUBSCRIBERS.format(count=recipients))
    say(f"   active subscribers: {active.strip().splitlines()[-1]}")
    # As root, smtp-sink must be told whom to run as after binding.
    as_user = ["-u", "postfix"] if os.geteuid() == 0 else []
    sink = start_sink(as_user)
    send_env = {**env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(SINK_SMTP_PORT)}
    timing = {}

    def send():
        started = time.monotonic()
        timing["output"] = subprocess.run(
            # At the worker's priority in deploy/sca-briefings-worker.service (Nice=10).
            ["nice", "-n", "10", PYTHON, "manage.py", "send_issue", ISSUE_DATE, "--foreground"],
            cwd=BASE_DIR,
            env=send_env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        timing["seconds"] = time.monotonic() - started

    sender = threading.Thread(target=send)
    try:
        time.sleep(0.5)  # let smtp-sink bind
        if sink.poll() is not None:
            raise RuntimeError("smtp-sink did not start")
        sender.start()
        result = wrk(base, issue_url, script="reads.lua", connections=connections, seconds=seconds)
        sender.join(timeout=1800)
    finally:
        stop_process(sink)
    received = sink_count(sink)
    output = timing["output"]
    resumed = None
    if output.returncode != 0:
        # The operator's remedy for a stopped send: run it again; it carries on where it was.
        sink = start_sink(as_user)
        time.sleep(0.5)
        try:
            resumed = subprocess.run(
                [PYTHON, "manage.py", "send_issue", ISSUE_DATE, "--foreground"],
                cwd=BASE_DIR, env=send_env, capture_output=True, text=True, timeout=1800,
            )  # fmt: skip
        finally:
            stop_process(sink)
        received += sink_count(sink)
    result.update(
        send_exit=output.returncode,
        send_seconds=round(timing["seconds"], 1),
        send_output_tail=(output.stdout + output.stderr).strip().splitlines()[-3:],
        smtp_sink_received=sum(int(n) for n in received),
        send_stopped_and_resumed=resumed is not None,
        resumed_exit=None if resumed is None else resumed.returncode,
        resumed_output_tail=[] if resumed is None else resumed.stdout.strip().splitlines()[-3:],
        send_finished_within_reads=timing["seconds"] <= seconds,
    )
    errors = result["connect_errors"] + result["read_errors"] + result["timeouts"]
    result["ok"] = (
        (output.returncode == 0 or (resumed is not None and resumed.returncode == 0))
        # Everyone served (a resumed send may repeat the one message in flight).
        and result["smtp_sink_received"] >= recipients
        and errors == 0
        and result["non_2xx_3xx"] == 0
        and result["p95_ms"] < P95_TARGET_MS
    )
    return result


def print_table(results):
    say("\n| phase | requests | req/s | p50 ms | p95 ms | p99 ms | errors | non-2xx/5xx | result |")
    say("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, r in results.items():
        if "skipped" in r:
            say(f"| {name} | | | | | | | | skipped: {r['skipped']} |")
            continue
        errors = r.get("socket_errors", 0) + sum(
            r.get(k, 0) for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
        )
        bad = r.get("non_2xx_3xx", r.get("server_errors"))
        say(
            f"| {name} | {r['requests']} | {r['requests_per_second']} | {r['p50_ms']} | "
            f"{r['p95_ms']} | {r['p99_ms']} | {errors} | {bad} | "
            f"{'PASS' if r['ok'] else 'FAIL'} |"
        )
    for name, r in results.items():
        extra = {
            k: v
            for k, v in r.items()
            if k not in {"requests", "requests_per_second", "p50_ms", "p95_ms", "p99_ms", "ok"}
        }
        say(f"{name}: {json.dumps(extra)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phases", default="reads,mixed,send")
    parser.add_argument("--duration", type=int, default=60, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--recipients", type=int, default=5000)
    options = parser.parse_args()
    phases = options.phases.split(",")

    postgres = ThrowawayPostgres(PG_PORT)
    static_root = Path(tempfile.mkdtemp(prefix="sca-static-"))
    gunicorn = None
    results = {}
    try:
        say(f"Throwaway PostgreSQL on 127.0.0.1:{PG_PORT}; preparing the site")
        postgres.init()
        postgres.start()
        postgres.create_database("sca_prod")
        env = production_env(
            database_url=postgres.url("sca_prod"),
            port=WEB_PORT,
            static_root=static_root,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(COUNTING_SMTP_PORT),
            # Sign-ups arrive "from" many addresses, as through nginx (see mixed.lua).
            TRUSTED_PROXY_COUNT="1",
        )
        if options.workers:
            env["GUNICORN_WORKERS"] = str(options.workers)
        issue_url = prepare_site(env)[0]
        gunicorn, base = start_gunicorn(env, workers=int(env.get("GUNICORN_WORKERS", 0)) or 5)
        say(f"gunicorn on {base}; issue page {issue_url}")
        if "reads" in phases:
            results["reads"] = phase_reads(base, issue_url, options.duration, options.connections)
        if "mixed" in phases:
            results["mixed"] = phase_mixed(
                base, env, issue_url, options.duration, options.connections
            )
        if "send" in phases:
            results["send"] = phase_send(
                base, env, issue_url, options.duration, options.connections, options.recipients
            )
    finally:
        if gunicorn:
            stop_process(gunicorn)
        postgres.destroy()
        shutil.rmtree(static_root, ignore_errors=True)
    print_table(results)
    out = BASE_DIR / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"load-{stamp}.json").write_text(json.dumps(results, indent=2))
    failed = [name for name, r in results.items() if not r.get("ok", True)]
    say(f"\n{'FAILED: ' + ', '.join(failed) if failed else 'All targets met.'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
