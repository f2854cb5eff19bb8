"""gunicorn settings for SCA Briefings (`gunicorn -c gunicorn.conf.py sca_briefings.wsgi`).

Every value can be changed with an environment variable, so the systemd unit, a container
and the benchmarks share this one file.
"""

import multiprocessing
import os

from gunicorn.glogging import Logger

from sca_briefings.jsonlog import JSONFormatter

wsgi_app = "sca_briefings.wsgi:application"

# nginx talks to gunicorn on loopback; a load balancer would use the server's private address.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: pages are short database-backed renders. Two per core plus one is the usual
# starting point; measure (make bench-load) before raising it.
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"

# Kill a worker stuck for this long (a slow request holds a whole process); nginx gives up at
# the same point. Graceful restarts (systemctl reload) wait this long for requests to finish.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5

# Workers are not recycled after a number of requests (gunicorn's default): a new worker
# imports Django afresh, about a second of CPU, and under load each recycle showed as a
# latency spike (p99 of 800 ms on cached pages in make bench-site). Should a memory leak ever
# appear, GUNICORN_MAX_REQUESTS=20000 bounds it while it is found.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10

# Errors to stderr, where journald (or the container runtime) collects them. nginx in front
# already logs every request, so gunicorn's own access log is off unless asked for
# (GUNICORN_ACCESS_LOG=-): writing it nearly halved the requests per second of a cached page.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'


class JSONLogger(Logger):
    """gunicorn's own messages as one JSON object a line, like the application's."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JSONFormatter())


# The application logs JSON unless LOG_FORMAT says otherwise (settings.py); gunicorn's own
# lines (start-up, worker timeouts and restarts, the access log when on) follow it, so that
# whatever reads the journal can parse every line.
_debug = os.environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
if os.environ.get("LOG_FORMAT", "plain" if _debug else "json") == "json":
    logger_class = JSONLogger

# gunicorn 27 opens a control socket in ~/.gunicorn by default; several instances on one
# machine (tests, benchmarks) collide there, and we manage gunicorn with signals anyway.
control_socket_disable = True

# nginx on the same machine sets X-Forwarded-Proto; trust it only from there.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
