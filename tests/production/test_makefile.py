import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_make_run_on_another_port_builds_links_to_that_port():
    # Feeds, canonical tags and email links come from SITE_URL: with the default, a second
    # checkout served on another port linked readers to the first one's server.
    commands = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", "PORT=8123", "PYTHON=python3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout
    serve = next(line for line in commands.splitlines() if "gunicorn" in line)
    assert "SITE_URL=${SITE_URL:-http://127.0.0.1:8123}" in serve
    assert "--bind 127.0.0.1:8123" in serve


def test_make_run_on_a_port_in_use_says_so_in_one_line_before_doing_anything():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            ["make", "--no-print-directory", "port-free", f"PORT={port}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    assert result.returncode != 0
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stdout
    assert f"make run PORT={port + 1}" in result.stdout
    # The same port, once free, passes.
    free = subprocess.run(["make", "port-free", f"PORT={port}"], cwd=ROOT, capture_output=True)
    assert free.returncode == 0, free.stdout


def test_make_check_deploy_checks_production_settings_even_after_make_run(tmp_path):
    # make run writes a .env with DEBUG=true for manage.py; production has none, so the
    # deployment checks must not read it.
    developer_env = tmp_path / ".env"
    developer_env.write_text("DEBUG=true\n")
    result = subprocess.run(
        ["make", "--no-print-directory", "check-deploy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        # Only what a shell has: the test run's own settings (PAGE_CACHE_SECONDS...) stay out.
        env={
            "PATH": os.environ["PATH"],
            "HOME": os.environ["HOME"],
            "ENV_FILE": str(developer_env),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_install_production_leaves_out_the_test_tools_and_the_site_still_passes_its_checks(
    tmp_path,
):
    # docs/deploy.md installs a server with this: a server has no use for a browser driver,
    # an SMTP catcher or the linter, and each is one more thing to patch.
    venv = tmp_path / "venv"
    shell = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"]}
    subprocess.run(
        ["make", "--no-print-directory", "install-production", f"VENV={venv}"],
        cwd=ROOT,
        env=shell,
        check=True,
        capture_output=True,
        timeout=900,
    )
    python = str(venv / "bin" / "python")

    def installed(package):
        return subprocess.run([python, "-m", "pip", "show", "-q", package]).returncode == 0

    assert installed("django") and installed("gunicorn") and installed("django-tasks-db")
    for tool in ["pytest", "playwright", "aiosmtpd", "ruff", "factory-boy", "hypothesis"]:
        assert not installed(tool), tool
    production = shell | {
        "ENV_FILE": "",
        "SECRET_KEY": "install-production-test-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG",
        "ALLOWED_HOSTS": "briefing.example.org",
        "SITE_URL": "https://briefing.example.org",
        "EMAIL_HOST": "smtp.example.org",
        "BRIEFING_POSTAL_ADDRESS": "SCA, 12 High Street, Perth PH1 5TJ",
        "DEFAULT_FROM_EMAIL": "SCA Briefing <briefing@briefing.example.org>",
    }
    check = subprocess.run(
        [python, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "System check identified no issues" in check.stdout


def _db_workers_under(pid):
    """The db_worker processes descended from process `pid`."""
    found = []
    for child in subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True
    ).stdout.split():
        try:
            arguments = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            continue  # a short-lived child (the minute's sleep, a send check) already gone
        if b"manage.py" in arguments and b"db_worker" in arguments:
            found.append(int(child))
        found += _db_workers_under(child)
    return found


def _wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"gave up after {seconds} s")


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="make run uses SQLite; once is enough"
)
def test_make_run_starts_its_worker_again_with_the_same_settings_when_it_is_killed(tmp_path):
    # The README's round: kill the worker half way through a send. One started again by hand
    # without EMAIL_HOST printed the rest of the send instead of mailing it, and marked it sent.
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ["HOME"],
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "CACHE_DIR": str(tmp_path / "cache"),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": "1",
    }
    log = open(tmp_path / "run.log", "w")  # noqa: SIM115 - closed below
    run = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def django(code):
        return subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=env | {"DEBUG": "true", "ENV_FILE": ""},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()[-1:]  # the last line: what the code printed, after any logging

    try:
        [first] = _wait_for(lambda: _db_workers_under(run.pid), 300)
        # The worker is sending a reader their copy when it is killed.
        django(
            "from briefings.models import Issue; from subscribers import sending;"
            "from subscribers.models import Delivery, Subscriber;"
            "from django.utils import timezone;"
            "reader = Subscriber.objects.create(email='reader@example.org', status='active');"
            "Delivery.objects.create(issue=Issue.objects.published().first(), subscriber=reader,"
            " status='sending', attempts=1, claimed_at=timezone.now(),"
            f" claimed_by=f'{{sending._this_machine()}}:{first}:killed')"
        )
        os.kill(first, signal.SIGKILL)
        [second] = _wait_for(
            lambda: [pid for pid in _db_workers_under(run.pid) if pid != first], 30
        )
        environ = Path(f"/proc/{second}/environ").read_bytes().split(b"\0")
        assert b"EMAIL_HOST=127.0.0.1" in environ
        assert f"SITE_URL=http://127.0.0.1:{port}".encode() in environ
        # The new worker takes the reader over at once, rather than after the two-minute claim
        # timeout: it tries, and finds this mail server refusing connections.
        status = "from subscribers.models import Delivery; print(Delivery.objects.get().status)"
        _wait_for(lambda: django(status) == ["queued"], 30)
    finally:
        # Ctrl-C in the terminal: the whole foreground group gets SIGINT.
        os.killpg(run.pid, signal.SIGINT)
        run.wait(timeout=60)
        log.close()
    assert "The worker stopped" in (tmp_path / "run.log").read_text()
    # Stopping make run stops its worker too, though a background process ignores Ctrl-C.
    _wait_for(lambda: not Path(f"/proc/{second}").exists(), 15)
