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
