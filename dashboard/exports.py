"""A chart's table as an XLSX workbook: the same rows as the page, amounts as numbers in 元."""

import io
import re

from .charts import COUNT, DAYS, MONEY, PERCENT, SCORE, TEXT, Table, Withheld

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters a sheet's name may not hold, and its length limit.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
FORMATS = {
    MONEY: {"num_format": "#,##0.00"},
    DAYS: {"num_format": "0.0"},
    SCORE: {"num_format": "0.00"},
    PERCENT: {"num_format": "0.0"},
    COUNT: {"num_format": "#,##0"},
}


def table_xlsx(table: Table, *, scope_label: str) -> bytes:
    """One sheet: the title and scope, the header, a row per category, then the summary lines.
    Text is written as text, so a name that looks like a formula stays a name."""
    import xlsxwriter

    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    workbook.set_properties({"title": table.title})
    sheet = workbook.add_worksheet(_SHEET_NAME_FORBIDDEN.sub(" ", table.title)[:31])
    bold = workbook.add_format({"bold": True})
    header = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    formats = {kind: workbook.add_format(spec) for kind, spec in FORMATS.items()}
    sheet.write_string(0, 0, table.title, bold)
    sheet.write_string(1, 0, scope_label)
    for column, spec in enumerate(table.columns):
        sheet.set_column(column, column, 44 if spec.kind == TEXT else 18)
        sheet.write_string(3, column, str(spec.label), header)
    row_number = 3
    for row in table.rows:
        row_number += 1
        for column, (value, spec) in enumerate(zip(row, table.columns, strict=True)):
            if value is None:
                continue
            if spec.kind == TEXT or isinstance(value, Withheld):
                sheet.write_string(row_number, column, str(value))
            else:
                sheet.write_number(row_number, column, float(value), formats[spec.kind])
    row_number += 1
    for label, value in table.summary:
        row_number += 1
        sheet.write_string(row_number, 0, str(label), bold)
        sheet.write_string(row_number, 1, str(value))
    sheet.freeze_panes(4, 0)
    workbook.close()
    return output.getvalue()
