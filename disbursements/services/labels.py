"""How the batch pages and messages name things: a transition, a moment, why a batch cannot
take a transition now, and the Chinese titles a batch line records."""

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from enterprises.districts import District
from measures.models import Track
from policy_portal.roles import person_label

from ..models import BATCH_TRANSITION_LABELS, BatchState, DisbursementBatch


def transition_label(action: str) -> str:
    return str(BATCH_TRANSITION_LABELS.get(action, action))


def moment_label(moment) -> str:
    """A moment as the batch pages and messages write it: 2026-11-25 10:30, local time."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def unavailable_reason(batch: DisbursementBatch, name: str) -> str | None:
    """Why ``batch`` cannot take transition ``name`` now, naming who moved it to where it
    stands and when; None when it can."""
    method = getattr(batch, name)
    if can_proceed(method):
        return None
    values = {"number": batch.number, "action": transition_label(name)}
    if batch.state == BatchState.PAID:
        return _(
            "批次%(number)s已于%(when)s由%(person)s确认拨付（银行流水号%(reference)s），"
            "不能%(action)s。"
        ) % {
            **values,
            "when": moment_label(batch.paid_confirmed_at),
            "person": person_label(batch.paid_confirmed_by),
            "reference": batch.bank_reference,
        }
    if batch.state == BatchState.CANCELLED:
        return _("批次%(number)s已于%(when)s由%(person)s作废，不能%(action)s。") % {
            **values,
            "when": moment_label(batch.cancelled_at),
            "person": person_label(batch.cancelled_by),
        }
    if batch.state == BatchState.FROZEN and name == "freeze":
        return _("批次%(number)s已于%(when)s由%(person)s锁定，不能再次锁定。") % {
            **values,
            "when": moment_label(batch.frozen_at),
            "person": person_label(batch.frozen_by),
        }
    if batch.state == BatchState.DRAFT and name == "mark_paid":
        return _("批次%(number)s尚未锁定，锁定后方可确认拨付。") % values
    if can_proceed(method, check_conditions=False):
        return _("批次%(number)s中没有申报，不能%(action)s。") % values
    return _("批次%(number)s当前为“%(state)s”，不能%(action)s。") % {
        **values,
        "state": batch.get_state_display(),
    }


class _Labels:
    """The district's name and the measure's and track's titles a line records, in Chinese,
    the language of the bank's and the treasury's lists."""

    def __init__(self):
        with translation.override("zh-hans"):
            self.districts = {d.value: str(d.label) for d in District}
            rows = list(
                Track.objects.values_list(
                    "pk", "measure_id", "measure__number", "measure__title", "name"
                )
            )
            self.tracks = {
                pk: (f"第{number}条 {title}", name) for pk, _m, number, title, name in rows
            }
            self.measures = {pk: measure for pk, measure, *_rest in rows}

    def district(self, code: str) -> str:
        return self.districts.get(code, "")

    def track(self, pk: int) -> tuple[str, str]:
        return self.tracks[pk]

    def tracks_of(self, measure_id: int) -> set[int]:
        return {pk for pk, measure in self.measures.items() if measure == measure_id}
