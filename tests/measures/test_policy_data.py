"""The data file checked against the notice itself, independently of the loader and the models.

The notice is read from its published text; the expected rules below are written out by hand from
that text, so a slip in ``measures/data/policy.toml`` fails here even if the loader and the
calculator agree with it.
"""

import datetime
import re
import tomllib
from decimal import Decimal

import pytest

from measures.services import POLICY_FILE

# The published text of the notice, kept beside the data file transcribed from it.
NOTICE_FILE = POLICY_FILE.parent / "notice.txt"
NUMERALS = "一二三四五六七八九十"
WAN = Decimal(10_000)
YI = Decimal(100_000_000)

DATA = tomllib.loads(POLICY_FILE.read_text(encoding="utf-8"))
MEASURES = {m["number"]: m for m in DATA["measures"]}

PROGRAMMES = {4, 5, 19, 22, 23}


def squeeze(text: str) -> str:
    """The notice sets spaces around figures ("最高 2000 万元") at random; compare without them."""
    return re.sub(r"\s+", "", text)


def read_notice() -> tuple[str, dict[int, str], dict[int, tuple[int, str]]]:
    """The notice as (whole text, section titles, measures as (section, text)).

    Page breaks in the published text leave blank lines in the middle of a sentence and, once, a
    running footer ("## 重庆市经济和信息化委员会规范性文件" and a rule); both are dropped, and a
    line that starts neither a heading nor a numbered measure continues the measure before it.
    """
    raw = NOTICE_FILE.read_text(encoding="utf-8")
    raw = re.sub(r"^##\s*重庆市经济和信息化委员会规范性文件\s*\n\s*---\s*$", "", raw, flags=re.M)
    head, marker, body = raw.partition("## 重庆市加力振作工业经济若干政策措施")
    assert marker, "the notice's heading was not found"
    sections: dict[int, str] = {}
    measures: dict[int, list] = {}
    current_section = current_measure = None
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        if heading := re.fullmatch(r"###\s*\**\s*([一二三四五六七八九十]+)、(.+?)\**", line):
            current_section = NUMERALS.index(heading[1]) + 1
            sections[current_section] = squeeze(heading[2])
            current_measure = None
        elif numbered := re.match(r"(\d+)\.(.*)", line):
            current_measure = int(numbered[1])
            measures[current_measure] = [current_section, numbered[2]]
        elif current_measure is not None:
            measures[current_measure][1] += line
    return (
        squeeze(raw),
        sections,
        {number: (section, squeeze(text)) for number, (section, text) in measures.items()},
    )


@pytest.fixture(scope="module")
def notice():
    return read_notice()


def tracks_of(number: int) -> list[dict]:
    return MEASURES[number].get("tracks", [])


def amount(text: str) -> Decimal:
    """'200万' → 2000000, '5亿' → 500000000."""
    figure, unit = re.fullmatch(r"(\d+(?:\.\d+)?)(万|亿)", text).groups()
    return Decimal(figure) * (WAN if unit == "万" else YI)


# Every track's rule, written out from the notice. Thresholds map a declared field to (operator,
# value); "以上" includes the figure, so "2000万元以上" and "1亿元及以上" are both `gte`.
# Interest subsidies (贴息) pay the interest actually paid (rate 1) up to the cap.
EXPECTED: dict[int, dict[str, dict]] = {
    1: {
        "leading-enterprise": {
            "award_kind": "range",
            "floor": amount("100万"),  # 给予100万元及以上奖励: a floor, no cap
            "thresholds": {
                "industrial_added_value": ("gte", amount("10亿")),
                "first_breakthrough": ("true", None),
            },
        },
    },
    2: {
        "supply-chain": {
            "award_kind": "formula",
            "rate": Decimal("0.01"),
            "base_field": "new_purchase_amount",
            "cap": amount("200万"),
            "thresholds": {"annual_purchase_amount": ("gte", amount("1亿"))},
        },
    },
    3: {
        code: {"award_kind": "range", "floor": amount("50万"), "cap": amount("200万")}
        for code in ("little-giant-cultivation", "little-giant", "single-champion", "sme-incubator")
    },
    6: {
        "data-platform": {
            "award_kind": "formula",
            "rate": Decimal("0.30"),
            "base_field": "project_investment",
            "cap": amount("500万"),
        },
        "core-components": {"award_kind": "range", "cap": amount("300万")},
    },
    7: {
        "passenger-ev": {"award_kind": "range", "cap": amount("500万")},
        "hydrogen-commercial": {"award_kind": "range", "cap": amount("800万")},
        "type-approval": {"award_kind": "range", "cap": amount("300万")},
    },
    8: {
        "financing-interest": {
            "award_kind": "formula",
            "rate": Decimal("1"),
            "base_field": "interest_paid",
            "cap": amount("500万"),
        },
        "hydrogen-station": {
            "award_kind": "range",
            "thresholds": {"in_operation": ("true", None)},
        },
    },
    9: {"smart-terminals": {"award_kind": "range"}},
    10: {
        "ic-design": {
            "award_kind": "formula",
            "rate": Decimal("0.12"),
            "base_field": "actual_investment",
            "cap": amount("500万"),
            "thresholds": {"actual_investment": ("gte", amount("2000万"))},
        },
        "ic-manufacturing": {
            "award_kind": "formula",
            "rate": Decimal("1"),
            "base_field": "interest_paid",
            "cap": amount("2000万"),
            "thresholds": {"actual_investment": ("gte", amount("5亿"))},
        },
        "ic-equipment-materials": {
            "award_kind": "formula",
            "rate": Decimal("1"),
            "base_field": "interest_paid",
            "cap": amount("1000万"),
            "thresholds": {"actual_investment": ("gte", amount("2亿"))},
        },
    },
    11: {
        "first-unit-insurance": {
            "award_kind": "formula",
            "rate": Decimal("0.80"),
            "base_field": "annual_premium",
            "base_limit_rate": Decimal("0.03"),
            "base_limit_field": "insured_amount",
            "cap": amount("500万"),
            "cap_period": "product_year",
            "thresholds": {"first_units_or_batch": ("true", None)},
        },
    },
    12: {"new-materials": {"award_kind": "range", "cap": amount("300万")}},
    13: {
        code: {"award_kind": "range", "floor": amount("20万"), "cap": amount("200万")}
        for code in ("key-brand", "food-expo", "open-competition")
    },
    14: {
        code: {"award_kind": "range", "floor": amount("100万"), "cap": amount("500万")}
        for code in (
            "registration",
            "international-registration",
            "consistency-evaluation",
            "rd-service-platform",
        )
    },
    15: {
        code: {"award_kind": "range", "floor": amount("100万"), "cap": amount("500万")}
        for code in (
            "key-software-enterprise",
            "software-product",
            "public-service-platform",
            "first-edition-software",
            "talent-training",
        )
    },
    16: {"innovation-recognition": {"award_kind": "range"}},
    17: {
        "research-platform": {
            "award_kind": "range",
            "floor": amount("100万"),
            "cap": amount("2000万"),
            "cap_period": "project",
        },
    },
    18: {
        "key-industrial-park": {
            "award_kind": "range",
            "cap": amount("1000万"),
            "cap_period": "year",
            "thresholds": {"annual_targets_met": ("true", None)},
        },
    },
    20: {
        "intelligent-manufacturing": {
            "award_kind": "range",
            "floor": amount("50万"),
            "cap": amount("1000万"),
        },
    },
    21: {
        "green-manufacturing": {
            "award_kind": "range",
            "floor": amount("50万"),
            "cap": amount("1000万"),
        },
    },
}

FUNDING = set(EXPECTED)


def as_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def rule_of(track: dict) -> dict:
    """A data-file track in the shape of EXPECTED, defaults filled in as the loader fills them."""
    rule = {
        "award_kind": track["award_kind"],
        "rate": as_decimal(track.get("rate")),
        "base_field": track.get("base_field", ""),
        "base_limit_rate": as_decimal(track.get("base_limit_rate")),
        "base_limit_field": track.get("base_limit_field", ""),
        "floor": as_decimal(track.get("floor")),
        "cap": as_decimal(track.get("cap")),
        "cap_period": track.get("cap_period", "application"),
        "thresholds": {
            t["field"]: (t["operator"], as_decimal(t.get("value")))
            for t in track.get("thresholds", [])
        },
    }
    return rule


def expected_rule(expected: dict) -> dict:
    defaults = {
        "rate": None,
        "base_field": "",
        "base_limit_rate": None,
        "base_limit_field": "",
        "floor": None,
        "cap": None,
        "cap_period": "application",
        "thresholds": {},
    }
    return defaults | expected


# Where the notice attaches an amount to money: "最高X" and the upper end of "X—Y" are caps, the
# lower end of "X—Y" and "给予X及以上" are floors, and "X以上"/"X及以上" otherwise is a condition
# on a declared figure.
AMOUNT = r"(\d+(?:\.\d+)?)(万|亿)元"


def amounts_in(text: str) -> dict[str, set[Decimal]]:
    found = {"floor": set(), "cap": set(), "threshold": set()}
    for match in re.finditer(AMOUNT, text):
        value = amount(match[1] + match[2])
        before, after = text[: match.start()], text[match.end() :]
        if before.endswith("最高"):
            found["cap"].add(value)
        elif after.startswith("—"):
            found["floor"].add(value)
        elif before.endswith("—"):
            found["cap"].add(value)
        elif before.endswith("给予") and after.startswith("及以上"):
            found["floor"].add(value)
        elif after.startswith(("以上", "及以上")):
            found["threshold"].add(value)
        else:
            raise AssertionError(f"{match[0]} in {text!r} is not attached to a rule")
    return found


def amounts_in_data(number: int) -> dict[str, set[Decimal]]:
    found = {"floor": set(), "cap": set(), "threshold": set()}
    for track in tracks_of(number):
        rule = rule_of(track)
        for kind in ("floor", "cap"):
            if rule[kind] is not None:
                found[kind].add(rule[kind])
        for operator, value in rule["thresholds"].values():
            if operator != "true":
                found["threshold"].add(value)
    return found


def test_the_data_file_transcribes_all_23_measures_in_order():
    assert [m["number"] for m in DATA["measures"]] == list(range(1, 24))


def test_document_metadata_is_the_notices(notice):
    whole, _, _ = notice
    document = DATA["document"]
    assert document["number"] == "渝经信规范〔2023〕1号"
    assert document["issued_on"] == datetime.date(2023, 1, 5)
    for key in ("number", "title", "notice_title", "issuer", "preamble"):
        assert squeeze(document[key]) in whole, key


def test_the_nine_sections_are_the_notices_headings(notice):
    _, sections, _ = notice
    assert len(sections) == 9
    assert {s["number"]: squeeze(s["title"]) for s in DATA["sections"]} == sections


@pytest.mark.parametrize("number", range(1, 24))
def test_measure_text_is_the_notices_paragraph(notice, number):
    _, _, measures = notice
    section, text = measures[number]
    assert squeeze(MEASURES[number]["text"]) == text
    assert MEASURES[number]["section"] == section


def test_programmes_have_no_tracks_and_funding_measures_have_tracks():
    for number, measure in MEASURES.items():
        if number in PROGRAMMES:
            assert measure["kind"] == "programme", number
            assert not tracks_of(number), number
        else:
            assert measure["kind"] == "funding", number
            assert tracks_of(number), number
    assert set(MEASURES) - PROGRAMMES == FUNDING


@pytest.mark.parametrize("number", sorted(FUNDING))
def test_track_rules_are_the_notices(number):
    tracks = {t["code"]: rule_of(t) for t in tracks_of(number)}
    expected = {code: expected_rule(rule) for code, rule in EXPECTED[number].items()}
    assert tracks == expected


@pytest.mark.parametrize("number", range(1, 24))
def test_every_amount_in_the_text_is_a_floor_cap_or_threshold_of_the_measure(notice, number):
    _, _, measures = notice
    _, text = measures[number]
    assert amounts_in_data(number) == amounts_in(text)


@pytest.mark.parametrize("number", range(1, 24))
def test_every_percentage_in_the_text_is_a_rate_of_the_measure(notice, number):
    _, _, measures = notice
    _, text = measures[number]
    in_text = {Decimal(p) / 100 for p in re.findall(r"(\d+(?:\.\d+)?)%", text)}
    in_data = set()
    for track in tracks_of(number):
        rule = rule_of(track)
        in_data |= {r for r in (rule["rate"], rule["base_limit_rate"]) if r is not None}
    # Rate 1 is the interest subsidy's "the interest paid", which the notice states in words.
    assert in_data - {Decimal(1)} == in_text


@pytest.mark.parametrize("number", sorted(FUNDING))
def test_rule_and_threshold_wording_is_quoted_from_the_measure(number):
    text = squeeze(MEASURES[number]["text"])
    for track in tracks_of(number):
        assert squeeze(track["rule_text"]) in text, track["code"]
        for threshold in track.get("thresholds", []):
            assert squeeze(threshold["text"]) in text, (track["code"], threshold["field"])


def test_amounts_and_rates_are_strings_so_no_fen_is_lost():
    for number in FUNDING:
        for track in tracks_of(number):
            for key in ("rate", "base_limit_rate", "floor", "cap"):
                assert not isinstance(track.get(key), float), (number, track["code"], key)
            for threshold in track.get("thresholds", []):
                assert not isinstance(threshold.get("value"), float), (number, track["code"])


def test_fields_named_by_rules_and_thresholds_are_declared():
    for number in FUNDING:
        for track in tracks_of(number):
            declared = {f["name"]: f for f in track.get("fields", [])}
            for name in (track.get("base_field"), track.get("base_limit_field")):
                if name:
                    assert declared[name]["type"] == "decimal", (number, track["code"], name)
                    assert declared[name].get("unit") == "元", (number, track["code"], name)
            for threshold in track.get("thresholds", []):
                declared_type = declared[threshold["field"]]["type"]
                wanted = "boolean" if threshold["operator"] == "true" else "decimal"
                assert declared_type == wanted, (number, track["code"], threshold["field"])
