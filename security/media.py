"""The documents' side of a backup: MEDIA_ROOT as one tar archive, each file's SHA-256 taken as
it is archived, and the archive unpacked into an empty MEDIA_ROOT."""

import hashlib
import tarfile
from pathlib import Path

MEDIA_ARCHIVE = "media.tar"


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
