"""The import of a department's file: what it reads, what it refuses (row by row, with the
reason), what a preview shows without writing, and applying it as a whole."""

import hashlib
import io
import zipfile
from decimal import Decimal

import pytest
from django.db import IntegrityError

from departments.models import DepartmentFigure, DepartmentRecognition, ImportBatch
from departments.reading import FileRefused
from measures.recognitions import Recognition

from .factories import HEADER, code, csv_bytes, run, statistics_bureau, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(policy):
    return statistics_bureau()


def current_figures():
    return {
        (f.credit_code, f.year, f.name): f.value
        for f in DepartmentFigure.objects.filter(current=True)
    }


def test_a_csv_is_imported_with_its_counts_and_hash(source):
    content = csv_bytes(
        [
            [code(1), 2024, "1200000000", "是", "是"],
            [code(2), 2024, "800000000.50", "否", ""],
        ]
    )

    outcome = run(source, content)

    batch = ImportBatch.objects.get()
    assert outcome.applied and batch == outcome.batch
    assert batch.sha256 == hashlib.sha256(content).hexdigest()
    assert (batch.rows, batch.new_count, batch.changed_count, batch.unchanged_count) == (
        2,
        5,
        0,
        0,
    )
    assert batch.refused_count == 0 and batch.channel == "file"
    assert current_figures() == {
        (code(1), 2024, "industrial_added_value"): Decimal("1200000000"),
        (code(1), 2024, "first_breakthrough"): True,
        (code(2), 2024, "industrial_added_value"): Decimal("800000000.50"),
        (code(2), 2024, "first_breakthrough"): False,
    }
    recognition = DepartmentRecognition.objects.get()
    assert (recognition.credit_code, recognition.kind, recognition.year, recognition.held) == (
        code(1),
        Recognition.SINGLE_CHAMPION,
        2024,
        True,
    )
    assert recognition.row == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_csv_reads_in_utf8_with_or_without_its_mark_and_in_gb18030(source, encoding):
    run(source, csv_bytes([[code(1), 2024, "100", "是", ""]], encoding=encoding))

    assert current_figures()[(code(1), 2024, "first_breakthrough")] is True


def test_an_xlsx_is_imported_with_numbers_as_typed(source):
    content = xlsx_bytes(
        [
            [code(1), 2024, 1200000000, "是", "否"],
            [code(2), 2025, 1234.5, None, None],
            [code(3), 2025, 1.2e16, None, None],
        ]
    )

    outcome = run(source, content, name="统计局.xlsx")

    assert current_figures()[(code(1), 2024, "industrial_added_value")] == Decimal("1200000000")
    assert current_figures()[(code(2), 2025, "industrial_added_value")] == Decimal("1234.5")
    assert not DepartmentRecognition.objects.get().held
    # An exponent hides digits: refused, as on every form.
    assert [entry["row"] for entry in outcome.refused_rows] == [4]
    assert "科学计数法" in outcome.refused_rows[0]["reasons"][0]


def test_each_refused_row_says_its_number_and_why(source):
    bad_check = code(2)[:17] + ("0" if code(2)[17] != "0" else "1")
    content = csv_bytes(
        [
            [code(1), 2024, "100", "", ""],
            ["91500000ABC", 2024, "100", "", ""],  # too short
            [bad_check, 2024, "100", "", ""],  # the check character
            [code(3), 2019, "100", "", ""],  # before the source's years
            [code(4), "二〇二四", "100", "", ""],
            [code(5), 2024, "1,000", "", ""],  # a digit separator
            [code(6), 2024, "100", "也许", ""],
            [code(1), 2024, "200", "", ""],  # the same code and year again
        ]
    )

    outcome = run(source, content)

    reasons = {entry["row"]: " ".join(entry["reasons"]) for entry in outcome.refused_rows}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9]
    assert "18位" in reasons[3]
    assert "校验位" in reasons[4]
    assert "2019年不在统计局数据的年度范围" in reasons[5]
    assert "四位数字" in reasons[6]
    assert "工业增加值" in reasons[7] and "千位分隔符" in reasons[7]
    assert "首次突破" in reasons[8] and "“是”或“否”" in reasons[8]
    assert "与第2行重复" in reasons[9]
    assert outcome.batch.refused_count == 7
    assert outcome.batch.report["refused"][0]["row"] == 3
    # The valid row is applied, the duplicate did not overwrite it.
    assert current_figures() == {(code(1), 2024, "industrial_added_value"): Decimal("100")}


def test_a_duplicate_is_found_across_chunks(source, monkeypatch):
    monkeypatch.setattr("departments.imports.CHUNK", 2)
    rows = [[code(n), 2024, str(n), "", ""] for n in range(1, 6)] + [[code(1), 2024, "9", "", ""]]

    outcome = run(source, csv_bytes(rows))

    assert [(e["row"], e["reasons"]) for e in outcome.refused_rows] == [
        (7, ["与第2行重复（同一统一社会信用代码和年度）。"])
    ]
    assert current_figures()[(code(1), 2024, "industrial_added_value")] == Decimal("1")


def test_an_unknown_column_refuses_the_whole_file(source):
    content = csv_bytes([[code(1), 2024, "1", "", "", "9"]], header=[*HEADER[:5], "利润总额"])

    with pytest.raises(FileRefused) as refused:
        run(source, content)

    assert "统计局未定义的列：利润总额" in refused.value.messages[0]
    assert not ImportBatch.objects.exists()


def _zip(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "a.csv", "文件是空的"),
        (csv_bytes([]), "a.csv", "没有数据行"),
        (b"not a zip", "a.xlsx", "不是有效的 XLSX"),
        (b"%PDF-1.7\n" + b"x" * 100, "a.csv", "不是 CSV 文本"),
        (b"PK\x03\x04" + b"\x00" * 100, "a.csv", "不是 CSV 文本"),
        (b"\xef\xbb\xbf\xe7\xbb\x9f\x00\x01", "a.csv", "不是 CSV 文本"),
        (_zip({"a.txt": b"x"}), "a.xlsx", "不是有效的 XLSX"),
        (b"x", "a.xls", "只能导入 CSV 或 XLSX"),
        (csv_bytes([], header=["年度", "工业增加值"]), "a.csv", "统一社会信用代码"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused(source, content, name, message):
    with pytest.raises(FileRefused) as refused:
        run(source, content, name=name)

    assert message in refused.value.messages[0]
    assert not ImportBatch.objects.exists()


def test_a_preview_writes_nothing_and_says_what_applying_would_do(source):
    run(source, csv_bytes([[code(1), 2024, "100", "是", ""]]))
    content = csv_bytes([[code(1), 2024, "150", "是", ""], [code(2), 2024, "7", "", ""]])

    preview = run(source, content, apply=False)

    assert not preview.applied
    assert (preview.new, preview.changed, preview.unchanged) == (1, 1, 1)
    assert preview.changed_rows == [
        {
            "row": 2,
            "credit_code": code(1),
            "year": 2024,
            "header": "工业增加值",
            "before": "100",
            "after": "150",
        }
    ]
    assert ImportBatch.objects.count() == 1
    assert DepartmentFigure.objects.count() == 2
    assert current_figures()[(code(1), 2024, "industrial_added_value")] == Decimal("100")


def test_a_second_import_supersedes_without_updating_rows_in_place(source):
    first = run(source, csv_bytes([[code(1), 2024, "100", "是", ""]])).batch
    second = run(source, csv_bytes([[code(1), 2024, "150", "是", ""]])).batch

    assert (second.new_count, second.changed_count, second.unchanged_count) == (0, 1, 1)
    old = DepartmentFigure.objects.get(batch=first, name="industrial_added_value")
    assert not old.current and old.decimal_value == Decimal("100")
    assert DepartmentFigure.objects.get(current=True, name="industrial_added_value").batch == second


def test_the_same_file_again_is_pointed_out(source):
    content = csv_bytes([[code(1), 2024, "100", "", ""]])
    first = run(source, content).batch

    again = run(source, content, apply=False)

    assert again.same_file == first
    assert (again.new, again.changed, again.unchanged) == (0, 0, 1)


def test_applying_is_all_or_nothing(source, monkeypatch):
    def fails(*args, **kwargs):
        raise IntegrityError("the database refused")

    monkeypatch.setattr("departments.imports.DepartmentRecognition.objects.bulk_create", fails)

    with pytest.raises(IntegrityError):
        run(source, csv_bytes([[code(1), 2024, "100", "", "是"]]))

    assert not ImportBatch.objects.exists()
    assert not DepartmentFigure.objects.exists()


def test_an_inactive_source_imports_nothing(source):
    source.is_active = False
    source.save()

    with pytest.raises(FileRefused):
        run(source, csv_bytes([[code(1), 2024, "100", "", ""]]))


def test_a_workbook_that_inflates_like_a_zip_bomb_is_refused_before_a_row_is_read(source):
    bomb = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"0" * 5_000_000})

    with pytest.raises(FileRefused) as refused:
        run(source, bomb, name="a.xlsx")

    assert "不是有效的 XLSX" in refused.value.messages[0]


def test_a_file_over_the_size_limit_is_refused_with_both_sizes(source, settings):
    settings.DEPARTMENT_IMPORT_MAX_BYTES = 1024 * 1024
    content = csv_bytes([[code(n), 2024, "100", "是", ""] for n in range(1, 31_000)])
    assert len(content) > 1024 * 1024

    with pytest.raises(FileRefused) as refused:
        run(source, content)

    assert "超过 1 MB 的上限" in refused.value.messages[0]
    assert not ImportBatch.objects.exists()
