"""The departments' data of the demo: a small 统计局 file and a 经信委认定 list, imported as an
administrator would (部门数据 › 导入批次), so that after a first run the demo enterprise's file
shows figures with their department and batch, and its 免申即享 proposal rests on them."""

import csv
import io
from decimal import Decimal

from django.utils import timezone

from departments.imports import import_file
from departments.models import DataSource, SourceField
from enterprises.models import User
from measures.recognitions import Recognition

from .common import DemoReport
from .enterprises import DEMO_ENTERPRISES, _credit_code

# (name, code, description, [(header, figure name or recognition kind, tolerance)]).
DEMO_SOURCES = [
    (
        "统计局",
        "statistics",
        "规模以上工业企业年度统计数据",
        [
            ("工业增加值", "industrial_added_value", Decimal("0.01")),
            ("首次突破10亿元", "first_breakthrough", Decimal("0")),
            ("实际到位投资", "actual_investment", Decimal("0.01")),
        ],
    ),
    (
        "经信委认定",
        "commission",
        "市经济信息委认定名单及首台（套）保险补偿备案",
        [
            ("制造业单项冠军", Recognition.SINGLE_CHAMPION, Decimal("0")),
            ("市级创新示范企业", Recognition.MUNICIPAL_INNOVATION_DEMO, Decimal("0")),
            ("首台（套）或首批次", "first_units_or_batch", Decimal("0")),
            ("保险金额", "insured_amount", Decimal("0")),
            ("实际投保年度保费", "annual_premium", Decimal("0")),
        ],
    ),
]

# An enterprise the departments know that has not registered yet: its data waits under its
# credit code and joins its file the day it registers.
UNREGISTERED = "91500108MA5U00009"


def _rows(this_year: int) -> dict[str, list[list]]:
    """Each source's rows: (credit code, year, its columns in order; "" where it says nothing)."""
    demo, jiulongpo = _credit_code(DEMO_ENTERPRISES[0][1]), _credit_code(DEMO_ENTERPRISES[2][1])
    unregistered = _credit_code(UNREGISTERED)
    last_year = this_year - 1
    return {
        "统计局": [
            # 第1条: 8亿 does not reach 10亿; the enterprise's file says so with its source.
            [demo, this_year, "800000000", "是", "150000000"],
            [demo, last_year, "720000000", "否", ""],
            [jiulongpo, this_year, "1200000000", "是", ""],
            [unregistered, this_year, "450000000", "否", ""],
        ],
        "经信委认定": [
            # 第11条: 80% of the 120万元 premium, under 3% of the insured 5000万元: 96万元.
            [demo, this_year, "是", "", "是", "50000000", "1200000"],
            [demo, last_year, "", "是", "", "", ""],
        ],
    }


def _csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _demo_departments(report: DemoReport) -> None:
    """The two sources and one import of each, once: a source that has data is left as it is."""
    administrator = User.objects.get(username="demo-admin")
    this_year = timezone.localdate().year
    rows = _rows(this_year)
    for name, code, description, columns in DEMO_SOURCES:
        source, created = DataSource.objects.get_or_create(
            name=name,
            defaults={"code": code, "description": description, "first_year": this_year - 5},
        )
        if created:
            for header, target, tolerance in columns:
                recognition = target if target in Recognition.values else ""
                SourceField.objects.create(
                    source=source,
                    header=header,
                    figure_name="" if recognition else target,
                    recognition=recognition,
                    tolerance=tolerance,
                )
        if source.batches.exists():
            continue
        header = ["统一社会信用代码", "年度", *(column[0] for column in columns)]
        outcome = import_file(
            source=source,
            binary=io.BytesIO(_csv(header, rows[name])),
            file_name=f"{name}_{this_year}.csv",
            by=administrator,
            apply=True,
        )
        report.created.append(f"{name} import: {outcome.new} values")
