"""Write the audit trail from a date on, with its chain's hashes, as CSV or JSON lines:
``python manage.py export_audit --since 2026-01-01 --format jsonl --output audit.jsonl``.
The export itself is a security event on the trail."""

import os
import sys
from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from policy_portal.signals import security_event
from security.audit.chain import seal
from security.audit.exports import WRITERS, records_since


class Command(BaseCommand):
    help = _("导出审计记录（含摘要链），CSV 或 JSON Lines。")

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help=_("起始日期，YYYY-MM-DD"))
        parser.add_argument("--format", choices=sorted(WRITERS), default="csv")
        parser.add_argument("--output", default="-", help=_("写入的文件；“-”为标准输出"))

    def handle(self, *args, since, format, output, **options):
        try:
            day = date.fromisoformat(since)
        except ValueError as error:
            raise CommandError(_("起始日期请按 YYYY-MM-DD 填写，例如 2026-01-01。")) from error
        seal()
        records = records_since(timezone.make_aware(datetime.combine(day, time.min)))
        count = records.count()
        detail = {"what": "audit", "since": since, "format": format, "records": count}
        try:
            if output == "-":
                self._write(self.stdout, records, format)
            else:
                with open(output, "w", encoding="utf-8", newline="") as file:
                    self._write(file, records, format)
        except BrokenPipeError:
            # The reader went away (``export_audit … | head``): what it read was still read.
            # Python's advice: point stdout at devnull so that its flush at exit stays quiet.
            if output == "-" and self.stdout._out is sys.__stdout__:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.__stdout__.fileno())
            detail["cut_short"] = True
        security_event.send(
            sender=__name__, kind="export", user=None, request=None, target=None, detail=detail
        )
        seal()

    def _write(self, stream, records, format):
        for text in WRITERS[format](records):
            stream.write(text, ending="") if stream is self.stdout else stream.write(text)
        if stream is not self.stdout:
            return
        sys.stdout.flush()
