"""Each measure's guide (申兑指南) on its public page: who may apply, the conditions, documents,
amounts, the window, the time limit and whom to ask; shown at once after an edit; printable."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from measures.guide import condition_text, measure_guide
from measures.models import (
    ApplicationWindow,
    Division,
    EligibilityThreshold,
    Measure,
    Track,
    TrackField,
)
from measures.selectors import measure_get
from measures.services import policy_load, policy_version_bump
from tests.measures.test_admin import admin_url, form_data
from tests.zh_hans import english_on_page

# A guide is built once per version of the policy data and served to every visitor: these
# tests read it as an anonymous visitor does, from a client that keeps no login.


def page(number: int) -> str:
    response = Client().get(f"/measures/{number}/")
    assert response.status_code == 200
    return response.content.decode()


def between(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def track_part(html: str, code: str) -> str:
    return between(html, f'id="track-{code}"', "</section>")


def common_part(html: str) -> str:
    return between(html, 'id="guide-title"', 'class="card guide-track"')


def make_window(measure_number: int, *, track: Track | None = None, **values) -> ApplicationWindow:
    now = timezone.now()
    defaults = {
        "year": now.year,
        "name": "第一批",
        "opens_at": now - datetime.timedelta(days=1),
        "closes_at": now + datetime.timedelta(days=30),
        "total_budget": Decimal("10000000"),
    }
    return ApplicationWindow.objects.create(
        measure=Measure.objects.get(number=measure_number), track=track, **(defaults | values)
    )


def publish_contacts(*codes: str, **contact) -> None:
    """Saved one by one, as the admin saves them: each save gives the policy data a new version."""
    divisions = Division.objects.filter(code__in=codes) if codes else Division.objects.all()
    for division in divisions:
        for name, value in contact.items():
            setattr(division, name, value)
        division.save()


def local_date(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


# ── what the guide says ────────────────────────────────────────────────────────────────────


def test_conditions_are_read_from_the_thresholds_in_plain_chinese(policy):
    html = page(2)

    assert "年累计采购额不低于1亿元（通知原文：年累计采购额在1亿元及以上）" in html
    assert "开放供应链、构建专业化配套集群成效显著" in between(html, "申报对象", "</tr>")


def test_a_yes_no_threshold_reads_as_a_requirement(policy):
    html = page(1)

    assert "年工业增加值不低于10亿元" in html
    assert "须满足“实施技术改造投资或扩大再投资后首次突破”" in html


def test_a_threshold_above_a_figure_in_another_unit_reads_with_its_unit(track):
    subject = track(10, "ic-design")
    field = TrackField(
        track=subject, name="staff", label="研发人员", unit="人", field_type="integer"
    )
    threshold = EligibilityThreshold(
        track=subject,
        field_name="staff",
        operator="gt",
        value=Decimal("50"),
        text="研发人员50人以上",
    )

    assert condition_text(threshold, field) == "研发人员高于50人（通知原文：研发人员50人以上）"


def test_documents_and_amounts_are_shown_with_the_notices_words(policy):
    html = page(2)

    for document in ("营业执照", "年度财务报表", "采购合同及发票汇总表"):
        assert f"<li>{document}</li>" in between(html, "申报材料", "</tr>")
    assert "按新增采购额的 1% 计算，最高 200万元" in html
    assert "通知原文：按其新增采购额1%比例给予最高200万元奖励" in html


def test_range_and_capped_amounts_read_in_wan(policy):
    assert "50万元至200万元，由审核部门在此范围内核定" in page(3)
    assert "100万元及以上，由审核部门核定" in page(1)
    assert (
        "（实际投保年度保费最多按保险金额的 3% 计），最高 500万元（上限口径：单个产品每年）"
        in page(11)
    )


def test_what_every_track_shares_is_said_once_and_what_differs_track_by_track(policy):
    html = page(3)

    # The four tracks of measure 3 ask for the same documents and pay the same.
    assert html.count("<li>认定文件</li>") == 1
    assert "<li>认定文件</li>" in common_part(html)
    assert "50万元至200万元" in common_part(html)
    # Each addresses its own applicants.
    assert "制造业单项冠军" in between(track_part(html, "single-champion"), "申报对象", "</tr>")
    assert ">申报对象</th>" not in common_part(html)


def test_tracks_with_their_own_conditions_and_documents_show_them_under_each(policy):
    html = page(10)

    assert "实际到位投资不低于2000万元" in track_part(html, "ic-design")
    assert "实际到位投资不低于5亿元" in track_part(html, "ic-manufacturing")
    assert "贷款合同" in track_part(html, "ic-manufacturing")
    assert "贷款合同" not in track_part(html, "ic-design")


def test_a_measure_without_a_window_says_it_is_not_open(policy):
    html = page(2)

    assert "暂未开放申报" in between(html, "申报时间", "</tr>")
    assert "以申报批次公布的时限为准" in between(html, "办理时限", "</tr>")


def test_the_open_windows_dates_and_the_default_time_limit(policy):
    window = make_window(2, name="2026年第一批")

    html = page(2)

    dates = between(html, "申报时间", "</tr>")
    assert f"2026年第一批：{local_date(window.opens_at)} 至 {local_date(window.closes_at)}" in dates
    assert window.processing_days == 60
    assert "自提交之日起60个工作日内办结" in between(html, "办理时限", "</tr>")


def test_a_custom_time_limit_is_shown(policy):
    make_window(2, processing_days=45)

    assert "自提交之日起45个工作日内办结" in page(2)


def test_the_next_window_is_announced_while_none_is_open(policy):
    now = timezone.now()
    later = make_window(
        2,
        name="2027年第一批",
        opens_at=now + datetime.timedelta(days=10),
        closes_at=now + datetime.timedelta(days=40),
        processing_days=50,
    )

    html = page(2)

    dates = between(html, "申报时间", "</tr>")
    assert "暂未开放申报" in dates
    assert f"下一批次：2027年第一批，{local_date(later.opens_at)}" in dates
    assert "自提交之日起50个工作日内办结" in html


def test_a_window_for_one_track_shows_under_that_track_only(track):
    make_window(10, track=track(10, "ic-design"), name="集成电路设计专批", processing_days=40)

    html = page(10)

    assert "集成电路设计专批" in track_part(html, "ic-design")
    assert "自提交之日起40个工作日内办结" in track_part(html, "ic-design")
    assert "集成电路设计专批" not in track_part(html, "ic-manufacturing")
    assert "暂未开放申报" in between(track_part(html, "ic-manufacturing"), "申报时间", "</tr>")


def test_windows_of_different_time_limits_each_give_their_own(policy):
    make_window(2, name="第一批", processing_days=60)
    make_window(2, name="补报批", processing_days=40)

    limits = between(page(2), "办理时限", "</tr>")

    assert "第一批：自提交之日起60个工作日内办结" in limits
    assert "补报批：自提交之日起40个工作日内办结" in limits


def test_contact_not_yet_published_reads_as_such(policy):
    contact = between(page(2), "咨询方式", "</tr>")

    assert "经济运行处" in contact
    assert "联系方式待公布" in contact


def test_the_divisions_contact_is_shown(policy):
    publish_contacts(
        "economic-operation",
        contact_phone="023-12345678",
        contact_address="渝北区某路1号",
        office_hours="工作日 9:00—17:00",
    )

    contact = between(page(2), "咨询方式", "</tr>")

    assert "咨询电话：023-12345678" in contact
    assert "办公地址：渝北区某路1号" in contact
    assert "办公时间：工作日 9:00—17:00" in contact
    assert "联系方式待公布" not in contact


def test_a_programme_has_a_guide_without_applications(policy):
    html = page(4)

    assert "本条为工作举措，不受理资金申报。" in between(html, "办理方式", "</tr>")
    assert "中小企业服务处" in between(html, "咨询方式", "</tr>")
    assert "申报条件" not in html


def test_building_a_guide_runs_no_query(policy, django_assert_num_queries):
    measure = measure_get(number=10)

    with django_assert_num_queries(0):
        guide = measure_guide(measure)

    assert [t.track.code for t in guide.tracks] == [
        "ic-design",
        "ic-manufacturing",
        "ic-equipment-materials",
    ]


@pytest.mark.parametrize("number", [1, 2, 3, 4, 10, 11, 18])
def test_the_guide_has_no_english(number, policy):
    if number == 2:
        make_window(2)
    publish_contacts(contact_phone="023-12345678", office_hours="工作日 9:00—17:00")

    assert english_on_page(page(number)) == []


# ── the page's queries ─────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("with_windows", [False, True])
def test_the_measure_page_runs_a_fixed_number_of_queries(
    with_windows, client, policy, django_assert_num_queries
):
    if with_windows:
        make_window(10, name="开放中")
        make_window(
            10,
            name="下一批",
            opens_at=timezone.now() + datetime.timedelta(days=40),
            closes_at=timezone.now() + datetime.timedelta(days=70),
        )
        publish_contacts(contact_phone="023-12345678")

    policy_version_bump()  # nothing cached for this version yet
    # The version, the measure with its section, notice and division, its tracks, their fields,
    # their thresholds, its current windows, and when a window next opens or closes (for the
    # guide's entry and for the page's).
    with django_assert_num_queries(8):
        assert client.get("/measures/10/").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/measures/10/").status_code == 200


# ── an edit in the admin shows at once ─────────────────────────────────────────────────────


def test_a_contact_edited_in_the_admin_shows_at_once(admin_client, policy):
    assert "联系方式待公布" in between(page(2), "咨询方式", "</tr>")
    division = Division.objects.get(code="economic-operation")
    url = admin_url(Division, "change", division.pk)

    response = admin_client.post(
        url,
        form_data(admin_client.get(url))
        | {"contact_phone": "023-87654321", "office_hours": "工作日 9:00—17:00"},
    )

    assert response.status_code == 302
    contact = between(page(2), "咨询方式", "</tr>")
    assert "咨询电话：023-87654321" in contact
    assert "联系方式待公布" not in contact


def test_a_time_limit_edited_in_the_admin_shows_at_once(admin_client, policy):
    window = make_window(2)
    assert "自提交之日起60个工作日内办结" in page(2)
    url = admin_url(ApplicationWindow, "change", window.pk)
    local = timezone.localtime
    form = form_data_without_dates(admin_client.get(url)) | {
        "opens_at_0": local(window.opens_at).strftime("%Y-%m-%d"),
        "opens_at_1": local(window.opens_at).strftime("%H:%M:%S"),
        "closes_at_0": local(window.closes_at).strftime("%Y-%m-%d"),
        "closes_at_1": local(window.closes_at).strftime("%H:%M:%S"),
        "processing_days": 80,
    }

    response = admin_client.post(url, form)

    assert response.status_code == 302
    window.refresh_from_db()
    assert window.processing_days == 80
    html = page(2)
    assert "自提交之日起80个工作日内办结" in html
    assert "自提交之日起60个工作日内办结" not in html


def form_data_without_dates(response) -> dict:
    form = response.context["adminform"].form
    data = {}
    for bound in form:
        if bound.name in ("opens_at", "closes_at"):
            continue
        value = bound.value()
        if value is not None and value is not False:
            data[bound.html_name] = value
    return data


def test_the_admin_edits_the_divisions_contact(admin_client, policy):
    division = Division.objects.get(code="sme")

    html = admin_client.get(admin_url(Division, "change", division.pk)).content.decode()

    for name in ("contact_phone", "contact_address", "office_hours"):
        assert f'name="{name}"' in html
    assert "咨询电话" in html and "办公地址" in html and "办公时间" in html


def test_the_admin_edits_a_windows_time_limit(admin_client, policy):
    html = admin_client.get(admin_url(ApplicationWindow, "add")).content.decode()

    assert 'name="processing_days"' in html
    assert 'value="60"' in html
    assert "办理时限（工作日）" in html


def test_a_time_limit_shorter_than_the_reviews_is_refused(policy):
    window = make_window(2)
    window.processing_days = 30  # the reviews alone take 15 + 20 working days

    with pytest.raises(Exception) as refused:
        window.full_clean()

    assert "办理时限不能短于区县和市级审核时限之和（35个工作日）" in str(refused.value)


def test_loading_the_policy_file_keeps_the_contacts(policy):
    Division.objects.filter(code="sme").update(contact_phone="023-12345678")

    policy_load()

    assert Division.objects.get(code="sme").contact_phone == "023-12345678"


# ── the API ────────────────────────────────────────────────────────────────────────────────


def test_the_api_gives_the_contact_and_the_time_limit(client, policy):
    assert client.get("/api/measures/2/").json()["contact"] is None
    publish_contacts("economic-operation", contact_phone="023-12345678")
    make_window(2, processing_days=45)

    data = client.get("/api/measures/2/").json()

    assert data["contact"] == {
        "division": "经济运行处",
        "phone": "023-12345678",
        "address": "",
        "office_hours": "",
    }
    assert data["open_windows"][0]["processing_days"] == 45


# ── printing ───────────────────────────────────────────────────────────────────────────────


def test_the_print_stylesheet_hides_navigation_and_buttons():
    css = Path(finders.find("css/print.css")).read_text(encoding="utf-8")

    assert "@media print" in css
    printed = css.split("@media print", 1)[1]
    for selector in (
        ".site-header",
        ".site-footer",
        ".main-nav",
        ".button",
        "button",
        ".screen-only",
    ):
        assert selector in printed


def test_the_guide_page_links_the_print_stylesheet_and_prints_its_heading(policy):
    html = page(11)

    assert 'href="/static/css/print.css"' in html
    assert "<h1>第11条 首台（套）首批次保险补偿</h1>" in html
    assert "渝经信规范〔2023〕1号" in between(html, 'class="print-only print-heading"', "</p>")
    # The buttons of the screen are marked so the stylesheet leaves them out of the print.
    assert "data-print hidden>打印申兑指南</button>" in html
    assert '<p class="screen-only"><a class="button secondary"' in html


def test_the_conditions_matching_weighs_are_in_the_guide_too(policy):
    """What 政策直达 needs established or confirmed before it says 符合 is what the guide lists
    under 申报条件: the recognition, the industry and the notice's conditions to confirm."""
    little_giant = track_part(page(3), "little-giant")
    assert "持有以下认定之一（申报年度或上一年度获得）：国家级专精特新“小巨人”企业" in little_giant

    ic_design = track_part(page(10), "ic-design")
    assert "申报主体为集成电路设计类企业" in ic_design

    data_platform = page(6)
    assert (
        "须由企业确认：新建或升级智能网联汽车数据平台，建设智能网联汽车应用场景（测试场）"
        in data_platform
    )


# ── 办理流程: the steps, who takes each, in the window's own working days ─────────────────


def test_the_procedure_names_each_step_who_takes_it_and_the_windows_working_days(policy):
    make_window(2, district_review_days=10, municipal_review_days=15, processing_days=40)

    steps = between(page(2), "办理流程", "</tr>")

    division = Measure.objects.get(number=2).division.name
    expected = [
        "1. 企业申报（企业）",
        "2. 区县审核（企业所在区县经济信息主管部门）：10个工作日内（自提交次日起）",
        f"3. 市级审核（{division}）：核定支持金额，15个工作日内（自区县审核通过次日起）",
        f"4. 公示（{division}）",
        "5. 资金拨付（财务部门）",
        # 40 − 10 − 15: what is left for the 公示 and the payment.
        "市级审核通过后15个工作日内（全程自提交之日起40个工作日内办结）",
    ]
    for text in expected:
        assert text in steps, text
    positions = [steps.index(f"{n}. ") for n in range(1, 6)]
    assert positions == sorted(positions)


def test_the_procedure_follows_a_change_of_the_windows_settings(policy):
    window = make_window(2)

    assert "15个工作日内（自提交次日起）" in between(page(2), "办理流程", "</tr>")
    window.district_review_days = 12
    window.save()
    policy_version_bump()

    assert "12个工作日内（自提交次日起）" in between(page(2), "办理流程", "</tr>")


def test_windows_of_different_working_days_each_give_their_own_procedure(policy):
    make_window(2, name="第一批", district_review_days=15, processing_days=60)
    make_window(2, name="补报批", district_review_days=5, processing_days=40)

    steps = between(page(2), "办理流程", "</tr>")

    first, second = steps.split("第一批：")[1].split("补报批：")
    assert "15个工作日内（自提交次日起）" in first and "全程自提交之日起60个工作日" in first
    assert "5个工作日内（自提交次日起）" in second and "全程自提交之日起40个工作日" in second


def test_without_a_window_the_procedure_has_its_steps_and_no_invented_days(policy):
    steps = between(page(2), "办理流程", "</tr>")

    assert "2. 区县审核" in steps and "5. 资金拨付" in steps
    assert "时限以申报批次公布的为准" in steps
    assert "个工作日内" not in steps
