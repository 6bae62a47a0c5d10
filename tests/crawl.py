"""A crawl of the site as one person sees it, and what it looks for on each page.

From a role's start page, every same-site link is followed two links deep (breadth first:
the start page is depth 0). Pages of one kind (a URL name with the same query parameter
names) are visited a few times at most: another application's change page adds little once
three were read. Each HTML page is read as a zh-hans reader reads it (``readable_text``) and
searched for English, stored codes shown as they are stored, amounts in another format than
the site's one (``measures.money``) and Django's phrases with spaces inside Chinese.
"""

import re
from collections import defaultdict, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

from django.apps import apps
from django.db import connection, models
from django.urls import Resolver404, resolve

from tests.zh_hans import PROJECT_APPS, english_on_page, readable_text

MAX_DEPTH = 2
PER_KIND = 3
# Links a crawl must not follow: signing out, switching the language.
SKIPPED_PATHS = ("/accounts/logout/", "/admin/logout/", "/i18n/")

# The one GET link that writes, on purpose (notifications/views.py): opening a notification
# marks it read, the reader's own mark, so that its title is an ordinary link.
GET_WRITES_ALLOWED = {"notifications:open": {"notifications_notification"}}

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"


# --- What is looked for on a page -------------------------------------------------------------

# A number written without thousands separators where the site writes them: four or more
# integer digits with a decimal part (1000000.00) or in 元 (1000000元), or five or more in 万元
# (the site writes up to 9999万元 so, and 1亿元 on). Not a part of a longer token: a reference
# (BF-2026-0002), a code, a date (2026.01.05), a version.
_UNSEPARATED = re.compile(
    r"(?<![\w\-.,/:#])(?:\d{4,}(?:\.\d+(?![\d.])|(?:\.\d+)?\s*元)|\d{5,}(?:\.\d+)?\s*万元)",
)
# Python's own writing of a number: Decimal('12.50'), 1E+6, 1.5E-3.
_REPR = re.compile(r"Decimal\(|(?<![\w\-.])\d+(?:\.\d+)?E[+-]\d+(?![\w.])")


def amounts_in_another_format(text: str) -> list[str]:
    """The amounts in ``text`` not written the site's one way (``measures.money``)."""
    return [_around(text, m) for m in _UNSEPARATED.finditer(text)] + [
        _around(text, m) for m in _REPR.finditer(text)
    ]


# One ASCII space between two Chinese characters: Django's zh-Hans catalogue writes a few
# phrases so (以 办理范围, 每 天); Chinese is written without spaces between its words. A
# heading's number stands apart from its title on purpose: 第1条 领军企业, 2026年第一批 第8条.
_SPACED = re.compile(rf"[{_CJK}] [{_CJK}]")
_NUMBERED = re.compile(r"第[\d一二三四五六七八九十百]+[条批]$")


def spaces_inside_chinese(text: str) -> list[str]:
    return [
        _around(text, m)
        for m in _SPACED.finditer(text)
        if not _NUMBERED.search(text, 0, m.start() + 1)
    ]


def _around(text: str, match) -> str:
    """A match with a few characters either side, to find it on the page."""
    return text[max(match.start() - 8, 0) : match.end() + 8].replace("\n", " ")


# An empty value written as a hyphen: the site writes "—" (the admin's empty_value_display).
_HYPHEN_FOR_EMPTY = re.compile(r"<(td|th|dd|div|span|p|li)\b[^>]*>\s*-\s*</\1>")


def hyphens_for_empty(html: str) -> list[str]:
    return [m.group(0)[:60] for m in _HYPHEN_FOR_EMPTY.finditer(html)]


def codes_shown(text: str, codes) -> list[str]:
    """The stored ``codes`` (leading-enterprise, ic-design) that ``text`` shows as they are
    stored, as words of their own (not a part of a longer name or an address)."""
    found = []
    for code in codes:
        if code in text and re.search(rf"(?<![\w\-/.@]){re.escape(code)}(?![\w\-/@]|\.\w)", text):
            found.append(code)
    return found


def stored_codes() -> frozenset:
    """The codes with hyphens the database holds: slugs (a division's, a track's, a field's
    name) and the stored values of the project's choices. Those with underscores are found by
    ``english_on_page`` already."""
    codes = set()
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS | {"publicity", "security"}:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, models.SlugField):
                codes.update(model._default_manager.values_list(f.name, flat=True).distinct())
            for value, _label in getattr(f, "flatchoices", None) or ():
                if isinstance(value, str):
                    codes.add(value)
    return frozenset(c for c in codes if c and "-" in c)


@dataclass
class Finding:
    url: str
    kind: str
    what: list

    def __str__(self) -> str:
        return f"{self.url}: {self.kind}: {self.what[:5]}"


def page_findings(url: str, html: str, *, allowed: set, codes) -> list[Finding]:
    text = readable_text(html)
    findings = []
    checks = (
        ("English", english_on_page(html, allowed=allowed)),
        ("stored code", codes_shown(text, codes)),
        ("amount in another format", amounts_in_another_format(text)),
        ("space inside Chinese", spaces_inside_chinese(text)),
        ("empty written -", hyphens_for_empty(html)),
    )
    for kind, found in checks:
        if found:
            findings.append(Finding(url, kind, found))
    return findings


# --- The crawl --------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def same_site_path(base: str, href: str) -> str | None:
    """``href`` as a path with its query on this site; None for a link the crawl leaves."""
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    url, _fragment = urldefrag(urljoin(base, href))
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    path = parts.path or "/"
    if path.startswith(SKIPPED_PATHS) or path.startswith(("/static/", "/media/")):
        return None
    return f"{path}?{parts.query}" if parts.query else path


def page_kind(path_and_query: str):
    """A page's kind: its URL name and the names of its query parameters."""
    parts = urlsplit(path_and_query)
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        name = parts.path
    names = tuple(sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    return name, names


class _Writes:
    """The tables a request writes to (INSERT, UPDATE, DELETE)."""

    IGNORED = ("django_session", "axes_", "security_auditrecord", "otp_")
    _TABLE = re.compile(r'^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.I)

    def __init__(self):
        self.tables: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        match = self._TABLE.match(sql)
        if match and not match.group(1).startswith(self.IGNORED):
            self.tables.add(match.group(1))
        return execute(sql, params, many, context)


@dataclass
class Crawl:
    pages: int = 0
    findings: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    writes: list = field(default_factory=list)
    visited: list = field(default_factory=list)


def crawl(client, start: str, *, allowed: set, codes, max_depth=MAX_DEPTH, per_kind=PER_KIND):
    result = Crawl()
    seen = {start}
    per_kind_count = defaultdict(int)
    queue = deque([(start, 0)])
    while queue:
        url, depth = queue.popleft()
        kind = page_kind(url)
        if per_kind_count[kind] >= per_kind:
            continue
        per_kind_count[kind] += 1
        writes = _Writes()
        with connection.execute_wrapper(writes):
            response = client.get(url)
        result.pages += 1
        result.visited.append((depth, response.status_code, url))
        written = writes.tables - GET_WRITES_ALLOWED.get(kind[0], set())
        if written:
            result.writes.append((url, sorted(written)))
        if response.status_code >= 500:
            result.errors.append((url, response.status_code))
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            target = same_site_path(url, response["Location"])
            if target and target not in seen:
                seen.add(target)
                queue.appendleft((target, depth))
            continue
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith("text/html"):
            continue
        if getattr(response, "streaming", False):
            continue
        html = response.content.decode(response.charset or "utf-8")
        result.findings += page_findings(url, html, allowed=allowed, codes=codes)
        if depth >= max_depth:
            continue
        for href in links(html):
            target = same_site_path(url, href)
            if target and target not in seen:
                seen.add(target)
                queue.append((target, depth + 1))
    return result
