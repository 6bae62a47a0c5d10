"""English left on a Chinese page: Django's own untranslated strings and default field names.

The words searched for are those of Django's admin and auth messages (their English catalogues)
and of the project's model and field names, the two ways English leaks into a zh-hans page: a
string Django's Chinese catalogue lacks, and a field without a Chinese ``verbose_name``. Only
what a person reads is searched: text, and the title, placeholder and alt attributes.
"""

import re
from functools import cache, lru_cache
from html.parser import HTMLParser
from pathlib import Path

import django
from django.apps import apps

DJANGO = Path(django.__file__).parent
CATALOGUES = (
    DJANGO / "contrib" / "admin" / "locale" / "en" / "LC_MESSAGES" / "django.po",
    DJANGO / "contrib" / "auth" / "locale" / "en" / "LC_MESSAGES" / "django.po",
)
PROJECT_APPS = {"measures", "enterprises", "applications", "reviews", "disbursements"}
PROJECT_APPS |= {"notifications", "ratings"}
# English that is meant: file types, units and codes people read as they are.
ALLOWED = {"pdf", "png", "jpeg", "jpg", "docx", "xlsx", "csv", "sha", "utf", "bom", "url", "api"}
ALLOWED |= {"email", "http", "https", "www", "com", "example", "ip"}
# A code written with underscores (district_approve) is English to its reader too.
_CODE = re.compile(r'(?<![\w@.\-/"<])[a-z]+(?:_[a-z]+)+(?![\w@\-/"]|\.\w)')
# A word, not part of a name, an address, a path or a quoted code example.
_WORD = re.compile(r'(?<![\w@.\-/"<])([A-Za-z][a-z]{2,}|[A-Z]{3,})(?![\w@\-/"]|\.\w)')
_MSGID = re.compile(r'^msgid "(.+)"$', re.M)


@cache
def english_words() -> frozenset:
    words = set()
    for catalogue in CATALOGUES:
        for msgid in _MSGID.findall(catalogue.read_text(encoding="utf-8")):
            words.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", msgid))
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS:
            words.add(model._meta.model_name)
            for field in model._meta.get_fields():
                words.update(w.lower() for w in field.name.split("_") if len(w) >= 3)
                # Codes stored in the database: a state or a step shown as it is stored.
                for value, _label in getattr(field, "flatchoices", None) or ():
                    if isinstance(value, str):
                        words.update(w.lower() for w in value.split("_") if len(w) >= 3)
    # Python's own words, as a value printed without a label shows them.
    words |= {"true", "false", "none"}
    return frozenset(words - ALLOWED)


class _Reader(HTMLParser):
    SKIPPED = {"script", "style", "template", "noscript"}
    READ_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []
        self.in_option = False

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.depth += 1
        self.in_option = tag == "option"
        for name, value in attrs:
            if name in self.READ_ATTRIBUTES and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.in_option and "/" in data:
            return  # a time zone's name, "Asia/Shanghai": a name, as it is written
        if not self.depth:
            self.parts.append(data)


@lru_cache(maxsize=4)
def readable_text(html: str) -> str:
    """The text a reader reads on the page; kept for the last few pages, which the checks of
    one page each read (the parse costs more than all of them)."""
    reader = _Reader()
    reader.feed(html)
    return "\n".join(reader.parts)


def english_on_page(html: str, *, allowed: set = frozenset()) -> list[str]:
    """The English words a zh-hans reader would find on the page, with a little context."""
    words = english_words()
    found = []
    for line in readable_text(html).splitlines():
        codes = [code for code in _CODE.findall(line) if code not in allowed]
        if codes:
            found.append(line.strip()[:80])
            continue
        for match in _WORD.finditer(line):
            word = match.group(1)
            if word.lower() in words and word not in allowed:
                found.append(line.strip()[:80])
                break
    return found
