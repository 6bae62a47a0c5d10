"""Check every stored document against the SHA-256 its row recorded at upload: the
applications' documents and the enterprises' libraries. A file changed on disk, or gone, is
named; the command then exits non-zero, so that a scheduled run raises the alarm."""

import hashlib

from django.core.management.base import BaseCommand, CommandError

from applications.models import ApplicationDocument, LibraryDocument

BLOCK = 1024 * 1024


def file_sha256(field_file) -> str:
    digest = hashlib.sha256()
    with field_file.open("rb") as file:
        while block := file.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


class Command(BaseCommand):
    help = (
        "Read every stored document file (applications' documents and the enterprises' "
        "libraries) and compare it with the SHA-256 kept in its row; print the mismatches and "
        "missing files, and exit non-zero if there is any."
    )

    def handle(self, *args, **options):
        checked = 0
        problems = []
        for model in (ApplicationDocument, LibraryDocument):
            rows = model.objects.order_by("pk").only("pk", "file", "sha256")
            for document in rows.iterator(chunk_size=500):
                checked += 1
                label = f"{model._meta.label} #{document.pk} {document.file.name}"
                if not document.file.name or not document.file.storage.exists(document.file.name):
                    problems.append(f"missing: {label}")
                    continue
                found = file_sha256(document.file)
                if found != document.sha256:
                    problems.append(
                        f"mismatch: {label}: recorded {document.sha256}, file has {found}"
                    )
        for problem in problems:
            self.stdout.write(problem)
        summary = f"{checked} documents checked, {len(problems)} with a problem"
        if problems:
            raise CommandError(summary)
        self.stdout.write(summary)
