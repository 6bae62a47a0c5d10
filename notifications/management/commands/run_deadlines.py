from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.deadlines import run_deadlines


class Command(BaseCommand):
    help = (
        "Run every time-driven sweep of beat's schedule once: announcements of windows opened "
        "to matching enterprises, reminders before windows close, expiry of the drafts of "
        "closed windows, review reminders and escalations, warnings before the time limit to "
        "payment and its breaches, the closing of 公示 whose period is over. --now runs them "
        "at another clock."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="the clock to run at, e.g. 2026-12-31T18:00 (Asia/Shanghai unless an offset "
            "is given)",
        )

    def handle(self, *args, now=None, **options):
        clock = timezone.now()
        if now:
            try:
                clock = datetime.fromisoformat(now)
            except ValueError as exc:
                raise CommandError(f"--now: not a date and time: {now}") from exc
            if timezone.is_naive(clock):
                clock = timezone.make_aware(clock)
        if clock > timezone.now():
            self.stdout.write(
                "note: the clock is in the future: drafts of windows closing before it expire now"
            )
        report = run_deadlines(now=clock)
        self.stdout.write(
            f"{timezone.localtime(clock):%Y-%m-%d %H:%M}: "
            f"{report.window_announcements} window announcements, "
            f"{report.window_reminders} closing reminders, {report.expired} drafts expired, "
            f"{report.review_reminders} review reminders, {report.escalations} escalations, "
            f"{report.payment_warnings} time limit warnings, "
            f"{report.payment_breaches} time limit breaches, "
            f"{report.publicities_closed} 公示 closed, "
            f"{report.publicities_waiting} 公示 waiting on objections"
        )
