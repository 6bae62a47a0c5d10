"""English is the site's second language: the catalogue is complete and the switcher works.

The msgids are the Chinese strings, so an untranslated string shows Chinese to an English reader.
The catalogue tests fail as soon as `make messages` picks up a string nobody has translated yet.
"""

import ast
import os
import re
import shlex
from pathlib import Path

from django.conf import settings
from django.core.management.utils import is_ignored_path
from django.utils.translation.template import templatize

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

CHINESE_NAV = ("政策目录", "政策计算器")
ENGLISH_NAV = ("Policy catalogue", "Policy calculator")

_KEYWORD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"(.*)"$')
_CONTINUATION = re.compile(r'^"(.*)"$')


def _po_entries(path: Path) -> list[dict]:
    """Each entry of a .po file as {"flags": [...], "msgid": str, "msgstr": str, ...}.

    Strings stay as written in the file (escapes are not decoded); that is enough to tell
    empty from non-empty. Obsolete entries (``#~``) are skipped.
    """
    entries: list[dict] = []
    entry: dict = {"flags": []}
    key = None

    def finish() -> None:
        nonlocal entry, key
        if "msgid" in entry:
            entries.append(entry)
        entry, key = {"flags": []}, None

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            if "msgid" in entry:  # no blank line before the next entry's comments
                finish()
            entry["flags"] += [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("#"):
            if "msgid" in entry and not line.startswith("#~"):
                finish()
        elif match := _KEYWORD.match(line):
            key, text = match.groups()
            if key in ("msgid", "msgctxt") and "msgid" in entry:
                finish()
                key = match.group(1)
            entry[key] = text
        elif (match := _CONTINUATION.match(line)) and key is not None:
            entry[key] += match.group(1)
    finish()
    return entries


def _messages() -> list[dict]:
    return [e for e in _po_entries(PO_FILE) if e["msgid"]]  # the header's msgid is ""


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), text)


def _catalogue_keys() -> set[tuple[str | None, str]]:
    """(msgctxt, msgid) of every message in the catalogue, unescaped."""
    return {
        (_unescape(e["msgctxt"]) if "msgctxt" in e else None, _unescape(e["msgid"]))
        for e in _messages()
    }


# ── what `make messages` would extract, without running xgettext ──────────────────────────────
# makemessages feeds .py files, and templates turned into Python by templatize(), to xgettext
# with these keywords: (context argument, msgid argument), as in its --keyword options.
_KEYWORDS = {
    **dict.fromkeys(("_", "gettext", "gettext_lazy", "gettext_noop"), (None, 0)),
    **dict.fromkeys(("ngettext", "ngettext_lazy"), (None, 0)),
    **dict.fromkeys(("pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"), (0, 1)),
}
_CALL_START = re.compile(r"(?<![\w.])(" + "|".join(_KEYWORDS) + r")\(")
_EXTENSIONS = (".py", ".html", ".txt")  # makemessages' defaults for the "django" domain
_DEFAULT_IGNORES = ["CVS", ".*", "*~", "*.pyc"]


def _makefile_ignores() -> list[str]:
    """The --ignore patterns of the makemessages command in the Makefile's `messages` target."""
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text(encoding="utf-8")
    line = next(line for line in makefile.splitlines() if "makemessages" in line)
    return [word.split("=", 1)[1] for word in shlex.split(line) if word.startswith("--ignore=")]


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in _KEYWORDS:
            continue
        literals = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        context_at, msgid_at = _KEYWORDS[name]
        if msgid_at >= len(literals) or not isinstance(literals[msgid_at], str):
            continue  # xgettext skips a call whose message is not a literal
        context = None if context_at is None else literals[context_at]
        if context_at is None or isinstance(context, str):
            yield context, literals[msgid_at]


def _template_calls(text: str):
    code = templatize(text)  # the translated strings as gettext() calls; the rest blanked out
    for match in _CALL_START.finditer(code):
        end = match.end()
        while (end := code.find(")", end) + 1) > 0:  # the shortest span that parses as a call
            try:
                tree = ast.parse(code[match.start() : end], mode="eval")
            except SyntaxError:
                continue
            yield from _calls(tree)
            break


def _source_messages(root: Path, ignore: list[str]) -> dict[tuple[str | None, str], str]:
    """(msgctxt, msgid) -> the first file it is in, for the files makemessages reads under root."""
    patterns = [*ignore, *_DEFAULT_IGNORES]
    found: dict[tuple[str | None, str], str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        relative = Path(dirpath).relative_to(root)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d != "locale" and not is_ignored_path(os.path.normpath(relative / d), patterns)
        )
        for filename in sorted(filenames):
            path = relative / filename
            if path.suffix not in _EXTENSIONS or is_ignored_path(os.path.normpath(path), patterns):
                continue
            text = (root / path).read_text(encoding="utf-8")
            keys = _calls(ast.parse(text)) if path.suffix == ".py" else _template_calls(text)
            for key in keys:
                found.setdefault(key, str(path))
    return found


def test_english_catalogue_is_compiled():
    assert MO_FILE.is_file(), "run `make messages` to compile the English catalogue"
    assert MO_FILE.stat().st_size > 0


def test_every_english_msgid_has_a_translation():
    messages = _messages()
    assert messages, f"no messages in {PO_FILE}"
    untranslated = []
    for e in messages:
        msgstrs = [text for key, text in e.items() if key.startswith("msgstr")]
        if not msgstrs or not all(msgstrs):
            untranslated.append(e["msgid"])
    assert untranslated == [], f"untranslated in {PO_FILE.name}: {untranslated}"


def test_no_english_entry_is_fuzzy():
    # msgfmt leaves fuzzy entries out of the .mo, so a fuzzy entry shows the Chinese.
    fuzzy = [e["msgid"] or "(header)" for e in _po_entries(PO_FILE) if "fuzzy" in e["flags"]]
    assert fuzzy == [], f"fuzzy in {PO_FILE.name}: {fuzzy}"


def test_the_parser_reads_multiline_and_fuzzy_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid ""\n"第%(number)s"\n"条"\nmsgstr ""\n\n'
        '#: b.py:2\nmsgid "是"\nmsgstr "Yes"\n',
        encoding="utf-8",
    )

    header, first, second = _po_entries(po)

    assert header["msgid"] == "" and header["msgstr"] == "Language: en\\n"
    assert first == {"flags": ["fuzzy", "python-format"], "msgid": "第%(number)s条", "msgstr": ""}
    assert second == {"flags": [], "msgid": "是", "msgstr": "Yes"}


def test_the_catalogue_has_every_string_in_the_sources():
    base = Path(settings.BASE_DIR)
    ignore = _makefile_ignores()
    # Collected files (STATIC_ROOT, MEDIA_ROOT) are skipped by makemessages when inside the project.
    for root in (settings.STATIC_ROOT, settings.MEDIA_ROOT):
        if root and Path(root).resolve().is_relative_to(base.resolve()):
            ignore.append(str(Path(root).resolve().relative_to(base.resolve())))
    in_sources = _source_messages(base, ignore)
    catalogue = _catalogue_keys()
    assert len(in_sources) > 100, "the extraction found next to nothing: is it still working?"

    missing = sorted(
        f"{path}: {key[1]}" for key, path in in_sources.items() if key not in catalogue
    )
    assert missing == [], f"not in {PO_FILE.name}; run `make messages` and translate: {missing}"
    stale = sorted(key[1] for key in catalogue - in_sources.keys())
    assert stale == [], f"no longer in the sources; run `make messages`: {stale}"


def test_the_source_extraction_finds_what_makemessages_finds(tmp_path):
    (tmp_path / "app" / "templates").mkdir(parents=True)
    (tmp_path / "app" / "views.py").write_text(
        "from django.utils.translation import gettext as _, gettext_lazy, ngettext, pgettext\n"
        "from django.utils import translation\n"
        'A = _("甲")\n'
        'B = gettext_lazy("乙" "丙")\n'
        'C = ngettext("%(n)d 件", "%(n)d 件", 2)\n'
        'D = pgettext("月份", "五月")\n'
        'E = translation.gettext("丁")\n'
        'F = print("己")\n',
        encoding="utf-8",
    )
    (tmp_path / "app" / "templates" / "page.html").write_text(
        "{% load i18n %}<p>{% translate \"庚\" %}</p><p>{% translate '辛（注）' context '标签' %}</p>\n"
        "{% blocktranslate with n=items|length %}共 {{ n }} 项：{% endblocktranslate %}\n"
        '<p onclick="confirm(\'{% translate "确定吗？" %}\')">{{ user|default:_("系统") }}</p>\n'
        '<p>{% translate "百分之%" %} 壬</p>\n',
        encoding="utf-8",
    )
    (tmp_path / "ignored").mkdir()
    (tmp_path / "ignored" / "x.py").write_text('_("癸")\n', encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "y.py").write_text('_("子")\n', encoding="utf-8")

    found = _source_messages(tmp_path, ["ignored"])

    assert sorted(found, key=str) == sorted(
        [
            (None, "甲"),
            (None, "乙丙"),
            (None, "%(n)d 件"),
            ("月份", "五月"),
            (None, "丁"),
            (None, "庚"),
            ("标签", "辛（注）"),
            (None, "共 %(n)s 项："),
            (None, "确定吗？"),
            (None, "系统"),
            (None, "百分之%%"),
        ],
        key=str,
    )
    assert found[(None, "庚")] == os.path.join("app", "templates", "page.html")


def test_default_language_is_chinese(client, policy):
    html = client.get("/").content.decode()

    assert '<html lang="zh-hans">' in html
    for text in CHINESE_NAV:
        assert text in html
    for text in ENGLISH_NAV:
        assert text not in html


def test_accept_language_en_shows_english_navigation(client, policy):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    for text in ENGLISH_NAV:
        assert text in html
    for text in CHINESE_NAV:
        assert text not in html


def test_language_switcher_switches_to_english_and_back(client, policy):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.url == "/"

    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    for text in ENGLISH_NAV:
        assert text in html
    for text in CHINESE_NAV:
        assert text not in html

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = client.get("/").content.decode()
    for text in CHINESE_NAV:
        assert text in html
