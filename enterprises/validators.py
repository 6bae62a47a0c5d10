"""统一社会信用代码 (unified social credit code), GB 32100-2015."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The check lives in policy_portal, where the departments' data reads it too; re-exported
# here for the enterprises' callers.
from policy_portal.credit_code import (  # noqa: F401
    CHARSET,
    WEIGHTS,
    credit_code_check_character,
    normalize_credit_code,
    validate_credit_code,
)

# Characters that reorder or hide text (bidirectional controls such as U+202E): in a name they
# make one enterprise look like another in a list or an export.
BIDI_CONTROLS = frozenset(
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
)


def validate_no_bidi_controls(value: str) -> None:
    if value and any(char in BIDI_CONTROLS for char in value):
        raise ValidationError(_("不能包含改变文字方向的控制字符。"), code="bidi")
