"""An application's states, what its transitions are called, and the plain values read off it.

Below the models: the models, the selectors and the permissions all import from here.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    DISTRICT_REVIEW = "district_review", _("区县审核中")
    MUNICIPAL_REVIEW = "municipal_review", _("市级审核中")
    APPROVED = "approved", _("已批准")
    DISBURSED = "disbursed", _("已拨付")
    RETURNED = "returned", _("已退回修改")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")
    EXPIRED = "expired", _("已过期")


# What each transition is called where people read it: buttons, timelines, notifications.
TRANSITION_LABELS = {
    "submit": _("提交申报"),
    "resubmit": _("重新提交"),
    "withdraw": _("撤回"),
    "district_approve": _("区县审核通过"),
    "district_return": _("区县退回修改"),
    "district_reject": _("区县审核不通过"),
    "municipal_approve": _("市级审核通过"),
    "municipal_return": _("市级退回修改"),
    "municipal_reject": _("市级审核不通过"),
    "disburse": _("拨付"),
    "payment_failed": _("拨付失败，银行退回"),
    "expire": _("逾期未提交，自动过期"),
    "objection_upheld": _("公示异议成立，退回市级审核"),
}


def transition_label(name: str) -> str:
    """What a transition is called where people read it."""
    return str(TRANSITION_LABELS.get(name, name))


# States in which an application no longer blocks a new one for the same track and window.
CLOSED_STATES = (State.REJECTED, State.WITHDRAWN, State.EXPIRED)
# States whose approved amount counts against the window's budget.
BUDGETED_STATES = (State.APPROVED, State.DISBURSED)
EDITABLE_STATES = (State.DRAFT, State.RETURNED)
# Submitted and not paid yet, nor closed: the window's time limit to payment runs.
UNPAID_STATES = (State.DISTRICT_REVIEW, State.MUNICIPAL_REVIEW, State.APPROVED, State.RETURNED)


def reference_label(reference: str | None, created_at) -> str:
    """How an application is named where people read it: its reference, or for a draft that
    has none yet, 草稿 and when it was created, which is how an enterprise tells its drafts
    apart."""
    if reference:
        return reference
    return str(
        _("草稿 · 创建于 %(created)s")
        % {"created": timezone.localtime(created_at).strftime("%Y-%m-%d %H:%M")}
    )


@dataclass(frozen=True)
class PaymentLimit:
    """Where an application stands against its window's time limit to payment, in working
    days: ``used`` since the first submission, ``left`` until the limit, ``over`` past it."""

    due_at: datetime
    used: int
    left: int
    over: int
    running: bool
    # The clock stopped (or today is) after the limit's day.
    past: bool
    # Years up to the limit whose holidays are not entered yet: counted Monday to Friday.
    unknown_years: tuple[int, ...] = ()

    @property
    def finished(self) -> bool:
        """Paid: the clock has stopped for good."""
        return not self.running
