"""The award calculator against the notice's figures, at and around every edge."""

import tomllib
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from measures.calculator import quote
from measures.models import Track
from measures.money import FEN, format_yuan
from measures.services import POLICY_FILE

D = Decimal
YES = True
NO = False


def _tracks_in_data_file() -> list[tuple[int, str]]:
    data = tomllib.loads(POLICY_FILE.read_text(encoding="utf-8"))
    return [(m["number"], t["code"]) for m in data["measures"] for t in m.get("tracks", [])]


ALL_TRACKS = _tracks_in_data_file()


def eligible_figures(track: Track) -> dict:
    """Figures that meet every threshold of ``track`` exactly at its edge."""
    declared = {}
    for track_field in track.fields.all():
        if track_field.field_type == track_field.FieldType.BOOLEAN:
            declared[track_field.name] = True
        elif track_field.field_type == track_field.FieldType.TEXT:
            declared[track_field.name] = "渝经信发〔2023〕1号"
        else:
            declared[track_field.name] = D("100000000.00")
    for threshold in track.thresholds.all():
        if threshold.operator == threshold.Operator.GTE:
            declared[threshold.field_name] = threshold.value
    return declared


def assert_not_eligible(result, *fragments: str) -> None:
    assert result.eligible is False
    assert result.amount is None
    reasons = "".join(result.reasons)
    for fragment in fragments:
        assert fragment in reasons


# ─── every track ─────────────────────────────────────────────────────────────────────────────


def test_every_track_in_the_database_is_covered_below(policy):
    assert set(Track.objects.values_list("measure__number", "code")) == set(ALL_TRACKS)


@pytest.mark.parametrize(("number", "code"), ALL_TRACKS, ids=[f"{n}-{c}" for n, c in ALL_TRACKS])
def test_eligible_figures_give_an_amount_within_the_notices_bounds(track, number, code):
    subject = track(number, code)
    result = quote(subject, eligible_figures(subject))

    assert result.eligible is True, result.reasons
    assert result.reasons == []
    assert result.explanation
    if subject.is_formula:
        assert result.amount is not None
        assert result.amount == result.max_amount
        assert result.amount >= (subject.floor or 0)
        if subject.cap is not None:
            assert result.amount <= subject.cap
        assert result.amount == result.amount.quantize(FEN)
    else:
        assert result.amount is None
        assert (result.min_amount, result.max_amount) == (subject.floor, subject.cap)
        assert subject.rule_text in result.explanation


THRESHOLDS = [
    (number, code)
    for number, code in ALL_TRACKS
    if (number, code)
    in {
        (1, "leading-enterprise"),
        (2, "supply-chain"),
        (8, "hydrogen-station"),
        (10, "ic-design"),
        (10, "ic-manufacturing"),
        (10, "ic-equipment-materials"),
        (11, "first-unit-insurance"),
        (18, "key-industrial-park"),
    }
]


def test_the_tracks_with_thresholds_are_the_ones_listed(policy):
    with_thresholds = set(
        Track.objects.filter(thresholds__isnull=False).values_list("measure__number", "code")
    )
    assert with_thresholds == set(THRESHOLDS)


@pytest.mark.parametrize(("number", "code"), THRESHOLDS, ids=[f"{n}-{c}" for n, c in THRESHOLDS])
def test_missing_any_threshold_makes_a_track_ineligible_and_says_which(track, number, code):
    subject = track(number, code)
    for threshold in subject.thresholds.all():
        declared = eligible_figures(subject)
        if threshold.operator == threshold.Operator.TRUE:
            declared[threshold.field_name] = False
            fragments = [threshold.text]
        else:
            declared[threshold.field_name] = threshold.value - FEN
            fragments = [threshold.text, format_yuan(threshold.value)]
        result = quote(subject, declared)
        assert_not_eligible(result, f"第{number}条", *fragments)
        assert len(result.reasons) == 1

        del declared[threshold.field_name]
        assert_not_eligible(quote(subject, declared), "未填写")


# ─── measure 1: floor 100万, no cap ─────────────────────────────────────────────────────────


def test_measure_1_at_10yi_is_eligible_for_100wan_and_up(track):
    result = quote(
        track(1),
        {"industrial_added_value": D("1000000000.00"), "first_breakthrough": YES},
    )
    assert result.eligible is True
    assert result.min_amount == D("1000000")
    assert result.max_amount is None


def test_measure_1_one_fen_below_10yi_is_not_eligible(track):
    result = quote(
        track(1),
        {"industrial_added_value": D("999999999.99"), "first_breakthrough": YES},
    )
    assert_not_eligible(result, "10亿元")


def test_measure_1_requires_the_first_breakthrough(track):
    result = quote(
        track(1),
        {"industrial_added_value": D("2000000000.00"), "first_breakthrough": NO},
    )
    assert_not_eligible(result, "首次突破")


# ─── measure 2: 1% of new purchases, cap 200万, annual purchases ≥ 1亿 ──────────────────────


def measure_2(track, *, annual, new):
    return quote(track(2), {"annual_purchase_amount": D(annual), "new_purchase_amount": D(new)})


def test_measure_2_three_yi_of_new_purchases_is_capped_at_200wan(track):
    result = measure_2(track, annual="150000000", new="300000000")
    assert result.eligible is True
    assert result.amount == D("2000000.00")
    assert str(result.amount) == "2000000.00"
    assert "300万元" in result.explanation
    assert "最高200万元" in result.explanation


def test_measure_2_annual_purchases_below_1yi_are_not_eligible(track):
    result = measure_2(track, annual="99999999.99", new="300000000")
    assert_not_eligible(result, "1亿元", "年累计采购额")


def test_measure_2_annual_purchases_of_exactly_1yi_are_eligible(track):
    result = measure_2(track, annual="100000000.00", new="50000000")
    assert result.eligible is True
    assert result.amount == D("500000.00")


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ("199999999.00", "1999999.99"),  # one fen below the cap: paid as computed
        ("200000000.00", "2000000.00"),  # exactly the cap
        ("200000001.00", "2000000.00"),  # 2,000,000.01 is one fen above: the cap
    ],
)
def test_measure_2_at_the_cap(track, new, expected):
    assert measure_2(track, annual="100000000", new=new).amount == D(expected)


def test_measure_2_rounds_half_up_to_the_fen(track):
    # 1% of 12,344.50 is 123.445: half-up gives 123.45 where banker's rounding would give 123.44.
    assert D("123.445").quantize(FEN, rounding=ROUND_HALF_EVEN) == D("123.44")
    assert measure_2(track, annual="100000000", new="12344.50").amount == D("123.45")


# ─── measure 3: 50万–200万, reviewers decide ─────────────────────────────────────────────────


@pytest.mark.parametrize(
    "code", ["little-giant-cultivation", "little-giant", "single-champion", "sme-incubator"]
)
def test_measure_3_range_is_50wan_to_200wan(track, code):
    result = quote(track(3, code), {"recognition_document": "工信部企业函〔2022〕191号"})
    assert result.eligible is True
    assert result.amount is None
    assert (result.min_amount, result.max_amount) == (D("500000"), D("2000000"))
    assert "50万元—200万元" in result.explanation


# ─── range tracks: [floor, cap] as the notice writes them ───────────────────────────────────

RANGES = {
    (1, "leading-enterprise"): ("1000000", None),
    (6, "core-components"): (None, "3000000"),
    (7, "passenger-ev"): (None, "5000000"),
    (7, "hydrogen-commercial"): (None, "8000000"),
    (7, "type-approval"): (None, "3000000"),
    (8, "hydrogen-station"): (None, None),
    (9, "smart-terminals"): (None, None),
    (12, "new-materials"): (None, "3000000"),
    (13, "key-brand"): ("200000", "2000000"),
    (13, "food-expo"): ("200000", "2000000"),
    (13, "open-competition"): ("200000", "2000000"),
    (14, "registration"): ("1000000", "5000000"),
    (14, "international-registration"): ("1000000", "5000000"),
    (14, "consistency-evaluation"): ("1000000", "5000000"),
    (14, "rd-service-platform"): ("1000000", "5000000"),
    (15, "key-software-enterprise"): ("1000000", "5000000"),
    (15, "software-product"): ("1000000", "5000000"),
    (15, "public-service-platform"): ("1000000", "5000000"),
    (15, "first-edition-software"): ("1000000", "5000000"),
    (15, "talent-training"): ("1000000", "5000000"),
    (16, "innovation-recognition"): (None, None),
    (17, "research-platform"): ("1000000", "20000000"),
    (18, "key-industrial-park"): (None, "10000000"),
    (20, "intelligent-manufacturing"): ("500000", "10000000"),
    (21, "green-manufacturing"): ("500000", "10000000"),
} | {
    (3, code): ("500000", "2000000")
    for code in ("little-giant-cultivation", "little-giant", "single-champion", "sme-incubator")
}


def test_every_range_track_is_in_the_range_table(policy):
    ranges = set(
        Track.objects.filter(award_kind=Track.AwardKind.RANGE).values_list(
            "measure__number", "code"
        )
    )
    assert ranges == set(RANGES)


@pytest.mark.parametrize(
    ("number", "code"), sorted(RANGES), ids=[f"{n}-{c}" for n, c in sorted(RANGES)]
)
def test_range_tracks_quote_the_notices_bounds(track, number, code):
    subject = track(number, code)
    floor, cap = RANGES[number, code]
    result = quote(subject, eligible_figures(subject))
    assert result.eligible is True
    assert result.min_amount == (floor and D(floor))
    assert result.max_amount == (cap and D(cap))


# ─── measure 6: 30% of project investment, cap 500万 ────────────────────────────────────────


@pytest.mark.parametrize(
    ("investment", "expected"),
    [
        ("10000000.00", "3000000.00"),
        ("1000000.15", "300000.05"),  # 300,000.045 rounds half up
        ("16666666.63", "4999999.99"),  # 4,999,999.989
        ("16666666.66", "5000000.00"),  # 4,999,999.998 rounds to the cap itself
        ("16666666.70", "5000000.00"),  # 5,000,000.01: one fen above the cap
        ("100000000.00", "5000000.00"),
    ],
)
def test_measure_6_data_platform(track, investment, expected):
    result = quote(track(6, "data-platform"), {"project_investment": D(investment)})
    assert result.eligible is True
    assert result.amount == D(expected)


# ─── measure 8: interest paid, cap 500万 ─────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("interest", "expected"),
    [
        ("1234567.89", "1234567.89"),
        ("5000000.00", "5000000.00"),
        ("5000000.01", "5000000.00"),
    ],
)
def test_measure_8_financing_interest(track, interest, expected):
    result = quote(
        track(8, "financing-interest"),
        {"financing_amount": D("300000000"), "interest_paid": D(interest)},
    )
    assert result.amount == D(expected)


# ─── measure 10: integrated circuits ────────────────────────────────────────────────────────


def ic_design(track, investment):
    return quote(track(10, "ic-design"), {"actual_investment": D(investment)})


def test_measure_10_design_with_3000wan_gets_360wan(track):
    result = ic_design(track, "30000000")
    assert result.eligible is True
    assert result.amount == D("3600000.00")
    assert str(result.amount) == "3600000.00"
    assert "12%" in result.explanation


def test_measure_10_design_with_1999wan_is_not_eligible(track):
    result = ic_design(track, "19990000")
    assert_not_eligible(result, "2000万元", "1999万元")


def test_measure_10_design_one_fen_below_2000wan_is_not_eligible(track):
    assert_not_eligible(ic_design(track, "19999999.99"), "2000万元")


def test_measure_10_design_at_exactly_2000wan_is_eligible(track):
    result = ic_design(track, "20000000.00")
    assert result.eligible is True
    assert result.amount == D("2400000.00")


def test_measure_10_design_rounds_to_the_fen(track):
    # 12% of 20,000,000.05 is 2,400,000.006.
    assert ic_design(track, "20000000.05").amount == D("2400000.01")
    # 12% of 20,000,000.04 is 2,400,000.0048.
    assert ic_design(track, "20000000.04").amount == D("2400000.00")


@pytest.mark.parametrize(
    ("investment", "expected"),
    [
        ("41666666.58", "4999999.99"),  # 4,999,999.9896
        ("41666666.67", "5000000.00"),  # 5,000,000.0004
        ("41666666.75", "5000000.00"),  # 5,000,000.01: one fen above the cap
        ("500000000", "5000000.00"),
    ],
)
def test_measure_10_design_cap_is_500wan(track, investment, expected):
    assert ic_design(track, investment).amount == D(expected)


@pytest.mark.parametrize(
    ("code", "threshold", "threshold_words", "cap", "cap_words"),
    [
        ("ic-manufacturing", "500000000", "5亿元", "20000000", "2000万元"),
        ("ic-equipment-materials", "200000000", "2亿元", "10000000", "1000万元"),
    ],
)
def test_measure_10_interest_subsidies(track, code, threshold, threshold_words, cap, cap_words):
    subject = track(10, code)

    def interest(investment, paid):
        return quote(subject, {"actual_investment": D(investment), "interest_paid": D(paid)})

    at_threshold = interest(threshold, "1000000.00")
    assert at_threshold.eligible is True
    assert at_threshold.amount == D("1000000.00")
    assert_not_eligible(interest(D(threshold) - FEN, "1000000.00"), threshold_words)
    assert interest(threshold, cap).amount == D(cap)
    assert interest(threshold, D(cap) + FEN).amount == D(cap)
    assert cap_words in interest(threshold, D(cap) + FEN).explanation


# ─── measure 11: 80% of the premium, the premium counted at most 3% of the insured amount ──


def insurance(track, *, insured, premium, first=YES):
    return quote(
        track(11),
        {
            "insured_amount": D(insured),
            "annual_premium": D(premium),
            "first_units_or_batch": first,
        },
    )


def test_measure_11_premium_below_3_percent_pays_80_percent_of_it(track):
    result = insurance(track, insured="100000000", premium="2000000")  # 2%
    assert result.eligible is True
    assert result.amount == D("1600000.00")
    assert "超过" not in result.explanation


def test_measure_11_premium_of_exactly_3_percent_counts_in_full(track):
    result = insurance(track, insured="10000000", premium="300000")
    assert result.amount == D("240000.00")
    assert "超过" not in result.explanation


def test_measure_11_premium_one_fen_above_3_percent_counts_only_3_percent(track):
    # Uncapped, 80% of 300,000.01 would be 240,000.008 → 240,000.01.
    result = insurance(track, insured="10000000", premium="300000.01")
    assert result.amount == D("240000.00")


def test_measure_11_premium_above_3_percent_counts_only_3_percent(track):
    result = insurance(track, insured="100000000", premium="5000000")  # 5%
    assert result.eligible is True
    assert result.amount == D("2400000.00")  # 80% of 3% of 1亿
    assert "3%" in result.explanation
    assert "300万元" in result.explanation


@pytest.mark.parametrize(
    ("premium", "expected"),
    [
        ("6249999.98", "4999999.98"),
        ("6250000.00", "5000000.00"),  # exactly the cap
        ("6250000.02", "5000000.00"),  # 5,000,000.016 → 5,000,000.02: above the cap
        ("9000000.00", "5000000.00"),
    ],
)
def test_measure_11_cap_is_500wan_per_product_per_year(track, premium, expected):
    assert insurance(track, insured="300000000", premium=premium).amount == D(expected)
    assert track(11).cap_period == Track.CapPeriod.PRODUCT_YEAR


def test_measure_11_drops_a_fraction_of_a_fen_so_it_never_pays_more_than_80_percent(track):
    """“不超过实际投保年度保费的80%”: rounding up would pay more than the notice allows."""
    # 0.008 drops to 0.00: nothing to pay is not an award.
    assert "为0" in insurance(track, insured="100000000", premium="0.01").reasons[0]
    assert insurance(track, insured="100000000", premium="1.23").amount == D("0.98")  # 0.984
    assert insurance(track, insured="100000000", premium="1000.01").amount == D("800.00")  # 800.008


def test_measure_11_requires_first_units_or_batch(track):
    result = insurance(track, insured="100000000", premium="2000000", first=NO)
    assert_not_eligible(result, "首批次")


def test_measure_11_needs_the_insured_amount_to_apply_the_3_percent_limit(track):
    result = quote(track(11), {"annual_premium": D("2000000"), "first_units_or_batch": YES})
    assert_not_eligible(result, "保险金额")


# ─── measure 18: boolean threshold, cap 1000万 per year ─────────────────────────────────────


def test_measure_18_annual_targets_not_met_is_not_eligible(track):
    result = quote(track(18), {"park_name": "西永微电园", "annual_targets_met": NO})
    assert_not_eligible(result, "创建期内完成年度目标任务", "第18条")


def test_measure_18_annual_targets_met_is_eligible_up_to_1000wan_a_year(track):
    result = quote(track(18), {"park_name": "西永微电园", "annual_targets_met": YES})
    assert result.eligible is True
    assert (result.min_amount, result.max_amount) == (None, D("10000000"))
    assert track(18).cap_period == Track.CapPeriod.YEAR


# ─── the rule is data ───────────────────────────────────────────────────────────────────────


def test_a_corrected_rule_changes_the_quote_without_code(track):
    subject = track(2)
    subject.cap = D("2500000")
    subject.save()
    assert measure_2(track, annual="100000000", new="300000000").amount == D("2500000.00")


def test_a_tracks_fields_are_kept_on_it_only_where_they_were_prefetched(policy):
    """Matching reads one track for thousands of files and keeps its fields on it; a track whose
    fields were not prefetched reads them afresh each time, so it never shows a stale set."""
    from measures.calculator import fields_by_name, thresholds_of

    plain = Track.objects.get(measure__number=11, code="first-unit-insurance")
    assert fields_by_name(plain) is not fields_by_name(plain)
    assert thresholds_of(plain) is not thresholds_of(plain)

    prefetched = Track.objects.prefetch_related("fields", "thresholds").get(pk=plain.pk)
    assert fields_by_name(prefetched) is fields_by_name(prefetched)
    assert thresholds_of(prefetched) is thresholds_of(prefetched)
    assert fields_by_name(prefetched) == fields_by_name(plain)
    assert list(fields_by_name(prefetched)) == [f.name for f in plain.fields.all()]
