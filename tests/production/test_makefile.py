import os
import socket
import subprocess
from pathlib import Path

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
