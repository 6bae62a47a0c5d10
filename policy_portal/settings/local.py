"""Development: `make run` on a bare machine."""

from .base import *  # noqa: F403
from .base import env

# Off unless asked for (DEBUG=true): people trying the site get its own Chinese error pages, not
# Django's English debug pages. WhiteNoise serves the static files from the apps either way.
DEBUG = env.bool("DEBUG", default=False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {  # noqa: F405
    "default": STORAGES["default"],  # noqa: F405 (STORAGE_URL)
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Fixed keys for development only, published here: never for data that matters.
FIELD_ENCRYPTION_KEYS = env(
    "FIELD_ENCRYPTION_KEYS", default="dev1:ZGV2LWZpZWxkLWVuY3J5cHRpb24ta2V5LTAwMDAwMDA="
)
FIELD_HASH_KEY = env("FIELD_HASH_KEY", default="devh:ZGV2LWZpZWxkLWhhc2gta2V5LTAwMDAwMDAwMDAwMDA=")
