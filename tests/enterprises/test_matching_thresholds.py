"""Every threshold of the notice, read from the policy data, at, just below and just above its
value: the matching page puts the enterprise on the right side of each one."""

from decimal import Decimal

import pytest

from enterprises.matching import Status, considered_fields, match_track
from measures.industries import DIVISION_SECTION, SECTION_NAMES
from measures.models import EligibilityThreshold, Track
from tests.enterprises.test_matching import YEAR, file_of, window_for

pytestmark = pytest.mark.django_db

GTE, GT, TRUE = (
    EligibilityThreshold.Operator.GTE,
    EligibilityThreshold.Operator.GT,
    EligibilityThreshold.Operator.TRUE,
)
FEN = Decimal("0.01")
PLENTY = Decimal("1000000000")  # a figure no threshold stands in the way of


def _satisfying(track: Track) -> dict:
    """Figures that meet every threshold of the track, with room to spare elsewhere."""
    figures = {}
    for field in considered_fields(track):
        figures[field.name] = True if field.field_type == "boolean" else PLENTY
    for threshold in track.thresholds.all():
        if threshold.operator == TRUE:
            figures[threshold.field_name] = True
        else:
            needed = threshold.value + (FEN if threshold.operator == GT else 0)
            figures[threshold.field_name] = max(figures.get(threshold.field_name, 0), needed)
    return figures


def _recognitions(track: Track) -> set:
    return {(kind, YEAR) for kind in track.recognitions}


def _in_industry(file, track: Track):
    """The file of an enterprise of the track's first industry, where it names any."""
    if track.industry_codes:
        code = track.industry_codes[0]
        if code in SECTION_NAMES:
            file.industry_section = code
        else:
            file.industry_section, file.industry_division = DIVISION_SECTION[code], code
    return file


def _thresholds():
    """(track code, measure number, field, operator) of every threshold the policy data holds;
    read once at collection from the file the data is loaded from."""
    import tomllib

    from django.conf import settings

    data = tomllib.loads(
        (settings.BASE_DIR / "measures" / "data" / "policy.toml").read_text(encoding="utf-8")
    )
    for measure in data.get("measures", []):
        for track in measure.get("tracks", []):
            for threshold in track.get("thresholds", []):
                yield pytest.param(
                    measure["number"],
                    track["code"],
                    threshold["field"] if "field" in threshold else threshold["field_name"],
                    id=f"{measure['number']}-{track['code']}-{threshold.get('field', threshold.get('field_name'))}",
                )


@pytest.mark.parametrize(("number", "code", "field_name"), list(_thresholds()))
def test_each_threshold_at_just_below_and_just_above(policy, number, code, field_name):
    track = Track.objects.prefetch_related("fields", "thresholds").get(
        measure__number=number, code=code
    )
    window = window_for(track)
    recognitions = _recognitions(track)
    baseline = _satisfying(track)
    # Met: the track qualifies, or may where the enterprise has conditions to confirm or where
    # it turns on the industry, the enterprise's own entry, which no department establishes.
    met = Status.MAY_QUALIFY if track.confirmations or track.industry_codes else Status.QUALIFIES
    assert (
        match_track(
            track=track,
            window=window,
            file=_in_industry(file_of(baseline, recognitions=recognitions), track),
        ).status
        == met
    ), "figures meeting every threshold"

    threshold = next(t for t in track.thresholds.all() if t.field_name == field_name)
    if threshold.operator == TRUE:
        cases = [(True, met), (False, Status.DOES_NOT_QUALIFY)]
    else:
        strictest = max(
            t.value
            for t in track.thresholds.all()
            if t.field_name == field_name and t.value is not None
        )
        if threshold.value != strictest:
            pytest.skip("a weaker threshold on the same figure: the stricter one decides")
        at = met if threshold.operator == GTE else Status.DOES_NOT_QUALIFY
        cases = [
            (threshold.value - FEN, Status.DOES_NOT_QUALIFY),
            (threshold.value, at),
            (threshold.value + FEN, met),
        ]
    for value, status in cases:
        file = _in_industry(
            file_of({**baseline, field_name: value}, recognitions=recognitions), track
        )
        match = match_track(track=track, window=window, file=file)
        assert match.status == status, (value, match.reasons, match.missing)
        if status == Status.DOES_NOT_QUALIFY:
            assert any(threshold.text in reason for reason in match.reasons), match.reasons
