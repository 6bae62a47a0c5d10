"""Moving the stored files from one storage to another (``manage.py move_documents``): from this
machine's MEDIA_ROOT into the bucket STORAGE_URL names, or back.

Every file a row names is copied under the same name and checked against the SHA-256 the row
recorded, before and after it is written; a file already at the target with that SHA-256 is
skipped, so an interrupted move is run again from the start. A file whose content differs from
its row is never copied: the move reports it and the command fails."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from departments.models import ImportBatch, ImportJob

from ..models import ApplicationDocument, LibraryDocument

BLOCK = 1024 * 1024


@dataclass
class MoveReport:
    copied: int = 0
    already_there: int = 0
    missing: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return len(self.missing) + len(self.mismatched)


def stored_files() -> Iterator[tuple[str, str]]:
    """(name, SHA-256) of every file a row names: the applications' documents, the libraries'
    documents, the departments' imported files and the staged files of their import jobs."""
    seen = set()
    for model in (ApplicationDocument, LibraryDocument, ImportBatch):
        rows = model.objects.exclude(file="").order_by("pk").values_list("file", "sha256")
        for name, sha256 in rows.iterator(chunk_size=500):
            if name not in seen:
                seen.add(name)
                yield name, sha256
    jobs = ImportJob.objects.exclude(staged_name="").order_by("pk")
    for name, sha256 in jobs.values_list("staged_name", "sha256").iterator(chunk_size=500):
        if name not in seen:
            seen.add(name)
            yield name, sha256


def sha256_of(storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as file:
        while block := file.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


def documents_move(*, source, target, progress=None) -> MoveReport:
    """Copy every stored file from ``source`` to ``target`` (two storages), each checked against
    its row's SHA-256; ``progress(name, outcome)`` is told of each."""
    report = MoveReport()
    for name, expected in stored_files():
        outcome = _move_one(name, expected, source=source, target=target, report=report)
        if progress is not None:
            progress(name, outcome)
    return report


def _move_one(name: str, expected: str, *, source, target, report: MoveReport) -> str:
    there = target.exists(name)
    if there and sha256_of(target, name) == expected:
        report.already_there += 1
        return "already there"
    if not source.exists(name):
        report.missing.append(name)
        return "missing"
    if sha256_of(source, name) != expected:
        report.mismatched.append(name)
        return "mismatch"
    if there:
        # Neither storage overwrites: what is there under the name (not the row's) goes first.
        target.delete(name)
    with source.open(name, "rb") as content:
        stored = target.save(name, content)
    if stored != name or sha256_of(target, name) != expected:
        target.delete(stored)
        report.mismatched.append(name)
        return "mismatch"
    report.copied += 1
    return "copied"
