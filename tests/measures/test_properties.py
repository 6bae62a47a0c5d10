"""Properties of the quote API over every track: a 400 or the notice's amount, never a 500.

The expected answers come from the notice's rules typed in below (rates, caps, floors, rounding),
not from the calculator or the rows it reads, so a wrong rule in the data file or a slip in the
calculator shows up as a difference. The tracks themselves are read from the database, so a new
track gets the generic properties (well-formed answers, the same amount through every path, more
never pays less) at once, and a test asks for its rule here.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from applications import services
from measures.calculator import quote
from measures.fields import StrictBooleanField, StrictDecimalField, StrictIntegerField
from measures.forms import declared_form_class
from measures.models import Measure, Track, TrackField
from tests.applications.factories import WindowFactory

URL = "/api/measures/{number}/quote/"
PROPERTY = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}

WAN = Decimal(10_000)
YI = Decimal(100_000_000)
FEN = Decimal("0.01")
# Every figure has a ceiling: 10万亿 unless its field says less (measures.numbers).
CEILING = Decimal(10) ** 13


# ── the notice's rules ──────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Expected:
    eligible: bool
    amount: Decimal | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None


NOT_ELIGIBLE = Expected(eligible=False)


def percent(rate: str) -> Decimal:
    return Decimal(rate) / 100


def award(rate: Decimal, base: Decimal, *, cap: Decimal, rounding=ROUND_HALF_UP) -> Expected:
    """rate × base to the fen, at most cap; nothing to pay is no award."""
    amount = min((rate * base).quantize(FEN, rounding=rounding), cap)
    if amount <= 0:
        return NOT_ELIGIBLE
    return Expected(eligible=True, amount=amount, max_amount=amount)


def reviewed(*, floor: Decimal | None = None, cap: Decimal | None = None) -> Expected:
    """The reviewers set the amount within the notice's range."""
    return Expected(eligible=True, min_amount=floor, max_amount=cap)


def premium_subsidy(f: dict) -> Expected:
    # 第11条：按照不超过实际投保年度保费的80%且实际保险费率不超过3%上限计算，单个产品年保费补贴最高500万元。
    # "不超过" 80%: a part of a fen is dropped, never rounded up past 80%.
    if f.get("first_units_or_batch") is not True:
        return NOT_ELIGIBLE
    counted_premium = min(f["annual_premium"], percent("3") * f["insured_amount"])
    return award(percent("80"), counted_premium, cap=500 * WAN, rounding=ROUND_DOWN)


# "以上" includes the figure itself ("2000万元以上" is 2000万元 or more), as the data file reads it.
NOTICE: dict[tuple[int, str], Callable[[dict], Expected]] = {
    # 第1条：年工业增加值首次突破10亿元及以上……给予100万元及以上奖励。
    (1, "leading-enterprise"): lambda f: (
        reviewed(floor=100 * WAN)
        if f["industrial_added_value"] >= 10 * YI and f.get("first_breakthrough") is True
        else NOT_ELIGIBLE
    ),
    # 第2条：年累计采购额在1亿元及以上……按其新增采购额1%比例给予最高200万元奖励。
    (2, "supply-chain"): lambda f: (
        award(percent("1"), f["new_purchase_amount"], cap=200 * WAN)
        if f["annual_purchase_amount"] >= YI
        else NOT_ELIGIBLE
    ),
    # 第3条：给予50万元—200万元奖励。
    **{
        (3, code): lambda f: reviewed(floor=50 * WAN, cap=200 * WAN)
        for code in ("little-giant-cultivation", "little-giant", "single-champion", "sme-incubator")
    },
    # 第6条：按照项目投资额的30%，给予最高500万元补助；核心配套产品给予最高300万元补助。
    (6, "data-platform"): lambda f: award(percent("30"), f["project_investment"], cap=500 * WAN),
    (6, "core-components"): lambda f: reviewed(cap=300 * WAN),
    # 第7条：乘用车最高500万元，氢燃料电池商用车最高800万元，公告检测最高300万元。
    (7, "passenger-ev"): lambda f: reviewed(cap=500 * WAN),
    (7, "hydrogen-commercial"): lambda f: reviewed(cap=800 * WAN),
    (7, "type-approval"): lambda f: reviewed(cap=300 * WAN),
    # 第8条：给予最高500万元贴息补助（贴息即实际支付的利息）；加氢站建成投入运行给予补贴。
    (8, "financing-interest"): lambda f: award(Decimal(1), f["interest_paid"], cap=500 * WAN),
    (8, "hydrogen-station"): lambda f: (
        reviewed() if f.get("in_operation") is True else NOT_ELIGIBLE
    ),
    # 第9条：给予一定奖励。
    (9, "smart-terminals"): lambda f: reviewed(),
    # 第10条：设计类2000万元以上按12%最高500万元；制造、封测类5亿元以上最高2000万元贴息；
    # 装备、材料类2亿元以上最高1000万元贴息。
    (10, "ic-design"): lambda f: (
        award(percent("12"), f["actual_investment"], cap=500 * WAN)
        if f["actual_investment"] >= 2000 * WAN
        else NOT_ELIGIBLE
    ),
    (10, "ic-manufacturing"): lambda f: (
        award(Decimal(1), f["interest_paid"], cap=2000 * WAN)
        if f["actual_investment"] >= 5 * YI
        else NOT_ELIGIBLE
    ),
    (10, "ic-equipment-materials"): lambda f: (
        award(Decimal(1), f["interest_paid"], cap=1000 * WAN)
        if f["actual_investment"] >= 2 * YI
        else NOT_ELIGIBLE
    ),
    (11, "first-unit-insurance"): premium_subsidy,
    # 第12条：择优给予最高300万元支持。
    (12, "new-materials"): lambda f: reviewed(cap=300 * WAN),
    # 第13条：择优给予20万元—200万元奖补。
    **{
        (13, code): lambda f: reviewed(floor=20 * WAN, cap=200 * WAN)
        for code in ("key-brand", "food-expo", "open-competition")
    },
    # 第14条、第15条：给予100万元—500万元奖励。
    **{
        (14, code): lambda f: reviewed(floor=100 * WAN, cap=500 * WAN)
        for code in (
            "registration",
            "international-registration",
            "consistency-evaluation",
            "rd-service-platform",
        )
    },
    **{
        (15, code): lambda f: reviewed(floor=100 * WAN, cap=500 * WAN)
        for code in (
            "key-software-enterprise",
            "software-product",
            "public-service-platform",
            "first-edition-software",
            "talent-training",
        )
    },
    # 第16条：给予奖励。
    (16, "innovation-recognition"): lambda f: reviewed(),
    # 第17条：单个项目给予100万元—2000万元支持。
    (17, "research-platform"): lambda f: reviewed(floor=100 * WAN, cap=2000 * WAN),
    # 第18条：创建期内完成年度目标任务的……给予最高1000万元/年支持。
    (18, "key-industrial-park"): lambda f: (
        reviewed(cap=1000 * WAN) if f.get("annual_targets_met") is True else NOT_ELIGIBLE
    ),
    # 第20条、第21条：择优给予50万元—1000万元。
    (20, "intelligent-manufacturing"): lambda f: reviewed(floor=50 * WAN, cap=1000 * WAN),
    (21, "green-manufacturing"): lambda f: reviewed(floor=50 * WAN, cap=1000 * WAN),
}


# ── the tracks, and figures generated from their field definitions ─────────────────────────


def turns_on_figures(track: Track) -> bool:
    """A formula or a condition; a reviewed range without conditions answers the same for any
    valid figures."""
    return track.is_formula or bool(track.thresholds.all())


def examples(track: Track, many: int) -> int:
    return many if turns_on_figures(track) else max(1, many // 8)


def funding_tracks() -> list[Track]:
    return list(
        Track.objects.filter(is_active=True, measure__kind=Measure.Kind.FUNDING)
        .select_related("measure")
        .prefetch_related("fields", "thresholds")
        .order_by("measure__number", "order", "pk")
    )


def post(client, number: int, payload) -> tuple[int, dict | None]:
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    response = client.post(URL.format(number=number), body, content_type="application/json")
    assert response["Content-Type"] == "application/json", response.content[:200]
    return response.status_code, response.json()


def quote_of(client, track: Track, declared) -> tuple[int, dict | None]:
    return post(client, track.measure.number, {"track": track.code, "declared": declared})


def step(track_field: TrackField) -> Decimal:
    return Decimal(1).scaleb(-track_field.decimal_places)


def largest(track_field: TrackField) -> Decimal:
    return track_field.maximum if track_field.maximum is not None else CEILING


def boundaries(track: Track, track_field: TrackField) -> list[Decimal]:
    """Figures where the answer turns: a threshold, where rate × figure reaches the cap."""
    turns = [
        t.value for t in track.thresholds.all() if t.field_name == track_field.name and t.value
    ]
    if track.is_formula and track.cap is not None and track.rate:
        if track_field.name == track.base_field:
            turns.append(track.cap / track.rate)
        if track_field.name == track.base_limit_field and track.base_limit_rate:
            turns.append(track.cap / track.rate / track.base_limit_rate)
    lowest = track_field.minimum if track_field.minimum is not None else -largest(track_field)
    near = set()
    for turn in turns:
        turn = turn.quantize(step(track_field))
        near.update(turn + d * step(track_field) for d in (-1, 0, 1))
    return sorted(n for n in near if lowest <= n <= largest(track_field))


def decimal_figures(track: Track, track_field: TrackField) -> st.SearchStrategy[Decimal]:
    places = track_field.decimal_places
    lowest = track_field.minimum if track_field.minimum is not None else -largest(track_field)
    options = [
        # Small figures, where rounding to the fen matters.
        st.decimals(min_value=lowest, max_value=max(lowest, Decimal(1000)), places=places),
        st.decimals(min_value=lowest, max_value=largest(track_field), places=places),
    ]
    if turns := boundaries(track, track_field):
        options.append(st.sampled_from(turns))
    return st.one_of(options)


def as_json_number(figure: Decimal) -> list:
    """The ways JSON can carry ``figure`` exactly: a string, and a number when one is exact."""
    forms = [format(figure, "f")]
    if figure == figure.to_integral_value():
        forms.append(int(figure))
    as_float = float(figure)
    if "e" not in repr(as_float) and Decimal(repr(as_float)) == figure:
        forms.append(as_float)
    return forms


MISSING = object()


@st.composite
def field_value(draw, track: Track, track_field: TrackField):
    """(what is sent, what it means): a valid entry for ``track_field``; MISSING if not sent."""
    kind = track_field.field_type
    if kind == TrackField.FieldType.BOOLEAN:
        answer = draw(st.booleans())
        sent = draw(
            st.sampled_from(
                [True, "true", "on", " TRUE "] if answer else [False, "false", "", None]
            )
        )
        if not answer and draw(st.booleans()):
            return MISSING, False
        return sent, answer
    if not track_field.required and draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from([MISSING, None, ""])), MISSING
    if kind == TrackField.FieldType.DECIMAL:
        figure = draw(decimal_figures(track, track_field))
        return draw(st.sampled_from(as_json_number(figure))), figure
    if kind == TrackField.FieldType.INTEGER:
        highest = int(largest(track_field))
        lowest = int(track_field.minimum) if track_field.minimum is not None else -highest
        number = draw(st.integers(min_value=lowest, max_value=highest))
        return draw(st.sampled_from([number, str(number)])), number
    text = draw(
        st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=200).filter(
            str.strip
        )
    )
    return text, text.strip()


@st.composite
def valid_figures(draw, track: Track) -> tuple[dict, dict]:
    """(declared as sent, figures as meant) for every field of ``track``."""
    sent, meant = {}, {}
    for track_field in track.fields.all():
        value, meaning = draw(field_value(track, track_field))
        if value is not MISSING:
            sent[track_field.name] = value
        if meaning is not MISSING:
            meant[track_field.name] = meaning
    # The premium counted at most the limit's rate of another figure (measure 11): try the
    # figures on either side of that limit too.
    if track.base_limit_field and track.base_limit_rate and draw(st.booleans()):
        base_field = next(f for f in track.fields.all() if f.name == track.base_field)
        limit = meant.get(track.base_limit_field)
        if isinstance(limit, Decimal):
            base = (limit * track.base_limit_rate).quantize(step(base_field), rounding=ROUND_DOWN)
            base += draw(st.sampled_from([-1, 0, 1])) * step(base_field)
            if base_field.minimum is None or base >= base_field.minimum:
                sent[track.base_field] = format(base, "f")
                meant[track.base_field] = base
    return sent, meant


# ── what every answer must look like ────────────────────────────────────────────────────────

MONEY_TEXT = re.compile(r"\A\d{1,14}\.\d{2}\Z")


def money(text: str | None) -> Decimal | None:
    if text is None:
        return None
    assert MONEY_TEXT.match(text), text
    return Decimal(text)


def assert_well_formed(body: dict, track: Track) -> None:
    """Holds for any 200 of any track, with or without the notice's rule above."""
    assert set(body) == {"eligible", "reasons", "amount", "min_amount", "max_amount", "explanation"}
    amount, low, high = money(body["amount"]), money(body["min_amount"]), money(body["max_amount"])
    if not body["eligible"]:
        assert body["reasons"] and all(isinstance(r, str) and r for r in body["reasons"])
        assert amount is None and low is None and high is None
        return
    assert body["reasons"] == []
    if track.is_formula:
        assert amount is not None and amount == high and low is None
        assert amount > 0
        assert track.cap is None or amount <= track.cap
        assert track.floor is None or amount >= track.floor
    else:
        assert amount is None
        assert (low, high) == (track.floor, track.cap)


def assert_answers(body: dict, expected: Expected) -> None:
    assert body["eligible"] is expected.eligible, body
    if expected.eligible:
        assert money(body["amount"]) == expected.amount, body
        assert money(body["min_amount"]) == expected.min_amount, body
        assert money(body["max_amount"]) == expected.max_amount, body


def amount_or_nothing(body: dict) -> Decimal:
    return money(body["amount"]) if body["eligible"] and body["amount"] else Decimal(0)


# ── 1. valid figures: a 200 with the notice's amount ────────────────────────────────────────


def test_the_notice_gives_a_rule_for_every_track(policy):
    tracks = {(t.measure.number, t.code) for t in funding_tracks()}

    missing = sorted(tracks - set(NOTICE))
    assert not missing, f"write the notice's rule for {missing} in NOTICE"
    assert not set(NOTICE) - tracks, "a rule above names a track the data no longer has"


def test_valid_figures_get_the_notices_answer_on_every_track(client, policy):
    for track in funding_tracks():
        check_valid_figures(client, track)


def check_valid_figures(client, track: Track) -> None:
    rule = NOTICE.get((track.measure.number, track.code))

    @settings(max_examples=examples(track, 16), **PROPERTY)
    @given(figures=valid_figures(track))
    def check(figures):
        sent, meant = figures
        note(f"measure {track.measure.number}, track {track.code}: {sent}")

        status, body = quote_of(client, track, sent)

        assert status == 200, body
        assert_well_formed(body, track)
        if rule is not None:
            assert_answers(body, rule(meant))

    check()


def test_more_of_any_figure_never_pays_less(client, policy):
    # Thresholds are "at least", the base counts at a rate and the limit caps it: raising one
    # figure can only keep or raise the award, and can only make a track eligible.
    for track in funding_tracks():
        check_monotonic(client, track)


def check_monotonic(client, track: Track) -> None:
    decimals = [f for f in track.fields.all() if f.field_type == TrackField.FieldType.DECIMAL]
    if not decimals or not turns_on_figures(track):
        return

    @settings(max_examples=6, **PROPERTY)
    @given(figures=valid_figures(track), data=st.data())
    def check(figures, data):
        sent, meant = figures
        raised = data.draw(st.sampled_from(decimals))
        assume(isinstance(meant.get(raised.name), Decimal))
        more = meant[raised.name] + data.draw(
            decimal_figures(track, raised).filter(lambda d: d > 0)
        )
        assume(more <= largest(raised))
        note(f"measure {track.measure.number}, track {track.code}: {sent}, {raised.name}")

        _, before = quote_of(client, track, sent)
        _, after = quote_of(client, track, {**sent, raised.name: format(more, "f")})

        assert after["eligible"] or not before["eligible"]
        assert amount_or_nothing(after) >= amount_or_nothing(before)

    check()


def test_the_api_the_calculator_page_and_an_application_agree(client, policy, enterprise_user):
    for track in funding_tracks():
        check_paths_agree(client, track, enterprise_user)


def check_paths_agree(client, track: Track, user) -> None:
    form_class = declared_form_class(track)
    application = services.application_create(
        enterprise=user.enterprise,
        track=track,
        window=WindowFactory(measure=track.measure),
        by=user,
    )

    @settings(max_examples=examples(track, 3), **PROPERTY)
    @given(figures=valid_figures(track))
    def check(figures):
        sent, meant = figures
        note(f"measure {track.measure.number}, track {track.code}: {sent}")

        _, body = quote_of(client, track, sent)
        form = form_class(data={k: _as_text(v) for k, v in meant.items()})
        assert form.is_valid(), form.errors
        direct = quote(track, form.declared())
        page = client.post("/calculator/", {"track": str(track.pk), **_as_page_fields(meant)})
        shown = page.context["result"]
        saved = services.application_update_declared(
            application=application, by=user, declared=meant
        )

        for answer in (direct, shown):
            assert answer.eligible is body["eligible"]
            assert answer.amount == money(body["amount"])
            assert answer.min_amount == money(body["min_amount"])
            assert answer.max_amount == money(body["max_amount"])
        assert saved.calculated_amount == money(body["amount"])

    check()


def _as_text(value) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _as_page_fields(figures: dict) -> dict:
    # As a browser posts the page: a ticked checkbox sends "on", an unticked one nothing.
    return {
        name: "on" if value is True else _as_text(value)
        for name, value in figures.items()
        if value is not False
    }


# ── 2. junk: a 400, or a 200 with the right amount for what the junk says ───────────────────

# What a person writes: digits, a decimal point with digits after it, a minus; no exponent, no
# plus sign, no separator (spaces around it are dropped; full-width digits read as digits).
NUMBER_TEXT = re.compile(r"\A\s*-?[0-9]+(\.[0-9]+)?\s*\Z")
FULL_WIDTH = str.maketrans("０１２３４５６７８９．－", "0123456789.-")
TRICKY_TEXTS = [
    "-0",
    "+0",
    "-0.00",
    "0.000",
    "1_000",
    "1,000",
    "1 000",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e400",
    "1e-400",
    "1E+2",
    "100E-2",
    "0e-999999999",
    "0E+999999999",
    "-0e-999999999",
    "9" * 40,
    "99999999999999.99",
    "100000000000000",
    "99999999999999.995",
    "0.005",
    "1.005",
    " 12 ",
    "１２３",
    "١٢٣",
    "12\x00",
    "²",
    "0x10",
    "1/2",
    "true",
    "True",
    "on",
    "false",
    "off",
    "",
    "   ",
    "是",
]
# Names as JSON can carry them, a lone surrogate ("\ud800") included.
junk_names = st.text(max_size=12) | st.builds(
    "{}{}{}".format, st.text(max_size=4), st.characters(categories=["Cs"]), st.text(max_size=4)
)
# Numbers as text, in the notations Decimal reads and the ones it must not: zero with any
# exponent, digit separators, signs, more places than a fen.
number_texts = st.sampled_from(TRICKY_TEXTS) | st.builds(
    "{}{}{}".format,
    st.sampled_from(["", "-", "+", " "]),
    st.sampled_from(["0", "0.0", "00", "1", "12.345", "1_0", "1,0", ".", "99999999999999.99"])
    | st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(["", " ", "e-999999999", "E+999999999", "e-1000100", "e400", "e-3", "E2"])
    | st.integers().map("e{}".format),
)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | junk_names
    | number_texts
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


INVALID = object()


def read_figure(value, track_field: TrackField):
    """What a value sent for ``track_field`` says: a figure, MISSING when it says nothing
    (null, empty), INVALID when it is no entry for that field at all."""
    if value is None:
        value = ""
    kind = track_field.field_type
    if kind == TrackField.FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = value.strip().lower() if isinstance(value, str) else None
        return {"true": True, "on": True, "false": False, "": False}.get(text, INVALID)
    if isinstance(value, bool | list | dict):
        return INVALID
    if kind == TrackField.FieldType.TEXT:
        text = str(value).strip()
        if not text:
            return MISSING
        return text if len(text) <= 200 and "\x00" not in text else INVALID
    if value == "":
        return MISSING
    if isinstance(value, float):
        # The API reads a JSON number as it is written; json.dumps writes a float's repr.
        value = repr(value)
    text = str(value).translate(FULL_WIDTH)
    if not NUMBER_TEXT.match(text):
        return INVALID
    number = Decimal(text.strip())
    if track_field.minimum is not None and number < track_field.minimum:
        return INVALID
    if kind == TrackField.FieldType.INTEGER:
        whole = number == number.to_integral_value() and abs(number) <= largest(track_field)
        return int(number) if whole else INVALID
    if abs(number) > largest(track_field) or number != number.quantize(step(track_field)):
        return INVALID
    return number


@st.composite
def junk_figures(draw, track: Track) -> dict:
    """Declared figures where any entry may be junk, missing, or not a field of the track."""
    declared = {}
    for track_field in track.fields.all():
        choice = draw(st.sampled_from(["missing", "valid", "number", "number", "any"]))
        if choice == "missing":
            continue
        if choice == "valid":
            value, _ = draw(field_value(track, track_field))
            if value is MISSING:
                continue
        elif choice == "number":
            value = draw(number_texts)
        else:
            value = draw(json_values)
        declared[track_field.name] = value
    if draw(st.integers(0, 3)) == 0:
        declared[draw(junk_names)] = draw(json_values)
    return declared


def test_junk_figures_get_a_400_or_the_right_answer_on_every_track(client, policy):
    for track in funding_tracks():
        check_junk_figures(client, track)


def check_junk_figures(client, track: Track) -> None:
    rule = NOTICE.get((track.measure.number, track.code))
    fields = {f.name: f for f in track.fields.all()}

    @settings(max_examples=examples(track, 12), **PROPERTY)
    @given(declared=junk_figures(track))
    def check(declared):
        note(f"measure {track.measure.number}, track {track.code}: {declared!r}")

        status, body = quote_of(client, track, declared)

        assert status in (200, 400), body
        if status == 400:
            return
        assert set(declared) <= set(fields), "unknown names are refused"
        meant = {}
        for name, track_field in fields.items():
            meaning = read_figure(declared[name], track_field) if name in declared else MISSING
            assert meaning is not INVALID, f"{name}={declared[name]!r} was taken"
            if meaning is MISSING:
                assert not track_field.required or track_field.field_type == "boolean"
            else:
                meant[name] = meaning
        assert_well_formed(body, track)
        if rule is not None:
            assert_answers(body, rule(meant))

    check()


@settings(max_examples=150, **PROPERTY)
@given(
    number=st.integers(min_value=0, max_value=30) | st.integers(min_value=0),
    payload=st.one_of(
        json_values,
        st.fixed_dictionaries({"track": json_values, "declared": json_values}),
        st.fixed_dictionaries(
            {"track": st.sampled_from(["supply-chain", "ic-design", "hydrogen-station"])},
            optional={"declared": st.dictionaries(junk_names, json_values, max_size=3)},
        ),
        # Bodies that are not JSON, or not quite.
        st.binary(max_size=40),
        st.text(max_size=40).map(str.encode),
    ),
)
def test_any_body_for_any_measure_is_a_200_or_a_400(client, policy, number, payload):
    body = payload if isinstance(payload, bytes) else json.dumps(payload)
    response = client.post(URL.format(number=number), body, content_type="application/json")

    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 200:
        track = Track.objects.select_related("measure").get(
            measure__number=number, code=payload["track"]
        )
        assert_well_formed(response.json(), track)


# ── the strict fields alone: many more examples than HTTP allows ────────────────────────────


@settings(max_examples=600, deadline=None)
@given(value=number_texts | json_scalars)
def test_a_money_field_reads_any_entry_as_a_fen_amount_or_refuses_it(value):
    field = StrictDecimalField(decimal_places=2, min_value=Decimal(0), required=False)
    entry = value if isinstance(value, str) else json.dumps(value)
    meaning = read_figure(entry, TrackField(field_type="decimal", minimum=0))

    try:
        figure = field.clean(entry)
    except ValidationError:
        assert meaning is INVALID
        return
    if figure is None:
        assert meaning is MISSING or not entry.strip()
        return
    assert figure == meaning
    assert isinstance(figure, Decimal) and figure.is_finite()
    assert Decimal(0) <= figure <= CEILING
    assert figure == figure.quantize(FEN) and not figure.is_signed()
    assert figure == Decimal(entry.strip().translate(FULL_WIDTH))
    assert NUMBER_TEXT.match(entry.translate(FULL_WIDTH))


@settings(max_examples=300, deadline=None)
@given(value=number_texts | json_scalars)
def test_a_count_field_reads_any_entry_as_a_whole_number_or_refuses_it(value):
    field = StrictIntegerField(min_value=0)
    entry = value if isinstance(value, str) else json.dumps(value)

    try:
        count = field.clean(entry)
    except ValidationError:
        return
    assert isinstance(count, int) and count >= 0
    assert "_" not in entry and "," not in entry


@settings(max_examples=300, deadline=None)
@given(value=json_scalars.filter(lambda v: v is not None))
def test_a_yes_no_field_reads_only_yes_and_no(value):
    field = StrictBooleanField(required=False)

    try:
        answer = field.clean(field.widget.value_from_datadict({"x": value}, {}, "x"))
    except ValidationError:
        assert read_figure(value, TrackField(field_type="boolean")) is INVALID
        return
    assert answer is read_figure(value, TrackField(field_type="boolean"))


def test_a_quote_without_its_explanation_gives_the_same_answer(policy):
    """免申即享 computes thousands of amounts without the sentence that explains each: the same
    eligibility, amount and reasons, on every track."""
    for track in funding_tracks():
        check_unexplained(track)


def check_unexplained(track: Track) -> None:
    @settings(max_examples=examples(track, 8), **PROPERTY)
    @given(figures=valid_figures(track))
    def check(figures):
        form = declared_form_class(track)(data=figures[0])
        assume(form.is_valid())
        full = quote(track, form.declared())
        bare = quote(track, form.declared(), explain=False)
        assert (bare.eligible, bare.amount, bare.reasons) == (
            full.eligible,
            full.amount,
            full.reasons,
        )
        assert (bare.min_amount, bare.max_amount) == (full.min_amount, full.max_amount)
        if track.is_formula:
            assert bare.explanation == ""

    check()
