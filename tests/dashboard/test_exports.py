"""A chart's table as a workbook: text cells hold the text as it is."""

from decimal import Decimal

from dashboard.charts import MONEY, TEXT, Chart, Column, Table
from dashboard.exports import table_xlsx
from tests.libreoffice import cells_as_shown, needs_libreoffice


def _table(categories: list[str]) -> Table:
    chart = Chart(key="by-name", title="按名称", query=lambda scope: None, build=None)
    return Table(
        chart=chart,
        columns=[Column("名称", TEXT), Column("金额", MONEY)],
        rows=[[name, Decimal("1.50")] for name in categories],
        summary=[("合计", "=SUM(B1)")],
    )


@needs_libreoffice
def test_text_that_looks_like_a_formula_or_a_number_is_shown_as_it_is(tmp_path):
    categories = ["=1+1", "﹦HYPERLINK(1)", "0310012345678901", "6228480000000000005"]

    shown = cells_as_shown(
        table_xlsx(_table(categories), scope_label="全市"), suffix=".xlsx", workdir=tmp_path
    )

    assert [row[0] for row in shown[4:8]] == categories
    assert shown[-1][:2] == ["合计", "=SUM(B1)"]
