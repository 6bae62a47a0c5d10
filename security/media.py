"""The documents' side of a backup: MEDIA_ROOT as one tar archive, each file's SHA-256 taken as
it is archived, and the archive unpacked into an empty MEDIA_ROOT."""

import hashlib
import tarfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from policy_portal.storage_url import FILESYSTEM

from .errors import BackupError

MEDIA_ARCHIVE = "media.tar"


def media_require_on_disk() -> None:
    """A backup holds the database and MEDIA_ROOT as of one moment, checked against each other.
    With the documents in a bucket (STORAGE_URL) that promise cannot be kept from here: the
    bucket keeps its own versions and replicas, the database is backed up with PostgreSQL's
    tools (README, Object storage). Refused rather than a backup without its documents."""
    if settings.STORAGES["default"]["BACKEND"] != FILESYSTEM:
        raise BackupError(
            _(
                "材料存放在对象存储桶中（已设置 STORAGE_URL），本命令不备份也不恢复桶中的文件："
                "请用存储桶的版本控制或跨区域复制保护材料，用 PostgreSQL 的工具（pg_dump 或"
                "持续归档）备份数据库。"
            )
        )


class _HashingReader:
    """A file read through once: what tarfile copies is what the digest covers."""

    def __init__(self, file):
        self.file = file
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        return data


def media_archive(root: Path, target: Path) -> dict[str, str]:
    """Archive every file under ``root`` into ``target``; their SHA-256 by name (relative to
    ``root``, as the storage names them). A file deleted while the archive is written is left
    out, as if it had gone before."""
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    digests = {}
    with tarfile.open(target, "w") as archive:
        for path in files:
            name = path.relative_to(root).as_posix()
            try:
                file = path.open("rb")
            except FileNotFoundError:
                continue
            with file:
                info = archive.gettarinfo(arcname=name, fileobj=file)
                reader = _HashingReader(file)
                archive.addfile(info, reader)
            digests[name] = reader.digest.hexdigest()
    return digests


def media_unpack(archive: Path, root: Path) -> None:
    """Unpack ``archive`` into ``root``; tarfile's "data" filter refuses any member that would
    land outside it, links and devices."""
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as members:
        members.extractall(root, filter="data")


def media_is_empty(root: Path) -> bool:
    return not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def sha256_of(path: Path) -> str | None:
    """The file's SHA-256, or None when there is no such file."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as file:
            for block in iter(lambda: file.read(1024 * 1024), b""):
                digest.update(block)
    except (FileNotFoundError, IsADirectoryError):
        return None
    return digest.hexdigest()
