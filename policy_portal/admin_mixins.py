"""Pieces shared by the apps' admin modules."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.utils.translation import gettext as _


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


class StateLogAdmin(LogAdminMixin, admin.ModelAdmin):
    """A ``policy_portal.logs.StateLog`` as a list of its own, read-only: the auditor reads
    every entry there (三员分立). A log's admin names the field of the record it belongs to
    (``subject``: "batch", "publicity") and, where the action is shown otherwise than by its
    field, the column that shows it (``action_field``); the columns and the page follow."""

    subject = ""
    action_field = "action"
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.subject:
            return
        # What, who, which action, from and to which state; the page adds why, then when.
        entry = [cls.subject, "actor", cls.action_field, "from_state", "to_state"]
        cls.list_display = ["created_at", *entry]
        cls.fields = [*entry, "comment", "created_at"]
        cls.list_select_related = [cls.subject, "actor"]


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
        admin's display of it (``measures.amount_columns.amount_display``), or to None for a code
    only those who type it read. Whoever may change the row edits the number."""

    readable_amounts: dict[str, str] = {}

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            return fieldsets

        def readable(name):
            if isinstance(name, list | tuple):
                shown = tuple(each for each in map(readable, name) if each is not None)
                return shown or None
            return self.readable_amounts.get(name, name)

        return [
            (
                title,
                {
                    **options,
                    "fields": [
                        shown for name in options["fields"] if (shown := readable(name)) is not None
                    ],
                },
            )
            for title, options in fieldsets
        ]


def masked_display(field_name: str, mask, description):
    """A read-only field showing a model's personal data masked (``policy_portal.masking``):
    ``masked_phone = masked_display("phone", mask_phone, _("手机号"))``."""

    @admin.display(description=description)
    def display(self, obj) -> str:
        return mask(getattr(obj, field_name)) or self.get_empty_value_display()

    return display


class MaskedPersonalDataMixin:
    """Officials never read personal data whole in the admin. ``masked_fields`` maps a field to
    (its mask, the name of the admin's ``masked_display`` of it). On the page of a row one may
    change, the field is an input left empty with the masked value beside it: typing a new
    value replaces it, leaving it empty keeps it. On a page one may only view, the masked
    display stands in its place. The add page has nothing to mask."""

    masked_fields: dict = {}

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        shown = {name: display for name, (_mask, display) in self.masked_fields.items()}
        return [
            (title, {**options, "fields": [shown.get(name, name) for name in options["fields"]]})
            for title, options in fieldsets
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        masks = {
            name: mask
            for name, (mask, _display) in self.masked_fields.items()
            if name in form.base_fields
        }
        if obj is None or not masks:
            return form
        return type(form)(form.__name__, (_WriteOnlyFieldsForm, form), {"write_only_masks": masks})


class _WriteOnlyFieldsForm(forms.BaseModelForm):
    """The form of ``MaskedPersonalDataMixin``: its masked fields start empty and keep the
    stored value unless a new one is typed."""

    write_only_masks: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, mask in self.write_only_masks.items():
            current = getattr(self.instance, name)
            self.initial[name] = ""
            field = self.fields[name]
            field.required = False
            field.widget.attrs.update({"placeholder": mask(current), "autocomplete": "off"})
            field.help_text = (
                _("当前为%(masked)s；留空则保持不变，填写则替换。") % {"masked": mask(current)}
                if current
                else _("尚未填写。")
            )

    def clean(self):
        cleaned = super().clean()
        for name in self.write_only_masks:
            if not cleaned.get(name) and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        return cleaned
