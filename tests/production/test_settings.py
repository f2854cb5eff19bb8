import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from sca_briefings.jsonlog import JSONFormatter
from sca_briefings.settings import read_env_file

PRODUCTION_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "HOME": os.environ.get("HOME", "/root"),
    "SECRET_KEY": "a7Pq-3vK9xZt_J2mR8wLs0eYhB4nUcD6fGiO1kNpQrStUvWxYz-Example-Only",
    "ALLOWED_HOSTS": "briefing.example.org",
    "SITE_URL": "https://briefing.example.org",
    "EMAIL_HOST": "smtp.example.org",
    "BRIEFING_POSTAL_ADDRESS": "SCA, 12 High Street, Perth PH1 5TJ",
    "DEFAULT_FROM_EMAIL": "SCA Briefing <briefing@briefing.example.org>",
    "DJANGO_SETTINGS_MODULE": "sca_briefings.settings",
    "ENV_FILE": "",  # a developer's .env must not fill in what production leaves out
}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("setting", "value", "warning"),
    [
        ("SITE_URL", "http://127.0.0.1:8000", "sca.W001"),
        ("SITE_URL", "http://briefing.example.org", "sca.W002"),
        ("BRIEFING_POSTAL_ADDRESS", None, "sca.W003"),  # unset: the example in settings.py
        ("DEFAULT_FROM_EMAIL", None, "sca.W004"),  # unset: briefing@localhost
        ("DEFAULT_FROM_EMAIL", "briefing@mailhost", "sca.W004"),
    ],
)
def test_deployment_checks_catch_email_settings_left_at_their_examples(setting, value, warning):
    env = {**PRODUCTION_ENV, setting: value}
    if value is None:
        del env[setting]
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert f"({warning})" in result.stdout + result.stderr


def test_missing_secret_key_stops_start_up_with_a_clear_message():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_missing_allowed_hosts_stops_start_up_with_a_clear_message():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "ALLOWED_HOSTS"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_production_defaults_redirect_to_https_and_set_hsts():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.CSRF_TRUSTED_ORIGINS)"
    )
    result = manage("shell", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == (
        "True 31536000 True True ['https://briefing.example.org']"
    )


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/", headers={"host": "testserver"})
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


@pytest.mark.django_db
def test_https_behind_the_proxy_is_not_redirected_and_gets_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/", headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_public_page_has_a_strict_content_security_policy(client):
    response = client.get(reverse("briefings:home"))
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert "nonce" not in response["Content-Security-Policy"]  # cached pages are shared


@pytest.mark.django_db
def test_admin_policy_loosens_styles_but_not_scripts(client):
    response = client.get(reverse("admin:login"))
    policy = response["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy


@pytest.mark.django_db
def test_responses_carry_the_protective_headers(client):
    response = client.get(reverse("briefings:home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.django_db
def test_session_cookie_is_secure_http_only_and_lax(client, django_user_model):
    django_user_model.objects.create_user("editor", password="correct horse", is_staff=True)
    response = client.post(
        reverse("admin:login"), {"username": "editor", "password": "correct horse"}
    )
    assert response.status_code == 302
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_log_lines_are_json_with_extra_fields():
    record = logging.makeLogRecord(
        {"name": "sca", "levelname": "WARNING", "msg": "sent %s", "args": (3,), "issue": 7}
    )
    line = json.loads(JSONFormatter().format(record))
    assert line["message"] == "sent 3"
    assert line["level"] == "WARNING"
    assert line["issue"] == 7


def test_a_local_env_file_fills_in_defaults_but_the_environment_wins(tmp_path):
    env_file = tmp_path / "local.env"
    env_file.write_text("# local development\nDEBUG=true\n")
    base = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}

    local = manage("check", env={**base, "ENV_FILE": str(env_file)})
    assert local.returncode == 0, local.stderr

    production = manage("check", env={**base, "ENV_FILE": str(env_file), "DEBUG": "false"})
    assert production.returncode != 0
    assert "SECRET_KEY is not set" in production.stderr


def test_env_example_loads_whole_in_a_shell_and_the_settings_read_the_same_values(monkeypatch):
    # docs/deploy.md loads the env file with `set -a; . file; set +a`. Unquoted, bash stopped
    # at "SCA Briefing <briefing@example.org>" and silently left the later variables out.
    env_example = settings.BASE_DIR / ".env.example"
    names = [
        line.partition("=")[0]
        for line in env_example.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    ]
    shell = subprocess.run(
        ["bash", "-c", 'set -eu; set -a; . "$1"; set +a; env -0', "bash", str(env_example)],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert shell.returncode == 0, shell.stderr
    assert shell.stderr == ""
    from_shell = dict(item.split("=", 1) for item in shell.stdout.split("\0") if item)
    assert set(names) <= set(from_shell), set(names) - set(from_shell)

    for name in names:
        monkeypatch.delenv(name, raising=False)
    read_env_file(env_example)
    from_settings = {name: os.environ[name] for name in names}

    assert from_settings == {name: from_shell[name] for name in names}
    assert from_settings["DEFAULT_FROM_EMAIL"] == "SCA Briefing <briefing@example.org>"
    assert from_settings["BRIEFING_POSTAL_ADDRESS"] == "SCA, 1 Example Street, Edinburgh EH1 1AA"


def test_local_env_file_values_lose_their_quotes_as_in_systemd_and_a_shell(tmp_path, monkeypatch):
    env_file = tmp_path / "local.env"
    env_file.write_text(
        'DEFAULT_FROM_EMAIL="SCA Briefing <briefing@example.org>"\n'
        "EMAIL_HOST_PASSWORD='pa$$ \"word\"'\n"
        "SITE_NAME=SCA\n"
    )
    for name in ("DEFAULT_FROM_EMAIL", "EMAIL_HOST_PASSWORD", "SITE_NAME"):
        monkeypatch.delenv(name, raising=False)
    read_env_file(env_file)
    assert os.environ["DEFAULT_FROM_EMAIL"] == "SCA Briefing <briefing@example.org>"
    assert os.environ["EMAIL_HOST_PASSWORD"] == 'pa$$ "word"'
    assert os.environ["SITE_NAME"] == "SCA"


@pytest.mark.django_db
def test_postgresql_reuses_query_plans_through_prepared_statements():
    from django.db import connection

    from briefings.models import Issue

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    for _ in range(3):
        list(Issue.objects.filter(pk=1))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "briefings_issue"' in statement for statement in prepared)


def test_prepared_statements_can_be_turned_off_for_a_connection_pooler():
    code = "from django.db import connection as c; print(sorted(c.settings_dict['OPTIONS']))"
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://sca@db.example.org/sca_briefings"}
    on = manage("shell", "-c", code, env=env)
    off = manage("shell", "-c", code, env={**env, "DATABASE_PREPARED_STATEMENTS": "false"})
    assert on.returncode == 0 and off.returncode == 0, on.stderr + off.stderr
    assert "prepare_threshold" in on.stdout and "server_side_binding" in on.stdout
    assert "prepare_threshold" not in off.stdout and "server_side_binding" not in off.stdout
