# Policy Portal: one image for the web server (gunicorn), the Celery worker and Celery beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=policy_portal.settings.production

# An unprivileged user with a home directory (gunicorn keeps its control socket under $HOME).
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
      --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so that a source change does not reinstall them. Every package,
# dependencies included, is pinned with its hashes in the lock file.
COPY requirements/base.lock requirements/base.lock
RUN pip install --require-hashes -r requirements/base.lock

COPY . .

# Static files are collected into the image (STATIC_ROOT = var/static, served by whitenoise).
# The production settings need a SECRET_KEY and a mail setting to import; these exist only
# during this step.
RUN SECRET_KEY=build-time-dummy-key-for-collectstatic-only \
    EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend \
      python manage.py collectstatic --noinput \
 && mkdir -p var/media \
 && chown -R app:app var

USER app

EXPOSE 8000

CMD ["gunicorn", "policy_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
