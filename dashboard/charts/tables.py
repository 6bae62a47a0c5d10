"""What a chart is and how its figures read: its columns and their kinds, its table, the
values as the table shows them and as the chart plots them (amounts in 万元)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from dashboard.permissions import Scope
from enterprises.districts import District
from measures.money import WAN, format_yuan
from ratings.selectors import withheld_label

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
