"""The changelist's rows as Django's admin renders them, at a fraction of the cost.

``items_for_result`` works out again for every cell of every row what kind of column it is,
flattens its choices, and reverses and resolves the row's URL to add the preserved filters.
Here each column's renderer is settled once per page and each row is one string. The HTML is
the admin's own, so its styles and scripts (the action checkboxes) apply unchanged.
"""

from django import template
from django.contrib.admin import ModelAdmin, helpers
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _coerce_field_name,
    result_headers,
    result_hidden_fields,
    result_list,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

register = template.Library()


def _model_field(cl, field_name):
    if not isinstance(field_name, str) or hasattr(cl.model_admin, field_name):
        return None
    try:
        field = cl.lookup_opts.get_field(field_name)
    except FieldDoesNotExist:
        return None
    return None if field.auto_created or field.is_relation else field


def _field_column(field, empty: str):
    attname = field.attname
    if field.flatchoices:
        labels = {value: escape(label) for value, label in field.flatchoices}
        empty_html = escape(empty)
        return lambda row: labels.get(getattr(row, attname), empty_html)
    if type(field) is models.DateTimeField:
        # display_for_field's own reading of a date and time, with the format looked up once
        # a page rather than once a cell.
        form = get_format("DATETIME_FORMAT")
        empty_html = escape(empty)

        def render(row):
            value = getattr(row, attname)
            if value is None:
                return empty_html
            return escape(dateformat.format(template_localtime(value), form))

        return render
    return lambda row: conditional_escape(display_for_field(getattr(row, attname), field, empty))


def _method_column(method, empty: str):
    empty = getattr(method, "empty_value_display", empty)
    boolean = getattr(method, "boolean", False)

    def render(row):
        value = method(row)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        return conditional_escape(display_for_value(value, empty, boolean))

    return render


def _action_checkbox(row) -> str:
    # What ModelAdmin.action_checkbox renders, without a widget template per row.
    return format_html(
        '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
        helpers.ACTION_CHECKBOX_NAME,
        str(row.pk),
        format_html(_("Select this object for an action - {}"), str(row)),
    )


def _columns(cl):
    """(css classes, row → the cell's HTML) per column; None if a column needs the admin's
    general path (a related object, a model method or property)."""
    empty = str(cl.model_admin.get_empty_value_display())
    columns = []
    for index, field_name in enumerate(cl.list_display):
        classes = f"field-{_coerce_field_name(field_name, index)}"
        field = _model_field(cl, field_name)
        if field is not None:
            if isinstance(field, (models.DateField, models.TimeField)):
                classes += " nowrap"
            columns.append((classes, _field_column(field, empty)))
        elif callable(field_name):
            columns.append((classes, _method_column(field_name, empty)))
        elif isinstance(field_name, str) and hasattr(cl.model_admin, field_name):
            method = getattr(cl.model_admin, field_name)
            if field_name == "action_checkbox":
                classes = "action-checkbox"
                if getattr(method, "__func__", None) is ModelAdmin.action_checkbox:
                    columns.append((classes, _action_checkbox))
                    continue
            columns.append((classes, _method_column(method, empty)))
        else:
            return None
    return columns


def _link_column(cl):
    """The one column linking to each row's change page, as ``items_for_result`` picks it."""
    if cl.list_display_links is None:
        return None
    for index, field_name in enumerate(cl.list_display):
        if field_name == "action_checkbox" and not cl.list_display_links:
            continue
        if not cl.list_display_links or field_name in cl.list_display_links:
            return index
    return None


def _change_url(cl):
    """Row → its change URL with the preserved filters, from one reverse and one resolve;
    None where the admin's general path is needed (popups, non-integer keys)."""
    pk = cl.lookup_opts.pk
    if cl.to_field or cl.is_popup or not isinstance(pk, models.AutoField) or not cl.result_list:
        return None
    sample = cl.result_list[0]
    try:
        url = cl.url_for_result(sample)
    except NoReverseMatch:
        return None
    url = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)
    head, found, tail = url.rpartition(f"/{sample.pk}/")
    if not found:
        return None
    return lambda row: escape(f"{head}/{row.pk}/{tail}")


def lean_results(cl):
    columns = _columns(cl)
    if columns is None or (cl.list_display_links and len(cl.list_display_links) > 1):
        return None
    link = _link_column(cl)
    change_url = _change_url(cl) if link is not None else None
    if link is not None and change_url is None:
        return None
    empty = escape(cl.model_admin.get_empty_value_display())
    rows = []
    for row in cl.result_list:
        cells = []
        for index, (classes, render) in enumerate(columns):
            try:
                html = render(row)
            except ObjectDoesNotExist:
                html = empty
            if index == link:
                cells.append(f'<th class="{classes}"><a href="{change_url(row)}">{html}</a></th>')
            else:
                cells.append(f'<td class="{classes}">{html}</td>')
        # Every cell's content is escaped above (or safe from the admin method that made it).
        rows.append(ResultList(None, [mark_safe("".join(cells))]))  # noqa: S308
    return rows


@register.inclusion_tag("admin/change_list_results.html")
def lean_result_list(cl):
    """``result_list`` with the rows of ``lean_results``, or the admin's own where a column or a
    list_editable form needs what only ``items_for_result`` does."""
    rows = None if cl.formset else lean_results(cl)
    if rows is None:
        return result_list(cl)
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": rows,
    }
