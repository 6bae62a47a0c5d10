"""The objection form's question: a small sum whose answer stays on the server.

The page carries only a random nonce; the sum is kept in the cache under it, with a digest of
the visitor cookie of the browser it was asked of, for an hour at most. Whatever is posted
with a nonce spends it, right or wrong, so each question is answered once, and only from the
browser that was asked it. Public visitors have no session (none is written for a page any
crawler may read), so the browser is known by a cookie of its own that ends with it.
"""

import hashlib
import hmac
import logging
import re
import secrets

from django.core.cache import cache
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# A question answered within this long; the cache forgets it after.
CHALLENGE_MAX_AGE = 60 * 60
VISITOR_COOKIE = "objection_visitor"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_visitor() -> str:
    return secrets.token_urlsafe(32)


def visitor_of(cookies) -> str | None:
    """The browser's visitor cookie, if it holds one this site could have given."""
    value = cookies.get(VISITOR_COOKIE, "")
    return value if _TOKEN.fullmatch(value) else None


def challenge_new(*, visitor: str) -> tuple[str, str]:
    """A new question for ``visitor``: its text and the nonce the page carries."""
    first, second = 1 + secrets.randbelow(9), 1 + secrets.randbelow(9)
    nonce = secrets.token_urlsafe(32)
    kept = {"sum": first + second, "visitor": _digest(visitor)}
    try:
        cache.set(_key(nonce), kept, CHALLENGE_MAX_AGE)
    except Exception:
        # The page is still shown; an answer to this question is refused as expired.
        logger.warning("cache unreachable: an objection question is not kept", exc_info=True)
    return _("%(first)d 加 %(second)d 等于几？") % {"first": first, "second": second}, nonce


def challenge_spend(*, nonce: str, visitor: str | None) -> int | None:
    """The answer to the question ``nonce`` names, if it was asked of ``visitor`` and is not
    spent or expired; spent now, whatever the answer posted with it."""
    if not _TOKEN.fullmatch(nonce or ""):
        return None
    key = _key(nonce)
    try:
        stored = cache.get(key)
        if stored is None or visitor is None:
            return None
        if not hmac.compare_digest(stored["visitor"], _digest(visitor)):
            return None  # another browser's question, which its own post may still answer
        # Of two posts of one nonce at once, only the one whose delete removed it is answered.
        return stored["sum"] if cache.delete(key) else None
    except Exception:
        logger.warning("cache unreachable: an objection question is not read", exc_info=True)
        return None


def _key(nonce: str) -> str:
    return f"publicity:objection-challenge:{nonce}"


def _digest(visitor: str) -> str:
    return hashlib.sha256(visitor.encode()).hexdigest()
