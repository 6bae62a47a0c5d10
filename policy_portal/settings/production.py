"""Production: the same code, configured only by environment variables."""

from django.core.exceptions import ImproperlyConfigured

from ..crypto import parse_keys
from .base import *  # noqa: F403
from .base import env

# Mail must go somewhere real: no silent fall-back to the console. EMAIL_URL names the SMTP
# server; EMAIL_BACKEND may name another backend (the console only when said so).
if not env("EMAIL_URL", default="") and not env("EMAIL_BACKEND", default=""):
    raise ImproperlyConfigured(
        "Set EMAIL_URL (e.g. smtp+tls://user:password@smtp.example.cn:587), or EMAIL_BACKEND "
        "explicitly (django.core.mail.backends.console.EmailBackend to print mail instead)."
    )

# Personal data is encrypted at rest: without its keys the site would write it unreadable or
# could not read it. Both are read (and their form checked) at start-up.
for _setting in ("FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"):
    if not env(_setting, default=""):
        raise ImproperlyConfigured(
            f"Set {_setting} (id:base64 of 32 random bytes; README, Personal data and encryption)."
        )
    parse_keys(env(_setting), setting=_setting)

DEBUG = False
DEMO_DATA_ALLOWED = env.bool("DEMO_DATA_ALLOWED", default=False)
SECRET_KEY = env("SECRET_KEY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
LANGUAGE_COOKIE_SECURE = env.bool("LANGUAGE_COOKIE_SECURE", default=True)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
