from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.services import demo_seed


class Command(BaseCommand):
    help = "Create one demo account per role, demo enterprises and open windows (idempotent)."

    def handle(self, *args, **options):
        password = settings.DEMO_PASSWORD
        try:
            report = demo_seed(password=password)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Demo data: {len(report.created)} rows created."))
        self.stdout.write("")
        self.stdout.write(f"  Demo accounts (password: {password})")
        for username, role, scope in report.accounts:
            self.stdout.write(f"    {username:<17} {role}{'  · ' + scope if scope else ''}")
        self.stdout.write("")
