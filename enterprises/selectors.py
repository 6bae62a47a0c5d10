"""Reads of an enterprise's file (一企一档): which figures it may hold, and what it holds."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from departments.models import DepartmentFigure, DepartmentRecognition
from departments.selectors import (
    FIGURE,
    RECOGNITION,
    SELF_REPORTED,
    Provenance,
    department_values,
    differs,
)
from measures.models import TrackField
from measures.recognitions import Recognition
from measures.selectors import figure_track_fields
from policy_portal.bulk import among

from .models import DepartmentDisagreement, Enterprise, EnterpriseFigure, EnterpriseRecognition


@dataclass(frozen=True)
class FileField:
    """A figure the file may hold: a declared-field name of the policy data, described by its
    first track in the notice's order (several tracks may ask for the same name)."""

    name: str
    track_field: TrackField
    measures: tuple[int, ...]

    @property
    def label(self) -> str:
        return self.track_field.label

    @property
    def field_type(self) -> str:
        return self.track_field.field_type

    @property
    def unit(self) -> str:
        return self.track_field.unit


def file_fields() -> dict[str, FileField]:
    """Every declared-field name of the active tracks of funding measures, in the notice's
    order: the names an enterprise's file may hold figures for
    (``measures.selectors.figure_track_fields``). One query."""
    return {
        name: FileField(name=name, track_field=track_field, measures=numbers)
        for name, (track_field, numbers) in figure_track_fields().items()
    }


def typed_value(figure: EnterpriseFigure, field_type: str | None):
    """A figure's value as the declared-figures form would give it (int for an integer field)."""
    value = figure.value
    if field_type == TrackField.FieldType.INTEGER and isinstance(value, Decimal):
        return int(value)
    return value


@dataclass
class EnterpriseFile:
    """What matching reads of one enterprise: {name: {year: value}}, (kind, year) pairs and
    its industry by the national classification (empty where not filled in).

    A department's figure replaces the enterprise's own for the same name and year, and a
    department's word on a recognition of a year (held or not) replaces the enterprise's;
    ``provenance`` says which values came from a department (``source_of``)."""

    figures: dict[str, dict[int, object]] = field(default_factory=dict)
    recognitions: set[tuple[str, int]] = field(default_factory=set)
    industry_section: str = ""
    industry_division: str = ""
    provenance: dict[tuple[str, str, int], Provenance] = field(default_factory=dict)

    def source_of(self, name: str, year: int, *, kind: str = FIGURE) -> Provenance:
        return self.provenance.get((kind, name, year), SELF_REPORTED)


def enterprise_files(*, enterprise_ids) -> dict[int, EnterpriseFile]:
    """The files of many enterprises in four queries (classification, figures, recognitions,
    the departments' data), for matching (免申即享 reads the departments' data only:
    ``department_files``).

    Integer figures come back as Decimal here: matching compares them with Decimal thresholds
    and the calculator reads them as numbers either way."""
    ids = list(enterprise_ids)
    files, codes = {}, {}
    for pk, section, division, credit_code in Enterprise.objects.filter(pk__in=ids).values_list(
        "pk", "industry_section", "industry_division", "credit_code"
    ):
        files[pk] = EnterpriseFile(industry_section=section, industry_division=division)
        codes[credit_code] = pk
    _read_into(files, codes)
    return files


def department_files(*, enterprise_ids, year: int) -> dict[int, EnterpriseFile]:
    """What the departments hold of ``enterprise_ids`` (their figures of ``year``, their
    recognitions of any year) and the enterprises' classification, for 免申即享: two queries,
    which name thousands of enterprises by the range of their ids (``policy_portal.bulk.among``;
    the other enterprises of the range are read past)."""
    wanted = set(enterprise_ids)
    if not wanted:
        return {}
    enterprises = Enterprise.objects.filter(among("pk", wanted))
    files, codes = {}, {}
    for pk, section, division, credit_code in enterprises.values_list(
        "pk", "industry_section", "industry_division", "credit_code"
    ):
        if pk in wanted:
            files[pk] = EnterpriseFile(industry_section=section, industry_division=division)
            codes[credit_code] = pk
    given = department_values(
        credit_codes=enterprises.values("credit_code"), year=year, with_tolerance=False
    )
    _apply_department_values(files, codes, given)
    return files


def enterprises_with_department_figures(*, year: int, names) -> list[int]:
    """The registered enterprises, by id, of which a department holds a current figure of
    ``year`` among ``names``. One query."""
    codes = DepartmentFigure.objects.filter(current=True, year=year, name__in=list(names))
    return list(
        Enterprise.objects.filter(credit_code__in=codes.values("credit_code"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _read_into(files: dict[int, EnterpriseFile], codes: dict[str, int]) -> None:
    """Fill ``files`` with their figures and recognitions, the departments' over the
    enterprises' own: three queries. ``codes``: {credit code: id}."""
    _read_own(files)
    _apply_department_values(files, codes, department_values(credit_codes=codes))


def _apply_department_values(files, codes: dict[str, int], values) -> None:
    """Lay the departments' ``values`` over ``files``, read oldest batch first: where two
    departments give the same value, the later batch's stays. Values of credit codes not in
    ``codes`` are passed over."""
    for given in values:
        pk = codes.get(given.credit_code)
        if pk is None:
            continue
        file = files[pk]
        file.provenance[(given.kind, given.target, given.year)] = given.provenance
        if given.kind == FIGURE:
            file.figures.setdefault(given.target, {})[given.year] = given.value
        elif given.value:
            file.recognitions.add((given.target, given.year))
        else:
            file.recognitions.discard((given.target, given.year))


def _read_own(files: dict[int, EnterpriseFile]) -> None:
    """The enterprises' own figures and recognitions: two queries."""
    ids = list(files)
    for enterprise_id, name, year, number, yes_no, text in EnterpriseFigure.objects.filter(
        enterprise_id__in=ids
    ).values_list("enterprise_id", "name", "year", "decimal_value", "boolean_value", "text_value"):
        value = number if number is not None else yes_no if yes_no is not None else text
        files[enterprise_id].figures.setdefault(name, {})[year] = value
    for enterprise_id, kind, year in EnterpriseRecognition.objects.filter(
        enterprise_id__in=ids
    ).values_list("enterprise_id", "kind", "year"):
        files[enterprise_id].recognitions.add((kind, year))


def enterprise_file(*, enterprise: Enterprise) -> EnterpriseFile:
    """One enterprise's file: three queries, its classification taken from ``enterprise``."""
    file = EnterpriseFile(
        industry_section=enterprise.industry_section,
        industry_division=enterprise.industry_division,
    )
    _read_into({enterprise.pk: file}, {enterprise.credit_code: enterprise.pk})
    return file


@dataclass(frozen=True)
class FileFigure:
    """A figure as the file's page shows it: the value the file holds (a department's over the
    enterprise's own), where it comes from, and the enterprise's own figure where a department's
    replaces it and differs from it beyond the source's tolerance."""

    spec: FileField | None
    figure: object  # EnterpriseFigure, or DepartmentFigure for a department's
    provenance: Provenance
    own: EnterpriseFigure | None = None
    differs: bool = False

    @property
    def name(self) -> str:
        return self.figure.name


def figures_by_year(*, enterprise: Enterprise, fields: dict[str, FileField]) -> list[tuple]:
    """[(year, [FileFigure, …]), …], the latest year first, each year's figures in the
    notice's order; a name no longer in the policy data comes last, unlabelled. Two queries."""
    order = {name: index for index, name in enumerate(fields)}
    own = {
        (figure.name, figure.year): figure
        for figure in EnterpriseFigure.objects.filter(enterprise=enterprise).select_related(
            "source_application"
        )
    }
    departments = {
        (given.target, given.year): given
        for given in department_values(credit_codes=[enterprise.credit_code], figures_only=True)
    }
    years: dict[int, list] = defaultdict(list)
    for (name, year), figure in own.items():
        if (name, year) not in departments:
            years[year].append(FileFigure(fields.get(name), figure, SELF_REPORTED))
    for (name, year), given in departments.items():
        shown = DepartmentFigure(pk=given.pk, name=name, year=year, **_value_columns(given.value))
        mine = own.get((name, year))
        years[year].append(
            FileFigure(
                fields.get(name),
                shown,
                given.provenance,
                own=mine,
                differs=mine is not None and differs(mine.value, given),
            )
        )
    return [
        (year, sorted(rows, key=lambda row: (order.get(row.name, len(order)), row.name)))
        for year, rows in sorted(years.items(), reverse=True)
    ]


def _value_columns(value) -> dict:
    if isinstance(value, bool):
        return {"boolean_value": value}
    return {"decimal_value": value}


def department_figures_of_year(*, enterprise: Enterprise, year: int) -> dict:
    """{name: DepartmentValue} of the departments' current figures of ``year``: the figures
    the enterprise cannot change. One query."""
    return {
        given.target: given
        for given in department_values(
            credit_codes=[enterprise.credit_code], figures_only=True, year=year
        )
    }


def figures_of_year(*, enterprise: Enterprise, year: int) -> dict[str, EnterpriseFigure]:
    return {
        figure.name: figure
        for figure in EnterpriseFigure.objects.filter(enterprise=enterprise, year=year)
    }


def recognitions_of(*, enterprise: Enterprise):
    return EnterpriseRecognition.objects.filter(enterprise=enterprise).order_by("-year", "kind")


@dataclass(frozen=True)
class FileRecognition:
    """A recognition as the file's page shows it: the enterprise's own record (which it may
    delete) and/or a department's word on it. ``refuted``: the enterprise recorded it and a
    department says it does not hold it, which matching follows."""

    kind: str
    year: int
    recognition: EnterpriseRecognition | None
    provenance: Provenance
    refuted: bool = False
    department_pk: int | None = None  # the DepartmentRecognition's, which may be disputed

    @property
    def label(self) -> str:
        return Recognition(self.kind).label


def recognitions_by_source(*, enterprise: Enterprise) -> list[FileRecognition]:
    """The recognitions the file holds, the latest year first: two queries."""
    departments = {
        (given.target, given.year): given
        for given in department_values(credit_codes=[enterprise.credit_code])
        if given.kind == RECOGNITION
    }
    rows = []
    for recognition in recognitions_of(enterprise=enterprise):
        given = departments.pop((recognition.kind, recognition.year), None)
        rows.append(
            FileRecognition(
                recognition.kind,
                recognition.year,
                recognition,
                given.provenance if given is not None else SELF_REPORTED,
                refuted=given is not None and not given.value,
                department_pk=given.pk if given is not None else None,
            )
        )
    rows += [
        FileRecognition(kind, year, None, given.provenance, department_pk=given.pk)
        for (kind, year), given in departments.items()
        if given.value
    ]
    return sorted(rows, key=lambda row: (-row.year, row.kind))


def disagreements_of(*, enterprise: Enterprise):
    """The enterprise's reports against the departments' figures and recognitions, the latest
    first, with what each disputes and its source: one query."""
    return DepartmentDisagreement.objects.filter(enterprise=enterprise).select_related(
        "figure__source", "recognition__source"
    )


def department_figure_of(*, enterprise: Enterprise, pk: int) -> DepartmentFigure | None:
    """A department's current figure (a number or a yes/no) about ``enterprise``, with its
    source and batch; None for any other, another enterprise's included. One query."""
    return (
        DepartmentFigure.objects.filter(
            Q(decimal_value__isnull=False) | Q(boolean_value__isnull=False),
            pk=pk,
            credit_code=enterprise.credit_code,
            current=True,
        )
        .select_related("source", "batch")
        .first()
    )


def department_recognition_of(*, enterprise: Enterprise, pk: int) -> DepartmentRecognition | None:
    """A department's current word on a recognition of ``enterprise`` (held or not), with its
    source and batch; None for any other, another enterprise's included. One query."""
    return (
        DepartmentRecognition.objects.filter(
            pk=pk, credit_code=enterprise.credit_code, current=True
        )
        .select_related("source", "batch")
        .first()
    )
