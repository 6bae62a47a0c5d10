"""English is the site's second language: the catalogue is complete and the switcher works.

The msgids are the Chinese strings, so an untranslated string shows Chinese to an English reader.
The catalogue tests fail as soon as `make messages` picks up a string nobody has translated yet.
"""

import re
from pathlib import Path

from django.conf import settings

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
