"""An amount as the admin shows it in a list or on a row's page: read the way every page of the
site reads money (``money.format_yuan``), not as the admin's bare decimal."""

from django.contrib import admin

from .money import format_yuan, format_yuan_exact


def amount_display(field_name: str, description, *, exact: bool = False):
    """An admin column or read-only field showing a model's amount as every page reads it,
    rather than as the admin's bare 2000000.00: in a list 200万元, and with ``exact`` on the
    page of one row, where officials check it to the fen, 200万元（2,000,000.00元）.
    ``approved = amount_display("approved_amount", _("核定金额"))``."""
    formatted = format_yuan_exact if exact else format_yuan

    @admin.display(description=description, ordering=field_name)
    def display(self, obj) -> str:
        amount = getattr(obj, field_name)
        # Not decided yet: the admin's mark for an empty value, in a list and on a page alike.
        return self.get_empty_value_display() if amount is None else formatted(amount)

    return display
