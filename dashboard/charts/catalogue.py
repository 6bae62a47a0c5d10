"""The dashboard's charts, one by one: what each shows, from which query, and its table built
from the query's rows in the reader's language; who is shown which."""

from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from applications.models import State
from dashboard import selectors
from measures.money import format_yuan
from ratings.models import RatingStage
from ratings.permissions import may_read_ratings

from .tables import (
    COUNT,
    DAYS,
    MONEY,
    SCORE,
    WITHHELD,
    Chart,
    Column,
    Table,
    district_label,
    format_value,
    measure_label,
)


def _by_state(chart, rows, scope) -> Table:
    return Table(
        chart,
        [Column(_("状态")), Column(_("申报数（件）"), COUNT, axis=0)],
        [[str(State(row["state"]).label), row["count"]] for row in rows],
        summary=[(_("合计"), format_value(sum(row["count"] for row in rows), COUNT))],
    )


def _by_measure(chart, rows, scope) -> Table:
    return Table(
        chart,
        [Column(_("政策措施")), Column(_("申报数（件）"), COUNT, axis=0)],
        [[measure_label(row["number"], row["title"]), row["count"]] for row in rows],
    )


def _money_by_window(chart, rows, scope) -> Table:
    columns = [
        Column(_("申报批次")),
        # The budget is the city's: beside a district's share it would only dwarf it.
        Column(_("预算（全市）") if scope.district else _("预算"), MONEY),
        Column(_("已核定"), MONEY, axis=0),
        Column(_("已拨付"), MONEY, axis=0),
    ]
    table = Table(
        chart,
        columns,
        [
            [
                f"{measure_label(row['number'])} · {row['name']}",
                row["budget"],
                row["approved"],
                row["paid"],
            ]
            for row in rows
        ],
    )
    if not scope.district:
        # What each budget holds: paid, approved not yet paid, and what is left, so that a
        # small approval still shows beside a large budget.
        table.stacked = [
            (_("已拨付"), MONEY, [row["paid"] for row in rows]),
            (_("已核定待拨付"), MONEY, [row["approved"] - row["paid"] for row in rows]),
            (
                _("预算余额"),
                MONEY,
                [max(row["budget"] - row["approved"], Decimal(0)) for row in rows],
            ),
        ]
    return table


def _money_by_measure(chart, rows, scope) -> Table:
    return Table(
        chart,
        [
            Column(_("政策措施")),
            Column(_("已核定"), MONEY, axis=0),
            Column(_("已拨付"), MONEY, axis=0),
        ],
        [
            [measure_label(row["number"], row["title"]), row["approved"], row["paid"]]
            for row in rows
        ],
        summary=[
            (_("已核定合计"), format_yuan(sum((row["approved"] for row in rows), Decimal(0)))),
            (_("已拨付合计"), format_yuan(sum((row["paid"] for row in rows), Decimal(0)))),
        ],
    )


def _by_district(chart, rows, scope) -> Table:
    return Table(
        chart,
        [
            Column(_("区县")),
            Column(_("申报数（件）"), COUNT, axis=1),
            Column(_("已核定"), MONEY, axis=0),
            Column(_("已拨付"), MONEY, axis=0),
        ],
        [
            [district_label(row["district"]), row["count"], row["approved"], row["paid"]]
            for row in rows
        ],
    )


STAGE_LABELS = {
    "district": _("区县审核（提交至区县审核通过）"),
    "municipal": _("市级审核（区县通过至市级批准）"),
    "payment": _("拨付（批准至拨付确认）"),
    "overall": _("全程（首次提交至拨付确认）"),
}


def _processing(chart, result, scope) -> Table:
    paid = result["paid"]
    within = result["paid_within_limit"]
    share = (
        _("%(share).1f%%（%(paid)s件中%(within)s件）")
        % {"share": 100 * within / paid, "paid": paid, "within": within}
        if paid
        else _("暂无拨付")
    )
    return Table(
        chart,
        [
            Column(_("办理环节")),
            Column(_("中位用时（天）"), DAYS, axis=0),
            Column(_("件数"), COUNT),
        ],
        [
            [str(STAGE_LABELS[row["stage"]]), row["median_days"], row["count"]]
            for row in result["stages"]
        ],
        summary=[(_("在办理时限内拨付"), str(share))],
    )


def _ratings(label, first: Callable[[dict], str]):
    def build(chart, rows, scope) -> Table:
        return Table(
            chart,
            [Column(label), Column(_("评价数"), COUNT), Column(_("平均分"), SCORE, axis=0)],
            [
                [first(row), row["count"], WITHHELD if row["withheld"] else row["average"]]
                for row in rows
            ],
        )

    return build


def _stage_label(code: str) -> str:
    try:
        return str(RatingStage(code).label)
    except ValueError:
        return code


CHARTS = [
    Chart("by-state", _("申报状态分布"), selectors.applications_by_state, _by_state, kind="pie"),
    Chart("by-measure", _("各政策措施申报数"), selectors.applications_by_measure, _by_measure),
    Chart(
        "money-by-window",
        _("各批次资金：预算、已核定、已拨付"),
        selectors.money_by_window,
        _money_by_window,
    ),
    Chart(
        "money-by-measure",
        _("各政策措施资金：已核定、已拨付"),
        selectors.money_by_measure,
        _money_by_measure,
    ),
    Chart("by-district", _("各区县申报与资金"), selectors.by_district, _by_district),
    Chart(
        "processing",
        _("办理用时（中位数）与按期拨付"),
        selectors.processing_times,
        _processing,
    ),
    Chart(
        "ratings-by-measure",
        _("服务评价：按政策措施"),
        selectors.ratings_by_measure,
        _ratings(_("政策措施"), lambda row: measure_label(row["number"], row["title"])),
        ratings=True,
    ),
    Chart(
        "ratings-by-district",
        _("服务评价：按区县"),
        selectors.ratings_by_district,
        _ratings(_("区县"), lambda row: district_label(row["district"])),
        ratings=True,
    ),
    Chart(
        "ratings-by-stage",
        _("服务评价：按办理环节"),
        selectors.ratings_by_stage,
        _ratings(_("评价环节"), lambda row: _stage_label(row["stage"])),
        ratings=True,
    ),
]
CHARTS_BY_KEY = {chart.key: chart for chart in CHARTS}


def charts_for(user) -> list[Chart]:
    """The charts ``user`` is shown: all of them to administrators, the others without the
    service ratings, which reviewers and finance do not read (ratings.permissions)."""
    reads_ratings = may_read_ratings(user)
    return [chart for chart in CHARTS if reads_ratings or not chart.ratings]
