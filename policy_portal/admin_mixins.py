"""Pieces shared by the apps' admin modules."""

from django import forms
from django.contrib.admin.utils import flatten_fieldsets


class ReadOnlyAdminMixin:
    """Shown, never written: nobody adds, changes or deletes these rows through the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class LogAdminMixin(ReadOnlyAdminMixin):
    """An append-only log in the admin, as a list of its own or inline on the page of what it
    records: its entries are shown as written, every field read-only, and an inline offers no
    empty row to fill in."""

    extra = 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields or super().get_readonly_fields(request, obj)


class ViewOnlyFormMixin:
    """The page of a row one may view but not change: Django still builds the admin's form
    for it, with every field of the fieldsets left out, and shows the fields read-only. A
    form that sets up its fields when made, or fields that come from the form rather than
    the fieldsets, would look for what is not there: that page gets a bare model form."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        if change and not self.has_change_permission(request, obj):
            kwargs["form"] = forms.ModelForm
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        return super().get_form(request, obj, change=change, **kwargs)


class ReadableAmountsMixin:
    """For whoever may only view a row, its amounts read as officials check them rather than
    as the admin shows a read-only decimal: ``readable_amounts`` maps each amount field to the
    admin's display of it (``measures.amount_columns.amount_display``). Whoever may change the row edits the number."""

    readable_amounts: dict[str, str] = {}

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            return fieldsets

        def readable(name):
            if isinstance(name, list | tuple):
                return tuple(readable(each) for each in name)
            return self.readable_amounts.get(name, name)

        return [
            (title, {**options, "fields": [readable(name) for name in options["fields"]]})
            for title, options in fieldsets
        ]
