"""deploy/nginx-sca-briefings.conf in front of gunicorn, over real TLS on loopback.

nginx is not installed on these machines, so the test unpacks Debian's nginx package into
test-artifacts/ (apt-get download; nothing is installed or started system-wide) and runs
it with the site file, ports and certificate paths moved to loopback and a temporary
directory.
"""

import http.client
import os
import shutil
import signal
import ssl
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

NGINX_HTTP, NGINX_HTTPS, GUNICORN = 8341, 8342, 8340
HOST = "briefing.example.org"


def find_nginx():
    if shutil.which("nginx"):
        return shutil.which("nginx")
    unpacked = settings.BASE_DIR / "test-artifacts" / "nginx-root"
    binary = unpacked / "usr" / "sbin" / "nginx"
    if not binary.exists() and shutil.which("apt-get") and os.geteuid() == 0:
        download = settings.BASE_DIR / "test-artifacts" / "nginx-deb"
        download.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["apt-get", "download", "nginx"], cwd=download, capture_output=True, timeout=120
        )
        for deb in download.glob("nginx_*.deb"):
            subprocess.run(["dpkg", "-x", str(deb), str(unpacked)], check=True)
    return str(binary) if binary.exists() else None


NGINX = find_nginx()
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx not available")


def site_config(tmp_path):
    text = (settings.BASE_DIR / "deploy" / "nginx-sca-briefings.conf").read_text()
    for old, new in [
        ("listen 80;", f"listen 127.0.0.1:{NGINX_HTTP};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{NGINX_HTTPS} ssl http2;"),
        ("listen [::]:80;", ""),
        ("listen [::]:443 ssl http2;", ""),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{GUNICORN};"),
        (f"/etc/letsencrypt/live/{HOST}/", f"{tmp_path}/"),
        ("/var/lib/sca-briefings/media/", f"{tmp_path}/media/"),
        ("root /var/lib/sca-briefings;", f"root {settings.BASE_DIR / 'deploy'};"),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture
def nginx(tmp_path):
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={HOST}", "-keyout", tmp_path / "privkey.pem",
         "-out", tmp_path / "fullchain.pem"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (tmp_path / "media" / "uploads").mkdir(parents=True)
    (tmp_path / "media" / "uploads" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "site.conf").write_text(site_config(tmp_path))
    (tmp_path / "nginx.conf").write_text(
        # Run as root, nginx's workers would drop to "nobody", who cannot read tmp_path.
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    types {{ text/html html; text/css css; image/png png; }}
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/site.conf;
}}
"""
    )
    command = [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([*command, "-g", "daemon off;"])
    time.sleep(0.5)
    yield
    process.send_signal(signal.SIGQUIT)
    process.wait(timeout=10)


@pytest.fixture
def gunicorn(production_env):
    env = {
        **production_env,
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"https://{HOST}",
        "SECURE_SSL_REDIRECT": "true",
        "TRUSTED_PROXY_COUNT": "1",
        "GUNICORN_BIND": f"127.0.0.1:{GUNICORN}",
    }
    process = subprocess.Popen(
        [str(settings.BASE_DIR / ".venv" / "bin" / "gunicorn"), "--config", "gunicorn.conf.py"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield env
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def fetch(path, *, tls=True, headers=None):
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # our own self-signed certificate
        conn = http.client.HTTPSConnection("127.0.0.1", NGINX_HTTPS, context=context, timeout=10)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", NGINX_HTTP, timeout=10)
    conn.request("GET", path, headers={"Host": HOST, **(headers or {})})
    response = conn.getresponse()
    return response.status, response.headers, response.read()


def wait_for_site():
    for _ in range(100):
        try:
            if fetch("/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("no answer through nginx")


def test_nginx_config_serves_the_site_over_tls(nginx, gunicorn):
    wait_for_site()
    status, headers, _ = fetch("/", tls=False)
    assert status == 301
    assert headers["Location"] == f"https://{HOST}/"

    # Django sees HTTPS through X-Forwarded-Proto: no redirect loop, HSTS sent.
    status, headers, body = fetch("/")
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "script-src 'self'" in headers["Content-Security-Policy"]

    # A client cannot claim plain HTTP is HTTPS: nginx overwrites the header.
    status, _, _ = fetch("/", tls=False, headers={"X-Forwarded-Proto": "https"})
    assert status == 301

    static = Path(gunicorn["STATIC_ROOT"])
    css = next(static.glob("css/site.*.css")).name
    status, headers, _ = fetch(f"/static/css/{css}")
    assert status == 200
    assert "immutable" in headers["Cache-Control"]

    status, headers, _ = fetch("/media/uploads/photo.png")
    assert status == 200
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]

    # Another host name is dropped by nginx, on either port, and never reaches Django.
    for tls in (False, True):
        with pytest.raises(http.client.RemoteDisconnected):
            fetch("/", tls=tls, headers={"Host": "scanner.example.net"})


def test_nginx_answers_in_words_while_gunicorn_is_not_running(nginx):
    # As during a restart: nothing listens on gunicorn's port.
    status, headers, body = fetch("/briefings/")

    assert status == 503
    assert headers["Retry-After"] == "30"
    assert "no-store" in headers["Cache-Control"]
    assert headers["Content-Type"].startswith("text/html")
    assert b"Sorry, the site is unavailable" in body
    assert b"Bad Gateway" not in body
