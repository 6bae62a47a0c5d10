"""The disbursement list of a batch, as two files for two readers.

- The bank's import file (CSV): the accounts and credit codes as plain digits, which is what a
  bank's payroll import reads. It is not for opening in a spreadsheet: a spreadsheet's CSV import
  turns 6228480000000000005 into 6.22848E+18 and 0310012345678901 into 310012345678901, and saving
  it again writes the damage into the file. Text a spreadsheet would run as a formula gets a
  leading apostrophe (``policy_portal.spreadsheets``).
- The file to read (XLSX): every text a string cell, as it is, so accounts and credit codes keep
  every digit and a name that looks like a formula stays a name; amounts are numbers.

Both stream, so memory does not grow with the number of lines. The rows are the lines' snapshot
taken when the batch was frozen, so the same batch exported twice gives the same rows.

On PostgreSQL the CSV rows are formatted by the database (COPY … TO STDOUT, streamed through
psycopg): formatting a million fields in Python costs more than fetching them. The account is
encrypted at rest (``policy_portal.crypto``), which SQL cannot read: COPY hands its ciphertext on
as the row's last field, and each row's account is decrypted and written in Python as it
streams past. Elsewhere the rows come from a server-side cursor (``.iterator()``) through
Python's csv module, the account decrypted as it is read. Both give the same bytes, which the
tests check.

The headers are Chinese whatever the language of the person exporting: it is the bank's format.
"""

import csv
import hashlib
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F, QuerySet, Value
from django.db.models.expressions import Window
from django.db.models.functions import NullIf, Replace, RowNumber
from django.utils import timezone

from measures.money import format_yuan
from policy_portal.crypto import decrypt
from policy_portal.masking import report_unmasked
from policy_portal.spreadsheets import csv_text, csv_text_sql

from .models import BatchExport, BatchLine, DisbursementBatch, ExportFormat, LineStatus

HEADERS = [
    "序号",
    "申报编号",
    "企业名称",
    "统一社会信用代码",
    "所在区县",
    "政策条款",
    "申报类别",
    "核定金额（元）",
    "开户银行",
    "银行账号",
]
# The line's fields in the order of HEADERS, after 序号.
FIELDS = [
    "reference",
    "enterprise_name",
    "credit_code",
    "district_name",
    "measure_label",
    "track_name",
    "amount",
    "bank_name",
    "bank_account",
]
# Encrypted at rest: COPY passes it on as it is stored, last in the row, for Python to decrypt.
ENCRYPTED_FIELD = FIELDS[-1]
AMOUNT_AT = HEADERS.index("核定金额（元）")
TEXT_AT = [at for at in range(1, len(HEADERS)) if at != AMOUNT_AT]
# Kept as text in the workbook even when someone types into them: digits that are not numbers.
DIGITS_AT = [HEADERS.index(name) for name in ("申报编号", "统一社会信用代码", "银行账号")]
CSV_BOM = "\ufeff".encode()
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _lines(batch: DisbursementBatch) -> QuerySet:
    return (
        BatchLine.objects.filter(batch=batch, status=LineStatus.IN_BATCH)
        .annotate(position=Window(RowNumber(), order_by=F("reference").asc()))
        .order_by("reference")
    )


def export_rows(batch: DisbursementBatch) -> QuerySet:
    """The lines of a batch as export rows, in reference order: one tuple per line with the
    columns of HEADERS, the amount a Decimal, the texts as frozen."""
    return _lines(batch).values_list("position", *FIELDS)


def _csv_row(row: tuple) -> tuple:
    """A row as the bank's file holds it: line breaks as spaces (a bank's list has one line per
    payee), formula-looking text behind an apostrophe."""
    return tuple(
        csv_text(value.replace("\r", " ").replace("\n", " ")) if at in TEXT_AT else value
        for at, value in enumerate(row)
    )


def _csv_field_sql(field: str):
    # _csv_row in SQL. An empty text leaves as NULL: COPY writes NULL as an empty field, as the
    # csv module writes an empty string, where COPY would quote an empty string.
    text = Replace(Replace(F(field), Value("\r"), Value(" ")), Value("\n"), Value(" "))
    return NullIf(csv_text_sql(text), Value(""))


def csv_rows_sql(batch: DisbursementBatch) -> QuerySet:
    """export_rows with the CSV's texts made in the query, for PostgreSQL's COPY; the
    encrypted account last, as stored (an empty one as NULL, an empty field)."""
    text_fields = [FIELDS[at - 1] for at in TEXT_AT if FIELDS[at - 1] != ENCRYPTED_FIELD]
    return (
        _lines(batch)
        .annotate(**{f"csv_{name}": _csv_field_sql(name) for name in text_fields})
        .annotate(stored_account=NullIf(F(ENCRYPTED_FIELD), Value("")))
        .values_list(
            "position",
            *(f"csv_{name}" if name in text_fields else name for name in FIELDS[:-1]),
            "stored_account",
        )
    )


def _chunks(rows: QuerySet) -> Iterator[list[tuple]]:
    iterator = rows.iterator(chunk_size=settings.DISBURSEMENT_EXPORT_CHUNK)
    while chunk := list(islice(iterator, settings.DISBURSEMENT_EXPORT_CHUNK)):
        yield chunk


def _total_row(batch: DisbursementBatch) -> list:
    # The label is read by people, so it reads the total as every page does; the amount
    # column stays a plain number to the fen, as the bank's software reads it.
    label = f"共{batch.line_count}笔，合计{format_yuan(batch.total_amount)}"
    return ["合计", label, "", "", "", "", "", batch.total_amount, "", ""]


# COPY writes "\n" after each row; the header and the total row match it.
LINE_END = "\n"
BLOCK_SIZE = 64 * 1024


def _csv_writer(buffer):
    return csv.writer(buffer, lineterminator=LINE_END)


def _csv_line(row) -> bytes:
    buffer = io.StringIO()
    _csv_writer(buffer).writerow(row)
    return buffer.getvalue().encode()


def csv_bytes(batch: DisbursementBatch, *, use_copy: bool | None = None) -> Iterator[bytes]:
    """The bank's import file: UTF-8 with a byte-order mark, as the banks' import tools and
    Excel read the Chinese."""
    if use_copy is None:
        use_copy = connections[BatchLine.objects.db].vendor == "postgresql"
    yield CSV_BOM + _csv_line(HEADERS)
    yield from (
        _with_accounts(_copied_rows(csv_rows_sql(batch))) if use_copy else _written_rows(batch)
    )
    yield _csv_line(_total_row(batch))


def _written_rows(batch: DisbursementBatch) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = _csv_writer(buffer)
    for chunk in _chunks(export_rows(batch)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_csv_row(row) for row in chunk)
        yield buffer.getvalue().encode()


def _copied_rows(rows: QuerySet) -> Iterator[bytes]:
    """The rows as PostgreSQL's COPY formats them, in blocks of about 64 KB."""
    connection = connections[rows.db]
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    block = bytearray()
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        for data in copy:
            block += data
            if len(block) >= BLOCK_SIZE:
                yield bytes(block)
                block.clear()
    if block:
        yield bytes(block)


def _csv_cell(text: str) -> bytes:
    """One text field as the csv module writes it within a row (an empty one as nothing)."""
    if not text:
        return b""
    return _csv_line([csv_text(text.replace("\r", " ").replace("\n", " "))]).removesuffix(
        LINE_END.encode()
    )


def _with_accounts(blocks: Iterator[bytes]) -> Iterator[bytes]:
    """COPY's rows with the stored account, their last field, replaced by the account
    decrypted and written as the csv module writes it. A row is one line: _csv_field_sql made
    every line break of the other texts a space, and a ciphertext holds no comma."""
    purpose = BatchLine._meta.get_field(ENCRYPTED_FIELD).purpose
    pending = b""
    for data in blocks:
        complete, newline, pending = (pending + data).rpartition(b"\n")
        if not newline:
            continue
        out = bytearray()
        for line in complete.split(b"\n"):
            head, _comma, stored = line.rpartition(b",")
            account = decrypt(stored.decode(), purpose=purpose)
            out += head + b"," + _csv_cell(account) + b"\n"
        yield bytes(out)
    if pending:
        raise ValueError("COPY ended within a row")


COLUMN_WIDTHS = [8, 22, 36, 22, 12, 40, 24, 18, 28, 26]


def xlsx_bytes(batch: DisbursementBatch) -> Iterator[bytes]:
    """The file to read: a workbook written row by row (XlsxWriter's constant_memory mode) to a
    temporary file, then read out in blocks. Amounts are numbers shown with two decimals; every
    text is a string cell as it is, so credit codes and account numbers keep every digit and a
    name that looks like a formula is shown, not run.

    The workbook and XlsxWriter's own row files are written in a private directory (0700)
    removed with everything in it once the file is read out, or the writing fails, or the
    download is abandoned (剩余信息保护: they hold the payees' whole accounts)."""
    import xlsxwriter

    with tempfile.TemporaryDirectory(prefix="batch-export-") as directory:
        path = Path(directory) / "export.xlsx"
        workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": directory})
        # The same batch gives the same file: no "created now" in the properties.
        created = batch.frozen_at or batch.prepared_at
        workbook.set_properties(
            {
                "title": f"拨付明细 {batch.number}",
                "created": timezone.make_naive(created).replace(microsecond=0)
                if timezone.is_aware(created)
                else created,
            }
        )
        sheet = workbook.add_worksheet(batch.number)
        header = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        money = workbook.add_format({"num_format": "#,##0.00"})
        bold_money = workbook.add_format({"num_format": "#,##0.00", "bold": True})
        bold = workbook.add_format({"bold": True})
        digits = workbook.add_format({"num_format": "@"})
        for column, width in enumerate(COLUMN_WIDTHS):
            sheet.set_column(column, column, width)
        sheet.freeze_panes(1, 0)
        for column, title in enumerate(HEADERS):
            sheet.write_string(0, column, title, header)
        row_number = 0
        for chunk in _chunks(export_rows(batch)):
            for row in chunk:
                row_number += 1
                sheet.write_number(row_number, 0, row[0])
                for column in TEXT_AT:
                    cell_format = digits if column in DIGITS_AT else None
                    sheet.write_string(row_number, column, row[column] or "", cell_format)
                sheet.write_number(row_number, AMOUNT_AT, float(row[AMOUNT_AT]), money)
        total = _total_row(batch)
        row_number += 1
        sheet.write_string(row_number, 0, total[0], bold)
        sheet.write_string(row_number, 1, total[1], bold)
        sheet.write_number(row_number, AMOUNT_AT, float(total[AMOUNT_AT]), bold_money)
        workbook.close()
        with path.open("rb") as output:
            while block := output.read(BLOCK_SIZE):
                yield block


WRITERS = {ExportFormat.CSV: csv_bytes, ExportFormat.XLSX: xlsx_bytes}


class ExportNotAllowed(Exception):
    pass


# The file's name says what it is for, as its label on the batch page does.
FILE_PURPOSES = {ExportFormat.CSV: "银行导入", ExportFormat.XLSX: "阅读核对"}


def export_filename(batch: DisbursementBatch, export_format: str) -> str:
    return f"{batch.number}-{FILE_PURPOSES[export_format]}.{export_format}"


def batch_export(
    *, batch: DisbursementBatch, export_format: str, by, request=None
) -> Iterator[bytes]:
    """The export of a frozen (or paid) batch as a stream of bytes; the admin's download and
    the command both go through here. Reading it starts the export's record, and tells the
    audit that the payees' accounts leave whole; reading it to the end completes the record
    with the file's size and SHA-256."""
    if not batch.is_exportable:
        raise ExportNotAllowed(batch.get_state_display())
    if export_format not in WRITERS:
        raise ExportNotAllowed(export_format)
    return _recorded(batch, export_format, by, request)


def _recorded(batch, export_format, by, request) -> Iterator[bytes]:
    record = BatchExport.objects.create(
        batch=batch,
        exported_by=by,
        format=export_format,
        line_count=batch.line_count,
        total_amount=batch.total_amount,
    )
    report_unmasked(
        sender=__name__,
        user=by,
        request=request,
        target=batch,
        batch=batch.number,
        format=export_format,
        lines=batch.line_count,
    )
    digest = hashlib.sha256()
    size = 0
    with _one_snapshot(DEFAULT_DB_ALIAS):
        # The lines and the total row from the same moment, whatever commits meanwhile.
        batch = DisbursementBatch.objects.get(pk=batch.pk)
        if not batch.is_exportable:
            raise ExportNotAllowed(batch.get_state_display())
        for block in WRITERS[export_format](batch):
            digest.update(block)
            size += len(block)
            yield block
    BatchExport.objects.filter(pk=record.pk).update(
        line_count=batch.line_count,
        total_amount=batch.total_amount,
        size=size,
        sha256=digest.hexdigest(),
        completed_at=timezone.now(),
    )


@contextmanager
def _one_snapshot(using: str):
    """A transaction that reads one snapshot of the database (REPEATABLE READ on PostgreSQL;
    SQLite's transactions always do). Inside a transaction already, that one's."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield
