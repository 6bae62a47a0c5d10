"""Data sources and their files, for the tests of 部门数据."""

import csv
import hashlib
import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from openpyxl import Workbook

from departments import jobs
from departments.imports import import_file
from departments.models import DataSource, SourceField
from measures.recognitions import Recognition
from tests.enterprises.factories import make_credit_code

HEADER = ["统一社会信用代码", "年度", "工业增加值", "首次突破", "单项冠军"]


def statistics_bureau(**overrides) -> DataSource:
    """统计局, 2020 on: 工业增加值 (an amount), 首次突破 (yes/no) and 单项冠军 (a recognition)."""
    values = {"name": "统计局", "code": "statistics", "first_year": 2020, **overrides}
    source = DataSource.objects.create(**values)
    SourceField.objects.create(
        source=source,
        header="工业增加值",
        figure_name="industrial_added_value",
        tolerance=Decimal("0.01"),
    )
    SourceField.objects.create(source=source, header="首次突破", figure_name="first_breakthrough")
    SourceField.objects.create(
        source=source, header="单项冠军", recognition=Recognition.SINGLE_CHAMPION
    )
    return source


def code(seed: int) -> str:
    return make_credit_code(70000 + seed)


def csv_bytes(rows, *, header=HEADER, encoding="utf-8") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows, *, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(source, content: bytes, *, by=None, apply=True, name="data.csv"):
    return import_file(
        source=source, binary=io.BytesIO(content), file_name=name, by=by, apply=apply
    )


def department_figures(
    credit_code: str, figures: dict, *, year: int, source_name="经信委认定", recognitions=()
):
    """Import ``figures`` ({figure name: value}) and ``recognitions`` (held) of ``year`` for
    ``credit_code`` as a source's batch, through the import itself: the source (created where
    missing) maps a column to each. Values: Decimal or text for a number, True/False for 是/否."""
    from departments.imports import import_rows
    from departments.models import ImportBatch

    source, _created = DataSource.objects.get_or_create(
        name=source_name, defaults={"code": f"source-{source_name}", "first_year": 2000}
    )
    for name in figures:
        SourceField.objects.get_or_create(source=source, header=name, figure_name=name)
    for kind in recognitions:
        SourceField.objects.get_or_create(source=source, header=kind, recognition=kind)

    def cell(value):
        if isinstance(value, bool):
            return "是" if value else "否"
        return format(value, "f") if isinstance(value, Decimal) else str(value)

    header = ["统一社会信用代码", "年度", *figures, *recognitions]
    row = [
        credit_code,
        str(year),
        *(cell(value) for value in figures.values()),
        *("是" for _kind in recognitions),
    ]
    outcome = import_rows(
        source=source,
        rows=iter([(1, header), (2, row)]),
        channel=ImportBatch.Channel.API,
        sha256=f"{credit_code}-{year}-{len(header)}".ljust(64, "0")[:64],
        by=None,
        apply=True,
    )
    assert not outcome.refused, outcome.report()
    return outcome


def previewed_job(source, content: bytes, *, by, name="data.csv"):
    """A job of ``content`` staged as the upload stages it, previewed as the worker does."""
    sha256 = hashlib.sha256(content).hexdigest()
    staged = default_storage.save(f"department-imports/staging/{sha256}.csv", ContentFile(content))
    job = jobs.import_job_create(
        source=source, staged_name=staged, file_name=name, sha256=sha256, by=by
    )
    jobs.import_job_preview(job_id=job.pk)
    job.refresh_from_db()
    return job
