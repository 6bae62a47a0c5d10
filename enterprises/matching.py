"""Matching (精准测算): every track with an open window against an enterprise's file.

A track's conditions are policy data (``measures/data/policy.toml``, editable in the admin), of
two kinds: those the file establishes (its thresholds on the file's figures, one of its
recognitions held, its industry by 国民经济行业分类) and those it cannot (the kind of project,
product or applicant), which the notice states and the enterprise must confirm
(``Track.confirmations``). Each (window, track) falls in one of three groups:

- qualifies: the file establishes every condition the notice sets for the track, and the track
  has none the enterprise must confirm; the file holds the figures its amount is computed from,
  and the amount or range is ``measures.calculator.quote``'s, as on the calculator;
- may qualify: no condition is known to fail, but figures or the industry are missing from the
  file (listed by label), or the track has conditions the enterprise must confirm (listed in
  the notice's words);
- does not qualify: a condition fails; the reason quotes the notice.

Which figures: a track reads the figures of the window's year. Where the file has none of the
track's figures for that year, it reads the latest earlier year that has some, and says so
(an enterprise that filled in last year's figures learns where it stands before it adds this
year's). A later year is never read: it is not the year the window asks about.

The figures a track needs are those of its thresholds, those its amount is computed from and
its other required numeric fields. Yes/no fields count only through a threshold (an unticked
box is an answer), and text fields (a document number, a product's name) describe one
application: the application asks for them, matching does not.

What a match rests on: every figure it read, every recognition it was granted on and the industry
it fits, each with its source (``Basis``): a department's import batch, or 企业自报. A track is
established only by what the departments hold: where the file would qualify but some of what it
rests on is the enterprise's own (its figures, recognitions it entered, its industry as it
registered it), the track may qualify: the enterprise is invited to apply, and the review checks
what it declared. Only a match resting on the departments' data alone qualifies, and only such a
match becomes a 免申即享 proposal (``applications.proposals``).

Everything is read in one query per kind of data, whatever the number of tracks and windows:
the open windows, their tracks, the tracks' fields and thresholds, then the file's figures and
recognitions. ``match_track`` itself reads nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.selectors import RECOGNITION, SELF_REPORTED, Provenance
from measures.calculator import Quote, describe_value, fields_by_name, quote, thresholds_of
from measures.industries import DIVISION_NAMES, DIVISION_SECTION, SECTION_NAMES
from measures.models import (
    ApplicationWindow,
    EligibilityThreshold,
    Measure,
    Track,
    TrackField,
)
from measures.recognitions import Recognition, counted_years

from .models import Enterprise
from .selectors import EnterpriseFile, enterprise_file


class Status(StrEnum):
    QUALIFIES = "qualifies"
    MAY_QUALIFY = "may_qualify"
    DOES_NOT_QUALIFY = "does_not_qualify"


@dataclass(frozen=True)
class Basis:
    """One thing a match rests on: a figure of a year, a recognition held in a year, or the
    industry, as the page writes it, with its source."""

    label: str
    year: int | None
    text: str  # the value as written, or "" to write ``raw`` by its field when shown
    provenance: Provenance
    raw: object = None
    track_field: TrackField | None = None

    @property
    def value(self) -> str:
        # Written when a page shows it: 免申即享 matches thousands of files and shows none.
        return self.text or describe_value(self.raw, self.track_field)


@dataclass
class TrackMatch:
    window: ApplicationWindow
    track: Track
    status: Status
    # The year whose figures were read (None: the track reads no figures).
    year: int | None = None
    quote: Quote | None = None
    missing: list[str] = field(default_factory=list)
    # What the file lacks outside the yearly figures (its industry), by label.
    missing_profile: list[str] = field(default_factory=list)
    # The notice's conditions the file cannot establish, for the enterprise to confirm.
    confirmations: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    # The recognitions of the file the track was granted on.
    recognitions: list[str] = field(default_factory=list)
    # How many of the figures the track reads the file holds.
    known: int = 0
    # What the match rests on, each with its source.
    basis: list[Basis] = field(default_factory=list)
    # A match that would qualify on the enterprise's own data: the labels of what no
    # department establishes (it may qualify, and the enterprise is invited to apply).
    unverified: list[str] = field(default_factory=list)
    # The enterprise's own live application for the track in the window, where the page has
    # looked it up (a 免申即享 draft included).
    application: object = None

    @property
    def measure(self) -> Measure:
        return self.track.measure

    @property
    def rests_on_departments(self) -> bool:
        """Whether everything the match read came from a department's data."""
        return bool(self.basis) and all(b.provenance.is_department for b in self.basis)

    @property
    def year_is_earlier(self) -> bool:
        return self.year is not None and self.year < self.window.year


@dataclass
class MatchReport:
    enterprise: Enterprise
    moment: datetime
    matches: list[TrackMatch]

    def _of(self, status: Status) -> list[TrackMatch]:
        return [m for m in self.matches if m.status == status]

    @property
    def qualifies(self) -> list[TrackMatch]:
        return self._of(Status.QUALIFIES)

    @property
    def may_qualify(self) -> list[TrackMatch]:
        return self._of(Status.MAY_QUALIFY)

    @property
    def does_not_qualify(self) -> list[TrackMatch]:
        return self._of(Status.DOES_NOT_QUALIFY)


# ── reads ──────────────────────────────────────────────────────────────────────────────────


def open_windows_with_tracks(*, moment=None) -> list[tuple[ApplicationWindow, Track]]:
    """Every (window, track) open for applications at ``moment``, in the notice's order:
    four queries (windows, tracks, their fields, their thresholds)."""
    moment = moment or timezone.now()
    windows = list(
        ApplicationWindow.objects.open_at(moment)
        .filter(measure__kind=Measure.Kind.FUNDING)
        .order_by("measure__number", "closes_at", "pk")
    )
    if not windows:
        return []
    tracks = list(
        Track.objects.filter(is_active=True, measure_id__in={w.measure_id for w in windows})
        .select_related("measure__section")
        .prefetch_related(
            Prefetch("fields", queryset=TrackField.objects.order_by("order", "pk")), "thresholds"
        )
        .order_by("measure__number", "order", "pk")
    )
    pairs = []
    for window in windows:
        for track in tracks:
            if track.measure_id == window.measure_id and window.track_id in (None, track.pk):
                # The window's measure, from the track: the windows query joins nothing.
                window.measure = track.measure
                pairs.append((window, track))
    return pairs


def match_report(*, enterprise: Enterprise, moment=None) -> MatchReport:
    """The enterprise's report: six queries, whatever the number of tracks and windows."""
    moment = moment or timezone.now()
    pairs = open_windows_with_tracks(moment=moment)
    file = enterprise_file(enterprise=enterprise)
    return MatchReport(
        enterprise=enterprise,
        moment=moment,
        matches=[match_track(track=track, window=window, file=file) for window, track in pairs],
    )


# ── the rule ───────────────────────────────────────────────────────────────────────────────


def considered_fields(track: Track) -> list[TrackField]:
    """The fields of ``track`` whose figures matching needs (see the module's docstring)."""
    threshold_names = {t.field_name for t in thresholds_of(track)}
    rule_names = {track.base_field, track.base_limit_field} - {""}
    numeric = (TrackField.FieldType.DECIMAL, TrackField.FieldType.INTEGER)
    return [
        f
        for f in fields_by_name(track).values()
        if f.name in threshold_names
        or f.name in rule_names
        or (f.required and f.field_type in numeric)
    ]


def _typed(value, track_field: TrackField | None):
    if (
        track_field is not None
        and track_field.field_type == TrackField.FieldType.INTEGER
        and isinstance(value, Decimal)
    ):
        return int(value)
    return value


def _year_to_read(names: list[str], window_year: int, file: EnterpriseFile) -> int:
    years = {year for name in names for year in file.figures.get(name, {}) if year <= window_year}
    return max(years) if years else window_year


def _named(kinds) -> str:
    # The labels carry quotation marks of their own (国家“小巨人”企业): none added around them.
    return "、".join(str(Recognition(kind).label) for kind in kinds)


def _industry_name(code: str) -> str:
    name = SECTION_NAMES.get(code) or DIVISION_NAMES.get(code) or ""
    return f"{code} {name}".strip()


def industry_fits(codes, *, section: str, division: str) -> bool | None:
    """Whether the file's classification is among ``codes`` (sections by letter, divisions by
    number): None where the file cannot tell (nothing filled in, or only a section that holds
    one of the divisions asked for)."""
    sections = {code for code in codes if code in SECTION_NAMES}
    divisions = {code for code in codes if code in DIVISION_NAMES}
    if not section and not division:
        return None
    section = section or DIVISION_SECTION.get(division, "")
    if section in sections or division in divisions:
        return True
    if not division and any(DIVISION_SECTION[code] == section for code in divisions):
        return None
    return False


def _recognition_reasons(track: Track, window: ApplicationWindow, file, match) -> list[str]:
    kinds = list(track.recognitions or [])
    if not kinds:
        return []
    years = counted_years(window.year)
    held = {}
    for kind in kinds:
        in_years = [year for year in years if (kind, year) in file.recognitions]
        # The year a department's data gives, where one does: the match rests on it.
        given = [y for y in in_years if file.source_of(kind, y, kind=RECOGNITION).is_department]
        if in_years:
            held[kind] = (given or in_years)[0]
    if held:
        match.recognitions = [Recognition(kind).label for kind in held]
        match.basis += [
            Basis(
                str(Recognition(kind).label),
                year,
                _("已认定"),
                file.source_of(kind, year, kind=RECOGNITION),
            )
            for kind, year in held.items()
        ]
        return []
    return [
        _(
            "不符合：通知第%(number)s条面向%(kinds)s；企业档案中没有%(first)s年或"
            "%(last)s年获得的该项认定。"
        )
        % {
            "number": track.measure.number,
            "kinds": _named(kinds),
            "first": years[0],
            "last": years[-1],
        }
    ]


def _industry_reasons(track: Track, file, match) -> list[str]:
    codes = list(track.industry_codes or [])
    if not codes:
        return []
    fits = industry_fits(codes, section=file.industry_section, division=file.industry_division)
    if fits is None:
        match.missing_profile.append(_("国民经济行业分类"))
        return []
    held = file.industry_division or file.industry_section
    if fits:
        # The classification is the enterprise's own, as it registered it.
        match.basis.append(Basis(_("国民经济行业分类"), None, _industry_name(held), SELF_REPORTED))
        return []
    return [
        _(
            "不符合：通知第%(number)s条面向%(text)s（国民经济行业%(codes)s）；"
            "企业档案中的国民经济行业为%(held)s。"
        )
        % {
            "number": track.measure.number,
            "text": track.industry_text,
            "codes": "、".join(_industry_name(code) for code in codes),
            "held": _industry_name(held),
        }
    ]


def _threshold_reasons(track: Track, fields: dict, declared: dict, year) -> list[str]:
    number = track.measure.number
    reasons = []
    for threshold in thresholds_of(track):
        value = declared.get(threshold.field_name)
        if value in (None, "") or threshold.is_met(value):
            continue
        track_field = fields.get(threshold.field_name)
        if threshold.operator == EligibilityThreshold.Operator.TRUE:
            reasons.append(
                _("不符合：通知第%(number)s条要求“%(condition)s”，企业档案中%(year)s年为“否”。")
                % {"number": number, "condition": threshold.text, "year": year}
            )
        else:
            reasons.append(
                _(
                    "不符合：通知第%(number)s条要求“%(condition)s”，"
                    "企业档案中%(year)s年的%(label)s为%(value)s。"
                )
                % {
                    "number": number,
                    "condition": threshold.text,
                    "year": year,
                    "label": track_field.label if track_field else threshold.field_name,
                    "value": describe_value(value, track_field),
                }
            )
    return reasons


def match_track(
    *, track: Track, window: ApplicationWindow, file: EnterpriseFile, explain: bool = True
) -> TrackMatch:
    """Where ``file`` stands on ``track`` in ``window``; reads nothing from the database.
    Without ``explain``, the quote's amount comes without its explanation."""
    fields = fields_by_name(track)
    needed = considered_fields(track)
    match = TrackMatch(
        window=window,
        track=track,
        status=Status.MAY_QUALIFY,
        confirmations=list(track.confirmations or []),
    )

    reasons = _recognition_reasons(track, window, file, match)
    reasons += _industry_reasons(track, file, match)

    declared = {}
    if needed or not track.recognitions:
        names = [f.name for f in needed]
        match.year = _year_to_read(names, window.year, file)
        for name, by_year in file.figures.items():
            if name in fields and match.year in by_year:
                declared[name] = _typed(by_year[match.year], fields[name])
        match.missing = [f.label for f in needed if declared.get(f.name) in (None, "")]
        match.known = len(needed) - len(match.missing)
        match.basis += [
            Basis(
                f.label,
                match.year,
                "",
                file.source_of(f.name, match.year),
                raw=declared[f.name],
                track_field=f,
            )
            for f in needed
            if declared.get(f.name) not in (None, "")
        ]
    reasons += _threshold_reasons(track, fields, declared, match.year)

    if reasons:
        match.status, match.reasons = Status.DOES_NOT_QUALIFY, reasons
        return match
    if not needed and not track.recognitions and not track.industry_codes:
        # Nothing in the file can tell (policy data that names no condition and no figure).
        match.missing = [f.label for f in track.fields.all()] or [track.description or track.name]
        return match
    if match.missing:
        return match
    result = quote(track, declared, explain=explain)
    match.quote = result
    if not result.eligible:
        match.status, match.reasons = Status.DOES_NOT_QUALIFY, list(result.reasons)
    elif not match.missing_profile and not match.confirmations:
        match.unverified = [b.label for b in match.basis if not b.provenance.is_department]
        if not match.unverified:
            match.status = Status.QUALIFIES
    return match
