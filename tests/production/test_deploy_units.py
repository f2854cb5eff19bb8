"""The systemd units in deploy/, checked as far as this machine allows.

systemd is not running here (a container), so: `systemd-analyze verify` checks the unit
files, then each unit's ExecStart runs as systemd would run it (its WorkingDirectory, its
EnvironmentFile, production settings) and must serve, reload and stop cleanly.
"""

import configparser
import getpass
import json
import shlex
import shutil
import signal
import subprocess
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
    assert len(units) == 4
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
    assert '"GET / HTTP/1.1" 200' in output  # the access log, when asked for, on stdout


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
