"""Loading the notice's data file: idempotent, updating in place, all or nothing."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from measures.models import (
    ApplicationWindow,
    Division,
    EligibilityThreshold,
    Measure,
    PolicyDocument,
    Section,
    Track,
    TrackField,
)
from measures.services import POLICY_FILE, PolicyDataError, policy_load

MODELS = [PolicyDocument, Division, Section, Measure, Track, TrackField, EligibilityThreshold]
ORIGINAL = POLICY_FILE.read_text(encoding="utf-8")
MEASURE_2_CAP = 'cap = "2000000"                   # 最高200万元'


@pytest.fixture
def empty(db):
    """No notice in the database (the session's copy is removed inside this test's transaction)."""
    ApplicationWindow.objects.all().delete()
    for model in reversed(MODELS):
        model.objects.all().delete()


def snapshot() -> dict:
    """Every row of the notice's tables, to compare before and after a load."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def edit(text: str, *, after: str, old: str, new: str) -> str:
    """Replace the first ``old`` that follows ``after`` (which must occur once)."""
    assert text.count(after) == 1, after
    start = text.index(after)
    at = text.index(old, start)
    return text[:at] + new + text[at + len(old) :]


def cut(text: str, *, start: str, end: str) -> str:
    """Remove from ``start`` (occurring once) up to, not including, the next ``end``."""
    assert text.count(start) == 1, start
    begin = text.index(start)
    return text[:begin] + text[text.index(end, begin + len(start)) :]


def write(tmp_path, text: str):
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_fresh_load_creates_the_notice(empty):
    report = policy_load()

    assert report.changed
    assert report.updated == report.deleted == []
    assert Measure.objects.count() == 23
    assert Section.objects.count() == 9
    assert Track.objects.count() == 36
    assert not Measure.objects.filter(kind=Measure.Kind.PROGRAMME, tracks__isnull=False).exists()
    assert set(
        Measure.objects.filter(kind=Measure.Kind.PROGRAMME).values_list("number", flat=True)
    ) == {4, 5, 19, 22, 23}
    assert len(report.created) == sum(counts().values())


def test_loading_twice_changes_nothing(policy):
    before = snapshot()

    report = policy_load()

    assert report.changed is False
    assert report.created == report.updated == report.deleted == []
    assert snapshot() == before


def test_an_edited_file_updates_rows_deletes_fields_and_retires_tracks(policy, tmp_path):
    type_approval = Track.objects.get(measure__number=7, code="type-approval")
    window = ApplicationWindow.objects.create(
        measure=type_approval.measure,
        track=type_approval,
        year=2023,
        name="2023年第一批",
        opens_at=timezone.now(),
        closes_at=timezone.now() + datetime.timedelta(days=30),
        total_budget=Decimal("10000000"),
    )
    measure_2_cap = 'cap = "2000000"                   # 最高200万元'
    text = edit(ORIGINAL, after='code = "supply-chain"', old=measure_2_cap, new='cap = "2500000"')
    text = edit(
        text,
        after='code = "supply-chain"',
        old='label = "年累计采购额"',
        new='label = "年度累计采购额"',
    )
    text = cut(
        text,
        start='[[measures.tracks.fields]]\nname = "financing_amount"',
        end="[[measures.tracks.fields]]",
    )
    text = cut(text, start='[[measures.tracks]]\ncode = "type-approval"', end="[[measures]]")
    text = cut(
        text,
        start='[[measures.tracks.thresholds]]\nfield = "first_breakthrough"',
        end="[[measures]]",
    )
    before = counts()

    report = policy_load(path=write(tmp_path, text))

    assert report.changed
    assert report.created == []
    supply_chain = Track.objects.get(measure__number=2, code="supply-chain")
    assert supply_chain.cap == Decimal("2500000")
    assert supply_chain.fields.get(name="annual_purchase_amount").label == "年度累计采购额"
    assert not TrackField.objects.filter(
        track__measure__number=8, track__code="financing-interest", name="financing_amount"
    ).exists()
    assert not EligibilityThreshold.objects.filter(field_name="first_breakthrough").exists()
    # The removed track keeps its row (and the window that points at it), switched off.
    type_approval.refresh_from_db()
    assert type_approval.is_active is False
    assert ApplicationWindow.objects.filter(pk=window.pk, track=type_approval).exists()
    assert Track.objects.filter(is_active=False).count() == 1
    assert counts() == before | {
        "TrackField": before["TrackField"] - 1,
        "EligibilityThreshold": before["EligibilityThreshold"] - 1,
    }
    assert any("supply-chain (cap)" in line for line in report.updated)
    assert any("annual_purchase_amount (label)" in line for line in report.updated)
    assert any("type-approval (retired)" in line for line in report.updated)
    assert len(report.deleted) == 2

    # The original file puts everything back, and the retired track returns to service.
    restored = policy_load()
    assert restored.changed
    type_approval.refresh_from_db()
    assert type_approval.is_active is True
    assert counts() == before
    assert policy_load().changed is False


def test_retiring_is_reported_once(policy, tmp_path):
    path = write(
        tmp_path,
        cut(ORIGINAL, start='[[measures.tracks]]\ncode = "type-approval"', end="[[measures]]"),
    )
    assert policy_load(path=path).changed
    assert policy_load(path=path).changed is False


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('cap = "2000000"                   # 最高200万元', "cap = 2000000.0", "float"),
        ('rate = "0.01"', "rate = 0.01", "float"),
        ('value = "100000000"', "value = 100000000.0", "float"),
        ('cap = "2000000"                   # 最高200万元', 'cap = "两百万"', "not a number"),
    ],
)
def test_a_malformed_amount_raises_and_changes_nothing(policy, tmp_path, old, new, message):
    # Measure 1, loaded before measure 2, is edited too: the whole load must roll back.
    text = edit(
        ORIGINAL,
        after="number = 1\nsection = 1",
        old='title = "领军（链主）企业培育"',
        new='title = "改"',
    )
    text = edit(text, after='code = "supply-chain"', old=old, new=new)
    before = snapshot()

    with pytest.raises(PolicyDataError, match=message):
        policy_load(path=write(tmp_path, text))

    assert snapshot() == before
    assert Measure.objects.get(number=1).title == "领军（链主）企业培育"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (MEASURE_2_CAP, 'cap = "2000000"\nfloor = "3000000"', "track_floor_not_above_cap"),
        ('award_kind = "formula"', 'award_kind = "lottery"', "award_kind"),
        ('rule_text = "按其新增采购额1%比例给予最高200万元奖励"', "", "missing 'rule_text'"),
    ],
    ids=["floor-above-cap", "unknown-award-kind", "missing-key"],
)
def test_a_rule_the_models_refuse_raises_policy_data_error_and_changes_nothing(
    policy, tmp_path, old, new, message
):
    text = edit(ORIGINAL, after='code = "supply-chain"', old=old, new=new)
    before = snapshot()

    with pytest.raises(PolicyDataError, match=f"measure 2: .*{message}"):
        policy_load(path=write(tmp_path, text))

    assert snapshot() == before


def test_an_unknown_section_raises_and_changes_nothing(policy, tmp_path):
    text = edit(
        ORIGINAL,
        after="number = 1\nsection = 1",
        old='title = "领军（链主）企业培育"',
        new='title = "改"',
    )
    text = edit(text, after="number = 5\nsection = 2", old="section = 2", new="section = 10")
    before = snapshot()

    with pytest.raises(PolicyDataError, match="measure 5: unknown section 10"):
        policy_load(path=write(tmp_path, text))

    assert snapshot() == before


def test_a_first_load_that_fails_leaves_the_database_empty(empty, tmp_path):
    text = edit(ORIGINAL, after="number = 23\n", old="section = 9", new="section = 99")

    with pytest.raises(PolicyDataError):
        policy_load(path=write(tmp_path, text))

    assert set(counts().values()) == {0}


def test_a_threshold_on_an_undeclared_field_raises(policy, tmp_path):
    text = edit(
        ORIGINAL,
        after='code = "ic-design"',
        old='field = "actual_investment"',
        new='field = "investment"',
    )

    with pytest.raises(PolicyDataError, match="undeclared field 'investment'"):
        policy_load(path=write(tmp_path, text))


def test_invalid_toml_raises_policy_data_error(db, tmp_path):
    with pytest.raises(PolicyDataError):
        policy_load(path=write(tmp_path, ORIGINAL + "\n[[measures]\n"))


def test_the_command_prints_its_summary(empty):
    out = StringIO()
    call_command("load_policy", stdout=out)
    created = sum(counts().values())
    assert f"Policy loaded: {created} created, 0 updated, 0 deleted." in out.getvalue()

    out = StringIO()
    call_command("load_policy", stdout=out)
    assert "Policy unchanged since its last load: nothing done" in out.getvalue()

    out = StringIO()
    call_command("load_policy", force=True, stdout=out)
    assert "Policy loaded: 0 created, 0 updated, 0 deleted." in out.getvalue()


def test_an_admin_edit_survives_loading_the_same_file_again(policy, tmp_path):
    # Every start of the site loads the file.
    policy_load()
    track = Track.objects.get(code="supply-chain")
    track.cap = Decimal("1800000")
    track.save()

    report = policy_load()

    assert report.unchanged and not report.changed
    track.refresh_from_db()
    assert track.cap == Decimal("1800000")

    # Forced, or from a new release of the file, the file's values win.
    report = policy_load(force=True)
    track.refresh_from_db()
    assert track.cap == Decimal("2000000")
    assert report.updated == ["measure 2 track supply-chain (cap)"]
    track.cap = Decimal("1800000")
    track.save()
    text = edit(ORIGINAL, after='code = "supply-chain"', old='rate = "0.01"', new='rate = "0.02"')
    policy_load(path=write(tmp_path, text))
    track.refresh_from_db()
    assert (track.cap, track.rate) == (Decimal("2000000"), Decimal("0.02"))


def test_the_command_lists_each_change_when_verbose(policy, tmp_path):
    text = edit(ORIGINAL, after='code = "supply-chain"', old='rate = "0.01"', new='rate = "0.02"')
    out = StringIO()

    call_command("load_policy", file=write(tmp_path, text), verbosity=2, stdout=out)

    assert "updated: measure 2 track supply-chain (rate)" in out.getvalue()
    assert "0 created, 1 updated, 0 deleted." in out.getvalue()


def test_the_command_reports_a_malformed_file_as_a_command_error(policy, tmp_path):
    text = edit(ORIGINAL, after='code = "supply-chain"', old='rate = "0.01"', new="rate = 0.01")

    with pytest.raises(CommandError, match="float"):
        call_command("load_policy", file=write(tmp_path, text), stdout=StringIO())


def test_whom_sections_and_measures_address_is_loaded(policy):
    sections = {s.number: s for s in Section.objects.all()}
    measure_11 = Measure.objects.select_related("section").get(number=11)

    assert sections[1].scales == ["large"] and sections[2].scales == ["medium", "small", "micro"]
    assert sections[3].industries == ["automotive"] and sections[4].industries == ["electronics"]
    assert sections[7].industries == sections[7].scales == []
    assert measure_11.industries == ["equipment"]
    assert measure_11.fit(industry="equipment", scale="large") == 2
    assert measure_11.fit(industry="materials", scale="large") == 0
    assert Measure.objects.get(number=3).fit(industry="software", scale="small") == 1


def test_an_audience_outside_the_profiles_choices_raises_and_changes_nothing(policy, tmp_path):
    text = edit(ORIGINAL, after="number = 3\ntitle", old='"automotive"', new='"cars"')
    before = snapshot()

    with pytest.raises(PolicyDataError, match="section 3: unknown industries \\['cars'\\]"):
        policy_load(path=write(tmp_path, text))

    assert snapshot() == before


def test_a_track_s_conditions_are_loaded_and_an_edit_to_them_updates_the_track(policy, tmp_path):
    research = Track.objects.get(measure__number=17)
    assert research.confirmations == [
        "重庆高新技术产业研究院和行业性研究院",
        "新一代信息技术、先进传感器封测等领域的研发、检测、试验等平台",
    ]
    assert Track.objects.get(code="single-champion").recognitions == ["single_champion"]
    leading = Track.objects.get(code="leading-enterprise")
    assert (leading.industry_codes, leading.industry_text) == (["B", "C", "D"], "工业企业")

    text = edit(
        ORIGINAL,
        after='code = "leading-enterprise"',
        old='industry_codes = ["B", "C", "D"]',
        new='industry_codes = ["C"]\nconfirmations = ["实施技术改造投资或扩大再投资"]',
    )
    report = policy_load(path=write(tmp_path, text))

    leading.refresh_from_db()
    assert leading.industry_codes == ["C"]
    assert leading.confirmations == ["实施技术改造投资或扩大再投资"]
    assert report.updated == ["measure 1 track leading-enterprise (industry_codes, confirmations)"]
    # And loading the edited file again changes nothing.
    before = snapshot()
    assert policy_load(path=write(tmp_path, text), force=True).changed is False
    assert snapshot() == before


@pytest.mark.parametrize(
    ("after", "old", "new", "message"),
    [
        (
            'code = "single-champion"',
            'recognitions = ["single_champion"]',
            'recognitions = ["world_champion"]',
            "measure 3: .*未知的认定：world_champion",
        ),
        (
            'code = "ic-design"',
            'industry_codes = ["65"]',
            'industry_codes = ["99"]',
            "measure 10: .*未知的国民经济行业门类或大类：99",
        ),
        (
            'code = "ic-design"',
            'industry_text = "集成电路设计类企业"',
            'industry_text = ""',
            "measure 10: .*须填写通知关于行业的表述",
        ),
    ],
    ids=["unknown-recognition", "unknown-industry", "industry-without-words"],
)
def test_a_condition_the_models_refuse_raises_and_changes_nothing(
    policy, tmp_path, after, old, new, message
):
    text = edit(ORIGINAL, after=after, old=old, new=new)
    before = snapshot()

    with pytest.raises(PolicyDataError, match=message):
        policy_load(path=write(tmp_path, text))

    assert snapshot() == before
