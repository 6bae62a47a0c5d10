"""Reading a department's file row by row, never whole: a CSV (UTF-8 with or without its byte
order mark, or GB18030 as Excel saves it on a Chinese Windows) or an XLSX (openpyxl's read-only
mode, which streams the sheet's rows).

Each row comes out as (row number, [cell, …]) with the row number a spreadsheet shows (the
header is row 1). Cells are text, or what openpyxl reads from an XLSX cell (int, float, bool,
a date); the import reads them (``departments.imports``). A file that cannot be read at all
raises ``FileRefused``."""

import codecs
import csv
import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EXTENSIONS = (".csv", ".xlsx")
SAMPLE_BYTES = 64 * 1024
HASH_CHUNK = 1024 * 1024
# An XLSX is a zip archive: a workbook of 100,000 rows inflates to some tens of megabytes, at a
# ratio of ten or twenty; a zip bomb to gigabytes, at a ratio of a thousand.
MAX_XLSX_MEMBERS = 1000
MAX_XLSX_INFLATED = 1024 * 1024 * 1024
MAX_INFLATION = 200


class FileRefused(ValidationError):
    """The whole file is refused: nothing of it is imported."""


def file_kind(file_name: str) -> str:
    suffix = PurePath(file_name).suffix.lower()
    if suffix not in EXTENSIONS:
        raise FileRefused(_("只能导入 CSV 或 XLSX 文件。"))
    return suffix[1:]


def sha256_of(binary) -> str:
    """The SHA-256 of a binary file, read in chunks; the file is left at its start."""
    binary.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: binary.read(HASH_CHUNK), b""):
        digest.update(chunk)
    binary.seek(0)
    return digest.hexdigest()


def csv_encoding(binary) -> str:
    """UTF-8 (its byte order mark dropped) if the file's beginning reads as UTF-8, else
    GB18030; the file is left at its start."""
    binary.seek(0)
    sample = binary.read(SAMPLE_BYTES)
    binary.seek(0)
    try:
        # Not final: the sample may end within a character.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _csv_rows(binary) -> Iterator[tuple[int, list]]:
    text = io.TextIOWrapper(binary, encoding=csv_encoding(binary), newline="")
    number = 0
    try:
        for number, cells in enumerate(csv.reader(text), start=1):  # noqa: B007
            yield number, cells
    except UnicodeDecodeError:
        raise FileRefused(
            _(
                "文件第%(row)s行附近的文字无法识别，请以 UTF-8 或 GB18030 编码保存为 CSV 后重新导入。"
            )
            % {"row": number + 1}
        ) from None
    except csv.Error as error:
        raise FileRefused(
            _("文件第%(row)s行附近的格式无法识别：%(error)s") % {"row": number + 1, "error": error}
        ) from None
    finally:
        # The wrapper is not ours to close: the file it wraps is the caller's.
        if not binary.closed:
            text.detach()


def _xlsx_rows(binary) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileRefused(
            _("文件不是有效的 XLSX 文件，请在表格软件中另存为 XLSX 后重新导入。")
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        workbook.close()


def file_size(binary) -> int:
    binary.seek(0, io.SEEK_END)
    size = binary.tell()
    binary.seek(0)
    return size


def check_file(binary, *, file_name: str) -> str:
    """The file's kind ("csv" or "xlsx") once its content is what its name says, within the
    size limit: an XLSX is a zip archive holding a workbook that does not inflate beyond
    ``MAX_XLSX_INFLATED`` (nor any member more than ``MAX_INFLATION`` times), a CSV is text
    without NUL bytes. Else FileRefused, before a row is read."""
    kind = file_kind(file_name)
    size = file_size(binary)
    if size > settings.DEPARTMENT_IMPORT_MAX_BYTES:
        raise FileRefused(
            _("文件大小 %(size)s MB，超过 %(limit)s MB 的上限，请分成几个文件导入。")
            % {
                "size": f"{size / 1024 / 1024:.1f}",
                "limit": settings.DEPARTMENT_IMPORT_MAX_BYTES // 1024 // 1024,
            }
        )
    head = binary.read(SAMPLE_BYTES)
    binary.seek(0)
    if kind == "xlsx":
        _check_workbook(binary, head)
    elif b"\x00" in head or head.startswith((b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")):
        raise FileRefused(_("文件内容不是 CSV 文本，请在表格软件中另存为 CSV 或 XLSX 后重新导入。"))
    return kind


def _check_workbook(binary, head: bytes) -> None:
    refused = FileRefused(
        _("文件内容不是有效的 XLSX 工作簿，请在表格软件中另存为 XLSX 后重新导入。")
    )
    if not head.startswith(b"PK\x03\x04"):
        raise refused
    try:
        with zipfile.ZipFile(binary) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refused from None
    finally:
        binary.seek(0)
    if "xl/workbook.xml" not in names or len(members) > MAX_XLSX_MEMBERS:
        raise refused
    inflated = sum(member.file_size for member in members)
    if inflated > MAX_XLSX_INFLATED or any(
        member.file_size > MAX_INFLATION * max(member.compress_size, 1) for member in members
    ):
        raise refused


def rows_of(binary, *, file_name: str) -> Iterator[tuple[int, list]]:
    """Every row of the file (the header first), one at a time, once its content passed."""
    if check_file(binary, file_name=file_name) == "csv":
        return _csv_rows(binary)
    return _xlsx_rows(binary)


def is_blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())
