from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.services import demo_seed


class Command(BaseCommand):
    help = "Create one demo account per role, demo enterprises and open windows (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force-demo",
            action="store_true",
            help="seed even where settings forbid demo data (production): it creates the "
            "administrators' accounts with a public password",
        )

    def handle(self, *args, force_demo=False, **options):
        if not settings.DEMO_DATA_ALLOWED and not force_demo:
            raise CommandError(
                "demo data is off in these settings (production): seed_demo creates the "
                "administrators' accounts with a public password; pass --force-demo to do it "
                "all the same"
            )
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
        self.stdout.write(
            "  Officials' second factor: after the password, the code of an authenticator app "
            "given the secret\n  below (or `oathtool --totp -b SECRET`), or one recovery code "
            "(each works once)."
        )
        for username, secret, codes in report.second_factors:
            self.stdout.write(f"    {username:<17} {secret}  recovery: {', '.join(codes)}")
        self.stdout.write("")
