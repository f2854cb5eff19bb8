import email
import email.policy
import os
import shutil
import socket
import subprocess
import threading
import time

import pytest
from django.conf import settings

# pytest-django's live_server runs beside sync Playwright, which holds an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
REDIS_SERVER = "/usr/bin/redis-server"


def free_port():
    # aiosmtpd's Controller cannot bind port 0, so find a free one first.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def at_once(*calls):
    """Run each call in its own thread, released together as simultaneous requests are, and
    return their results in order. Each thread closes its database connections; an exception
    in one is raised here rather than lost with the thread."""
    from django.db import connections

    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as error:  # raised below, in the test's own thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


class SMTPSink:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    def __init__(self):
        self.messages = []  # email.message.EmailMessage, parsed
        self.envelopes = []  # (mail_from, rcpt_tos)
        self.raw = []  # the bytes as received, for checking how headers were written
        self.refuse = {}  # address -> (code, text) to answer RCPT with, e.g. 550
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            code, text = self.refuse[address.lower()]
            return f"{code} {text}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            self.raw.append(envelope.content)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"

    def to(self, address):
        return [m for m in self.messages if address.lower() in m["To"].lower()]


@pytest.fixture
def smtp_server(settings):
    """Start aiosmtpd on a free loopback port and point Django's default mailer at it."""
    from aiosmtpd.controller import Controller

    sink = SMTPSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.port = port
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    try:
        yield sink
    finally:
        controller.stop()


def _ensure_debian_package(path, package):
    if os.path.exists(path):
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", package],
            check=False,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )


def _ensure_chromium():
    _ensure_debian_package(CHROMIUM, "chromium")


class RedisServer:
    """A throwaway redis-server on a free loopback port, which a test may stop and start."""

    def __init__(self, directory):
        self.port = free_port()
        self.directory = directory
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_cache(settings, tmp_path):
    """Django's cache in a real Redis of its own, as production runs it (REDIS_URL)."""
    from sca_briefings.cache import RedisCache

    _ensure_debian_package(REDIS_SERVER, "redis-server")
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "sca_briefings.cache.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        }
    }
    RedisCache._down_until = 0.0
    try:
        yield server
    finally:
        server.stop()
        RedisCache._down_until = 0.0


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    _ensure_chromium()
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture
def artifacts_dir():
    path = settings.BASE_DIR / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, so no cached page outlives the test that made it."""
    from django.core.cache import cache

    from briefings.pagecache import forget_local_pages

    cache.clear()
    forget_local_pages()
    yield
    cache.clear()
    forget_local_pages()
