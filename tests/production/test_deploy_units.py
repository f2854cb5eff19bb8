"""The systemd units in deploy/, checked as far as this machine allows.

systemd is not running here (a container), so: `systemd-analyze verify` checks the unit
files, then each unit's ExecStart runs as systemd would run it (its WorkingDirectory, its
EnvironmentFile, production settings) and must serve, reload and stop cleanly.
"""

import configparser
import getpass
import json
import multiprocessing
import re
import runpy
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

DEPLOY = settings.BASE_DIR / "deploy"
DOCS = settings.BASE_DIR / "docs" / "deploy.md"
INSTALLED_AT = "/srv/sca-briefings"
PORT = 8310


def unit(name):
    """A unit file in deploy/, as written (not rendered for this machine)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read_string((DEPLOY / name).read_text())
    return parser


def env_example(name):
    """A variable's value in .env.example, without the quotes systemd and the shell drop."""
    for line in (settings.BASE_DIR / ".env.example").read_text().splitlines():
        key, _, value = line.partition("=")
        if key == name:
            return value.strip('"')
    raise KeyError(name)


def render(unit, tmp_path, env_dir=None):
    """The unit as installed on this machine: code in the worktree, env file in tmp_path."""
    text = (DEPLOY / unit).read_text()
    text = text.replace(INSTALLED_AT, str(settings.BASE_DIR))
    text = text.replace("/etc/sca-briefings/env", str((env_dir or tmp_path) / "env"))
    text = text.replace("User=sca", f"User={getpass.getuser()}")
    text = text.replace("Group=sca", f"Group={getpass.getuser()}")
    (tmp_path / unit).write_text(text)
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read_string(text)
    return parser["Service"] if parser.has_section("Service") else None


def run_once(service, env):
    """A oneshot unit's command, as systemd would run it, to the end."""
    return subprocess.run(
        shlex.split(service["ExecStart"]),
        cwd=service["WorkingDirectory"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def start(service, env):
    return subprocess.Popen(
        shlex.split(service["ExecStart"]),
        cwd=service["WorkingDirectory"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def get(path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=5) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)
    except OSError:
        return None, {}


def wait_until_serving(process, deadline=30):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        assert process.poll() is None, process.stdout.read()
        if get("/healthz")[0] == 200:
            return
        time.sleep(0.2)
    raise AssertionError("gunicorn did not answer /healthz")


def stop(process, timeout=40):
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_unit_files_pass_systemd_analyze_verify(tmp_path):
    (tmp_path / "env").write_text("")
    units = sorted(p.name for p in DEPLOY.glob("sca-briefings-*.*"))
    assert {"sca-briefings-due.service", "sca-briefings-purge.service"} <= set(units)
    for timer in (name for name in units if name.endswith(".timer")):
        assert timer.replace(".timer", ".service") in units  # what each timer starts
    for unit in units:
        render(unit, tmp_path)
    result = subprocess.run(
        ["systemd-analyze", "verify", *units],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""


def test_web_unit_serves_pages_and_static_files_reloads_and_stops(tmp_path, production_env):
    service = render("sca-briefings-web.service", tmp_path, Path(production_env["ENV_DIR"]))
    # nginx logs every request, so gunicorn's access log is off unless asked for.
    web = start(service, {**production_env, "GUNICORN_ACCESS_LOG": "-"})
    try:
        wait_until_serving(web)
        status, headers = get("/")
        assert status == 200
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        static_root = Path(production_env["STATIC_ROOT"])
        manifest = json.loads((static_root / "staticfiles.json").read_text())
        status, headers = get("/static/" + manifest["paths"]["css/site.css"])
        assert status == 200
        assert "immutable" in headers["Cache-Control"]
        # ExecReload: a graceful restart keeps serving.
        web.send_signal(signal.SIGHUP)
        time.sleep(2)
        wait_until_serving(web)
    finally:
        returncode = stop(web)
    output = web.stdout.read()
    assert returncode == 0, output
    # The access log, when asked for, on stdout.
    messages = [json.loads(line)["message"] for line in output.splitlines()]
    assert any('"GET / HTTP/1.1" 200' in message for message in messages)


def test_web_unit_logs_one_json_object_per_line_gunicorns_own_lines_too(tmp_path, production_env):
    service = render("sca-briefings-web.service", tmp_path, Path(production_env["ENV_DIR"]))
    web = start(service, {**production_env, "GUNICORN_ACCESS_LOG": "-"})
    try:
        wait_until_serving(web)
        get("/")
        web.send_signal(signal.SIGHUP)  # a reload sets gunicorn's logging up again
        time.sleep(2)
        wait_until_serving(web)
    finally:
        stop(web)
    entries = [json.loads(line) for line in web.stdout.read().splitlines()]
    messages = {(entry["logger"], entry["message"].split(" ")[0]) for entry in entries}
    assert ("gunicorn.error", "Starting") in messages
    assert ("gunicorn.error", "Booting") in messages
    assert ("gunicorn.access", "127.0.0.1") in messages


def test_web_workers_follow_the_cpus_with_the_documented_env_file(monkeypatch):
    # docs/deploy.md: 2 x CPUs + 1 workers unless GUNICORN_WORKERS says otherwise, with the
    # env file copied from .env.example.
    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: 8)
    monkeypatch.setenv("GUNICORN_WORKERS", env_example("GUNICORN_WORKERS"))
    assert runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))["workers"] == 17

    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    assert runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))["workers"] == 3


def test_worker_unit_runs_until_asked_to_stop(tmp_path, production_env):
    service = render("sca-briefings-worker.service", tmp_path, Path(production_env["ENV_DIR"]))
    worker = start(service, production_env)
    try:
        time.sleep(4)
        assert worker.poll() is None, worker.stdout.read()
    finally:
        returncode = stop(worker, timeout=int(service["TimeoutStopSec"]))
    assert returncode == 0, worker.stdout.read()


def test_units_running_the_app_may_write_its_cache_on_disk():
    # ProtectSystem=strict leaves only the listed paths writable; without REDIS_URL the cache
    # lives in CACHE_DIR, and failed writes there would quietly mean no cache at all.
    cache_dir = env_example("CACHE_DIR")
    app_units = [
        p.name
        for p in DEPLOY.glob("sca-briefings-*.service")
        if "manage.py" in p.read_text() or "gunicorn" in p.read_text()
    ]
    assert "sca-briefings-web.service" in app_units
    assert "sca-briefings-worker.service" in app_units
    for name in app_units:
        service = unit(name)["Service"]
        assert service["ProtectSystem"] == "strict"
        writable = service.get("ReadWritePaths", "").split()
        writable += [f"/var/cache/{d}" for d in service.get("CacheDirectory", "").split()]
        assert any(cache_dir == w or cache_dir.startswith(w + "/") for w in writable), name


def test_the_documented_packages_include_the_redis_env_example_points_at():
    assert env_example("REDIS_URL").startswith("redis://127.0.0.1:")
    install = next(
        line for line in DOCS.read_text().splitlines() if line.startswith("apt-get install")
    )
    assert "redis-server" in install.split()


def installation_commands():
    """The shell lines of docs/deploy.md's systemd section, continuation lines joined."""
    section = DOCS.read_text().split("## 4. systemd")[1].split("\n## ")[0]
    block = section.split("```sh\n")[1].split("```")[0]
    return block.replace("\\\n", " ").splitlines()


def test_every_unit_the_docs_name_exists_and_every_unit_is_installed_and_enabled():
    named = set()
    for doc in (DOCS, settings.BASE_DIR / "README.md", *DEPLOY.glob("sca-briefings-*.*")):
        named |= set(re.findall(r"sca-briefings-[a-z]+\.(?:service|timer)", doc.read_text()))
    in_deploy = {p.name for p in DEPLOY.glob("sca-briefings-*.*")}
    assert named - in_deploy == set()

    copy = next(line for line in installation_commands() if line.startswith("cp "))
    enable = next(line for line in installation_commands() if "systemctl enable" in line)
    for name in in_deploy:
        assert f"deploy/{name}" in copy.split(), name
    timers = {name for name in in_deploy if name.endswith(".timer")}
    assert timers == {
        "sca-briefings-backup.timer",
        "sca-briefings-due.timer",
        "sca-briefings-purge.timer",
    }
    for name in [*timers, "sca-briefings-web", "sca-briefings-worker"]:
        assert name in enable.split(), name


def restore_commands():
    """The shell lines of docs/deploy.md's restore steps, continuation lines joined."""
    section = DOCS.read_text().split("## 7. Backups")[1].split("\n## ")[0]
    block = section.split("```sh\n")[1].split("```")[0]
    return block.replace("\\\n", " ").splitlines()


def test_documented_restore_sends_nothing_until_issues_already_sent_are_unticked():
    # The restored database has no record of sends made after the backup: with the due check
    # running, an issue marked "send on publish" would go to every subscriber again.
    lines = restore_commands()

    def first(command, unit):
        return next(
            i for i, line in enumerate(lines) if line.startswith(command) and unit in line.split()
        )

    for unit in ["sca-briefings-web", "sca-briefings-worker", "sca-briefings-due.timer"]:
        assert first("systemctl stop", unit) < first("systemctl start", "sca-briefings-web")
    untick = next(i for i, line in enumerate(lines) if "Send on publish" in line)
    assert first("systemctl start", "sca-briefings-web") < untick
    assert untick < first("systemctl start", "sca-briefings-worker")
    assert untick < first("systemctl start", "sca-briefings-due.timer")


def test_documented_certificate_renewals_reload_nginx():
    # `certbot certonly` leaves nginx alone: without a hook, nginx keeps the certificate it
    # loaded until that one expires, whatever certbot's timer renews.
    nginx_section = DOCS.read_text().split("## 5. nginx")[1].split("\n## ")[0]
    block = nginx_section.split("```sh\n")[1].split("```")[0].replace("\\\n", " ")
    certbot = next(line for line in block.splitlines() if line.startswith("certbot "))
    assert "--deploy-hook 'systemctl reload nginx'" in certbot


# What a timer's service shares with the worker: who it runs as, its settings, its hardening.
AS_THE_WORKER = [
    "User",
    "Group",
    "WorkingDirectory",
    "EnvironmentFile",
    "NoNewPrivileges",
    "PrivateTmp",
    "ProtectSystem",
    "ProtectHome",
    "ReadWritePaths",
    "CacheDirectory",
]


def assert_runs_like_the_worker(name, command):
    service = unit(f"{name}.service")["Service"]
    worker = unit("sca-briefings-worker.service")["Service"]
    assert service["ExecStart"].endswith(command)
    for key in AS_THE_WORKER:
        assert service[key] == worker[key], key


def test_due_check_runs_every_minute_like_the_worker():
    # `make run` loops `send_issue --due` every 60 s; production needs the same or "send on
    # publish" never sends and a send stopped with its worker is never restarted.
    timer = unit("sca-briefings-due.timer")["Timer"]
    assert timer["OnCalendar"] == "minutely"
    assert_runs_like_the_worker("sca-briefings-due", "manage.py send_issue --due")


def test_purge_runs_daily_like_the_worker():
    timer = unit("sca-briefings-purge.timer")["Timer"]
    assert timer["OnCalendar"] == "*-*-* 03:30:00"
    assert timer["Persistent"] == "true"
    assert_runs_like_the_worker("sca-briefings-purge", "manage.py purge_pending")


def test_due_unit_starts_an_issue_marked_send_on_publish(tmp_path, production_env):
    # A copy of the shared database, so the issue added here shows in no other test.
    database = tmp_path / "db.sqlite3"
    shutil.copy(Path(production_env["ENV_DIR"]) / "db.sqlite3", database)
    env = {**production_env, "DATABASE_URL": f"sqlite:///{database}"}
    service = render("sca-briefings-due.service", tmp_path, Path(production_env["ENV_DIR"]))
    make_issue = "from tests.factories import IssueFactory; IssueFactory(send_on_publish=True)"
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", make_issue],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )

    due = run_once(service, env)
    assert due.returncode == 0, due.stderr
    assert "(send on publish)" in due.stdout


def test_purge_unit_deletes_unconfirmed_sign_ups_and_exits_cleanly(tmp_path, production_env):
    service = render("sca-briefings-purge.service", tmp_path, Path(production_env["ENV_DIR"]))
    purge = run_once(service, production_env)
    assert purge.returncode == 0, purge.stderr
    assert "unconfirmed sign-up request(s) older than 30 days" in purge.stdout


def test_the_documented_health_check_names_a_host_the_documented_settings_allow():
    # gunicorn sees 127.0.0.1 as the host unless told otherwise, and Django answers 400 to a
    # host outside ALLOWED_HOSTS.
    text = DOCS.read_text()
    allowed = re.search(r"^ALLOWED_HOSTS=(.*)$", text, re.MULTILINE)[1].split(",")
    curl = next(line for line in installation_commands() if "/healthz" in line)
    host = re.search(r"-H 'Host: ([^']+)'", curl)
    assert host, curl
    assert host[1] in allowed
