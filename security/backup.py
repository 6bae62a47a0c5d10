"""Taking a backup (``manage.py backup``): the database as of one moment, the stored documents,
and the manifest that a restore checks both against. A backup is written into a hidden
directory and given its timestamped name only when complete, readable by its owner alone."""

import itertools
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .contents import Contents, contents_read
from .databases import database_file, database_snapshot
from .manifest import FORMAT, manifest_write
from .media import MEDIA_ARCHIVE, media_archive, media_require_on_disk, sha256_of


@dataclass(frozen=True)
class Backup:
    directory: Path
    manifest: dict


def backup_create(*, output: Path) -> Backup:
    """Write a backup into a new directory under ``output``, named by the time it was taken."""
    media_require_on_disk()
    output.mkdir(parents=True, exist_ok=True)
    started = timezone.localtime()
    directory = _new_directory(output, started.strftime("%Y%m%d-%H%M%S"))
    partial = output / f".{directory.name}.partial"
    partial.mkdir(mode=0o700)
    try:
        dump = partial / database_file()
        with database_snapshot(dump) as cursor:
            contents = contents_read(cursor)
        # After the snapshot: every document its rows name has been stored by then.
        media = media_archive(Path(settings.MEDIA_ROOT), partial / MEDIA_ARCHIVE)
        manifest = {
            "format": FORMAT,
            "created_at": started.isoformat(),
            "database": {"vendor": connection.vendor, "file": dump.name},
            "migrations": contents.migrations,
            "row_counts": contents.row_counts,
            "documents": _documents(contents, media),
            "media": media,
            "files": {name: sha256_of(partial / name) for name in (dump.name, MEDIA_ARCHIVE)},
        }
        manifest_write(partial, manifest)
        for path in partial.iterdir():
            path.chmod(0o600)
        partial.rename(directory)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Backup(directory=directory, manifest=manifest)


def _new_directory(output: Path, stamp: str) -> Path:
    for number in itertools.count(1):
        name = stamp if number == 1 else f"{stamp}-{number}"
        if not (output / name).exists() and not (output / f".{name}.partial").exists():
            return output / name


def _documents(contents: Contents, media: dict[str, str]) -> dict:
    """The rows that name a stored file: how many, whose file was not in storage, and whose
    file differs from the SHA-256 the row keeps."""
    missing, mismatched = [], []
    for row in contents.documents:
        entry = {"table": row.table, "id": row.id, "file": row.file}
        if row.file not in media:
            missing.append(entry)
        elif row.sha256 and media[row.file] != row.sha256:
            mismatched.append(entry)
    return {"count": len(contents.documents), "missing": missing, "mismatched": mismatched}
