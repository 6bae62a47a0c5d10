from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from measures.services import POLICY_FILE, PolicyDataError, policy_load


class Command(BaseCommand):
    help = "Load the measures of 渝经信规范〔2023〕1号 from the data file (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=POLICY_FILE)

    def handle(self, *args, file: Path, verbosity: int, **options):
        try:
            report = policy_load(path=file)
        except PolicyDataError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity > 1:
            for kind in ("created", "updated", "deleted"):
                for line in getattr(report, kind):
                    self.stdout.write(f"  {kind}: {line}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Policy loaded: {len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.deleted)} deleted."
            )
        )
