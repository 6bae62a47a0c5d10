"""The import of a department's file: 统一社会信用代码, 年度, then the columns of its source
(``SourceField.header``), one row per enterprise and year.

``import_file`` reads the file row by row and writes as it goes, in one transaction: a preview
(``apply=False``) runs the very same import and rolls the transaction back, so it shows what
applying would do and writes nothing; applying keeps it, all of it or (should anything fail)
none. Rows are handled in chunks of ``CHUNK`` rows: one query reads the current rows of a
chunk's credit codes, the new rows are written in bulk, and nothing is kept of a chunk once it
is written but the counts and the first rows of the report. So a file of 100,000 rows imports
in the memory of one chunk.

A row is refused, with its row number and the reason, for a credit code that fails the check
(GB 32100: its length, its characters, its check character), a year outside the source's
years, a value the figure's reading refuses (``measures.numbers``, the one number parser), or a
credit code and year an earlier row of the file already gave. A credit code of an enterprise
that has not registered is kept: the file joins its data when it registers. A column the source
does not define refuses the whole file.

Every value a row gives is written as a row of the batch, whether it is new, changed or the
same as the current one: the current row of a key is then the row of the latest batch still
standing that gave it, which is what a roll-back restores (``departments.rollback``)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from measures.forms import declared_form_field
from measures.models import TrackField
from measures.selectors import figure_track_fields
from policy_portal.credit_code import normalize_credit_code, validate_credit_code

from .models import (
    DataSource,
    DepartmentFigure,
    DepartmentRecognition,
    ImportBatch,
    SourceField,
)
from .reading import FileRefused, is_blank, rows_of, sha256_of
from .signals import batch_applied

CODE_HEADER = "统一社会信用代码"
YEAR_HEADER = "年度"
CHUNK = 2000
# How many refused and changed rows a preview shows and a batch's report keeps.
REPORT_ROWS = 200
YES = ("是",)
NO = ("否",)


@dataclass
class Column:
    """A column of the file: where it is, and what it gives."""

    index: int
    field: SourceField
    track_field: TrackField | None  # None for a recognition

    @cached_property
    def form_field(self):
        """The form field a figure of this column is read with, as on every form."""
        return declared_form_field(self.track_field)

    @property
    def header(self) -> str:
        return self.field.header


@dataclass
class Row:
    number: int
    credit_code: str
    year: int
    values: list[tuple[Column, object]]  # (column, value read)


@dataclass
class Outcome:
    """What an import did, or would do."""

    batch: ImportBatch
    applied: bool
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    refused: int = 0
    refused_rows: list[dict] = field(default_factory=list)
    changed_rows: list[dict] = field(default_factory=list)
    same_file: ImportBatch | None = None  # an earlier batch, still standing, of this very file
    # Every row's result, {"row", "status", "reasons"}, when the caller asks for them (an
    # import by API answers them all); None keeps nothing but the counts and the report.
    results: list[dict] | None = None

    def report(self) -> dict:
        return {"refused": self.refused_rows, "changed": self.changed_rows}

    def result(self, number: int, status: str, reasons: list | None = None) -> None:
        if self.results is not None:
            self.results.append({"row": number, "status": status, "reasons": reasons or []})


def _text(cell) -> str:
    """A cell as the text it shows: a number from an XLSX as it was typed (a float's shortest
    reading, so that 1234.5 stays 1234.5 and 1.2E+16 stays an exponent the parser refuses)."""
    if cell is None:
        return ""
    if isinstance(cell, float):
        return repr(cell)
    return str(cell).strip()


def _yes_no(cell) -> bool:
    if isinstance(cell, bool):
        return cell
    text = _text(cell)
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValidationError(_("请填写“是”或“否”。"))


def _columns(source: DataSource, header: list) -> tuple[int, int, list[Column]]:
    """Where the credit code, the year and the source's columns are; refuses the file for a
    header it does not know, one it has twice, or one it lacks."""
    names = [_text(cell) for cell in header]
    while names and not names[-1]:
        names.pop()
    fields = {f.header: f for f in source.fields.all()}
    unknown = [n for n in names if n not in fields and n not in (CODE_HEADER, YEAR_HEADER)]
    if unknown:
        raise FileRefused(
            _(
                "表头中有%(source)s未定义的列：%(names)s。请核对列名，或先在数据来源部门中添加这些字段。"
            )
            % {"source": source.name, "names": "、".join(n or _("（空白）") for n in unknown)}
        )
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise FileRefused(_("表头中这些列重复：%(names)s。") % {"names": "、".join(twice)})
    if CODE_HEADER not in names or YEAR_HEADER not in names:
        raise FileRefused(
            _("表头应有“%(code)s”和“%(year)s”两列。") % {"code": CODE_HEADER, "year": YEAR_HEADER}
        )
    if len(names) == 2:
        raise FileRefused(_("表头中没有%(source)s的数据列。") % {"source": source.name})
    track_fields = figure_track_fields()
    columns = []
    for index, name in enumerate(names):
        if name in (CODE_HEADER, YEAR_HEADER):
            continue
        source_field = fields[name]
        track_field = None
        if source_field.figure_name:
            if source_field.figure_name not in track_fields:
                raise FileRefused(
                    _("“%(header)s”对应的档案数据已不在政策数据中，请先修改该字段。")
                    % {"header": name}
                )
            track_field = track_fields[source_field.figure_name][0]
        columns.append(Column(index=index, field=source_field, track_field=track_field))
    return names.index(CODE_HEADER), names.index(YEAR_HEADER), columns


def _value(column: Column, cell):
    if column.track_field is None or column.track_field.field_type == TrackField.FieldType.BOOLEAN:
        return _yes_no(cell)
    return column.form_field.clean(_text(cell))


def _year(cell, *, source: DataSource, this_year: int) -> int:
    text = _text(cell)
    if isinstance(cell, float) and cell.is_integer():
        text = str(int(cell))
    if not (len(text) == 4 and text.isascii() and text.isdigit()):
        raise ValidationError(_("年度应为四位数字的年份，例如 2025。"))
    year = int(text)
    if not source.covers(year, this_year=this_year):
        last = source.last_year if source.last_year is not None else this_year
        raise ValidationError(
            _("%(year)s年不在%(source)s数据的年度范围（%(first)s—%(last)s年）内。")
            % {"year": year, "source": source.name, "first": source.first_year, "last": last}
        )
    return year


def _read_row(number, cells, *, code_at, year_at, columns, source, this_year):
    """The row read, the report's entry refusing it, or None for a blank row."""
    if all(is_blank(cell) for cell in cells):
        return None
    reasons = []
    cells = list(cells) + [None] * (max(code_at, year_at, *(c.index for c in columns)) + 1)
    code = normalize_credit_code(_text(cells[code_at]))
    try:
        validate_credit_code(code)
    except ValidationError as error:
        reasons.extend(error.messages)
    year = None
    try:
        year = _year(cells[year_at], source=source, this_year=this_year)
    except ValidationError as error:
        reasons.extend(error.messages)
    values = []
    for column in columns:
        cell = cells[column.index]
        if is_blank(cell):
            continue
        try:
            values.append((column, _value(column, cell)))
        except ValidationError as error:
            reasons.append(
                _("“%(header)s”：%(reason)s")
                % {"header": column.header, "reason": "".join(error.messages)}
            )
    if reasons:
        return {"row": number, "credit_code": code, "reasons": reasons}
    return Row(number=number, credit_code=code, year=year, values=values)


def _rows(rows: Iterator[tuple[int, list]], *, source, outcome) -> Iterator[Row]:
    """The rows that are read, from (row number, cells) with the header first; refused ones
    are counted into ``outcome``."""
    header = next(rows, None)
    if header is None:
        raise FileRefused(_("文件是空的。"))
    code_at, year_at, columns = _columns(source, header[1])
    this_year = timezone.localdate().year
    for number, cells in rows:
        row = _read_row(
            number,
            cells,
            code_at=code_at,
            year_at=year_at,
            columns=columns,
            source=source,
            this_year=this_year,
        )
        if row is None:
            if outcome.results is None:
                continue
            # Where every row is answered, a blank one is refused rather than passed over.
            row = {"row": number, "credit_code": "", "reasons": [_("该行没有数据。")]}
        outcome.rows += 1
        if isinstance(row, dict):
            _refuse(outcome, row)
            continue
        yield row


def _refuse(outcome: Outcome, entry: dict) -> None:
    outcome.refused += 1
    outcome.result(entry["row"], "refused", entry["reasons"])
    if len(outcome.refused_rows) < REPORT_ROWS:
        outcome.refused_rows.append(entry)


def _chunks(rows: Iterator[Row]) -> Iterator[list[Row]]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _shown(value) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return "" if value is None else str(value)


def _current(source, chunk):
    """The current rows of the chunk's credit codes: {(code, year): {target: (id, value,
    batch id, row)}}. Two queries."""
    codes = {row.credit_code for row in chunk}
    current: dict[tuple, dict] = {}
    for (
        pk,
        code,
        year,
        name,
        number,
        yes_no,
        text,
        batch_id,
        row,
    ) in DepartmentFigure.objects.filter(
        source=source, credit_code__in=codes, current=True
    ).values_list(
        "pk",
        "credit_code",
        "year",
        "name",
        "decimal_value",
        "boolean_value",
        "text_value",
        "batch_id",
        "row",
    ):
        value = number if number is not None else yes_no if yes_no is not None else text
        current.setdefault((code, year), {})[("figure", name)] = (pk, value, batch_id, row)
    for pk, code, year, kind, held, batch_id, row in DepartmentRecognition.objects.filter(
        source=source, credit_code__in=codes, current=True
    ).values_list("pk", "credit_code", "year", "kind", "held", "batch_id", "row"):
        current.setdefault((code, year), {})[("recognition", kind)] = (pk, held, batch_id, row)
    return current


def _write_chunk(chunk: list[Row], *, batch: ImportBatch, outcome: Outcome) -> None:
    source = batch.source
    current = _current(source, chunk)
    seen: dict[tuple, int] = {}
    superseded_figures, superseded_recognitions = [], []
    figures, recognitions = [], []
    for row in chunk:
        key = (row.credit_code, row.year)
        held = current.get(key, {})
        first = seen.get(key) or next(
            (found[3] for found in held.values() if found[2] == batch.pk), None
        )
        if first is not None:
            _refuse(
                outcome,
                {
                    "row": row.number,
                    "credit_code": row.credit_code,
                    "reasons": [
                        _("与第%(row)s行重复（同一统一社会信用代码和年度）。") % {"row": first}
                    ],
                },
            )
            continue
        seen[key] = row.number
        common = {
            "batch": batch,
            "source": source,
            "credit_code": row.credit_code,
            "year": row.year,
            "row": row.number,
        }
        statuses = set()
        for column, value in row.values:
            is_figure = column.track_field is not None
            target = (
                ("figure", column.field.figure_name)
                if is_figure
                else (
                    "recognition",
                    column.field.recognition,
                )
            )
            before = held.get(target)
            if before is None:
                outcome.new += 1
                statuses.add("new")
            else:
                (superseded_figures if is_figure else superseded_recognitions).append(before[0])
                if before[1] == value:
                    outcome.unchanged += 1
                    statuses.add("unchanged")
                else:
                    outcome.changed += 1
                    statuses.add("changed")
                    if len(outcome.changed_rows) < REPORT_ROWS:
                        outcome.changed_rows.append(
                            {
                                "row": row.number,
                                "credit_code": row.credit_code,
                                "year": row.year,
                                "header": column.header,
                                "before": _shown(before[1]),
                                "after": _shown(value),
                            }
                        )
            if is_figure:
                figures.append(DepartmentFigure(**common, name=target[1], **_columns_of(value)))
            else:
                recognitions.append(DepartmentRecognition(**common, kind=target[1], held=value))
        # A row is changed if any of its values is, else new if any is, else unchanged.
        outcome.result(
            row.number, next((s for s in ("changed", "new") if s in statuses), "unchanged")
        )
    # The rows they supersede stop being current first: one current row per key.
    DepartmentFigure.objects.filter(pk__in=superseded_figures).update(current=False)
    DepartmentRecognition.objects.filter(pk__in=superseded_recognitions).update(current=False)
    DepartmentFigure.objects.bulk_create(figures, batch_size=1000)
    DepartmentRecognition.objects.bulk_create(recognitions, batch_size=1000)


def _columns_of(value) -> dict:
    if isinstance(value, bool):
        return {"boolean_value": value}
    return {"decimal_value": value}


def _same_file(source: DataSource, sha256: str) -> ImportBatch | None:
    return (
        ImportBatch.objects.filter(source=source, sha256=sha256, rolled_back_at__isnull=True)
        .order_by("-pk")
        .first()
    )


def import_file(
    *,
    source: DataSource,
    binary,
    file_name: str,
    by,
    apply: bool,
    stored_name: str = "",
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Import ``binary`` (an open binary file) as ``source``'s data: a preview unless
    ``apply``; ``progress`` as ``import_rows`` calls it. Raises FileRefused for a file that
    cannot be imported at all."""
    sha256 = sha256_of(binary)
    with transaction.atomic():
        # One import of a source at a time: each compares with the rows the other writes.
        source = DataSource.objects.select_for_update().get(pk=source.pk)
        same_file = _same_file(source, sha256)
        return import_rows(
            source=source,
            rows=rows_of(binary, file_name=file_name),
            channel=ImportBatch.Channel.FILE,
            sha256=sha256,
            by=by,
            apply=apply,
            file_name=file_name,
            stored_name=stored_name,
            same_file=same_file,
            progress=progress,
        )


def import_rows(
    *,
    source: DataSource,
    rows,
    channel: str,
    sha256: str,
    by,
    apply: bool,
    file_name: str = "",
    stored_name: str = "",
    external_id: str = "",
    same_file: ImportBatch | None = None,
    results: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Import ``rows``, an iterator of (row number, cells) with the header first, as
    ``source``'s batch of ``channel``: the file import and the import by API
    (``departments.api``) alike. With ``results`` the outcome keeps every row's result.
    ``progress``, if given, is called with the number of rows read so far once each chunk is
    written: the import runs in one transaction, so what it reports must leave by another
    way than the database (``departments.jobs`` keeps it in the cache).
    Raises FileRefused for rows that cannot be imported at all."""
    with transaction.atomic():
        # One import of a source at a time: each compares with the rows the other writes.
        source = DataSource.objects.select_for_update().get(pk=source.pk)
        if not source.is_active:
            raise FileRefused(_("%(source)s已停用，不能导入。") % {"source": source.name})
        batch = ImportBatch.objects.create(
            source=source,
            channel=channel,
            file_name=file_name[:200],
            file=stored_name,
            sha256=sha256,
            external_id=external_id,
            created_by=by,
        )
        outcome = Outcome(
            batch=batch, applied=apply, same_file=same_file, results=[] if results else None
        )
        for chunk in _chunks(_rows(rows, source=source, outcome=outcome)):
            _write_chunk(chunk, batch=batch, outcome=outcome)
            if progress is not None:
                progress(outcome.rows)
        if outcome.rows == 0:
            raise FileRefused(_("文件中没有数据行。"))
        if outcome.results is not None:
            outcome.results.sort(key=lambda result: result["row"])
        batch.rows = outcome.rows
        batch.new_count = outcome.new
        batch.changed_count = outcome.changed
        batch.unchanged_count = outcome.unchanged
        batch.refused_count = outcome.refused
        batch.report = outcome.report()
        batch.save()
        if not apply:
            transaction.set_rollback(True)
        elif outcome.new or outcome.changed:
            batch_applied.send(sender=ImportBatch, batch=batch)
    return outcome
