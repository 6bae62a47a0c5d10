"""Writes to the measures app: loading the notice's data file, versioning the policy data."""

import hashlib
import tomllib
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from .audience import Industry, Scale
from .cache import forget_policy_version
from .models import (
    Division,
    EligibilityThreshold,
    Measure,
    PolicyDocument,
    PolicyVersion,
    Section,
    Track,
    TrackField,
)

POLICY_FILE = Path(__file__).resolve().parent / "data" / "policy.toml"


def policy_version_bump() -> None:
    """Give the policy data a new version, so nothing cached for the old one is served again.

    Called on every write of policy data (``measures.signals``), inside the writer's transaction
    (so without a savepoint of its own: one statement, rolled back with the write).
    """
    token = uuid4().hex
    if not PolicyVersion.objects.filter(pk=1).update(token=token):
        PolicyVersion.objects.update_or_create(pk=1, defaults={"token": token})
    # Dropped now for this transaction's own reads (and a test's, which never commits), and
    # again on commit for readers that cached the old token while it was in progress.
    forget_policy_version()
    transaction.on_commit(forget_policy_version)


class PolicyDataError(ValueError):
    """The data file is malformed; the message says where."""


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    # The file was loaded as it is before: nothing was read into the database.
    unchanged: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


@contextmanager
def _reporting(where: str):
    """Report whatever the data breaks (a missing key, a rule or constraint) as PolicyDataError."""
    try:
        yield
    except KeyError as exc:
        raise PolicyDataError(f"{where}: missing {exc.args[0]!r}") from exc
    except (ValidationError, IntegrityError) as exc:
        raise PolicyDataError(f"{where}: {exc}") from exc


def _decimal(value, where: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):
        # Floats lose fen; the file writes every amount and rate as a string.
        raise PolicyDataError(f"{where}: write {value!r} as a string, not a float")
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise PolicyDataError(f"{where}: {value!r} is not a number") from exc


def _audience(data: dict, key: str, where: str) -> list[str]:
    """A section's or a measure's ``industries`` or ``scales``: values of the enterprise
    profile's choices, so that they can be matched against an enterprise."""
    known = {"industries": Industry.values, "scales": Scale.values}[key]
    values = list(data.get(key, []))
    unknown = [value for value in values if value not in known]
    if unknown:
        raise PolicyDataError(f"{where}: unknown {key} {unknown!r}; known: {', '.join(known)}")
    return values


def _upsert(report: LoadReport, model: type[models.Model], label: str, lookup: dict, values: dict):
    """Create or update one row, saving only when a value differs."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        report.created.append(label)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        report.updated.append(f"{label} ({', '.join(changed)})")
    return obj


def _delete_missing(report: LoadReport, queryset, keep_pks: set, label: str) -> None:
    for obj in queryset.exclude(pk__in=keep_pks):
        report.deleted.append(f"{label} {obj}")
        obj.delete()


def _load_track(report: LoadReport, measure: Measure, order: int, data: dict) -> Track:
    where = f"measure {measure.number} track {data.get('code')}"
    track = _upsert(
        report,
        Track,
        where,
        {"measure": measure, "code": data["code"]},
        {
            "name": data["name"],
            "description": data.get("description", ""),
            "order": order,
            "is_active": data.get("is_active", True),
            "award_kind": data["award_kind"],
            "rate": _decimal(data.get("rate"), where),
            "base_field": data.get("base_field", ""),
            "base_limit_rate": _decimal(data.get("base_limit_rate"), where),
            "base_limit_field": data.get("base_limit_field", ""),
            "floor": _decimal(data.get("floor"), where),
            "cap": _decimal(data.get("cap"), where),
            "cap_period": data.get("cap_period", Track.CapPeriod.APPLICATION),
            "rounding": data.get("rounding", "half_up"),
            "rule_text": data["rule_text"],
            "required_documents": list(data.get("required_documents", [])),
            "recognitions": list(data.get("recognitions", [])),
            "industry_codes": list(data.get("industry_codes", [])),
            "industry_text": data.get("industry_text", ""),
            "confirmations": list(data.get("confirmations", [])),
        },
    )
    field_names = set()
    kept_fields = set()
    for field_order, field_data in enumerate(data.get("fields", []), start=1):
        field_where = f"{where} field {field_data['name']}"
        field_names.add(field_data["name"])
        track_field = _upsert(
            report,
            TrackField,
            field_where,
            {"track": track, "name": field_data["name"]},
            {
                "label": field_data["label"],
                "unit": field_data.get("unit", ""),
                "field_type": field_data["type"],
                "required": field_data.get("required", True),
                "minimum": _decimal(field_data.get("minimum"), field_where),
                "maximum": _decimal(field_data.get("maximum"), field_where),
                "decimal_places": field_data.get("decimal_places", 2),
                "help_text": field_data.get("help_text", ""),
                "order": field_order,
            },
        )
        # Its limits as the admin checks them: decimal places and a ceiling the columns hold.
        with _reporting(field_where):
            track_field.full_clean(exclude=["track"], validate_unique=False)
        kept_fields.add(track_field.pk)
    _delete_missing(report, track.fields.all(), kept_fields, f"{where} field")

    for name in (track.base_field, track.base_limit_field):
        if name and name not in field_names:
            raise PolicyDataError(f"{where}: rule refers to undeclared field {name!r}")
    kept_thresholds = set()
    for threshold in data.get("thresholds", []):
        if threshold["field"] not in field_names:
            raise PolicyDataError(f"{where}: threshold on undeclared field {threshold['field']!r}")
        threshold_where = f"{where} threshold {threshold['field']} {threshold['operator']}"
        kept_thresholds.add(
            _upsert(
                report,
                EligibilityThreshold,
                threshold_where,
                {
                    "track": track,
                    "field_name": threshold["field"],
                    "operator": threshold["operator"],
                },
                {
                    "value": _decimal(threshold.get("value"), threshold_where),
                    "text": threshold["text"],
                },
            ).pk
        )
    _delete_missing(report, track.thresholds.all(), kept_thresholds, f"{where} threshold")
    track.full_clean(validate_unique=False, validate_constraints=True)
    return track


@transaction.atomic
@_reporting("policy data")
def policy_load(*, path: Path = POLICY_FILE, force: bool = False) -> LoadReport:
    """Load the notice's data file; idempotent, and all or nothing.

    A file already loaded as it is now is not loaded again unless ``force``d: every start of the
    site loads the file, and what administrators changed in the admin since (a cap corrected, a
    threshold's text) must survive a restart. A changed file, a new release of the policy data,
    is loaded, and its values win."""
    raw = Path(path).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PolicyDataError(f"{path}: {exc}") from exc
    report = LoadReport()
    doc = data["document"]
    if (
        not force
        and PolicyDocument.objects.filter(
            document_number=doc["number"], source_sha256=digest
        ).exists()
    ):
        report.unchanged = True
        policy_version_bump()  # as below: what changed by other means is seen after a load
        return report
    document = _upsert(
        report,
        PolicyDocument,
        f"document {doc['number']}",
        {"document_number": doc["number"]},
        {
            "title": doc["title"],
            "notice_title": doc.get("notice_title", ""),
            "issuer": doc["issuer"],
            "issued_on": doc["issued_on"],
            "preamble": doc.get("preamble", ""),
        },
    )
    divisions = {
        d["code"]: _upsert(
            report, Division, f"division {d['code']}", {"code": d["code"]}, {"name": d["name"]}
        )
        for d in data.get("divisions", [])
    }
    sections = {
        s["number"]: _upsert(
            report,
            Section,
            f"section {s['number']}",
            {"document": document, "number": s["number"]},
            {
                "title": s["title"],
                "industries": _audience(s, "industries", f"section {s['number']}"),
                "scales": _audience(s, "scales", f"section {s['number']}"),
            },
        )
        for s in data["sections"]
    }
    for m in data["measures"]:
        where = f"measure {m['number']}"
        with _reporting(where):
            if m["section"] not in sections:
                raise PolicyDataError(f"{where}: unknown section {m['section']}")
            if m.get("division") and m["division"] not in divisions:
                raise PolicyDataError(f"{where}: unknown division {m['division']!r}")
            measure = _upsert(
                report,
                Measure,
                where,
                {"number": m["number"]},
                {
                    "section": sections[m["section"]],
                    "title": m["title"],
                    "text": m["text"],
                    "kind": m["kind"],
                    "division": divisions.get(m.get("division")),
                    "industries": _audience(m, "industries", where),
                },
            )
            kept_tracks = {
                _load_track(report, measure, order, t).pk
                for order, t in enumerate(m.get("tracks", []), start=1)
            }
            # A track that left the file may still have applications: retire it, never delete it.
            for track in measure.tracks.exclude(pk__in=kept_tracks).filter(is_active=True):
                track.is_active = False
                track.save(update_fields=["is_active"])
                report.updated.append(f"{where} track {track.code} (retired)")
    PolicyDocument.objects.filter(pk=document.pk).update(source_sha256=digest)
    # Also when nothing differed: data changed by other means (a bulk update) is seen after a load.
    policy_version_bump()
    return report


# The festivals of the chinesecalendar package, by the names the State Council gives them.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def calendar_seed(*, CalendarDay=None) -> int:
    """Add the holidays and 调休 of every year the chinesecalendar package knows that the table
    has none of: a year an administrator entered (or changed) is left as it is, and deadlines
    counted in the years added are counted again. Takes the model, so that a migration can pass
    its historical one (whose deadlines were counted from the package: nothing to count again).
    Returns how many days were added."""
    import chinese_calendar

    from .workdays import forget_calendar

    historical = CalendarDay is not None
    if CalendarDay is None:
        from .models import CalendarDay
    kinds = ((chinese_calendar.holidays, "holiday"), (chinese_calendar.workdays, "workday"))
    entered = {day.year for day in CalendarDay.objects.dates("date", "year")}
    days = [
        CalendarDay(date=day, kind=kind, name=HOLIDAY_NAMES.get(name, name))
        for table, kind in kinds
        for day, name in table.items()
        if day.year not in entered
    ]
    CalendarDay.objects.bulk_create(days, ignore_conflicts=True, batch_size=1000)
    forget_calendar(years=() if historical else {day.date.year for day in days})
    return len(days)
