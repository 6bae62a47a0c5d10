"""The password rules as Django password validators (``AUTH_PASSWORD_VALIDATORS``): every form
that sets a password (registration, the change and reset pages, the administrators' forms)
and ``validate_password`` apply them."""

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .history import KEPT, latest_passwords

CLASSES = 4  # upper case, lower case, digits, symbols


def character_classes(password: str) -> int:
    """How many of the four kinds of character ``password`` uses; a symbol is anything that is
    neither a letter nor a digit."""
    return sum(
        (
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


def is_official(user) -> bool:
    return bool(user is not None and getattr(user, "is_staff", False))


class OfficialPasswordValidator:
    """Officials' passwords: at least ``min_length`` characters of at least ``min_classes`` of
    the four kinds. Enterprises' accounts keep Django's rules."""

    def __init__(self, min_length: int = 12, min_classes: int = 3):
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if not is_official(user):
            return
        errors = []
        if len(password) < self.min_length:
            errors.append(
                ValidationError(
                    ngettext(
                        "工作人员的密码至少需要 %(min_length)d 个字符。",
                        "工作人员的密码至少需要 %(min_length)d 个字符。",
                        self.min_length,
                    ),
                    code="official_password_too_short",
                    params={"min_length": self.min_length},
                )
            )
        if character_classes(password) < self.min_classes:
            errors.append(
                ValidationError(
                    _(
                        "工作人员的密码须包含大写字母、小写字母、数字、符号中的至少 "
                        "%(min_classes)d 类。"
                    ),
                    code="official_password_too_simple",
                    params={"min_classes": self.min_classes},
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _(
            "工作人员的密码至少 %(min_length)d 个字符，包含大写字母、小写字母、数字、符号中的至少 "
            "%(min_classes)d 类，每 %(days)d 天须更换。"
        ) % {
            "min_length": self.min_length,
            "min_classes": self.min_classes,
            "days": settings.OFFICIAL_PASSWORD_MAX_AGE_DAYS,
        }


class PasswordHistoryValidator:
    """No one sets again one of their last five passwords (the current one included)."""

    def __init__(self, count: int = KEPT):
        self.count = count

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        hashes = [entry.password for entry in latest_passwords(user, self.count)]
        if user.has_usable_password() and user.password not in hashes:
            # An account from before the history was kept: its current password counts too.
            hashes.insert(0, user.password)
        if any(check_password(password, encoded) for encoded in hashes[: self.count]):
            raise ValidationError(
                ngettext(
                    "新密码不能与最近 %(count)d 次使用过的密码相同。",
                    "新密码不能与最近 %(count)d 次使用过的密码相同。",
                    self.count,
                ),
                code="password_reused",
                params={"count": self.count},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "新密码不能与最近 %(count)d 次使用过的密码相同。",
            "新密码不能与最近 %(count)d 次使用过的密码相同。",
            self.count,
        ) % {"count": self.count}
