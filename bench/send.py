"""Benchmark: send a 12-article issue to 1,000 and 10,000 subscribers with one worker.

    make bench-send            (or: .venv/bin/python bench/send.py)

Uses PostgreSQL (BENCH_SEND_DATABASE_URL, default database sca_email_bench on 127.0.0.1, created
if missing) and Postfix's smtp-sink on 127.0.0.1:2525, a C server that accepts and discards,
so the sink does not compete with the sender for CPU. The worker runs in a child process:
its messages per second and peak RSS (getrusage of that child alone) are printed per size.
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import _serve  # bench/, beside this script
from _serve import ensure_database

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get(
    "BENCH_SEND_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sca_email_bench"
)
SINK_PORT = int(os.environ.get("BENCH_SMTP_PORT", "2525"))
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "1000,10000").split(",")]
ISSUE_DATE = datetime.date(2026, 11, 25)


def setup_django():
    _serve.setup_django(
        DB_URL, ALLOWED_HOSTS="127.0.0.1", EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(SINK_PORT)
    )


def prepare(n):
    """A fresh 12-article issue queued for n active subscribers."""
    from django.core.management import call_command
    from django.utils import timezone

    from briefings.models import Article, Issue, Section
    from subscribers import sending
    from subscribers.models import Delivery, Subscriber

    call_command("migrate", verbosity=0)
    Delivery.objects.all().delete()
    Subscriber.objects.all().delete()
    Issue.objects.filter(date=ISSUE_DATE).delete()
    issue = Issue.objects.create(
        date=ISSUE_DATE,
        title="Winter pressures on community anchors",
        status=Issue.Status.PUBLISHED,
        publish_at=timezone.now() - datetime.timedelta(hours=1),
        leader="".join(
            f"<p>Paragraph {p} of the leader – community anchors are carrying more than their "
            f'share this winter; see <a href="https://www.gov.scot/report-{p}/">the report</a>.'
            "</p>"
            for p in range(5)
        ),
    )
    sections = [
        Section.objects.get_or_create(name=name, defaults={"order": i})[0]
        for i, name in enumerate(["On the ground", "Policy", "Funding", "Research"])
    ]
    for i in range(12):
        Article.objects.create(
            issue=issue,
            section=sections[i % 4],
            title=f"Halls that hold a village together, part {i}",
            teaser=" ".join(
                [
                    "A village hall committee in Angus has turned a draughty building "
                    "into a warm hub for the whole glen."
                ]
                * 5
            ),
            source_url=f"https://example.org/reports/{i}/" if i % 2 else "",
            source_label="Read the full report" if i % 2 else "",
            order=i,
        )
    now = timezone.now()
    Subscriber.objects.bulk_create(
        (
            Subscriber(email=f"reader{i}@example.org", status="active", confirmed_at=now)
            for i in range(n)
        ),
        batch_size=2000,
    )
    queued = sending.queue_issue(issue=issue)
    assert queued == n, queued


def worker():
    """The child: send everything queued, print the result as JSON."""
    setup_django()
    from django.conf import settings

    from subscribers import sending
    from subscribers.models import Delivery

    if os.environ.get("BENCH_MAIL_BACKEND"):  # e.g. django.core.mail.backends.smtp.EmailBackend
        settings.MAILERS["default"]["BACKEND"] = os.environ["BENCH_MAIL_BACKEND"]
    started, cpu_started = time.perf_counter(), time.process_time()
    report = sending.send_pending()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    sent = Delivery.objects.filter(status="sent").count()
    print(
        json.dumps(
            {
                "sent": report.sent,
                "rows_sent": sent,
                "seconds": elapsed,
                "cpu": cpu,
                "stopped_by": report.stopped_by,
            }
        )
    )


def main():
    ensure_database(DB_URL)
    sink_binary = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
    sink = subprocess.Popen(
        # As root, smtp-sink insists on dropping privileges (-u).
        [
            sink_binary,
            *(["-u", "nobody"] if os.geteuid() == 0 else []),
            f"127.0.0.1:{SINK_PORT}",
            "1000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        setup_django()
        print(
            f"{'subscribers':>11} {'sent':>6} {'seconds':>8} {'msg/s':>7} {'peak RSS':>9} "
            f"{'loop CPU/msg':>13}   (load average {os.getloadavg()[0]:.1f})"
        )
        for n in SIZES:
            subprocess.run([sys.executable, __file__, "--prepare", str(n)], check=True, cwd=ROOT)
            child = subprocess.Popen(
                [sys.executable, __file__, "--worker"], stdout=subprocess.PIPE, cwd=ROOT
            )
            out = child.stdout.read()
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode:
                sys.exit(f"worker failed with {child.returncode}")
            result = json.loads(out)
            assert result["rows_sent"] == n, result
            rate = result["sent"] / result["seconds"]
            print(
                f"{n:>11} {result['sent']:>6} {result['seconds']:>8.2f} {rate:>7.0f} "
                f"{usage.ru_maxrss / 1024:>7.0f} MB "
                f"{1000 * result['cpu'] / n:>10.2f} ms",
                flush=True,
            )
    finally:
        sink.terminate()
        sink.wait()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker()
    elif sys.argv[1:2] == ["--prepare"]:
        setup_django()
        prepare(int(sys.argv[2]))
    else:
        main()
