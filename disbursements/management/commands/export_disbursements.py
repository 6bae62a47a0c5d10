import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from disbursements.exports import ExportNotAllowed, batch_export
from disbursements.models import DisbursementBatch, ExportFormat


class Command(BaseCommand):
    help = (
        "Export a frozen or paid disbursement batch as the bank's list (CSV or XLSX), the same "
        "file the admin's download gives; recorded like every export."
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
            stream = sys.stdout.buffer
            for block in blocks:
                stream.write(block)
            stream.flush()
            return
        size = 0
        with open(output, "wb") as file:
            for block in blocks:
                file.write(block)
                size += len(block)
        self.stderr.write(f"{found.number}: {found.line_count} lines, {size} bytes -> {output}")
