"""Reads of an enterprise's file (一企一档): which figures it may hold, and what it holds."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from measures.models import TrackField
from measures.selectors import figure_track_fields

from .models import Enterprise, EnterpriseFigure, EnterpriseRecognition


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
    its industry by the national classification (empty where not filled in)."""

    figures: dict[str, dict[int, object]] = field(default_factory=dict)
    recognitions: set[tuple[str, int]] = field(default_factory=set)
    industry_section: str = ""
    industry_division: str = ""


def enterprise_files(*, enterprise_ids) -> dict[int, EnterpriseFile]:
    """The files of many enterprises in three queries (classification, figures, recognitions),
    for matching.

    Integer figures come back as Decimal here: matching compares them with Decimal thresholds
    and the calculator reads them as numbers either way."""
    ids = list(enterprise_ids)
    files = {
        pk: EnterpriseFile(industry_section=section, industry_division=division)
        for pk, section, division in Enterprise.objects.filter(pk__in=ids).values_list(
            "pk", "industry_section", "industry_division"
        )
    }
    _read_into(files)
    return files


def _read_into(files: dict[int, EnterpriseFile]) -> None:
    """Fill ``files`` with their figures and recognitions: two queries."""
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
    """One enterprise's file: two queries, its classification taken from ``enterprise``."""
    file = EnterpriseFile(
        industry_section=enterprise.industry_section,
        industry_division=enterprise.industry_division,
    )
    _read_into({enterprise.pk: file})
    return file


def figures_by_year(*, enterprise: Enterprise, fields: dict[str, FileField]) -> list[tuple]:
    """[(year, [(FileField or None, figure), …]), …], the latest year first, each year's
    figures in the notice's order; a name no longer in the policy data comes last, unlabelled."""
    order = {name: index for index, name in enumerate(fields)}
    years: dict[int, list] = defaultdict(list)
    for figure in EnterpriseFigure.objects.filter(enterprise=enterprise).select_related(
        "source_application"
    ):
        years[figure.year].append((fields.get(figure.name), figure))
    return [
        (
            year,
            sorted(rows, key=lambda row: (order.get(row[1].name, len(order)), row[1].name)),
        )
        for year, rows in sorted(years.items(), reverse=True)
    ]


def figures_of_year(*, enterprise: Enterprise, year: int) -> dict[str, EnterpriseFigure]:
    return {
        figure.name: figure
        for figure in EnterpriseFigure.objects.filter(enterprise=enterprise, year=year)
    }


def recognitions_of(*, enterprise: Enterprise):
    return EnterpriseRecognition.objects.filter(enterprise=enterprise).order_by("-year", "kind")
