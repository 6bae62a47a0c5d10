"""A backup's manifest (manifest.json): what the backup holds — the format, when it was taken,
the database's vendor and migrations, each table's row count, every document's SHA-256 and the
documents that were not in storage — and the SHA-256 of each of the backup's files, checked
before a restore touches anything."""

import json
from pathlib import Path

from django.utils.translation import gettext as _

from .errors import BackupError
from .media import sha256_of

FORMAT = 1
MANIFEST = "manifest.json"
_KEYS = {"created_at", "database", "migrations", "row_counts", "documents", "media", "files"}


def manifest_write(directory: Path, manifest: dict) -> None:
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True)
    (directory / MANIFEST).write_text(text + "\n", encoding="utf-8")


def manifest_read(directory: Path) -> dict:
    """The manifest of the backup in ``directory``, once every file it lists has the SHA-256
    it names."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(
            _("%(directory)s 中没有可读的 %(manifest)s，不是完整的备份：%(error)s")
            % {"directory": directory, "manifest": MANIFEST, "error": error}
        ) from error
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not _KEYS.issubset(manifest)
    ):
        raise BackupError(_("备份格式不受支持（本版本读取格式 %(format)s）。") % {"format": FORMAT})
    for name, expected in manifest["files"].items():
        actual = sha256_of(directory / Path(name).name)
        if actual is None:
            raise BackupError(_("备份文件 %(name)s 缺失，拒绝恢复。") % {"name": name})
        if actual != expected:
            raise BackupError(
                _("备份文件 %(name)s 的校验值与清单不符（文件已损坏或被改动），拒绝恢复。")
                % {"name": name}
            )
    return manifest


def manifest_warnings(manifest: dict) -> list[str]:
    """What the backup could not hold as the database says it should: the documents whose file
    was not in storage, and those whose file differed from the SHA-256 its row keeps."""
    headings = {
        "missing": _("%(count)d 份材料的文件在备份时已不在存储中，备份里没有它们："),
        "mismatched": _(
            "%(count)d 份材料的文件在备份时已与记录的 SHA-256 不符（按存储中的原样备份）："
        ),
    }
    lines = []
    for key, heading in headings.items():
        entries = manifest["documents"][key]
        if entries:
            lines.append(heading % {"count": len(entries)})
            lines += [f"  {e['table']} #{e['id']}: {e['file']}" for e in entries]
    return lines
