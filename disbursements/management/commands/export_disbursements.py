import os
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from disbursements.exports import ExportNotAllowed, batch_export
from disbursements.models import DisbursementBatch, ExportFormat


class Command(BaseCommand):
    help = (
        "Export a frozen or paid disbursement batch, the same file the admin's download gives, "
        "recorded like every export: csv is the bank's import file (plain digits; not for "
        "opening in a spreadsheet), xlsx the file to read (accounts and codes as text)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", required=True, help="batch number, e.g. BF-2026-0007")
        parser.add_argument("--format", required=True, choices=ExportFormat.values)
        parser.add_argument("--output", required=True, help="file to write, or - for stdout")
        parser.add_argument("--by", help="username recorded as the exporter (optional)")

    def handle(self, *args, batch, format, output, by=None, **options):
        try:
            found = DisbursementBatch.objects.get(number=batch.strip().upper())
        except DisbursementBatch.DoesNotExist as exc:
            raise CommandError(f"no disbursement batch {batch}") from exc
        user = None
        if by:
            try:
                user = get_user_model().objects.get(username=by)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"no user {by}") from exc
        try:
            blocks = batch_export(batch=found, export_format=format, by=user)
        except ExportNotAllowed as exc:
            raise CommandError(
                f"batch {found.number} is {found.state}: only frozen or paid batches export"
            ) from exc
        if output == "-":
            _to_stdout(blocks)
            return
        size = 0
        with open(output, "wb") as file:
            for block in blocks:
                file.write(block)
                size += len(block)
        self.stderr.write(f"{found.number}: {found.line_count} lines, {size} bytes -> {output}")


def _to_stdout(blocks) -> None:
    """Write the file to standard output. When the reader stops early (``| head``), stop
    quietly with status 1, as the Python documentation advises: the export stays on the record
    as unfinished."""
    stream = sys.stdout.buffer
    try:
        for block in blocks:
            stream.write(block)
        stream.flush()
    except BrokenPipeError:
        blocks.close()
        # What is left in stdout's buffer would fail again when Python flushes it at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None
