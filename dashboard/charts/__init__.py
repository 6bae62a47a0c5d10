"""The dashboard's charts: what each shows, its table and what its chart plots.

Each chart reads its rows with one query (``dashboard.selectors``), kept in the cache for
``DASHBOARD_CACHE_SECONDS`` per scope, so that the page costs the database little however many
people open it; its table (labels and exact amounts) is built from the rows on every request,
in the reader's language. The chart plots amounts in 万元 and the table shows them exactly.
"""

from .catalogue import CHARTS, CHARTS_BY_KEY, STAGE_LABELS, charts_for
from .reading import cached_rows, chart_table, dashboard_tables
from .tables import (
    COUNT,
    DAYS,
    MONEY,
    PERCENT,
    PLOT_UNITS,
    SCORE,
    TEXT,
    WITHHELD,
    Chart,
    Column,
    Table,
    Withheld,
    district_label,
    format_value,
    measure_label,
    plot_value,
)

__all__ = [
    "CHARTS",
    "CHARTS_BY_KEY",
    "COUNT",
    "DAYS",
    "MONEY",
    "PERCENT",
    "PLOT_UNITS",
    "SCORE",
    "STAGE_LABELS",
    "TEXT",
    "WITHHELD",
    "Chart",
    "Column",
    "Table",
    "Withheld",
    "cached_rows",
    "chart_table",
    "charts_for",
    "dashboard_tables",
    "district_label",
    "format_value",
    "measure_label",
    "plot_value",
]
