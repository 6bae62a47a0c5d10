"""A measure's guide (申兑指南): who may apply, on what conditions, with which documents, for how
much, when, the steps from the application to the payment (who takes each, in how many working
days), how long it takes, and whom to ask.

Everything is read from the policy data ``measures.selectors.measure_get`` has fetched (the
measure with its division, active tracks, fields, thresholds and current windows): building a
guide runs no query. A part that reads the same for every track of a measure is given once for
the measure; the others track by track.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from .models import ApplicationWindow, EligibilityThreshold, Measure, Track, TrackField
from .money import format_yuan

DATE_FORMAT = "Y年n月j日 H:i"


@dataclass(frozen=True)
class GuideItem:
    key: str
    label: str
    lines: tuple[str, ...]


@dataclass
class TrackGuide:
    track: Track
    items: list[GuideItem] = field(default_factory=list)


@dataclass
class Contact:
    division: str
    phone: str = ""
    address: str = ""
    office_hours: str = ""

    @property
    def published(self) -> bool:
        return bool(self.phone or self.address or self.office_hours)


@dataclass
class MeasureGuide:
    measure: Measure
    common: list[GuideItem]
    tracks: list[TrackGuide]
    contact: Contact


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def _figure(value: Decimal, track_field: TrackField | None) -> str:
    if track_field is not None and track_field.is_money:
        return format_yuan(value)
    unit = track_field.unit if track_field is not None else ""
    return f"{value.normalize():f}{unit}"


def condition_text(threshold: EligibilityThreshold, track_field: TrackField | None) -> str:
    """A threshold in plain Chinese, with the notice's own words: "年累计采购额不低于1亿元
    （通知原文：年累计采购额在1亿元及以上）"."""
    label = track_field.label if track_field is not None else threshold.field_name
    operator = EligibilityThreshold.Operator
    if threshold.operator == operator.TRUE or threshold.value is None:
        condition = _("须满足“%(label)s”") % {"label": label}
    elif threshold.operator == operator.GT:
        condition = _("%(label)s高于%(value)s") % {
            "label": label,
            "value": _figure(threshold.value, track_field),
        }
    else:
        condition = _("%(label)s不低于%(value)s") % {
            "label": label,
            "value": _figure(threshold.value, track_field),
        }
    if threshold.text:
        condition += _("（通知原文：%(text)s）") % {"text": threshold.text}
    return condition


def amount_text(track: Track, fields: dict[str, TrackField]) -> str:
    """What the track pays, in plain Chinese, amounts read as format_yuan reads them."""

    def label(name: str) -> str:
        return fields[name].label if name in fields else name

    if track.is_formula:
        text = _("按%(base)s的 %(rate)s 计算") % {
            "base": label(track.base_field),
            "rate": _percent(track.rate),
        }
        if track.base_limit_rate is not None and track.base_limit_field:
            text += _("（%(base)s最多按%(limit)s的 %(rate)s 计）") % {
                "base": label(track.base_field),
                "limit": label(track.base_limit_field),
                "rate": _percent(track.base_limit_rate),
            }
        if track.floor is not None:
            text += _("，最低 %(floor)s") % {"floor": format_yuan(track.floor)}
        if track.cap is not None:
            text += _("，最高 %(cap)s") % {"cap": format_yuan(track.cap)}
    elif track.floor is not None and track.cap is not None:
        text = _("%(floor)s至%(cap)s，由审核部门在此范围内核定") % {
            "floor": format_yuan(track.floor),
            "cap": format_yuan(track.cap),
        }
    elif track.floor is not None:
        text = _("%(floor)s及以上，由审核部门核定") % {"floor": format_yuan(track.floor)}
    elif track.cap is not None:
        text = _("最高 %(cap)s，由审核部门核定") % {"cap": format_yuan(track.cap)}
    else:
        text = _("金额由审核部门核定")
    if track.cap_period != Track.CapPeriod.APPLICATION:
        text += _("（上限口径：%(period)s）") % {"period": track.get_cap_period_display()}
    return text


def _when(moment) -> str:
    return dateformat.format(timezone.localtime(moment), DATE_FORMAT)


def _window_lines(open_windows, upcoming) -> tuple[str, ...]:
    if open_windows:
        return tuple(
            _("%(name)s：%(opens)s 至 %(closes)s")
            % {
                "name": w.name,
                "opens": _when(w.opens_at),
                "closes": _when(w.closes_at),
            }
            for w in open_windows
        )
    if upcoming:
        w = upcoming[0]
        return (
            _("暂未开放申报"),
            _("下一批次：%(name)s，%(opens)s 至 %(closes)s")
            % {
                "name": w.name,
                "opens": _when(w.opens_at),
                "closes": _when(w.closes_at),
            },
        )
    return (_("暂未开放申报"),)


def processing_text(days: int) -> str:
    return _("自提交之日起%(days)s个工作日内办结") % {"days": days}


def _processing_lines(windows: list[ApplicationWindow]) -> tuple[str, ...]:
    if not windows:
        return (_("以申报批次公布的时限为准"),)
    if len({w.processing_days for w in windows}) == 1:
        return (processing_text(windows[0].processing_days),)
    return tuple(
        _("%(name)s：%(limit)s") % {"name": w.name, "limit": processing_text(w.processing_days)}
        for w in windows
    )


def _steps(window: ApplicationWindow | None, reviewer: str) -> tuple[str, ...]:
    """The steps from the enterprise's application to the payment: who takes each and in how
    many working days, as the window sets them (measures.models.ApplicationWindow)."""
    if window is None:
        district = municipal = _("时限以申报批次公布的为准")
        rest = _("时限以申报批次公布的为准")
    else:
        district = _("%(days)s个工作日内（自提交次日起）") % {"days": window.district_review_days}
        municipal = _("%(days)s个工作日内（自区县审核通过次日起）") % {
            "days": window.municipal_review_days
        }
        rest = _("市级审核通过后%(days)s个工作日内（全程自提交之日起%(total)s个工作日内办结）") % {
            # The model's clean keeps the time limit no shorter than the two reviews.
            "days": max(
                window.processing_days - window.district_review_days - window.municipal_review_days,
                0,
            ),
            "total": window.processing_days,
        }
    return (
        _("1. 企业申报（企业）：在申报时间内在线填写申报数据、上传材料并提交"),
        _("2. 区县审核（企业所在区县经济信息主管部门）：%(limit)s") % {"limit": district},
        _("3. 市级审核（%(reviewer)s）：核定支持金额，%(limit)s")
        % {"reviewer": reviewer, "limit": municipal},
        _("4. 公示（%(reviewer)s）：核定结果向社会公示，公示期内无成立的异议方可拨付")
        % {"reviewer": reviewer},
        _(
            "5. 资金拨付（财务部门）：编制拨付批次，经另一名财务人员复核后拨付到企业登记的银行账户；%(limit)s"
        )
        % {"limit": rest},
    )


def _procedure_lines(windows: list[ApplicationWindow], reviewer: str) -> tuple[str, ...]:
    """办理流程: one list of steps when the windows set the same working days, else each
    window's own, named."""
    if not windows:
        return _steps(None, reviewer)
    settings = {
        (w.district_review_days, w.municipal_review_days, w.processing_days) for w in windows
    }
    if len(settings) == 1:
        return _steps(windows[0], reviewer)
    lines: list[str] = []
    for w in windows:
        lines.append(_("%(name)s：") % {"name": w.name})
        lines.extend(_steps(w, reviewer))
    return tuple(lines)


def _reviewer(measure: Measure) -> str:
    """Who reviews at the municipal level and publishes the 公示: the measure's division
    (处室) when the policy data names one."""
    division = measure.division
    if division is not None and division.name:
        return division.name
    return _("市级主管部门")


def profile_conditions(track: Track) -> list[str]:
    """The conditions besides the thresholds, as matching weighs them (enterprises.matching): a
    recognition held, the industry, and what the enterprise must confirm in the notice's words."""
    # The labels of the recognitions are the enterprise file's; a leaf module of plain choices.
    from .recognitions import Recognition

    lines = []
    if track.recognitions:
        lines.append(
            # The years counted are measures.recognitions.counted_years': this one and the last.
            _("持有以下认定之一（申报年度或上一年度获得）：%(kinds)s")
            % {
                "kinds": "、".join(str(Recognition(kind).label) for kind in track.recognitions),
            }
        )
    if track.industry_text:
        lines.append(_("申报主体为%(text)s") % {"text": track.industry_text})
    lines.extend(_("须由企业确认：%(text)s") % {"text": text} for text in track.confirmations or ())
    return lines


def _track_items(measure: Measure, track: Track) -> list[GuideItem]:
    fields = {f.name: f for f in track.fields.all()}
    conditions = tuple(profile_conditions(track)) + tuple(
        condition_text(t, fields.get(t.field_name)) for t in track.thresholds.all()
    ) or (_("以申报对象和政策原文所列条件为准"),)
    open_windows = [w for w in measure.open_windows if w.covers(track)]
    upcoming = [w for w in getattr(measure, "upcoming_windows", []) if w.covers(track)]
    return [
        GuideItem(
            "applicants",
            _("申报对象"),
            (track.description or _("符合政策原文所列条件的企业"),),
        ),
        GuideItem("conditions", _("申报条件"), conditions),
        GuideItem(
            "documents",
            _("申报材料"),
            tuple(track.required_documents) or (_("按申报系统提示提交"),),
        ),
        GuideItem(
            "amounts",
            _("支持标准"),
            (amount_text(track, fields), _("通知原文：%(text)s") % {"text": track.rule_text}),
        ),
        GuideItem("window", _("申报时间"), _window_lines(open_windows, upcoming)),
        GuideItem(
            "procedure",
            _("办理流程"),
            _procedure_lines(open_windows or upcoming[:1], _reviewer(measure)),
        ),
        GuideItem("processing", _("办理时限"), _processing_lines(open_windows or upcoming[:1])),
    ]


def _contact(measure: Measure) -> Contact:
    division = measure.division
    if division is None:
        return Contact(division="")
    return Contact(
        division=division.name,
        phone=division.contact_phone,
        address=division.contact_address,
        office_hours=division.office_hours,
    )


def measure_guide(measure: Measure) -> MeasureGuide:
    """The guide of a measure fetched by ``measure_get``."""
    if not measure.is_funding:
        common = [
            GuideItem("how", _("办理方式"), (_("本条为工作举措，不受理资金申报。"),)),
        ]
        return MeasureGuide(measure=measure, common=common, tracks=[], contact=_contact(measure))
    tracks = [TrackGuide(track=t, items=_track_items(measure, t)) for t in measure.tracks.all()]
    common: list[GuideItem] = []
    if tracks:
        for index, item in enumerate(tracks[0].items):
            if all(guide.items[index] == item for guide in tracks[1:]):
                common.append(item)
        shared = {item.key for item in common}
        for guide in tracks:
            guide.items = [item for item in guide.items if item.key not in shared]
    return MeasureGuide(measure=measure, common=common, tracks=tracks, contact=_contact(measure))
