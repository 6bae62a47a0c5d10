"""Reads of the departments' data for an enterprise's file: the current figures and
recognitions of some credit codes, each with its source (``Provenance``)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import CharField, DecimalField, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from .models import DepartmentFigure, DepartmentRecognition, SourceField

FIGURE = "figure"
RECOGNITION = "recognition"


@dataclass(frozen=True)
class Provenance:
    """Where a value of the file comes from: 企业自报 (no source), or a department's import
    batch and its date."""

    source_name: str = ""
    batch_id: int | None = None
    date: datetime.date | None = None

    @property
    def is_department(self) -> bool:
        return self.batch_id is not None

    def __str__(self) -> str:
        if not self.is_department:
            return _("企业自报")
        return _("%(source)s（批次号%(batch)s，%(date)s导入）") % {
            "source": self.source_name,
            "batch": self.batch_id,
            "date": self.date.isoformat() if self.date else "",
        }


SELF_REPORTED = Provenance()


@dataclass(frozen=True)
class DepartmentValue:
    """A current value a department gives: a figure's (name, value) or a recognition's (kind,
    held), with its source and, for a figure, the tolerance beyond which the enterprise's own
    figure is marked as differing."""

    credit_code: str
    kind: str  # FIGURE or RECOGNITION
    target: str  # the figure's name or the recognition's kind
    year: int
    value: object  # Decimal or bool for a figure; bool (held) for a recognition
    provenance: Provenance
    tolerance: Decimal | None
    pk: int | None = None  # the DepartmentFigure's or DepartmentRecognition's


def _tolerance():
    return Subquery(
        SourceField.objects.filter(source=OuterRef("source"), figure_name=OuterRef("name")).values(
            "tolerance"
        )[:1]
    )


def _columns(**columns):
    """The same columns, in the same order, for both halves of the union."""
    order = (
        "d_code",
        "d_kind",
        "d_target",
        "d_year",
        "d_number",
        "d_yes_no",
        "d_source",
        "d_batch",
        "d_when",
        "d_tolerance",
        "d_pk",
    )
    return {name: columns[name] for name in order}, order


def department_values(
    *,
    credit_codes,
    figures_only: bool = False,
    year: int | None = None,
    with_tolerance: bool = True,
):
    """The current department values of ``credit_codes`` (a list, or a query of them), oldest
    batch first (so that, read in order, a later batch's value replaces an earlier source's for
    the same key). One query. ``year`` keeps the figures of that year only (recognitions of any
    year); without ``with_tolerance`` (for a reader that compares nothing) the tolerances are
    not read."""
    codes = credit_codes if isinstance(credit_codes, QuerySet) else list(credit_codes)
    if isinstance(codes, list) and not codes:
        return []
    decimal = DecimalField(max_digits=16, decimal_places=2)
    figure_columns, order = _columns(
        d_code=F("credit_code"),
        d_kind=Value(FIGURE, output_field=CharField()),
        d_target=F("name"),
        d_year=F("year"),
        d_number=F("decimal_value"),
        d_yes_no=F("boolean_value"),
        d_source=F("source__name"),
        d_batch=F("batch_id"),
        d_when=TruncDate("batch__created_at"),
        d_tolerance=_tolerance() if with_tolerance else Value(None, output_field=decimal),
        d_pk=F("pk"),
    )
    figures = DepartmentFigure.objects.filter(credit_code__in=codes, current=True)
    if year is not None:
        figures = figures.filter(year=year)
    # No ORDER BY in a part of the union (SQLite refuses one); sorted below.
    query = figures.annotate(**figure_columns).values_list(*order).order_by()
    if not figures_only:
        recognition_columns, _order = _columns(
            d_code=F("credit_code"),
            d_kind=Value(RECOGNITION, output_field=CharField()),
            d_target=F("kind"),
            d_year=F("year"),
            d_number=Value(None, output_field=decimal),
            d_yes_no=F("held"),
            d_source=F("source__name"),
            d_batch=F("batch_id"),
            d_when=TruncDate("batch__created_at"),
            d_tolerance=Value(None, output_field=decimal),
            d_pk=F("pk"),
        )
        recognitions = (
            DepartmentRecognition.objects.filter(credit_code__in=codes, current=True)
            .annotate(**recognition_columns)
            .values_list(*order)
            .order_by()
        )
        query = query.union(recognitions, all=True)
    rows = sorted(query, key=lambda row: row[7])
    provenances = {}  # one per batch: thousands of rows share a handful
    for _code, _kind, _target, _year, _number, _yes_no, source, batch, when, *_rest in rows:
        if batch not in provenances:
            # The batch's date in local time (TruncDate converts to the current time zone).
            provenances[batch] = Provenance(source_name=source, batch_id=batch, date=when)
    return [
        DepartmentValue(
            credit_code=code,
            kind=kind,
            target=target,
            year=year_,
            value=number if kind == FIGURE and number is not None else yes_no,
            provenance=provenances[batch],
            tolerance=tolerance,
            pk=pk,
        )
        for code, kind, target, year_, number, yes_no, _source, batch, _when, tolerance, pk in rows
    ]


def differs(own, department: DepartmentValue) -> bool:
    """Whether the enterprise's own value differs from the department's beyond its tolerance
    (relative to the department's value)."""
    theirs = department.value
    if isinstance(theirs, bool) or isinstance(own, bool):
        return own != theirs
    if not isinstance(own, Decimal | int) or not isinstance(theirs, Decimal):
        return own != theirs
    tolerance = department.tolerance if department.tolerance is not None else Decimal(0)
    return abs(Decimal(own) - theirs) > tolerance * abs(theirs)
