"""The award calculator: one function from a track and declared figures to a quote.

It reads the rule from the track (data loaded from the notice) and never from code, so a corrected
rule in the data file changes every quote without a deploy.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from .models import EligibilityThreshold, Track
from .money import format_yuan, round_to_fen


@dataclass(frozen=True)
class Quote:
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    # Formula tracks: the amount the rule gives (also the most a reviewer may approve).
    amount: Decimal | None = None
    # Reviewer-set tracks: the range the notice allows (None where it states no bound).
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    explanation: str = ""


def describe_value(value, track_field) -> str:
    """A declared figure as a reason quotes it: 是/否, an amount in yuan, or the number with
    its field's unit."""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if track_field is not None and track_field.is_money:
        return format_yuan(Decimal(value))
    unit = track_field.unit if track_field is not None else ""
    return f"{value}{unit}"


def _kept(track: Track, key: str, relation: str, build):
    """``build()`` of the track's prefetched ``relation``, kept on the track: matching reads the
    same track for thousands of files. Kept only where the relation was prefetched, a snapshot
    already; read afresh otherwise."""
    kept = track.__dict__.get(key)
    if kept is None:
        kept = build()
        if relation in getattr(track, "_prefetched_objects_cache", {}):
            track.__dict__[key] = kept
    return kept


def fields_by_name(track: Track) -> dict:
    """The track's fields, by name."""
    return _kept(
        track, "_fields_by_name", "fields", lambda: {f.name: f for f in track.fields.all()}
    )


def thresholds_of(track: Track) -> list[EligibilityThreshold]:
    """The track's thresholds."""
    return _kept(track, "_thresholds", "thresholds", lambda: list(track.thresholds.all()))


def _unmet_reasons(track: Track, declared: Mapping, fields: dict) -> list[str]:
    reasons = []
    for threshold in thresholds_of(track):
        value = declared.get(threshold.field_name)
        track_field = fields.get(threshold.field_name)
        label = track_field.label if track_field else threshold.field_name
        if value is None or value == "":
            reasons.append(
                _("未填写“%(label)s”，无法判断是否符合“%(condition)s”（通知第%(number)s条）。")
                % {"label": label, "condition": threshold.text, "number": track.measure.number}
            )
        elif not threshold.is_met(value):
            if threshold.operator == EligibilityThreshold.Operator.TRUE:
                reasons.append(
                    _("不符合申报条件：通知第%(number)s条要求“%(condition)s”。")
                    % {"condition": threshold.text, "number": track.measure.number}
                )
            else:
                reasons.append(
                    _(
                        "不符合申报条件：通知第%(number)s条要求“%(condition)s”，"
                        "申报的%(label)s为%(value)s。"
                    )
                    % {
                        "condition": threshold.text,
                        "number": track.measure.number,
                        "label": label,
                        "value": describe_value(value, track_field),
                    }
                )
    return reasons


def _formula_amount(
    track: Track, declared: Mapping, fields: dict, *, explain: bool = True
) -> tuple[Decimal | None, str, list]:
    base_value = declared.get(track.base_field)
    if base_value is None or base_value == "":
        label = fields[track.base_field].label if track.base_field in fields else track.base_field
        return None, "", [_("未填写“%(label)s”，无法计算金额。") % {"label": label}]
    base = Decimal(base_value)
    steps = []
    if explain:
        base_label = (
            fields[track.base_field].label if track.base_field in fields else track.base_field
        )
        steps.append(f"{base_label}{format_yuan(base)}")
    # Steps read as one sentence: "新增采购额3亿元 × 1% = 300万元，超过上限，按最高200万元计".
    if track.base_limit_rate is not None and track.base_limit_field:
        limit_value = declared.get(track.base_limit_field)
        if limit_value is None or limit_value == "":
            label = (
                fields[track.base_limit_field].label
                if track.base_limit_field in fields
                else track.base_limit_field
            )
            return None, "", [_("未填写“%(label)s”，无法计算金额。") % {"label": label}]
        limit = Decimal(limit_value) * track.base_limit_rate
        if base > limit:
            if explain:
                steps.append(
                    _("超过%(label)s的%(rate)s，按%(limit)s计")
                    % {
                        "rate": _percent(track.base_limit_rate),
                        "label": fields[track.base_limit_field].label,
                        "limit": format_yuan(round_to_fen(limit)),
                    }
                )
            base = limit
    amount = round_to_fen(track.rate * base, track.rounding)
    if explain:
        steps[-1] += _(" × %(rate)s = %(amount)s") % {
            "rate": _percent(track.rate),
            "amount": format_yuan(amount),
        }
    if track.cap is not None and amount > track.cap:
        amount = track.cap
        if explain:
            steps.append(_("超过上限，按最高%(cap)s计") % {"cap": format_yuan(track.cap)})
    if track.floor is not None and amount < track.floor:
        amount = track.floor
        if explain:
            steps.append(_("低于下限，按%(floor)s计") % {"floor": format_yuan(track.floor)})
    return amount, "，".join(steps), []


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def quote(track: Track, declared: Mapping, *, explain: bool = True) -> Quote:
    """Whether ``declared`` figures qualify for ``track`` and what they earn.

    ``declared`` maps field names to cleaned values (Decimal, int, bool or str), as the
    declared-figures form returns them. Without ``explain`` a formula's amount comes without
    the sentence that explains it (免申即享 computes thousands and shows none).
    """
    fields = fields_by_name(track)
    reasons = _unmet_reasons(track, declared, fields)
    if reasons:
        return Quote(eligible=False, reasons=reasons)
    if track.is_formula:
        amount, explanation, problems = _formula_amount(track, declared, fields, explain=explain)
        if problems:
            return Quote(eligible=False, reasons=problems)
        if amount <= 0:
            # Nothing to pay is not an award: such an application could never be approved.
            return Quote(
                eligible=False,
                reasons=[_("按申报数据测算的奖补金额为0，不符合申报条件。")],
                explanation=explanation,
            )
        return Quote(eligible=True, amount=amount, max_amount=amount, explanation=explanation)
    return Quote(
        eligible=True,
        min_amount=track.floor,
        max_amount=track.cap,
        explanation=_("金额由审核部门在通知规定的范围内确定：%(rule)s") % {"rule": track.rule_text},
    )
