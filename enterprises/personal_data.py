"""A person's own data (个人信息保护法 第四十五条 查阅、复制; 第四十七条 删除): what the site holds
about a person, as a file they (or an administrator for them) can download, and the
anonymisation that replaces it once it is no longer needed.

What is kept on anonymisation, and why: the financial record (applications, their log and
documents, reviews, batches and their lines, the amounts and the bank data of what was paid)
is 会计档案, kept for the periods of 《会计档案管理办法》 (财政部 档案局令第79号, 30 years for
vouchers and ledgers); those rows name the person only through the account, which then reads
as a placeholder. The audit trail keeps its copies (see README, "Personal data").
"""

import json
from importlib import import_module

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from policy_portal import roles
from policy_portal.signals import security_event

from .models import Enterprise, StaffMember, User
from .signals import anonymise_requested, person_anonymised

ANONYMISED_PREFIX = "anonymised-"
CONTENT_TYPE = "application/json; charset=utf-8"


def anonymised_username(user: User) -> str:
    return f"{ANONYMISED_PREFIX}{user.pk}"


def is_anonymised(user: User) -> bool:
    return user.username == anonymised_username(user)


# ── 查阅、复制: the person's data as a file ───────────────────────────────────────────────────


def _when(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def _enterprise_contact(enterprise: Enterprise) -> dict:
    return {
        _("企业名称"): enterprise.name,
        _("统一社会信用代码"): enterprise.credit_code,
        _("所在区县"): enterprise.get_district_display(),
        _("联系人"): enterprise.contact_name,
        _("联系电话"): enterprise.contact_phone,
    }


def personal_data_of(user: User) -> dict:
    """Everything the site keeps about ``user`` as a person, and their enterprise's contact:
    the account, how the site reaches them, their role and scope. Nobody else's."""
    role = roles.staff_role_of(user) if user.is_staff else roles.ENTERPRISE
    account = {
        _("登录账号"): user.username,
        _("姓名"): user.get_full_name(),
        _("电子邮箱"): user.email,
        _("手机号"): user.phone,
        _("接收邮件通知"): user.email_notifications,
        _("账号状态"): _("有效") if user.is_active else _("已停用"),
        _("注册时间"): _when(user.date_joined),
        _("上次登录"): _when(user.last_login),
        _("角色"): str(roles.ROLE_LABELS.get(role, "")) if role else "",
    }
    if user.is_staff:
        account[_("负责区县")] = user.get_district_display()
        account[_("所属处室")] = [division.name for division in user.divisions.all()]
    data = {
        _("导出时间"): _when(timezone.now()),
        _("说明"): _(
            "本文件为平台保存的您本人的个人信息副本（《个人信息保护法》第四十五条），请妥善保管。"
        ),
        _("账号信息"): account,
    }
    if user.enterprise_id is not None:
        data[_("所属企业联系信息")] = _enterprise_contact(user.enterprise)
    return data


def personal_data_file(*, user: User, by: User, request=None) -> tuple[str, bytes]:
    """The file's name and its bytes (JSON, UTF-8), recorded as an export on the audit."""
    content = json.dumps(personal_data_of(user), ensure_ascii=False, indent=2).encode()
    security_event.send(
        sender=__name__,
        kind="export",
        user=by,
        request=request,
        target=user,
        detail={"export": "personal_data", "self": by.pk == user.pk, "bytes": len(content)},
    )
    stamp = timezone.localtime().strftime("%Y%m%d")
    return f"personal-data-{user.pk}-{stamp}.json", content


# ── 删除、匿名化 ──────────────────────────────────────────────────────────────────────────────


def anonymise_refusals(*, user: User, by: User | None) -> list[str]:
    """Why ``user`` may not be anonymised now (by ``by``, None for the command); empty if
    they may."""
    if is_anonymised(user):
        return [_("该账号已匿名化。")]
    reasons = []
    if by is not None and by.pk == user.pk:
        reasons.append(_("不能匿名化当前登录的账号。"))
    if user.is_superuser and by is not None and not by.is_superuser:
        reasons.append(_("超级管理员账号只能由超级管理员匿名化。"))
    for _receiver, answer in anonymise_requested.send(sender=User, user=user):
        reasons.extend(answer or [])
    return reasons


def _drop_sessions(user: User) -> int:
    """Delete the stored sessions signed in as ``user`` (the database's sessions; with any
    other engine the unusable password ends them at their next request)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return 0
    model = store.get_model_class()
    doomed = [
        session.pk
        for session in model.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    model.objects.filter(pk__in=doomed).delete()
    return len(doomed)


def _drop_login_records(username: str) -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username=username).delete()


@transaction.atomic
def user_anonymise(*, user: User, by: User | None, request=None) -> User:
    """Replace ``user``'s name, email, phone and username with placeholders, make the password
    unusable, deactivate the account and drop the copies kept elsewhere (sessions, login
    attempts, notifications, the admin's history labels). Refused with the reasons (a
    ``ValidationError``) while work still needs the person.

    Kept: every row that records what the person did, pointing at the anonymised account."""
    user = User.objects.select_for_update().get(pk=user.pk)
    reasons = anonymise_refusals(user=user, by=by)
    if reasons:
        raise ValidationError(reasons)
    old_username = user.username
    placeholder = _("已匿名用户")
    user.username = anonymised_username(user)
    user.first_name = placeholder
    user.last_name = ""
    user.email = ""
    user.phone = ""
    user.email_notifications = False
    user.is_active = False
    user.set_unusable_password()
    user.save()
    sessions = _drop_sessions(user)
    _drop_login_records(old_username)
    LogEntry.objects.filter(
        content_type__in=ContentType.objects.get_for_models(
            User, StaffMember, for_concrete_models=False
        ).values(),
        object_id=str(user.pk),
    ).update(object_repr=placeholder)
    person_anonymised.send(sender=User, user=user)
    security_event.send(
        sender=__name__,
        kind="anonymise",
        user=by,
        request=request,
        target=user,
        detail={"sessions": sessions},
    )
    return user
