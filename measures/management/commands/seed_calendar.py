from django.core.management.base import BaseCommand

from measures.services import calendar_seed


class Command(BaseCommand):
    help = (
        "Add the holidays and adjusted working days (调休) of every year the chinesecalendar "
        "package knows and the calendar table has none of (run after upgrading the package); "
        "years already entered are left as they are."
    )

    def handle(self, *args, **options):
        added = calendar_seed()
        self.stdout.write(self.style.SUCCESS(f"{added} calendar days added."))
