"""可申报政策: every open track against the enterprise's file, on the notice's thresholds."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.selectors import FIGURE, RECOGNITION, Provenance
from enterprises.matching import Status, considered_fields, match_report, match_track
from enterprises.models import EnterpriseFigure, EnterpriseRecognition
from enterprises.selectors import EnterpriseFile
from measures.models import Measure, Track
from measures.recognitions import Recognition
from tests.applications.factories import WindowFactory

YEAR = 2026


# Where a test's figures and recognitions come from, unless it says: a department's batch.
DEPARTMENT = Provenance(source_name="统计局", batch_id=7, date=datetime.date(2026, 12, 1))


def file_of(
    figures: dict | None = None,
    *,
    year: int = YEAR,
    recognitions=(),
    industry=("", ""),
    source: Provenance = DEPARTMENT,
) -> EnterpriseFile:
    """A file holding ``figures`` of ``year`` and ``recognitions``, each given by ``source``
    (SELF_REPORTED: the enterprise's own)."""
    provenance = {}
    if source.is_department:
        provenance = {(FIGURE, name, year): source for name in figures or {}}
        provenance |= {(RECOGNITION, kind, held): source for kind, held in recognitions}
    return EnterpriseFile(
        figures={name: {year: value} for name, value in (figures or {}).items()},
        recognitions=set(recognitions),
        industry_section=industry[0],
        industry_division=industry[1],
        provenance=provenance,
    )


def window_for(track: Track, **kwargs):
    return WindowFactory(measure=track.measure, year=YEAR, **kwargs)


def matched(track: Track, file: EnterpriseFile, window=None):
    return match_track(track=track, window=window or window_for(track), file=file)


# ── thresholds: at, just below and just above ──────────────────────────────────────────────

# An enterprise of 专用设备制造业, an industrial enterprise.
MANUFACTURER = ("C", "35")


@pytest.mark.parametrize(
    ("purchases", "status"),
    [
        ("99999999.99", Status.DOES_NOT_QUALIFY),
        # Met, and still to confirm: 成效显著, 重点骨干企业 (the file cannot tell).
        ("100000000", Status.MAY_QUALIFY),
        ("100000000.01", Status.MAY_QUALIFY),
    ],
)
def test_measure_2_meets_its_threshold_from_1_yi_of_annual_purchases(track, purchases, status):
    supply_chain = track(2)
    result = matched(
        supply_chain,
        file_of(
            {
                "annual_purchase_amount": Decimal(purchases),
                "new_purchase_amount": Decimal("45000000"),
            }
        ),
    )

    assert result.status == status
    if status == Status.MAY_QUALIFY:
        # 1% of the new purchases, as the quote API computes it.
        assert result.quote.amount == Decimal("450000.00")
        assert result.year == YEAR
        assert result.missing == []
        assert result.confirmations == ["开放供应链、构建专业化配套集群成效显著", "重点骨干企业"]
    else:
        assert result.reasons == [
            "不符合：通知第2条要求“年累计采购额在1亿元及以上”，"
            "企业档案中2026年的年累计采购额为99,999,999.99元。"
        ]


def test_measure_2_amount_is_capped_at_200_wan(track):
    result = matched(
        track(2),
        file_of(
            {
                "annual_purchase_amount": Decimal("500000000"),
                "new_purchase_amount": Decimal("300000000"),
            }
        ),
    )

    assert result.status == Status.MAY_QUALIFY
    assert result.quote.amount == Decimal("2000000")
    assert "超过上限" in result.quote.explanation


@pytest.mark.parametrize(
    ("investment", "status", "amount"),
    [
        ("19999999.99", Status.DOES_NOT_QUALIFY, None),
        # Met, and still to confirm that the enterprise designs integrated circuits.
        ("20000000", Status.MAY_QUALIFY, Decimal("2400000.00")),
        ("20000000.01", Status.MAY_QUALIFY, Decimal("2400000.00")),
        ("50000000", Status.MAY_QUALIFY, Decimal("5000000")),
    ],
)
def test_ic_design_meets_its_threshold_from_2000_wan_of_investment(
    track, investment, status, amount
):
    result = matched(
        track(10, "ic-design"),
        file_of({"actual_investment": Decimal(investment)}, industry=("I", "65")),
    )

    assert result.status == status
    if amount is not None:
        assert result.quote.amount == amount
    else:
        assert "实际到位投资2000万元以上" in result.reasons[0]


@pytest.mark.parametrize(
    ("investment", "status"),
    [
        ("499999999.99", Status.DOES_NOT_QUALIFY),
        ("500000000", Status.MAY_QUALIFY),
        ("500000000.01", Status.MAY_QUALIFY),
    ],
)
def test_ic_manufacturing_meets_its_threshold_from_5_yi(track, investment, status):
    result = matched(
        track(10, "ic-manufacturing"),
        file_of(
            {"actual_investment": Decimal(investment), "interest_paid": Decimal("3000000")},
            industry=("C", "39"),
        ),
    )

    assert result.status == status
    if status == Status.MAY_QUALIFY:
        assert result.confirmations == ["集成电路制造、封测类企业"]
        assert result.quote.amount == Decimal("3000000.00")


@pytest.mark.parametrize(
    ("added_value", "first", "status"),
    [
        ("999999999.99", True, Status.DOES_NOT_QUALIFY),
        # Met, on the departments' figures; the industry is the enterprise's own entry.
        ("1000000000", True, Status.MAY_QUALIFY),
        ("1000000000.01", True, Status.MAY_QUALIFY),
        ("1000000000", False, Status.DOES_NOT_QUALIFY),
        ("1000000000", None, Status.MAY_QUALIFY),
    ],
)
def test_measure_1_needs_10_yi_reached_for_the_first_time(track, added_value, first, status):
    figures = {"industrial_added_value": Decimal(added_value)}
    if first is not None:
        figures["first_breakthrough"] = first

    result = matched(track(1), file_of(figures, industry=MANUFACTURER))

    assert result.status == status
    if first is True and status == Status.MAY_QUALIFY:
        assert result.unverified == ["国民经济行业分类"]
        # A range the reviewers decide: 100万元 and above.
        assert result.quote.min_amount == Decimal("1000000")
        assert result.quote.max_amount is None
    if first is False:
        assert result.reasons == [
            "不符合：通知第1条要求“实施技术改造投资或扩大再投资后年工业增加值首次突破10亿元”，"
            "企业档案中2026年为“否”。"
        ]
    if first is None:
        assert result.missing == ["实施技术改造投资或扩大再投资后首次突破"]


def test_first_unit_insurance_counts_the_premium_at_most_3_percent_of_the_insured(track):
    result = matched(
        track(11),
        file_of(
            {
                "insured_amount": Decimal("10000000"),
                "annual_premium": Decimal("500000"),
                "first_units_or_batch": True,
            }
        ),
    )

    # 3% of 1000万 is 30万; 80% of that is 24万.
    assert result.status == Status.QUALIFIES
    assert result.quote.amount == Decimal("240000.00")


# ── missing figures, and which year is read ───────────────────────────────────────────────


def test_missing_figures_make_a_track_one_that_may_qualify_and_are_named(track):
    result = matched(track(2), file_of({"annual_purchase_amount": Decimal("300000000")}))

    assert result.status == Status.MAY_QUALIFY
    assert result.missing == ["新增采购额"]
    assert result.quote is None


def test_an_empty_file_may_qualify_for_a_track_on_figures(track):
    result = matched(track(2), file_of())

    assert result.status == Status.MAY_QUALIFY
    assert result.missing == ["年累计采购额", "新增采购额"]


def test_a_failed_threshold_outweighs_missing_figures(track):
    result = matched(track(2), file_of({"annual_purchase_amount": Decimal("50000000")}))

    assert result.status == Status.DOES_NOT_QUALIFY


def test_a_window_reads_the_latest_earlier_year_when_its_own_is_empty(track):
    file = file_of(
        {"insured_amount": Decimal("1e7"), "annual_premium": Decimal("2e5")},
        year=YEAR - 1,
    )
    file.figures["first_units_or_batch"] = {YEAR - 1: True}
    file.provenance[(FIGURE, "first_units_or_batch", YEAR - 1)] = DEPARTMENT
    file.figures["insured_amount"][YEAR - 3] = Decimal("1")

    result = matched(track(11), file)

    assert result.status == Status.QUALIFIES
    assert result.year == YEAR - 1
    assert result.year_is_earlier


def test_a_window_reads_its_own_year_first_even_when_it_holds_fewer_figures(track):
    file = file_of(
        {"annual_purchase_amount": Decimal("300000000"), "new_purchase_amount": Decimal("1e7")},
        year=YEAR - 1,
    )
    file.figures["annual_purchase_amount"][YEAR] = Decimal("300000000")

    result = matched(track(2), file)

    assert result.status == Status.MAY_QUALIFY
    assert result.year == YEAR
    assert result.missing == ["新增采购额"]


def test_a_later_year_is_never_read(track):
    file = file_of(
        {"annual_purchase_amount": Decimal("300000000"), "new_purchase_amount": Decimal("1e7")},
        year=YEAR + 1,
    )

    result = matched(track(2), file)

    assert result.status == Status.MAY_QUALIFY
    assert result.year == YEAR


# ── recognitions ───────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("year", "status"),
    [(YEAR, Status.QUALIFIES), (YEAR - 1, Status.QUALIFIES), (YEAR - 2, Status.DOES_NOT_QUALIFY)],
)
def test_a_recognition_of_the_window_year_or_the_year_before_qualifies(track, year, status):
    result = matched(
        track(3, "single-champion"),
        file_of(recognitions={(Recognition.SINGLE_CHAMPION, year)}),
    )

    assert result.status == status
    if status == Status.QUALIFIES:
        assert (result.quote.min_amount, result.quote.max_amount) == (
            Decimal("500000"),
            Decimal("2000000"),
        )
        assert result.recognitions == ["制造业单项冠军"]
    else:
        assert result.reasons == [
            "不符合：通知第3条面向制造业单项冠军；企业档案中没有2025年或2026年获得的该项认定。"
        ]


def test_a_recognition_a_department_gives_counts_over_the_enterprises_own_of_another_year(track):
    """Its own entry of last year, a department's of this year: the match rests on the
    department's, and qualifies."""
    file = file_of(recognitions={(Recognition.SINGLE_CHAMPION, YEAR)})
    file.recognitions.add((Recognition.SINGLE_CHAMPION, YEAR - 1))  # its own, no source

    result = matched(track(3, "single-champion"), file)

    assert result.status == Status.QUALIFIES and result.unverified == []
    assert [(b.year, b.provenance) for b in result.basis] == [(YEAR, DEPARTMENT)]


def test_another_recognition_does_not_qualify_for_a_track(track):
    result = matched(
        track(3, "little-giant"),
        file_of(recognitions={(Recognition.SINGLE_CHAMPION, YEAR)}),
    )

    assert result.status == Status.DOES_NOT_QUALIFY


def test_measure_16_qualifies_on_any_of_its_recognitions(track):
    result = matched(
        track(16),
        file_of(recognitions={(Recognition.QUALITY_BENCHMARK, YEAR)}),
    )

    assert result.status == Status.QUALIFIES
    assert result.recognitions == ["质量标杆企业"]


def test_a_recognition_track_with_figures_needs_both(track):
    key_software = track(15, "key-software-enterprise")
    held = {(Recognition.KEY_SOFTWARE_ENTERPRISE, YEAR)}

    assert matched(key_software, file_of(recognitions=held)).status == Status.MAY_QUALIFY
    assert (
        matched(
            key_software, file_of({"software_revenue": Decimal("1e8")}, recognitions=held)
        ).status
        == Status.QUALIFIES
    )
    assert (
        matched(key_software, file_of({"software_revenue": Decimal("1e8")})).status
        == Status.DOES_NOT_QUALIFY
    )


def test_every_open_track_has_something_the_file_can_tell(policy):
    """A track with no condition and no figure would qualify every enterprise."""
    tracks = Track.objects.filter(is_active=True, measure__kind=Measure.Kind.FUNDING)
    for funding_track in tracks.select_related("measure").prefetch_related("fields", "thresholds"):
        assert (
            considered_fields(funding_track)
            or funding_track.recognitions
            or funding_track.industry_codes
        ), funding_track.code


# ── the report: one query per kind of data ────────────────────────────────────────────────


def test_the_report_groups_every_open_track(enterprise_user):
    enterprise = enterprise_user.enterprise
    # 计算机、通信和其他电子设备制造业: not an IC design enterprise.
    enterprise.industry_section, enterprise.industry_division = "C", "39"
    enterprise.save()
    for number in (2, 3, 10):
        WindowFactory(measure=Measure.objects.get(number=number), year=YEAR)
    EnterpriseFigure.objects.create(
        enterprise=enterprise,
        name="annual_purchase_amount",
        year=YEAR,
        decimal_value=Decimal("2e8"),
    )
    EnterpriseFigure.objects.create(
        enterprise=enterprise, name="new_purchase_amount", year=YEAR, decimal_value=Decimal("1e7")
    )
    EnterpriseFigure.objects.create(
        enterprise=enterprise, name="actual_investment", year=YEAR, decimal_value=Decimal("3e8")
    )
    EnterpriseRecognition.objects.create(
        enterprise=enterprise, kind=Recognition.SINGLE_CHAMPION, year=YEAR
    )

    report = match_report(enterprise=enterprise)

    def codes(matches):
        return {m.track.code for m in matches}

    # Its 单项冠军 is its own entry, which no department has confirmed: it may qualify.
    assert codes(report.qualifies) == set()
    # Measure 2's figures are there, its 重点骨干企业 and the like to confirm; investment
    # enough for equipment and materials (2亿) but the interest is missing.
    assert codes(report.may_qualify) == {
        "supply-chain",
        "ic-equipment-materials",
        "single-champion",
    }
    champion = next(m for m in report.may_qualify if m.track.code == "single-champion")
    assert champion.unverified == [str(Recognition.SINGLE_CHAMPION.label)]
    assert codes(report.does_not_qualify) == {
        "little-giant-cultivation",
        "little-giant",
        "sme-incubator",
        "ic-manufacturing",
        "ic-design",
    }


def _open_every_funding_measure():
    for measure in Measure.objects.filter(kind=Measure.Kind.FUNDING):
        WindowFactory(measure=measure, year=YEAR)


def test_the_report_reads_once_per_kind_of_data_whatever_the_tracks(
    track, enterprise_user, django_assert_num_queries
):
    enterprise = enterprise_user.enterprise
    WindowFactory(measure=track(2).measure, year=YEAR)
    # Windows, tracks, fields, thresholds, figures, recognitions, the departments' data.
    with django_assert_num_queries(7):
        small = match_report(enterprise=enterprise)

    _open_every_funding_measure()
    WindowFactory(measure=track(2).measure, year=YEAR, name="第二批")
    with django_assert_num_queries(7):
        large = match_report(enterprise=enterprise)

    assert len(small.matches) == 1
    assert len(large.matches) > 30


def test_the_matching_page_makes_as_many_queries_for_one_track_as_for_all(
    client, track, enterprise_user
):
    client.force_login(enterprise_user)
    url = reverse("matches")
    WindowFactory(measure=track(2).measure, year=YEAR)
    client.get(url)  # sessions, caches and the like settle

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200
        return len(context.captured_queries)

    one = queries()
    _open_every_funding_measure()
    assert queries() == one


def test_the_matching_page_shows_the_report_to_print(client, track, enterprise_user):
    enterprise = enterprise_user.enterprise
    WindowFactory(measure=track(2).measure, year=YEAR)
    EnterpriseFigure.objects.create(
        enterprise=enterprise,
        name="annual_purchase_amount",
        year=YEAR,
        decimal_value=Decimal("2e8"),
    )
    EnterpriseFigure.objects.create(
        enterprise=enterprise, name="new_purchase_amount", year=YEAR, decimal_value=Decimal("1e7")
    )
    client.force_login(enterprise_user)

    response = client.get(reverse("matches"))

    page = response.content.decode()
    assert enterprise.name in page
    assert 'id="report-date"' in page
    assert "css/report-print.css" in page
    assert "10万元" in page  # 1% of 1000万元
    assert 'data-track="2:supply-chain"' in page


def test_the_print_stylesheet_prints_the_report_alone():
    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/report-print.css")).read_text(encoding="utf-8")
    assert "@media print" in css
    assert ".site-header" in css and ".no-print" in css
