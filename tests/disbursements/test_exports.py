import csv
import hashlib
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from applications.models import Application
from disbursements import services
from disbursements.exports import HEADERS, ExportNotAllowed, batch_export, csv_bytes
from disbursements.models import BatchExport
from tests.disbursements.factories import approved_applications, finance, frozen_batch
from tests.libreoffice import cells_as_shown, needs_libreoffice

FORMULA_NAMES = ['=HYPERLINK("http://evil","点此")', "+1+2", "-3+4"]


@pytest.fixture
def batch(finance_user):
    """Five lines: amounts with fen, an account with leading zeros, names a spreadsheet would
    take for formulas."""
    applications = [
        *approved_applications(1, amount=Decimal("0.01"), bank_account="000123456789"),
        *approved_applications(1, amount=Decimal("19999999.99"), name="重庆渝北精工机械有限公司"),
        *approved_applications(1, amount=Decimal("333333.33"), name=FORMULA_NAMES[0]),
        *approved_applications(1, amount=Decimal("1.10"), name=FORMULA_NAMES[1]),
        *approved_applications(1, amount=Decimal("2.25"), name=FORMULA_NAMES[2]),
    ]
    return frozen_batch(applications, by=finance_user)


def export(batch, export_format="csv", by=None) -> bytes:
    return b"".join(batch_export(batch=batch, export_format=export_format, by=by))


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_has_the_columns_the_lines_and_a_total_to_the_fen(batch, finance_user):
    rows = read_csv(export(batch, by=finance_user))

    assert rows[0] == HEADERS
    lines, total = rows[1:-1], rows[-1]
    assert [row[0] for row in lines] == ["1", "2", "3", "4", "5"]
    assert [row[1] for row in lines] == sorted(row[1] for row in lines)
    amounts = [Decimal(row[7]) for row in lines]
    assert all(row[7] == f"{Decimal(row[7]):.2f}" for row in lines)
    assert total[0] == "合计" and total[1] == "共5笔，合计20,333,336.68元"
    assert Decimal(total[7]) == sum(amounts) == Decimal("20333336.68")
    assert Decimal(total[7]) == batch.total_amount


def test_the_total_label_reads_the_amount_and_the_amount_cells_stay_plain_numbers(finance_user):
    applications = [
        *approved_applications(1, amount=Decimal("100000000")),
        *approved_applications(1, amount=Decimal("50000000")),
    ]
    batch = frozen_batch(applications, by=finance_user)

    csv_total = read_csv(export(batch))[-1]
    sheet = read_xlsx(export(batch, "xlsx"))
    xlsx_total = list(sheet.iter_rows(values_only=True))[-1]
    total_cell = sheet.cell(row=sheet.max_row, column=8)

    # People read the label; a spreadsheet or the bank's software reads the amount.
    assert csv_total[1] == xlsx_total[1] == "共2笔，合计1.5亿元"
    assert csv_total[7] == "150000000.00"
    assert total_cell.data_type == "n" and total_cell.value == 150_000_000


def test_csv_reads_back_in_chinese_with_leading_zeros(batch):
    rows = read_csv(export(batch))[1:-1]

    assert "重庆渝北精工机械有限公司" in [row[2] for row in rows]
    assert {row[4] for row in rows} == {"渝北区"}
    assert all(row[5].startswith("第2条 ") for row in rows)
    assert "000123456789" in [row[9] for row in rows]
    line = batch.lines.get(bank_account="000123456789")
    assert [line.reference, line.credit_code] in [[row[1], row[3]] for row in rows]


def test_formula_looking_names_come_out_inert(batch):
    names = {row[2] for row in read_csv(export(batch))[1:-1]}

    for name in FORMULA_NAMES[:3]:
        assert "'" + name in names
        assert name not in names


def test_the_same_frozen_batch_exports_the_same_bytes(batch, finance_user):
    first = export(batch, by=finance_user)
    batch.lines.first().enterprise.__class__.objects.update(name="后来改了名")  # after freezing

    assert export(batch, by=finance_user) == first


def test_every_export_is_recorded_with_its_fingerprint(batch, finance_user):
    data = export(batch, by=finance_user)
    call_command("export_disbursements", batch=batch.number, format="csv", output="-")

    first, second = BatchExport.objects.order_by("pk")
    assert (first.exported_by, first.format, first.line_count) == (finance_user, "csv", 5)
    assert first.total_amount == batch.total_amount
    assert first.sha256 == hashlib.sha256(data).hexdigest() == second.sha256
    assert first.size == len(data)
    assert second.exported_by is None  # the command line


def test_the_csv_streams_in_chunks_rather_than_one_piece(batch, settings):
    settings.DISBURSEMENT_EXPORT_CHUNK = 2

    blocks = list(csv_bytes(batch, use_copy=False))

    # The header, three chunks of at most two lines, the total.
    assert len(blocks) == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_postgresql_copy_and_the_csv_module_write_the_same_bytes(finance_user):
    applications = [
        *approved_applications(1, name='重庆"星光",科技有限公司'),
        *approved_applications(1, name="=cmd|' /C calc'!A0", bank_name="工行,渝北支行"),
        *approved_applications(1, name="重庆普通有限公司"),
    ]
    batch = frozen_batch(applications, by=finance_user)

    copied = b"".join(csv_bytes(batch, use_copy=True))

    assert copied == b"".join(csv_bytes(batch, use_copy=False))
    names = [row[2] for row in read_csv(copied)[1:-1]]
    assert '重庆"星光",科技有限公司' in names and "'=cmd|' /C calc'!A0" in names


def test_an_export_broken_off_halfway_stays_on_the_record_unfinished(batch, finance_user):
    stream = batch_export(batch=batch, export_format="csv", by=finance_user)
    next(stream)
    stream.close()

    record = BatchExport.objects.get()
    assert (record.exported_by, record.completed_at, record.sha256) == (finance_user, None, "")
    assert record.line_count == 5


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("＝SUM(A1)", "'＝SUM(A1)"),
        ("﹦1+1", "'﹦1+1"),  # a small form, which NFKC folds to "="
        ("﹢cmd", "'﹢cmd"),
        ("  =1+1", "'  =1+1"),
        ("\u2003=1+1", "'\u2003=1+1"),
        ("\u3000+1", "'\u3000+1"),
        ("＠cmd", "'＠cmd"),
        ("\tTab公司", "'\tTab公司"),
        ("重庆\r\n=换行公司", "重庆  =换行公司"),
        ("重庆-连字符公司", "重庆-连字符公司"),
    ],
)
def test_formula_starts_in_every_disguise_come_out_inert_in_the_csv(finance_user, name, expected):
    batch = frozen_batch(approved_applications(1, name=name, bank_name=name), by=finance_user)

    for use_copy in {False, connection.vendor == "postgresql"}:
        rows = read_csv(b"".join(csv_bytes(batch, use_copy=use_copy)))
        assert rows[1][2] == rows[1][8] == expected, use_copy
    # A text cell of a workbook is never a formula: there the name is the name.
    sheet = read_xlsx(export(batch, "xlsx"))
    # (openpyxl leaves the file's escape of a CR, _x000D_, as it is; a spreadsheet reads a CR.)
    assert unescape(sheet["C2"].value) == unescape(sheet["I2"].value) == name
    assert sheet["C2"].data_type == sheet["I2"].data_type == "s"


def test_draft_and_cancelled_batches_do_not_export(finance_user):
    draft_batch = services.batch_create(by=finance_user)
    services.batch_add_applications(
        batch=draft_batch,
        applications=Application.objects.filter(pk__in=[a.pk for a in approved_applications(1)]),
        by=finance_user,
    )

    with pytest.raises(ExportNotAllowed):
        export(draft_batch)
    services.batch_cancel(batch=draft_batch, by=finance_user, reason="重新编制")
    draft_batch.refresh_from_db()
    with pytest.raises(ExportNotAllowed):
        export(draft_batch)
    with pytest.raises(ExportNotAllowed):
        frozen = frozen_batch(approved_applications(1), by=finance_user)
        export(frozen, export_format="pdf")


def test_a_paid_batch_exports_the_lines_that_were_paid(batch, finance_user):
    line = batch.lines.order_by("reference").first()
    services.batch_mark_paid(
        batch=batch,
        by=finance(),
        payment_date=timezone.localdate(),
        bank_reference="B-1",
        failed={line.reference: "账号错误"},
    )
    batch.refresh_from_db()

    rows = read_csv(export(batch))

    assert line.reference not in [row[1] for row in rows]
    assert rows[-1][1] == "共4笔，合计20,333,336.67元"
    assert Decimal(rows[-1][7]) == batch.total_amount == Decimal("20333336.67")


# ── XLSX ───────────────────────────────────────────────────────────────────────────────────


def read_xlsx(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_xlsx_has_numbers_for_amounts_and_text_for_codes_and_accounts(batch):
    sheet = read_xlsx(export(batch, "xlsx"))
    rows = list(sheet.iter_rows(values_only=True))

    assert list(rows[0]) == HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width > 20
    body, total = rows[1:-1], rows[-1]
    assert len(body) == 5
    for row_cells in sheet.iter_rows(min_row=2, max_row=6):
        amount = row_cells[7]
        assert amount.data_type == "n" and amount.number_format == "#,##0.00"
        for text in (row_cells[1], row_cells[3], row_cells[9]):
            assert text.data_type == "s"
    assert "000123456789" in [row[9] for row in body]
    assert total[0] == "合计" and total[1] == "共5笔，合计20,333,336.68元"
    assert round(Decimal(str(total[7])), 2) == batch.total_amount
    assert round(sum(Decimal(str(row[7])) for row in body), 2) == batch.total_amount


def test_xlsx_names_that_look_like_formulas_stay_text_as_they_are(batch):
    sheet = read_xlsx(export(batch, "xlsx"))
    cells = [row[2] for row in sheet.iter_rows(min_row=2, max_row=6)]

    assert all(cell.data_type == "s" for cell in cells)
    assert set(FORMULA_NAMES) <= {cell.value for cell in cells}
    assert not any(cell.value.startswith("'") for cell in cells)


# Accounts and credit codes a spreadsheet's CSV import damages: 19 digits (more than a double
# holds), leading zeros, all digits, and digits around an E (read as a power of ten).
DAMAGED_BY_CSV_IMPORT = [
    ("6228480000000000005", "915000007093000004"),
    ("0310012345678901", "91500000123400E102"),
    ("000123456789", "91500000MA5U7G2X3K"),
]


@pytest.fixture
def digits_batch(finance_user):
    applications = []
    for account, credit_code in DAMAGED_BY_CSV_IMPORT:
        applications += approved_applications(
            1, bank_account=account, credit_code=credit_code, bank_name="=1+1银行"
        )
    return frozen_batch(applications, by=finance_user)


def test_the_bank_import_csv_carries_accounts_and_codes_as_plain_digits(digits_batch):
    data = export(digits_batch, "csv")

    rows = read_csv(data)[1:-1]
    assert sorted((row[9], row[3]) for row in rows) == sorted(DAMAGED_BY_CSV_IMPORT)
    for account, credit_code in DAMAGED_BY_CSV_IMPORT:
        # Nothing a bank's import would take for part of the account: no ' and no ="…".
        assert f",{account}\n".encode() in data and f",{credit_code},".encode() in data


@needs_libreoffice
def test_the_file_for_reading_keeps_every_digit_when_opened_in_libreoffice(digits_batch, tmp_path):
    shown = cells_as_shown(export(digits_batch, "xlsx"), suffix=".xlsx", workdir=tmp_path)

    lines = shown[1:-1]
    assert shown[0] == HEADERS
    assert sorted((row[9], row[3]) for row in lines) == sorted(DAMAGED_BY_CSV_IMPORT)
    assert {row[8] for row in lines} == {"=1+1银行"}  # the bank's name, as it is
    expected = {line.reference: line for line in digits_batch.lines.all()}
    for row in lines:
        line = expected[row[1]]
        assert (row[2], row[3], row[9]) == (
            line.enterprise_name,
            line.credit_code,
            line.bank_account,
        )


def test_the_same_batch_gives_the_same_xlsx_cells(batch):
    first = [list(r) for r in read_xlsx(export(batch, "xlsx")).iter_rows(values_only=True)]
    second = [list(r) for r in read_xlsx(export(batch, "xlsx")).iter_rows(values_only=True)]

    assert first == second
    assert any(row[2] == "重庆渝北精工机械有限公司" for row in first)


# ── the command ────────────────────────────────────────────────────────────────────────────


def test_the_command_writes_the_same_file_as_the_admin(batch, tmp_path, finance_user):
    target = tmp_path / "list.csv"

    call_command(
        "export_disbursements", batch=batch.number.lower(), format="csv", output=str(target)
    )

    assert target.read_bytes() == export(batch, by=finance_user)
    xlsx = tmp_path / "list.xlsx"
    call_command("export_disbursements", batch=batch.number, format="xlsx", output=str(xlsx))
    assert (
        read_xlsx(xlsx.read_bytes())["B2"].value == batch.lines.order_by("reference")[0].reference
    )


def test_the_command_writes_to_a_pipe(batch, capsysbinary):
    call_command("export_disbursements", batch=batch.number, format="csv", output="-")

    assert capsysbinary.readouterr().out == export(batch)


def test_the_command_refuses_unknown_and_unfrozen_batches(finance_user):
    draft_batch = services.batch_create(by=finance_user)

    with pytest.raises(CommandError, match="no disbursement batch"):
        call_command("export_disbursements", batch="BF-1999-0001", format="csv", output="-")
    with pytest.raises(CommandError, match="frozen or paid"):
        call_command("export_disbursements", batch=draft_batch.number, format="csv", output="-")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the command's process needs the database on a server"
)
def test_the_command_piped_into_head_stops_quietly(committed_data, settings):
    import os
    import subprocess
    import sys

    # More than a pipe holds (64 KB), so the command is still writing when head leaves.
    batch = frozen_batch(approved_applications(500), by=finance())
    expected = b"".join(csv_bytes(batch))
    assert len(expected) > 96 * 1024
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "policy_portal.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
    }
    command = subprocess.Popen(
        [sys.executable, "manage.py", "export_disbursements", "--batch", batch.number]
        + ["--format", "csv", "--output", "-"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    head = subprocess.Popen(["head", "-c", "300"], stdin=command.stdout, stdout=subprocess.PIPE)
    command.stdout.close()  # head is the only reader: when it leaves, the pipe closes
    shown, _ = head.communicate(timeout=120)
    _, errors = command.communicate(timeout=120)

    assert shown == expected[:300]
    assert errors.decode() == ""
    assert command.returncode == 1
    record = BatchExport.objects.get(batch=batch)
    assert (record.exported_by, record.completed_at, record.sha256) == (None, None, "")
