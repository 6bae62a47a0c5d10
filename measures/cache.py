"""What the public pages render and the API serializes, cached until the policy data changes.

The data changes rarely (a load of the data file, an edit in the admin), so each such output is
built once per version of the data and per language. The version is ``PolicyVersion.token``,
which every write of policy data replaces in its own transaction (``measures.signals``): a
rolled-back edit leaves it as it was, a committed one is seen by the next request.

Reading the token from the database on every request would cost a query, so its read is cached
too: dropped when the token changes (at once, and again when the transaction commits) and kept
only for ``VERSION_TIMEOUT`` seconds, which bounds how long a reader that raced a commit, or a
process whose local-memory cache missed the drop, can keep the old token.

Whether a measure is open for applications depends on the time as well: such entries are kept
only until the next window opens or closes (``timed=True``).

The cache is a help, not a dependency: while it cannot be reached, pages are built on every
request and policy data is still saved.

Each process keeps its own copy in front of the shared cache: a Redis round trip (and the
client redis-py builds for it) cost more than the rest of an anonymous page. An entry's key
names its version, so a local copy can never be of other data than the shared one; the token
itself is reread from the shared cache after ``LOCAL_VERSION_SECONDS``, and at once in the
process that wrote it.
"""

import logging
import time
from collections.abc import Callable
from datetime import datetime
from math import ceil
from typing import TypeVar
from uuid import uuid4

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from .selectors import policy_version_token, window_changes_around

VERSION_KEY = "policy:version"
VERSION_TIMEOUT = 10
LOCAL_VERSION_SECONDS = 1.0
# Entries of the current versions a process keeps (both languages of every page fit well within).
LOCAL_ENTRIES = 1000
# Entries of versions no longer current are left to expire.
ENTRY_TIMEOUT = 6 * 60 * 60

T = TypeVar("T")

logger = logging.getLogger(__name__)


def _get(key: str):
    try:
        return cache.get(key)
    except Exception:
        logger.warning("cache unreachable: %s is built afresh", key, exc_info=True)
        return None


def _set(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("cache unreachable: %s is not kept", key, exc_info=True)


_local_entries: dict[str, tuple] = {}
_local_version: list = [None, 0.0]  # the token, and when this process read it (monotonic)


def policy_version() -> str:
    token, read_at = _local_version
    if token is not None and time.monotonic() - read_at < LOCAL_VERSION_SECONDS:
        return token
    token = _get(VERSION_KEY)
    if token is None:
        # A database without the row (new, or flushed) gets a token of its own that nothing
        # was cached under; the first write of policy data stores one.
        token = policy_version_token() or uuid4().hex
        _set(VERSION_KEY, token, VERSION_TIMEOUT)
    _local_version[:] = [token, time.monotonic()]
    return token


def forget_policy_version() -> None:
    _local_version[:] = [None, 0.0]
    try:
        cache.delete(VERSION_KEY)
    except Exception:
        # The read it would drop expires within VERSION_TIMEOUT.
        logger.warning("cache unreachable: the policy version is not dropped", exc_info=True)


def cached(
    name: str,
    build: Callable[[datetime], T | None],
    *,
    timed: bool = False,
    per_language: bool = True,
) -> T | None:
    """``build(moment)``, cached under ``name`` for the current policy version.

    ``timed``: the value depends on which windows are open at ``moment``; it is rebuilt once one
    opens or closes. ``per_language``: the value holds translated text. ``None`` (nothing found)
    is not cached, so that made-up numbers cannot fill the cache.
    """
    # The version is read before the data, so an entry never holds data older than its version
    # (newer, at most, if an edit commits in between: served until the version's read drops).
    key = f"policy:{policy_version()}:{get_language() if per_language else '-'}:{name}"
    now = timezone.now()
    for read in (_local_entries.get, _get):
        entry = read(key)
        if entry is not None:
            valid_from, valid_until, value = entry
            if (valid_from is None or valid_from <= now) and (
                valid_until is None or now < valid_until
            ):
                _keep_locally(key, entry)
                return value
    value = build(now)
    if value is None:
        return None
    valid_from, valid_until = window_changes_around(now) if timed else (None, None)
    timeout = ENTRY_TIMEOUT
    if valid_until is not None:
        timeout = min(timeout, max(1, ceil((valid_until - now).total_seconds())))
    entry = (valid_from, valid_until, value)
    _set(key, entry, timeout)
    _keep_locally(key, entry)
    return value


def _keep_locally(key: str, entry: tuple) -> None:
    if key not in _local_entries and len(_local_entries) >= LOCAL_ENTRIES:
        # Mostly entries of versions gone by: start again rather than track their age.
        _local_entries.clear()
    _local_entries[key] = entry
