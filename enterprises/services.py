"""Writes to enterprises and their users."""

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import roles
from .models import Enterprise, User
from .permissions import can_edit_enterprise_profile
from .validators import normalize_credit_code

logger = logging.getLogger(__name__)

# What an enterprise may change about itself. Its name and credit code identify it to the
# reviewers and on payouts, and its district decides which district reviews its applications,
# so only an administrator changes those (in the admin).
PROFILE_FIELDS = (
    "contact_name",
    "contact_phone",
    "industry",
    "scale",
    "bank_name",
    "bank_account",
)

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
    user = User(username=username, email=email, enterprise=enterprise)
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
def user_update_email(*, user: User, email: str) -> User:
    """Change a user's own email, the address password resets are sent to."""
    email = User.objects.normalize_email((email or "").strip())
    if not email:
        raise ValidationError({"email": _("请填写电子邮箱，找回密码时需要用到。")})
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": exc.error_list}) from exc
    if email != user.email:
        user.email = email
        user.save(update_fields=["email"])
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
