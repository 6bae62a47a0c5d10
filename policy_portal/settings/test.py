"""The test suite: the same database the environment names (PostgreSQL in CI)."""

import os
from urllib.parse import urlsplit, urlunsplit


def _redis_of_this_worker() -> None:
    """Under pytest-xdist each worker has its own test database (pytest-django's suffix) and
    here its own Redis database, so that one worker's cache, counters and broker never meet the
    other's. A process started by a worker (a Celery worker of the e2e tests) inherits the
    result and keeps it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = os.environ.get("REDIS_URL", "")
    if not (worker.startswith("gw") and url) or os.environ.get("TEST_REDIS_WORKER") == worker:
        return
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0)
    database = (database + 1 + int(worker[2:])) % 16
    os.environ["REDIS_URL"] = urlunsplit(parts._replace(path=f"/{database}"))
    os.environ["TEST_REDIS_WORKER"] = worker


_redis_of_this_worker()

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {  # noqa: F405
    "default": STORAGES["default"],  # noqa: F405 (STORAGE_URL)
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Static files come from the finders in tests; there is no collected STATIC_ROOT to scan.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# The suite quotes often from one address; the throttle's own test sets a low rate.
QUOTE_RATE = "100000/min"
REGISTRATION_RATE = "100000/m"
PASSWORD_RESET_RATE = "100000/m"
OBJECTION_RATE = "100000/m"
DEPARTMENT_API_RATE = "100000/m"
# Figures read afresh: a cached one would outlive the test that wrote its applications.
DASHBOARD_CACHE_SECONDS = 0
# Fixed keys of the tests (a test that rotates sets its own).
FIELD_ENCRYPTION_KEYS = env(
    "FIELD_ENCRYPTION_KEYS", default="test1:dGVzdC1maWVsZC1lbmNyeXB0aW9uLWtleS0wMDAwMDA="
)
FIELD_HASH_KEY = env("FIELD_HASH_KEY", default="testh:dGVzdC1maWVsZC1oYXNoLWtleS0wMDAwMDAwMDAwMDA=")
