"""对部门数据有异议: the system administrators hear of an enterprise's report against a
department's figure or recognition, and the enterprise of their answer; in-app and by email, once each (the
key names the report), the emails queued once the transaction commits."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from enterprises.selectors import file_fields
from policy_portal import roles

from .bulk import local_time, notifications_for, save_new
from .models import Notification
from .selectors import enterprise_user_ids


def _yes_no(value: bool, *, recognition: bool) -> str:
    if recognition:
        return _("已获得该认定") if value else _("未获得该认定")
    return _("是") if value else _("否")


def _figure_text(disagreement) -> dict:
    """What the report disputes, in words: a figure's label and value, or a recognition's name
    and whether the department says it is held."""
    values = {"enterprise": disagreement.enterprise.name}
    recognition = disagreement.recognition
    if recognition is not None:
        return values | {
            "source": recognition.source.name,
            "year": recognition.year,
            "name": recognition.get_kind_display(),
            "department": _yes_no(recognition.held, recognition=True),
            "claimed": _yes_no(disagreement.claimed_boolean, recognition=True),
        }
    figure = disagreement.figure
    spec = file_fields().get(figure.name)
    if figure.decimal_value is None:
        department = _yes_no(figure.boolean_value, recognition=False)
        claimed = _yes_no(disagreement.claimed_boolean, recognition=False)
    else:
        department = format(figure.decimal_value, "f")
        claimed = format(disagreement.claimed_value, "f")
    return values | {
        "source": figure.source.name,
        "year": figure.year,
        "name": spec.label if spec is not None else figure.name,
        "department": department,
        "claimed": claimed,
    }


def tell_administrators(sender, *, disagreement, **kwargs) -> int:
    """Every active system administrator is told of a new report."""
    administrators = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.ADMINISTRATOR)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    values = _figure_text(disagreement)
    title = _("部门数据异议：%(enterprise)s对%(source)s%(year)s年度数据有异议") % values
    body = _(
        "%(enterprise)s认为%(source)s提供的%(year)s年度数据（%(name)s）%(department)s有误，"
        "企业认为应为%(claimed)s。理由：%(reason)s。提出时间：%(when)s。请在管理后台“部门数据异议”中核实并答复。"
    ) % {**values, "reason": disagreement.reason, "when": local_time(disagreement.reported_at)}
    return save_new(
        notifications_for(
            list(administrators),
            key=f"disagreement:{disagreement.pk}",
            kind=Notification.Kind.DISAGREEMENT,
            title=title,
            body=body,
        )
    )


def tell_enterprise(sender, *, disagreement, **kwargs) -> int:
    """The enterprise's users are told of the answer to its report."""
    values = _figure_text(disagreement)
    users = enterprise_user_ids(enterprise_ids=[disagreement.enterprise_id])
    title = _("部门数据异议已答复：%(source)s%(year)s年度数据") % values
    body = _(
        "贵企业对%(source)s提供的%(year)s年度数据（%(name)s）%(department)s提出的异议已答复：%(answer)s"
    ) % {**values, "answer": disagreement.answer}
    return save_new(
        notifications_for(
            users.get(disagreement.enterprise_id, []),
            key=f"disagreement-answer:{disagreement.pk}",
            kind=Notification.Kind.DISAGREEMENT,
            title=title,
            body=body,
        )
    )
