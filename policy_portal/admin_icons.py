"""The admin's yes/no icons described in the reader's language.

Django writes a boolean icon's alternative text as Python prints the value ("True", "False",
"None"), which is what a screen reader says on a Chinese page. Its three admin modules import
the function by name from admin_list at call time, so replacing it there serves them all.
"""

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

ICONS = {True: ("yes", _("是")), False: ("no", _("否")), None: ("unknown", _("未知"))}


def boolean_icon(field_val):
    icon, text = ICONS[field_val]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), text)


def describe_in_the_readers_language() -> None:
    from django.contrib.admin.templatetags import admin_list

    admin_list._boolean_icon = boolean_icon
