"""统一社会信用代码 (unified social credit code), GB 32100-2015: shared by the rooms that read
one, the enterprises' registration and the departments' data."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The code's alphabet: digits and capitals without I, O, Z, S, V.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first17: str) -> str:
    total = sum(CHARSET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    return (value or "").strip().upper()


def validate_credit_code(value: str) -> None:
    code = normalize_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(length)d位。"),
            code="length",
            params={"length": len(code)},
        )
    bad = sorted({char for char in code if char not in CHARSET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用I、O、Z、S、V）。"),
            code="charset",
            params={"chars": "、".join(bad)},
        )
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位不正确，请核对后重新输入。"),
            code="checksum",
        )
