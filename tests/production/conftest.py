"""Fixtures for the production tests that run the app the way a server does."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PORT = 8310


@pytest.fixture(scope="session")
def production_env(tmp_path_factory):
    """Production settings on a migrated SQLite file with collected static files."""
    tmp_path = tmp_path_factory.mktemp("deploy")
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "units-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{PORT}",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_WORKERS": "2",
    }
    (tmp_path / "env").write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    full = {
        "ENV_DIR": str(tmp_path),
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "ENV_FILE": "",  # as in production: no developer .env
        **env,
    }
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [sys.executable, "manage.py", *command, "-v0"],
            cwd=settings.BASE_DIR,
            env=full,
            check=True,
            capture_output=True,
            timeout=120,
        )
    return full
