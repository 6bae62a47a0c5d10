"""The link from an admin page of a record to that record's history on the audit trail, for
whoever may read the trail (``templates/admin/change_form_object_tools.html``)."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def audit_history_link(context, obj):
    request = context.get("request")
    if obj is None or obj.pk is None or request is None:
        return ""
    if not request.user.has_perm("security.view_auditrecord"):
        return ""
    query = urlencode(
        {"object_type": obj._meta.concrete_model._meta.label_lower, "object_id": obj.pk}
    )
    return format_html(
        '<li><a href="{}?{}" class="historylink audit-history">{}</a></li>',
        reverse("admin:security_auditrecord_changelist"),
        query,
        _("审计记录"),
    )
