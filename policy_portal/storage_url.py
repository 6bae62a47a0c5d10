"""Where uploaded files are stored: ``STORAGE_URL`` read into ``STORAGES["default"]``.

Unset, the files stay on this machine's disk under ``MEDIA_ROOT``. Set, they go to an
S3-compatible bucket through django-storages, so that any web or worker node reads what another
stored::

    s3://<access key id>:<secret key>@<host>[:<port>]/<bucket>[?region=…&tls=false&prefix=…]

The key id and secret are URL-quoted; ``tls`` is true unless ``false``; ``region`` defaults to
us-east-1; ``prefix`` is a folder of the bucket that every name is stored under."""

import re
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

FILESYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"

# S3's rules for a bucket's name: 3 to 63 lower-case letters, digits, dots and hyphens.
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
OPTIONS = {"region", "tls", "prefix"}
EXAMPLE = "s3://KEY:SECRET@host[:port]/bucket[?region=us-east-1&tls=false&prefix=folder]"


def storage_from_url(url: str) -> dict:
    """``STORAGES["default"]`` for ``url`` (``STORAGE_URL``; empty: the filesystem). A value
    that cannot be used stops the start with ImproperlyConfigured naming what is wrong, the
    secret never shown."""
    if not url:
        return {"BACKEND": FILESYSTEM}
    parts = urlsplit(url)
    if parts.scheme != "s3":
        raise _refused(f"the scheme must be s3://, not {parts.scheme or 'none'}://")
    if not parts.username or parts.password is None:
        raise _refused("it needs the access key id and the secret key before the host")
    if not parts.hostname:
        raise _refused("it has no host")
    try:
        port = parts.port
    except ValueError:
        raise _refused("the port must be a number between 0 and 65535") from None
    bucket = parts.path.strip("/")
    if not BUCKET_NAME.match(bucket):
        raise _refused(f"the bucket {bucket!r} is not a valid bucket name")
    try:
        query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise _refused("its query is not name=value pairs") from None
    unknown = set(query) - OPTIONS
    if unknown:
        raise _refused(f"unknown options {', '.join(sorted(unknown))} (known: region, tls, prefix)")
    repeated = [name for name, values in query.items() if len(values) > 1]
    if repeated:
        raise _refused(f"{', '.join(sorted(repeated))} given more than once")
    options = {name: values[0] for name, values in query.items()}
    tls = options.get("tls", "true").lower()
    if tls not in ("true", "false"):
        raise _refused("tls must be true or false")
    region = options.get("region") or "us-east-1"
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    scheme = "https" if tls == "true" else "http"
    return {
        "BACKEND": S3,
        "OPTIONS": {
            "access_key": unquote(parts.username),
            "secret_key": unquote(parts.password),
            "bucket_name": bucket,
            "endpoint_url": f"{scheme}://{host}" + (f":{port}" if port is not None else ""),
            "region_name": region,
            "location": options.get("prefix", "").strip("/"),
            # Private objects: no ACL is sent, so the bucket's own (private) policy holds, and
            # the site streams each download after its permission checks.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
            # MinIO and moto answer at one host; a bucket's own host name needs DNS for each.
            "addressing_style": "path",
            "signature_version": "s3v4",
        },
    }


def _refused(reason: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"STORAGE_URL cannot be used: {reason}. Expected {EXAMPLE}.")
