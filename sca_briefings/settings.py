"""Settings for SCA Briefings.

Everything an operator may change is read from the environment here, and listed in
`.env.example`. Defaults are safe for production; `DEBUG=true` gives a convenient local set-up.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def read_env_file(path):
    """Take KEY=VALUE lines from a local file as defaults; the real environment wins.

    `make run` and `make dev` write `.env` with DEBUG=true so that `manage.py` works in a
    developer's checkout. Production never has one (its variables come from systemd), and
    ENV_FILE="" turns the file off, as the tests do.

    A value in matching double or single quotes loses them, as systemd's EnvironmentFile and
    a shell read it: DEFAULT_FROM_EMAIL="SCA Briefing <briefing@example.org>" (see .env.example).
    """
    try:
        lines = Path(path).read_text().splitlines()
    except (FileNotFoundError, IsADirectoryError):
        return
    for line in lines:
        key, sep, value = line.strip().partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if sep and key and not key.startswith("#"):
            os.environ.setdefault(key.strip(), value)


if os.environ.get("ENV_FILE", str(BASE_DIR / ".env")):
    read_env_file(os.environ.get("ENV_FILE", str(BASE_DIR / ".env")))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string, or set DEBUG=true for "
            "local development."
        )
    SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. Give the site's host names, separated by commas "
        "(for example ALLOWED_HOSTS=briefing.example.org)."
    )

# Absolute base for links that leave the site, such as those in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "SCA")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "sca_briefings.apps.TopicsConfig",  # taggit
    "django_ckeditor_5",
    "django_tasks_db",
    "briefings",
    "subscribers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "sca_briefings.urls"
WSGI_APPLICATION = "sca_briefings.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sca_briefings.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Persistent connections roughly double throughput; health checks drop dead ones.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when PostgreSQL is down instead of hanging a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # Prepared statements: PostgreSQL plans a query the second time it is seen and reuses the
    # plan after that. Planning was most of the database's work on a public page (0.3-0.5 ms of
    # 0.6 ms for an article's query). Turn off (DATABASE_PREPARED_STATEMENTS=false) behind a
    # connection pooler in transaction mode, which cannot keep them.
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 2

elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The task worker and gunicorn's workers share the file. A transaction that reads and then
    # writes (every admin save) failed at once with "database is locked" when another process
    # held the write lock; taking the lock at BEGIN and waiting up to 20 s for it makes them
    # queue instead.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en-gb")
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Caching: Redis when REDIS_URL is set, so every gunicorn worker (and every web server) shares
# one cache and rate limits hold across them; otherwise files on disk (below).
REDIS_URL = os.environ.get("REDIS_URL", "")
# A healthy Redis answers in a millisecond; a hung one must not hold up pages.
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, but an unreachable Redis means no cache rather than a 500 on every page.
            "BACKEND": "sca_briefings.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    # Without Redis, a cache on disk is still shared by every gunicorn worker on this machine,
    # so an editor's save (which bumps the content version) reaches all of them at once.
    CACHES = {
        "default": {
            # Django's, culling now and then instead of listing the directory on every write.
            "BACKEND": "sca_briefings.cache.FileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
            # The default of 300 entries would let rate-limit counters push out cached pages.
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# Background work (sending issues) goes through django.tasks. The database backend needs no
# extra service; swap BACKEND for a Redis or Celery one to run a pool of workers.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# /healthz/worker answers 503 once a task has waited this long for a worker (seconds).
WORKER_LATE_SECONDS = int(os.environ.get("WORKER_LATE_SECONDS", "300"))

# Mail. Operators set EMAIL_HOST etc.; Django 6.1's MAILERS is built from them.
# With no EMAIL_HOST, local development prints mail to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    # Django's SMTP backend plus pipelining for bulk sends (subscribers/mail.py).
    _mail_backend = "subscribers.mail.EmailBackend"
    _mail_options = {
        "host": EMAIL_HOST,
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", "") or None,
        "password": os.environ.get("EMAIL_HOST_PASSWORD", "") or None,
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
    }
else:
    _mail_backend = "django.core.mail.backends.console.EmailBackend"
    _mail_options = {}
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
del EMAIL_HOST

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SCA Briefing <briefing@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
BRIEFING_REPLY_TO = os.environ.get("BRIEFING_REPLY_TO", "")
BRIEFING_POSTAL_ADDRESS = os.environ.get(
    "BRIEFING_POSTAL_ADDRESS", "SCA, 1 Example Street, Edinburgh EH1 1AA"
)

# Rich text editing.
CKEDITOR_5_FILE_UPLOAD_PERMISSION = "staff"
CKEDITOR_5_UPLOAD_FILE_TYPES = ["jpeg", "jpg", "png", "gif", "webp"]
CKEDITOR_5_MAX_FILE_SIZE = 5  # megabytes
CKEDITOR_5_CONFIGS = {
    "default": {
        "toolbar": {
            "items": [
                "heading",
                "|",
                "bold",
                "italic",
                "link",
                "bulletedList",
                "numberedList",
                "blockQuote",
                "|",
                # Upload only: images from elsewhere are dropped on save (briefings/sanitise.py),
                # so "Insert via URL" would look as if it worked and then lose the picture.
                "uploadImage",
                "|",
                "undo",
                "redo",
            ]
        },
        "heading": {
            "options": [
                {"model": "paragraph", "title": "Paragraph", "class": "ck-heading_paragraph"},
                {
                    "model": "heading2",
                    "view": "h2",
                    "title": "Heading",
                    "class": "ck-heading_heading2",
                },
                {
                    "model": "heading3",
                    "view": "h3",
                    "title": "Subheading",
                    "class": "ck-heading_heading3",
                },
            ]
        },
        "image": {"toolbar": ["imageTextAlternative"]},
        # A link typed as www.example.org would otherwise be saved relative to the page.
        "link": {"defaultProtocol": "https://"},
    },
}

TAGGIT_CASE_INSENSITIVE = True
TAGGIT_TAGS_FROM_STRING = "briefings.tags.parse_topics"
TAGGIT_STRING_FROM_TAGS = "briefings.tags.topics_as_text"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # One JSON object per line on stdout, for journald or a log shipper to parse.
        "json": {"()": "sca_briefings.jsonlog.JSONFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Public website: plain pages editors maintain in the admin (About, Our members, ...) come from
# django.contrib.flatpages, which needs the sites framework.
INSTALLED_APPS += ["django.contrib.sites", "sca_briefings.apps.PlainPagesConfig"]  # flatpages
SITE_ID = 1
# Plain pages are served under /pages/ (briefings/urls.py), not at the address an editor types,
# and taggit's tags have no address of their own: their topic pages give them one. "View on
# site" links and the sitemap use these.
ABSOLUTE_URL_OVERRIDES = {
    "flatpages.flatpage": lambda page: reverse(
        "briefings:page", kwargs={"url": page.url.strip("/") + "/"}
    ),
    # A tag made outside the admin (a script, a data import) with no letter or number in its
    # name has an empty slug, so no page: it is then shown unlinked, and left out of the topic
    # list and the sitemap (briefings.models.public_topics), rather than breaking every page
    # that shows it.
    "taggit.tag": lambda tag: (
        reverse("briefings:topic-detail", kwargs={"slug": tag.slug}) if tag.slug else ""
    ),
}
# Old addresses (the previous site's /brief/29th-january-2020/ and the like) lead to the new
# ones: editors list them in the admin under Redirects; they are looked up only for a 404,
# with or without the query string a link adds (briefings.redirects).
INSTALLED_APPS += ["django.contrib.redirects"]
MIDDLEWARE.append("briefings.redirects.OldAddressMiddleware")
# How long a rendered public page stays cached, in seconds; 0 turns page caching off.
# Editors' saves retire cached pages at once (briefings.services.content_changed).
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# Cached public pages are answered right after WhiteNoise, before the session, CSRF, auth and
# message middleware (briefings/pagecache.py); middleware below it still adds its headers.
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
    "briefings.pagecache.PageCacheMiddleware",
)
TEMPLATES[0]["OPTIONS"]["context_processors"].append("briefings.context_processors.navigation")
# --- Production hardening (issue #6). Docs: docs/deploy.md. ---------------------------------
# HTTPS: nginx terminates TLS and says so in X-Forwarded-Proto (and overwrites any value a
# client sent). Switch the redirect off only where something else already forces HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/worker)?$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
# includeSubDomains covers names under the site's own host (*.briefing.example.org), not
# its siblings, so it is safe on by default.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is a promise to browsers that is slow to take back: an operator's decision.
SECURE_HSTS_PRELOAD = False
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if not SECURE_HSTS_INCLUDE_SUBDOMAINS:
    SILENCED_SYSTEM_CHECKS.append("security.W005")  # switched off on purpose
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# The CSRF cookie stays readable by script: CKEditor's image upload sends it as a header.
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = [SITE_URL]
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content Security Policy. Public pages are cached whole and shared between visitors, so they
# carry no per-request nonce and no inline script at all: everything comes from this origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# The admin gets a looser style and image policy: CKEditor 5 writes style attributes into
# some content (image sizes) and previews uploads as blob: images. Its scripts still come
# only from this origin (tests/production/test_csp_browser.py checks it in Chromium).
SECURE_CSP_ADMIN = {
    **SECURE_CSP,
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
}
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.csp.ContentSecurityPolicyMiddleware") + 1,
    "sca_briefings.security.AdminContentSecurityPolicyMiddleware",
)

# Admin sign-in: lock out a username from one address after repeated failures
# (django-axes). An administrator unlocks with `manage.py axes_reset_username <name>`
# or in the admin under "Axes > Access attempts".
INSTALLED_APPS.append("axes")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as axes asks
# Only editors sign in, and only to the admin: a sign-in whose "next" address is unsafe (another
# site) lands there, not on Django's /accounts/profile/, which this site does not have.
LOGIN_REDIRECT_URL = "admin:index"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = datetime.timedelta(hours=1)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/locked_out.html"
# How many proxies (nginx, a load balancer) sit in front of gunicorn and write
# X-Forwarded-For; 0 trusts only the socket's address. The middleware puts the visitor's
# address in REMOTE_ADDR for everything after it (axes, rate limits, logs).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
MIDDLEWARE.insert(0, "sca_briefings.security.ForwardedClientAddressMiddleware")
MIDDLEWARE.insert(1, "sca_briefings.security.NullCharacterMiddleware")

# --- The email edition (issue #5) ----------------------------------------------------------
# EMAIL_ESP_BACKEND sends through a provider's API with django-anymail instead of SMTP, e.g.
# anymail.backends.postmark.EmailBackend; its settings come from ANYMAIL_* variables
# (ANYMAIL_POSTMARK_SERVER_TOKEN=..., ANYMAIL_WEBHOOK_SECRET=user:password).
if os.environ.get("EMAIL_ESP_BACKEND"):
    MAILERS = {"default": {"BACKEND": os.environ["EMAIL_ESP_BACKEND"], "OPTIONS": {}}}
ANYMAIL = {key[8:]: value for key, value in os.environ.items() if key.startswith("ANYMAIL_")}
BRIEFING_SEND_BATCH_SIZE = int(os.environ.get("BRIEFING_SEND_BATCH_SIZE", "100"))
BRIEFING_SEND_PER_MINUTE = int(os.environ.get("BRIEFING_SEND_PER_MINUTE", "0"))  # 0: no limit
BRIEFING_SEND_WORKERS = int(os.environ.get("BRIEFING_SEND_WORKERS", "1"))
BRIEFING_SEND_CLAIM_TIMEOUT = int(os.environ.get("BRIEFING_SEND_CLAIM_TIMEOUT", "120"))
BRIEFING_SEND_RETRY_SECONDS = int(os.environ.get("BRIEFING_SEND_RETRY_SECONDS", "60"))
BRIEFING_SEND_MAX_ATTEMPTS = int(os.environ.get("BRIEFING_SEND_MAX_ATTEMPTS", "8"))
# true: wait for PostgreSQL to flush each "sent" mark to disk (slower; see subscribers/sending.py).
BRIEFING_SEND_SYNCHRONOUS_COMMIT = env_bool("BRIEFING_SEND_SYNCHRONOUS_COMMIT", False)
# Seconds a worker trusts its last check that a batch's readers are still subscribed.
BRIEFING_SEND_RECHECK_SECONDS = float(os.environ.get("BRIEFING_SEND_RECHECK_SECONDS", "1"))
