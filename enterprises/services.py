"""Writes to enterprises and their users."""

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from departments.models import DepartmentFigure, DepartmentRecognition
from measures.forms import declared_form_field
from measures.numbers import parse_number
from policy_portal import roles

from .models import (
    DepartmentDisagreement,
    Enterprise,
    EnterpriseFigure,
    EnterpriseRecognition,
    User,
)
from .permissions import can_edit_enterprise_profile
from .selectors import FileField, department_figures_of_year, file_fields
from .signals import disagreement_answered, disagreement_reported
from .validators import normalize_credit_code, validate_no_bidi_controls

logger = logging.getLogger(__name__)

# What an enterprise may change about itself. Its name and credit code identify it to the
# reviewers and on payouts, and its district decides which district reviews its applications,
# so only an administrator changes those (in the admin).
REGISTRATION_PROFILE_FIELDS = (
    "contact_name",
    "contact_phone",
    "industry",
    "scale",
    "bank_name",
    "bank_account",
)
# The profile page adds the national classification, which matching reads (一企一档).
PROFILE_FIELDS = (*REGISTRATION_PROFILE_FIELDS, "industry_section", "industry_division")

# Neither message confirms to a visitor that another enterprise, or another person, is
# registered: each says what to do either way.
CREDIT_CODE_TAKEN = gettext_lazy("该统一社会信用代码无法注册。如本企业已有账号，请登录或找回密码。")
USERNAME_UNAVAILABLE = gettext_lazy("该登录用户名不可用，请换一个。")


def _credit_code_taken() -> ValidationError:
    return ValidationError({"credit_code": ValidationError(CREDIT_CODE_TAKEN, code="unique")})


def _username_taken() -> ValidationError:
    return ValidationError({"username": ValidationError(USERNAME_UNAVAILABLE, code="unique")})


@transaction.atomic
def enterprise_register(
    *,
    name: str,
    credit_code: str,
    district: str,
    industry: str,
    scale: str,
    contact_name: str,
    contact_phone: str,
    bank_name: str = "",
    bank_account: str = "",
    first_name: str,
    username: str,
    email: str,
    password: str,
) -> User:
    """Create an enterprise and its first user, who gets the enterprise role.

    A credit code that is already registered is refused: the new user is never attached to an
    existing enterprise, since anyone can type another company's code.
    """
    credit_code = normalize_credit_code(credit_code)
    if Enterprise.objects.filter(credit_code=credit_code).exists():
        raise _credit_code_taken()
    if User.objects.filter(username__iexact=username).exists():
        raise _username_taken()

    enterprise = Enterprise(
        name=name,
        credit_code=credit_code,
        district=district,
        industry=industry,
        scale=scale,
        contact_name=contact_name,
        contact_phone=contact_phone,
        bank_name=bank_name,
        bank_account=bank_account,
    )
    enterprise.full_clean(validate_unique=False)
    first_name = (first_name or "").strip()
    if not first_name:
        raise ValidationError({"first_name": _("请填写联系人姓名。")})
    user = User(username=username, first_name=first_name, email=email, enterprise=enterprise)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from exc
    user.set_password(password)
    user.full_clean(exclude=["enterprise"], validate_unique=False)

    # The checks above leave a window; two registrations of one code at the same moment end
    # here, and the loser gets the same message instead of a server error.
    try:
        with transaction.atomic():
            enterprise.save()
    except IntegrityError as exc:
        raise _credit_code_taken() from exc
    user.enterprise = enterprise
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise _username_taken() from exc
    user.groups.add(Group.objects.get(name=roles.ENTERPRISE))
    logger.info("enterprise %s registered with user %s", enterprise.pk, user.pk)
    return user


@transaction.atomic
def enterprise_update_profile(
    *, enterprise: Enterprise, by: User, data: Mapping[str, Any]
) -> Enterprise:
    """Change an enterprise's contact, classification and payout account.

    ``data`` holds some of ``PROFILE_FIELDS``; any other key is a programming error.
    """
    not_editable = sorted(set(data) - set(PROFILE_FIELDS))
    if not_editable:
        raise ValueError(f"not editable on the enterprise profile: {', '.join(not_editable)}")
    if not can_edit_enterprise_profile(user=by, enterprise=enterprise):
        raise PermissionDenied(_("您只能修改本企业的信息。"))

    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    changed = [field for field, value in data.items() if getattr(enterprise, field) != value]
    for field in changed:
        setattr(enterprise, field, data[field])
    enterprise.full_clean()
    if changed:
        enterprise.save(update_fields=[*changed, "updated_at"])
        logger.info(
            "enterprise %s profile changed by user %s: %s", enterprise.pk, by.pk, ", ".join(changed)
        )
    return enterprise


@transaction.atomic
def user_update_name(*, user: User, first_name: str) -> User:
    """Change the name the site calls a person by (header, timelines, notifications, emails)."""
    return _user_field_change(
        user,
        "first_name",
        (first_name or "").strip(),
        missing=_("请填写联系人姓名。"),
        validate=validate_no_bidi_controls,
    )


@transaction.atomic
def user_update_email(*, user: User, email: str) -> User:
    """Change a user's own email, the address password resets are sent to."""
    return _user_field_change(
        user,
        "email",
        User.objects.normalize_email((email or "").strip()),
        missing=_("请填写电子邮箱，找回密码时需要用到。"),
        validate=validate_email,
    )


def _user_field_change(user: User, field: str, value: str, *, missing, validate) -> User:
    """Set one of a person's own fields to ``value``, already cleaned: required, checked by
    ``validate`` (its errors reported on ``field``), saved only where it changed."""
    if not value:
        raise ValidationError({field: missing})
    try:
        validate(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from exc
    if value != getattr(user, field):
        setattr(user, field, value)
        user.save(update_fields=[field])
    return user


@transaction.atomic
def staff_member_assign_role(
    *, user: User, role: str, district: str = "", divisions: Iterable = ()
) -> User:
    """Make ``user`` an official of ``role``: staff status, the role's group and the scope the
    role needs follow from the role, so that no official is left unable to log in or to see
    anything. A district reviewer needs a district, a municipal reviewer divisions; any other
    scope is cleared."""
    if role not in roles.STAFF_ROLES:
        raise ValueError(f"not a staff role: {role}")
    divisions = list(divisions)
    if role == roles.DISTRICT_REVIEWER and not district:
        raise ValidationError({"district": _("区县审核员须指定负责区县。")})
    if role == roles.MUNICIPAL_REVIEWER and not divisions:
        raise ValidationError({"divisions": _("市级审核员须指定所属处室。")})
    user.is_staff = True
    user.enterprise = None
    user.district = district if role == roles.DISTRICT_REVIEWER else ""
    user.save()
    user.divisions.set(divisions if role == roles.MUNICIPAL_REVIEWER else [])
    role_groups = Group.objects.filter(name__in=(roles.ENTERPRISE, *roles.STAFF_ROLES))
    user.groups.remove(*role_groups.exclude(name=role))
    user.groups.add(role_groups.get(name=role))
    user._role_names = None
    return user


# ── the enterprise's file (一企一档): recognitions and figures by year ─────────────────────────


def _check_own_file(*, enterprise: Enterprise, by: User) -> None:
    if not can_edit_enterprise_profile(user=by, enterprise=enterprise):
        raise PermissionDenied(_("您只能修改本企业的档案。"))


@transaction.atomic
def enterprise_recognition_add(
    *, enterprise: Enterprise, by: User, kind: str, year: int
) -> tuple[EnterpriseRecognition, bool]:
    """Record a recognition the enterprise holds; recording it twice keeps one. Returns the
    recognition and whether it is new (the page says which)."""
    _check_own_file(enterprise=enterprise, by=by)
    recognition = EnterpriseRecognition(enterprise=enterprise, kind=kind, year=year)
    recognition.full_clean(exclude=["enterprise"], validate_unique=False)
    recognition, created = EnterpriseRecognition.objects.get_or_create(
        enterprise=enterprise, kind=kind, year=year
    )
    if created:
        logger.info("enterprise %s recognition %s %s added by %s", enterprise.pk, kind, year, by.pk)
    return recognition, created


@transaction.atomic
def enterprise_recognition_delete(*, recognition: EnterpriseRecognition, by: User) -> None:
    _check_own_file(enterprise=recognition.enterprise, by=by)
    recognition.delete()


def _columns(file_field: FileField, value) -> dict:
    """The figure's value in the column of its field's type."""
    columns = {"decimal_value": None, "boolean_value": None, "text_value": ""}
    kind = file_field.field_type
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValidationError({file_field.name: _("请选择是或否。")})
        columns["boolean_value"] = value
    elif kind in ("decimal", "integer"):
        # Read as the figure is read on every form (measures.numbers): within its ceiling and
        # decimal places, so that it reads back as it was written.
        try:
            number = declared_form_field(file_field.track_field).clean(value)
        except ValidationError as error:
            raise ValidationError({file_field.name: error.messages}) from None
        columns["decimal_value"] = number
    else:
        columns["text_value"] = str(value)
    return columns


def _figures_write(
    *, enterprise: Enterprise, year: int, values: Mapping[str, Any], source_application=None
) -> int:
    """Set the year's figures of ``values`` (a value of None or "" removes the figure).
    Returns how many figures changed."""
    fields = file_fields()
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ValidationError(
            _("政策数据中没有这些字段：%(names)s") % {"names": "、".join(unknown)}
        )
    existing = {
        figure.name: figure
        for figure in EnterpriseFigure.objects.select_for_update().filter(
            enterprise=enterprise, year=year, name__in=list(values)
        )
    }
    changed = 0
    for name, value in values.items():
        figure = existing.get(name)
        if value is None or value == "":
            if figure is not None:
                figure.delete()
                changed += 1
            continue
        columns = _columns(fields[name], value)
        if figure is None:
            figure = EnterpriseFigure(enterprise=enterprise, name=name, year=year, **columns)
            figure.source_application = source_application
            figure.full_clean(exclude=["enterprise", "source_application"], validate_unique=False)
            figure.save()
            changed += 1
        elif any(getattr(figure, column) != v for column, v in columns.items()):
            for column, v in columns.items():
                setattr(figure, column, v)
            figure.source_application = source_application
            figure.full_clean(exclude=["enterprise", "source_application"], validate_unique=False)
            figure.save()
            changed += 1
    return changed


@transaction.atomic
def enterprise_figures_set(
    *, enterprise: Enterprise, by: User, year: int, values: Mapping[str, Any]
) -> int:
    """Set the enterprise's figures of ``year``: each name must be a declared-field name of the
    policy data, its value of that field's type; None or "" removes a figure. Returns how many
    changed."""
    _check_own_file(enterprise=enterprise, by=by)
    # Serializes two saves of the same file, so that neither inserts a figure the other did.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    departments = department_figures_of_year(enterprise=enterprise, year=year)
    refused = {
        name: _("该项数据由%(source)s提供，以部门数据为准，企业不能修改。")
        % {"source": departments[name].provenance.source_name}
        for name in values
        if name in departments
    }
    if refused:
        raise ValidationError(refused)
    changed = _figures_write(enterprise=enterprise, year=year, values=values)
    if changed:
        logger.info(
            "enterprise %s figures of %s: %s changed by %s", enterprise.pk, year, changed, by.pk
        )
    return changed


# An application's figures are worth keeping once reviewers have approved them.
SAVABLE_STATES = ("approved", "disbursed")


@transaction.atomic
def enterprise_file_save_application(*, application, by: User) -> int:
    """Copy an approved application's declared figures into its enterprise's file, for the
    year of its window. Running it again changes nothing. Returns how many figures changed."""
    enterprise = application.enterprise
    _check_own_file(enterprise=enterprise, by=by)
    if application.state not in SAVABLE_STATES:
        raise ValidationError(_("申报批准后才能将申报数据保存到企业档案。"))
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    names = set(file_fields())
    # A department's figure stays the file's: the application's own is not saved over it.
    departments = department_figures_of_year(enterprise=enterprise, year=application.window.year)
    values = {
        name: value
        for name, value in application.declared_values().items()
        if name in names and value not in (None, "") and name not in departments
    }
    changed = _figures_write(
        enterprise=enterprise,
        year=application.window.year,
        values=values,
        source_application=application,
    )
    if changed:
        logger.info(
            "enterprise %s saved application %s into its file (%s figures) by %s",
            enterprise.pk,
            application.pk,
            changed,
            by.pk,
        )
    return changed


# ── 对部门数据有异议: an enterprise's report against a department's figure ─────────────────────


def _yes_no(value) -> bool:
    """是/否 as the forms give it (a bool) or as text; nothing else is taken."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "是"}:
        return True
    if text in {"false", "否"}:
        return False
    raise ValidationError({"value": _("请选择是或否。")})


@transaction.atomic
def disagreement_report(
    *,
    enterprise: Enterprise,
    figure: DepartmentFigure | None = None,
    recognition: DepartmentRecognition | None = None,
    value,
    reason: str,
    by: User,
) -> DepartmentDisagreement:
    """Record the enterprise's report that a department's current word about it is wrong:
    ``figure`` (a number, read by the one number parser, or a yes/no) or ``recognition`` (held
    or not, a yes/no), with the value it holds to be right and why. A yes/no that says what the
    department says is no disagreement. The department's data itself is left as it is. The
    system administrators are told."""
    if (figure is None) == (recognition is None):
        raise TypeError("disagreement_report takes a figure or a recognition, exactly one")
    _check_own_file(enterprise=enterprise, by=by)
    target = figure if figure is not None else recognition
    if target.credit_code != enterprise.credit_code or not target.current:
        raise ValidationError(_("只能对本企业当前有效的部门数据提出异议。"))
    claimed_value = claimed_boolean = None
    if figure is not None and figure.decimal_value is not None:
        claimed_value = parse_number(value, minimum=None, money=False)
    else:
        department = recognition.held if recognition is not None else figure.boolean_value
        if department is None:
            raise ValidationError(_("只能对部门的数值、是/否数据或认定数据提出异议。"))
        claimed_boolean = _yes_no(value)
        if claimed_boolean == department:
            raise ValidationError(
                {"value": _("所选与部门数据相同，不是异议。请选择企业认为正确的一项。")}
            )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请说明异议理由。")})
    validate_no_bidi_controls(reason)
    disagreement = DepartmentDisagreement(
        enterprise=enterprise,
        figure=figure,
        recognition=recognition,
        claimed_value=claimed_value,
        claimed_boolean=claimed_boolean,
        reason=reason,
        reported_by=by,
    )
    disagreement.full_clean(exclude=["enterprise", "figure", "recognition", "reported_by"])
    disagreement.save()
    logger.info(
        "enterprise %s disagrees with department %s %s (%s)",
        enterprise.pk,
        "figure" if figure is not None else "recognition",
        target.pk,
        by.pk,
    )
    disagreement_reported.send(sender=DepartmentDisagreement, disagreement=disagreement)
    return disagreement


@transaction.atomic
def disagreement_answer(
    *, disagreement: DepartmentDisagreement, answer: str, by: User
) -> DepartmentDisagreement:
    """The administrators' answer to a report; once. The enterprise's users are told."""
    if not roles.is_administrator(by):
        raise PermissionDenied(_("只有系统管理员可以答复部门数据异议。"))
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("请填写答复。")})
    validate_no_bidi_controls(answer)
    disagreement = DepartmentDisagreement.objects.select_for_update().get(pk=disagreement.pk)
    if not can_proceed(disagreement.reply):
        raise ValidationError(_("该异议已经答复，不能再次答复。"))
    disagreement.reply()
    disagreement.answer = answer
    disagreement.answered_by = by
    disagreement.answered_at = timezone.now()
    disagreement.save()
    disagreement_answered.send(sender=DepartmentDisagreement, disagreement=disagreement)
    return disagreement
