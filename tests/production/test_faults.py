"""Runs the fault scripts in bench/ and fails if they do; their output says what they did."""

import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = [
    pytest.mark.fault,
    pytest.mark.skipif(
        os.geteuid() != 0 or not shutil.which("runuser"),
        reason="runs a throwaway PostgreSQL as the postgres user: needs root",
    ),
    pytest.mark.skipif(
        not os.path.exists("/usr/lib/postgresql/15/bin/initdb"), reason="needs PostgreSQL 15"
    ),
]


def test_site_survives_postgresql_stopping_and_coming_back():
    result = subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "bench" / "fault_postgres.py")],
        capture_output=True,
        text=True,
        timeout=180,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    assert "database down: /healthz -> 503" in result.stdout
