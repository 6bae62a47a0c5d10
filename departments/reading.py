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

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EXTENSIONS = (".csv", ".xlsx")
SAMPLE_BYTES = 64 * 1024
HASH_CHUNK = 1024 * 1024


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


def rows_of(binary, *, file_name: str) -> Iterator[tuple[int, list]]:
    """Every row of the file (the header first), one at a time."""
    binary.seek(0)
    if file_kind(file_name) == "csv":
        return _csv_rows(binary)
    return _xlsx_rows(binary)


def is_blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())
