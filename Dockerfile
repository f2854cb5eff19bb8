# SCA Briefings web image (untested: could not be built where it was written; see docs/deploy.md).
# Run the worker from the same image: docker run ... IMAGE python manage.py db_worker
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    GUNICORN_BIND=0.0.0.0:8000 STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/data/media

RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /app sca

WORKDIR /app
COPY pyproject.toml README.md ./
COPY sca_briefings sca_briefings
COPY briefings briefings
COPY subscribers subscribers
RUN pip install --no-cache-dir .
COPY . .
# collectstatic needs settings that start; these values are only for the build.
RUN DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput --verbosity 0

USER sca
EXPOSE 8000
# The probe sends Host: 127.0.0.1, so include 127.0.0.1 in ALLOWED_HOSTS.
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
