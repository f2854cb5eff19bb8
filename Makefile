# SCA Briefings. `make run` serves the demo site; `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# Django 6.1 needs Python 3.12 or newer: use $(PYTHON) if given, else the newest we can find
# (including pyenv's installed versions, which are not on PATH on these machines).
FIND_PYTHON = for c in "$(PYTHON)" python3.14 python3.13 python3.12 python3 \
	  $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  [ -n "$$c" ] || continue; \
	  if "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo "$$c"; exit 0; fi; \
	done; exit 1

.PHONY: help install install-production port-free run dev worker test lint format bench bench-send clean

help:
	@echo "make run     install, migrate, load demo content and serve on http://$(HOST):$(PORT)/"
	@echo "make test    install and run the whole test suite"
	@echo "make dev     Django's development server with auto-reload"
	@echo "make lint    ruff check and format check"
	@echo "make install-production  a server's .venv: the site's packages, without the test tools"

$(BIN)/python:
	@py=$$($(FIND_PYTHON)) || { echo "SCA Briefings needs Python 3.12 or newer (Django 6.1 does). Install it, or run make PYTHON=/path/to/python3.12"; exit 1; }; \
	echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed

# A server's environment: the site's own packages, without the test and lint tools that
# make install adds for developers and CI (docs/deploy.md).
install-production: $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .

# Local development settings for manage.py in this checkout (see read_env_file in settings.py).
# Only run/dev write it: production takes its variables from systemd, never from this file.
.env:
	@printf '# Local development only (written by make run / make dev). Never in production.\nDEBUG=true\n' > $@

# Links in feeds, canonical tags and emails use SITE_URL: by default, where this server listens.
RUN_ENV = DEBUG=$${DEBUG:-true} SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}

# Before anything else, so a taken port is one clear line, not gunicorn retrying for seconds
# after the demo is loaded. SO_REUSEADDR as gunicorn binds, so a port just freed counts as free.
port-free: $(BIN)/python
	@$(BIN)/python -c 'import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("$(HOST)", $(PORT)))' 2>/dev/null \
	  || { echo "Port $(PORT) on $(HOST) is already in use. Stop what is using it, or choose another: make run PORT=$$(( $(PORT) + 1 ))"; exit 1; }

run: port-free install .env
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py setup_roles
	$(RUN_ENV) $(BIN)/python manage.py load_demo
	$(RUN_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "  SCA Briefings is at http://$(HOST):$(PORT)/"
	@echo "  Admin: http://$(HOST):$(PORT)/admin/  (user: editor  password: see load_demo output above)"
	@echo ""
	@# A background worker sends issues (and a once-a-minute check starts scheduled sends and
	@# restarts stalled ones); both stop when the server does. A worker that stops (killed,
	@# crashed) is started again with this server's settings, as systemd does in production:
	@# one started by hand without EMAIL_HOST would print the emails instead of sending them.
	@# Its unfinished send is handed to the new one at once (send_issue --due), not in a minute.
	(while true; do $(RUN_ENV) $(BIN)/python manage.py db_worker --no-reload; \
	    echo "The worker stopped (exit status $$?); starting it again."; \
	    $(RUN_ENV) $(BIN)/python manage.py send_issue --due; sleep 1; done) & worker=$$!; \
	  (while sleep 60; do $(RUN_ENV) $(BIN)/python manage.py send_issue --due; done) & due=$$!; \
	  trap 'kids=$$(pgrep -P $$worker; pgrep -P $$due); kill $$worker $$due $$kids 2>/dev/null' EXIT INT TERM; \
	  $(RUN_ENV) $(BIN)/gunicorn sca_briefings.wsgi --bind $(HOST):$(PORT) --workers 3 --no-control-socket --access-logfile -

# Another worker by hand, with the same defaults as make run: give it the same EMAIL_HOST and
# EMAIL_PORT as the server, or it prints the emails instead of sending them.
worker: install .env
	$(RUN_ENV) $(BIN)/python manage.py db_worker --no-reload

dev: install .env
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench-send: install
	$(BIN)/python bench/send.py

clean:
	rm -rf $(VENV) staticfiles

# Public website benchmark: builds a large archive in PostgreSQL (BENCH_DATABASE_URL), serves it
# with gunicorn on 127.0.0.1:$(BENCH_PORT) and loads it with wrk. See bench/README.md.
BENCH_PORT ?= 8150
.PHONY: bench-site
bench-site: install
	BENCH_PORT=$(BENCH_PORT) $(BIN)/python bench/site.py $(BENCH_ARGS)
# The editors' admin screens on the same archive (run bench-site first). See bench/README.md.
.PHONY: bench-admin
bench-admin: install
	$(BIN)/python bench/admin_pages.py $(BENCH_ARGS)
# Production checks (issue #6): see docs/deploy.md and bench/README.md.
.PHONY: check-deploy fault bench-load
# ENV_FILE= as production has no .env: make run's DEBUG=true must not leak into the check.
PRODUCTION_CHECK_ENV = env -u DEBUG ENV_FILE= SECRET_KEY=check-deploy-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG \
	ALLOWED_HOSTS=briefing.example.org SITE_URL=https://briefing.example.org EMAIL_HOST=smtp.example.org \
	BRIEFING_POSTAL_ADDRESS="SCA, 12 High Street, Perth PH1 5TJ" \
	DEFAULT_FROM_EMAIL="SCA Briefing <briefing@briefing.example.org>"

check-deploy: install
	$(PRODUCTION_CHECK_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

fault: install
	$(BIN)/python bench/fault_postgres.py

bench-load: install
	$(BIN)/python bench/load.py $(BENCH_ARGS)
