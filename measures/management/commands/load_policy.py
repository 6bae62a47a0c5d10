from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from measures.services import POLICY_FILE, PolicyDataError, policy_load


class Command(BaseCommand):
    help = "Load the measures of 渝经信规范〔2023〕1号 from the data file (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=POLICY_FILE)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the file even if it was loaded as it is before, undoing admin edits.",
        )

    def handle(self, *args, file: Path, verbosity: int, force: bool, **options):
        try:
            report = policy_load(path=file, force=force)
        except PolicyDataError as exc:
            raise CommandError(str(exc)) from exc
        if report.unchanged:
            self.stdout.write(
                self.style.SUCCESS(
                    "Policy unchanged since its last load: nothing done (changes made in the "
                    "admin are kept; --force reloads the file over them)."
                )
            )
            return
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
