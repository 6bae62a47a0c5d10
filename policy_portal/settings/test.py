"""The test suite: the same database the environment names (PostgreSQL in CI)."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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
# Figures read afresh: a cached one would outlive the test that wrote its applications.
DASHBOARD_CACHE_SECONDS = 0
