"""The dashboard's charts: what each shows, its table and what its chart plots.

Each chart reads its rows with one query (``dashboard.selectors``), kept in the cache for
``DASHBOARD_CACHE_SECONDS`` per scope, so that the page costs the database little however many
people open it; its table (labels and exact amounts) is built from the rows on every request,
in the reader's language. The chart plots amounts in 万元 and the table shows them exactly.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from applications.models import State
from enterprises.districts import District
from measures.money import WAN, format_yuan
from ratings.models import RatingStage
from ratings.permissions import may_read_ratings
from ratings.selectors import withheld_label

from . import selectors
from .permissions import Scope

logger = logging.getLogger(__name__)

TEXT, COUNT, MONEY, DAYS, SCORE, PERCENT = "text", "count", "money", "days", "score", "percent"


class Withheld:
    """A figure not shown: too few ratings behind it (ratings.selectors.MIN_RATINGS_SHOWN).
    The table and the download say so in its place; the chart draws nothing."""

    def __str__(self) -> str:
        return withheld_label()


WITHHELD = Withheld()


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT
    # Plotted on the chart, on the left (0) or the right (1) axis; None: in the table only.
    axis: int | None = None


@dataclass
class Table:
    """A chart's figures: its columns, its rows of raw values, and lines below the table."""

    chart: "Chart"
    columns: list[Column]
    rows: list[list]
    summary: list[tuple[str, str]] = field(default_factory=list)
    # Drawn instead of the plotted columns, stacked into one bar per category: parts of a whole.
    stacked: list[tuple[str, str, list]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.chart.key

    @property
    def title(self) -> str:
        return str(self.chart.title)

    @property
    def drawn(self) -> bool:
        """Whether the chart has anything to draw: not when every plotted figure is withheld
        (a chart of empty axes); the table below says why."""
        plotted = [index for index, column in enumerate(self.columns) if column.axis is not None]
        return bool(self.rows) and (
            bool(self.stacked)
            or any(not isinstance(row[index], Withheld) for row in self.rows for index in plotted)
        )

    def cell_rows(self) -> list[list[dict]]:
        """Each row's cells as the page shows them: text, and whether it is a number."""
        return [
            [
                {"text": format_value(value, column.kind), "numeric": column.kind != TEXT}
                for value, column in zip(row, self.columns, strict=True)
            ]
            for row in self.rows
        ]

    def plot(self) -> dict:
        """What static/js/stats.js draws: categories and one series per plotted column, or
        per part of a stacked bar."""
        if self.stacked:
            return self._plot(
                [
                    {
                        "name": str(label),
                        "axis": 0,
                        "unit": str(PLOT_UNITS[kind]),
                        "stack": "whole",
                        # The last part is what is left: drawn pale.
                        "muted": index == len(self.stacked) - 1,
                        "values": [plot_value(value, kind) for value in values],
                    }
                    for index, (label, kind, values) in enumerate(self.stacked)
                ]
            )
        return self._plot(
            [
                {
                    "name": str(column.label),
                    "axis": column.axis,
                    "unit": str(PLOT_UNITS[column.kind]),
                    # A score is read against the whole scale, 1 to 5.
                    "max": 5 if column.kind == SCORE else None,
                    "values": [plot_value(row[index], column.kind) for row in self.rows],
                }
                for index, column in enumerate(self.columns)
                if column.axis is not None
            ]
        )

    def _plot(self, series: list[dict]) -> dict:
        return {
            "key": self.key,
            "type": self.chart.kind,
            "categories": [str(row[0]) for row in self.rows],
            "series": series,
        }


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    query: Callable[[Scope], object]
    build: Callable[["Chart", object, Scope], Table]
    kind: str = "bar"  # "bar", or "pie" for shares of a whole
    # The service ratings: shown to those who read ratings (the administrators) only.
    ratings: bool = False


PLOT_UNITS = {
    COUNT: _("件"),
    MONEY: _("万元"),
    DAYS: _("天"),
    SCORE: _("分"),
    PERCENT: "%",
    TEXT: "",
}


def format_value(value, kind: str) -> str:
    if isinstance(value, Withheld):
        return str(value)
    if value is None:
        return "—"
    if kind == MONEY:
        return format_yuan(value)
    if kind == COUNT:
        return f"{value:,}"
    if kind == DAYS:
        return f"{value:.1f}"
    if kind == SCORE:
        return f"{value:.2f}"
    if kind == PERCENT:
        return f"{value:.1f}%"
    return str(value)


def plot_value(value, kind: str):
    if value is None or isinstance(value, Withheld):
        return None
    if kind == MONEY:
        return float(round(Decimal(value) / WAN, 2))
    if kind in (DAYS, PERCENT):
        return round(float(value), 1)
    if kind == SCORE:
        return round(float(value), 2)
    return value


def measure_label(number: int, title: str = "") -> str:
    label = _("第%(number)s条") % {"number": number}
    return f"{label} {title}" if title else str(label)


def district_label(code: str) -> str:
    try:
        return str(District(code).label)
    except ValueError:
        return code


# ── the charts ─────────────────────────────────────────────────────────────────────────────


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


# ── reading them, through the cache ────────────────────────────────────────────────────────


def _cache_key(chart: Chart, scope: Scope) -> str:
    return f"dashboard:{chart.key}:{scope.key}"


def cached_rows(key: str, query: Callable[[], object]):
    """``query()``'s result, kept for DASHBOARD_CACHE_SECONDS (0: not cached). A cache that
    cannot be reached is a help missing, not an error: the figures are read afresh."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return query()
    try:
        rows = cache.get(key)
    except Exception:
        logger.warning("cache unreachable: %s is read afresh", key, exc_info=True)
        return query()
    if rows is None:
        rows = query()
        try:
            cache.set(key, rows, seconds)
        except Exception:
            logger.warning("cache unreachable: %s is not kept", key, exc_info=True)
    return rows


def chart_table(chart: Chart, scope: Scope) -> Table:
    rows = cached_rows(_cache_key(chart, scope), lambda: chart.query(scope))
    return chart.build(chart, rows, scope)


def dashboard_tables(scope: Scope, charts: list[Chart]) -> list[Table]:
    """Each of ``charts``' tables, the cached ones read in one round trip to the cache."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    keys = {chart.key: _cache_key(chart, scope) for chart in charts}
    found = {}
    if seconds:
        try:
            found = cache.get_many(keys.values())
        except Exception:
            logger.warning("cache unreachable: the dashboard is read afresh", exc_info=True)
            seconds = 0
    tables, fresh = [], {}
    for chart in charts:
        key = keys[chart.key]
        rows = found.get(key)
        if rows is None:
            rows = fresh[key] = chart.query(scope)
        tables.append(chart.build(chart, rows, scope))
    if seconds and fresh:
        try:
            cache.set_many(fresh, seconds)
        except Exception:
            logger.warning("cache unreachable: the dashboard is not kept", exc_info=True)
    return tables
