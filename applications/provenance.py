"""Each declared figure's source, copied onto the application when it is submitted: a
department's figure (its source, batch and date of import) or the enterprise's own (typed in
the application, or taken from its file). A later import does not change the copy: the
reviewer reads what the file said when the enterprise submitted."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from departments.selectors import SELF_REPORTED, Provenance, differs
from enterprises.selectors import department_figures_of_year, figures_of_year

DEPARTMENT = "department"
ENTERPRISE = "enterprise"
# Where an enterprise's own figure was entered.
IN_APPLICATION = "application"
IN_FILE = "file"


def _json(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def _provenance_json(provenance: Provenance) -> dict:
    return {
        "source_name": provenance.source_name,
        "batch": provenance.batch_id,
        "date": provenance.date.isoformat() if provenance.date else "",
    }


def department_source(provenance: Provenance) -> dict:
    """A declared figure's source where a department gave it, as ``declared_sources`` keeps it."""
    return {"source": DEPARTMENT, **_provenance_json(provenance)}


def declared_sources_of(application) -> dict:
    """{name: source} for each figure ``application`` declares, as the enterprise's file gives
    it for the window's year. Two queries."""
    year = application.window.year
    enterprise = application.enterprise
    departments = department_figures_of_year(enterprise=enterprise, year=year)
    own = figures_of_year(enterprise=enterprise, year=year)
    sources = {}
    for name, value in application.declared_values().items():
        if value is None or value == "":
            continue
        given = departments.get(name)
        if given is not None and not differs(value, given):
            sources[name] = department_source(given.provenance)
            continue
        mine = own.get(name)
        entered = IN_FILE if mine is not None and mine.value == value else IN_APPLICATION
        source = {"source": ENTERPRISE, "entered": entered}
        if given is not None:
            source["department"] = {
                "value": _json(given.value),
                **_provenance_json(given.provenance),
            }
        sources[name] = source
    return sources


@dataclass(frozen=True)
class DeclaredSource:
    """A declared figure's source as the pages show it: where it came from and, where the
    enterprise declared a value other than a department's, the department's value and source."""

    provenance: Provenance
    entered: str = ""
    department_value: object = None
    department_provenance: Provenance | None = None

    @property
    def differs(self) -> bool:
        return self.department_provenance is not None


def _provenance(data: dict) -> Provenance:
    date = data.get("date")
    return Provenance(
        source_name=data.get("source_name", ""),
        batch_id=data.get("batch"),
        date=datetime.date.fromisoformat(date) if date else None,
    )


def _value(value, field):
    if isinstance(value, str) and field is not None and field.field_type != "text":
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


def declared_figures(application, fields) -> list[tuple]:
    """[(field, value, DeclaredSource or None), …] for ``fields`` of ``application``: the
    source recorded at submission (None before it, or for a figure not declared). No query."""
    recorded = application.declared_sources or {}
    rows = []
    for field in fields:
        data = recorded.get(field.name)
        source = None
        if data is not None:
            if data.get("source") == DEPARTMENT:
                source = DeclaredSource(_provenance(data))
            else:
                department = data.get("department")
                source = DeclaredSource(
                    SELF_REPORTED,
                    entered=data.get("entered", ""),
                    department_value=_value(department["value"], field) if department else None,
                    department_provenance=_provenance(department) if department else None,
                )
        rows.append((field, application.declared.get(field.name), source))
    return rows
