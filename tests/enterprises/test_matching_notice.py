"""符合 means every condition the notice states is established by the file.

One case per track of every measure, written from the notice's sentence for that track: the
recognitions it names, the industry its words confine it to (国民经济行业分类), and what the file
cannot establish (the kind of project, product or applicant), in the notice's words, which the
enterprise must confirm. Each case is checked against the policy data and against matching: a
file establishing everything it can qualifies only a track with nothing to confirm; the others
stay 可能符合, naming what to confirm; a missing recognition or another industry does not qualify.
"""

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from enterprises.matching import Status, considered_fields, match_report, match_track
from enterprises.models import EnterpriseFigure
from measures.industries import DIVISION_SECTION, SECTION_NAMES
from measures.models import EligibilityThreshold, Measure, Track
from measures.recognitions import NAMED_IN_MEASURE, Recognition
from tests.applications.factories import WindowFactory
from tests.enterprises.test_matching import YEAR, file_of, window_for

pytestmark = pytest.mark.django_db

R = Recognition


@dataclass(frozen=True)
class Case:
    """What the notice's sentence for one track asks of the applicant."""

    # The notice's words for the track, as its sentence reads.
    words: str
    recognitions: tuple = ()
    # 国民经济行业分类 codes the words confine the track to, and the words that do.
    industry: tuple = ()
    industry_text: str = ""
    # What the file cannot establish, in the notice's words.
    confirm: tuple = ()


NOTICE = {
    # 1. 对实施技术改造投资或扩大再投资后年工业增加值首次突破10亿元及以上工业企业: the figures
    # and the yes/no of the first breakthrough are in the file; 工业 is 采矿、制造、电热燃水.
    (1, "leading-enterprise"): Case(
        "实施技术改造投资或扩大再投资后年工业增加值首次突破10亿元及以上工业企业",
        industry=("B", "C", "D"),
        industry_text="工业企业",
    ),
    # 2. 开放供应链、构建专业化配套集群成效显著且年累计采购额在1亿元及以上的重点骨干企业.
    (2, "supply-chain"): Case(
        "开放供应链、构建专业化配套集群成效显著且年累计采购额在1亿元及以上的重点骨干企业",
        confirm=("开放供应链、构建专业化配套集群成效显著", "重点骨干企业"),
    ),
    # 3. 国家“小巨人”培育企业、首次认定（复核）的国家“小巨人”企业和制造业单项冠军、专精特新中小企业孵化器.
    (3, "little-giant-cultivation"): Case(
        "国家“小巨人”培育企业", recognitions=(R.LITTLE_GIANT_CULTIVATION,)
    ),
    (3, "little-giant"): Case("首次认定（复核）的国家“小巨人”企业", recognitions=(R.LITTLE_GIANT,)),
    (3, "single-champion"): Case("制造业单项冠军", recognitions=(R.SINGLE_CHAMPION,)),
    (3, "sme-incubator"): Case("专精特新中小企业孵化器", recognitions=(R.SME_INCUBATOR,)),
    # 6. The kind of project (a platform, a test field; a core component) is the condition.
    (6, "data-platform"): Case(
        "支持企业新建或升级智能网联汽车数据平台，建设智能网联汽车应用场景（测试场）",
        confirm=("新建或升级智能网联汽车数据平台，建设智能网联汽车应用场景（测试场）",),
    ),
    (6, "core-components"): Case(
        "支持企业研发智能车控、智能座舱、智能驾驶、车端网联等智能网联汽车核心配套产品",
        confirm=("研发智能车控、智能座舱、智能驾驶、车端网联等智能网联汽车核心配套产品",),
    ),
    # 7. The kind of research or testing.
    (7, "passenger-ev"): Case("对全新新能源乘用车研发", confirm=("全新新能源乘用车研发",)),
    (7, "hydrogen-commercial"): Case("对氢燃料电池商用车研发", confirm=("氢燃料电池商用车研发",)),
    (7, "type-approval"): Case("对新能源车型公告检测", confirm=("新能源车型公告检测",)),
    # 8. 新能源整车生产企业 (汽车制造业, 36; new energy, the enterprise says) and the product.
    (8, "financing-interest"): Case(
        "对新能源整车生产企业取得用于垫付新能源汽车购置补贴的专项融资产品",
        industry=("36",),
        industry_text="新能源整车生产企业",
        confirm=("新能源整车生产企业", "取得用于垫付新能源汽车购置补贴的专项融资产品"),
    ),
    # 8. 建成投入运行 is a yes/no of the file; 符合补贴标准 is not.
    (8, "hydrogen-station"): Case(
        "对建成投入运行并符合补贴标准的加氢站", confirm=("符合补贴标准的加氢站",)
    ),
    # 9. 智能终端企业 (39) and their new or increased products.
    (9, "smart-terminals"): Case(
        "支持智能终端企业",
        industry=("39",),
        industry_text="智能终端企业",
        confirm=("新开发生产服务器、人工智能硬件，以及计算机、智能手机等终端高端产品和增量部分",),
    ),
    # 10. 集成电路设计 is 6520 (in 65), 制造 and 封测 3973 (in 39), 装备 and 材料 in 制造业.
    (10, "ic-design"): Case(
        "对实际到位投资2000万元以上的集成电路设计类企业",
        industry=("65",),
        industry_text="集成电路设计类企业",
        confirm=("集成电路设计类企业",),
    ),
    (10, "ic-manufacturing"): Case(
        "对实际到位投资5亿元以上的集成电路制造、封测类企业",
        industry=("39",),
        industry_text="集成电路制造、封测类企业",
        confirm=("集成电路制造、封测类企业",),
    ),
    (10, "ic-equipment-materials"): Case(
        "对实际到位投资2亿元以上的集成电路装备、材料类企业",
        industry=("C",),
        industry_text="集成电路装备、材料类企业",
        confirm=("集成电路装备、材料类企业",),
    ),
    # 11. 首次进入市场推广使用阶段的前3台（套）或首批次投保的装备: a yes/no of the file.
    (11, "first-unit-insurance"): Case("首次进入市场推广使用阶段的前3台（套）或首批次投保的装备"),
    # 12. The project.
    (12, "new-materials"): Case(
        "对企业投资国家急需战略性新兴产业、轻合金产业链、先进钢铁产业链以及化工新材料关键环节项目",
        confirm=(
            "投资国家急需战略性新兴产业、轻合金产业链、先进钢铁产业链以及化工新材料关键环节项目",
        ),
    ),
    # 13. Two selections the file records; the expo, it does not.
    (13, "key-brand"): Case("入选年度消费品工业重点培育品牌", recognitions=(R.KEY_BRAND,)),
    (13, "food-expo"): Case(
        "参加2022/2023中国（成渝）美食工业博览会活动",
        confirm=("参加2022/2023中国（成渝）美食工业博览会活动",),
    ),
    (13, "open-competition"): Case(
        "通过“揭榜挂帅”入选重庆消费品工业特色产业链平台",
        recognitions=(R.FEATURED_CHAIN_PLATFORM,),
    ),
    # 14. Three approvals the file records; the platform, it does not.
    (14, "registration"): Case(
        "获得新产品生产注册批件的化学药、中药、生物制品、医疗器械、新上市供应链关键产品",
        recognitions=(R.PRODUCT_REGISTRATION,),
    ),
    (14, "international-registration"): Case(
        "通过国际注册的药品及三类高端医疗器械", recognitions=(R.INTERNATIONAL_REGISTRATION,)
    ),
    (14, "consistency-evaluation"): Case(
        "通过或视同通过一致性评价产品的企业", recognitions=(R.CONSISTENCY_EVALUATION,)
    ),
    (14, "rd-service-platform"): Case(
        "开展第三方研发服务平台建设和运行的企业",
        confirm=("开展第三方研发服务平台建设和运行的企业",),
    ),
    # 15. Four recognitions the file records; the training, it does not.
    (15, "key-software-enterprise"): Case(
        "重点软信企业", recognitions=(R.KEY_SOFTWARE_ENTERPRISE,)
    ),
    (15, "software-product"): Case("市级软件产品", recognitions=(R.MUNICIPAL_SOFTWARE_PRODUCT,)),
    (15, "public-service-platform"): Case(
        "市级软件公共服务平台", recognitions=(R.MUNICIPAL_SOFTWARE_PLATFORM,)
    ),
    (15, "first-edition-software"): Case(
        "首版次软件产品", recognitions=(R.FIRST_EDITION_SOFTWARE,)
    ),
    (15, "talent-training"): Case(
        "开展软件人才培养能力建设的单位", confirm=("开展软件人才培养能力建设的单位",)
    ),
    # 16. Any of five recognitions.
    (16, "innovation-recognition"): Case(
        "获评优秀的市级技术创新示范企业、市级研发机构以及国家级技术创新示范企业、质量标杆企业、"
        "各类创新平台认定企业",
        recognitions=(
            R.MUNICIPAL_INNOVATION_DEMO,
            R.MUNICIPAL_RD_INSTITUTION,
            R.NATIONAL_INNOVATION_DEMO,
            R.QUALITY_BENCHMARK,
            R.INNOVATION_PLATFORM,
        ),
    ),
    # 17. Only 研究院, and only their platforms of those fields.
    (17, "research-platform"): Case(
        "对重庆高新技术产业研究院和行业性研究院建立的新一代信息技术、先进传感器封测等领域的研发、"
        "检测、试验等平台",
        confirm=(
            "重庆高新技术产业研究院和行业性研究院",
            "新一代信息技术、先进传感器封测等领域的研发、检测、试验等平台",
        ),
    ),
    # 18. 完成年度目标任务 is a yes/no of the file; being such a park is not.
    (18, "key-industrial-park"): Case(
        "对集成电路、汽车电子等创建期内完成年度目标任务的重点关键产业园",
        confirm=("集成电路、汽车电子等创建期内完成年度目标任务的重点关键产业园",),
    ),
    # 20, 21. The kind of project.
    (20, "intelligent-manufacturing"): Case(
        "支持企业建设数字化车间和智能工厂",
        confirm=(
            "建设数字化车间和智能工厂，培育工业互联网新模式，开展5G、数字孪生等新一代信息技术和"
            "制造业融合应用示范",
        ),
    ),
    (21, "green-manufacturing"): Case(
        "支持企业开展节能、节水、清洁生产等绿色技改",
        confirm=(
            "开展节能、节水、清洁生产等绿色技改，着力打造一批绿色工厂、绿色园区，开展川渝节能环保"
            "品牌行活动，打造一批节能降碳综合服务、绿色低碳能力提升示范项目",
        ),
    ),
}


def _notice_text() -> str:
    """The notice as published, without the line breaks and spaces of its layout."""
    text = (settings.BASE_DIR / "measures" / "data" / "notice.txt").read_text(encoding="utf-8")
    return re.sub(r"\s+", "", text)


def _policy_tracks() -> set[tuple[int, str]]:
    data = tomllib.loads(
        (settings.BASE_DIR / "measures" / "data" / "policy.toml").read_text(encoding="utf-8")
    )
    return {
        (measure["number"], track["code"])
        for measure in data["measures"]
        for track in measure.get("tracks", [])
    }


CASES = [
    pytest.param(number, code, case, id=f"{number}-{code}")
    for (number, code), case in NOTICE.items()
]


def test_every_track_of_every_measure_has_its_case_from_the_notice():
    assert set(NOTICE) == _policy_tracks()


def _establishing(track: Track, case: Case, *, industry=True, recognitions=True) -> dict:
    """A file establishing everything of ``track`` a file can: each threshold met, every
    figure the track reads, the recognitions, and an industry among those asked for."""
    figures = {
        f.name: True if f.field_type == "boolean" else Decimal("1000000000")
        for f in considered_fields(track)
    }
    for threshold in track.thresholds.all():
        if threshold.operator == EligibilityThreshold.Operator.TRUE:
            figures[threshold.field_name] = True
        else:
            figures[threshold.field_name] = max(
                figures.get(threshold.field_name, 0), threshold.value + 1
            )
    file = file_of(
        figures,
        recognitions={(kind, YEAR) for kind in case.recognitions} if recognitions else (),
    )
    if industry and case.industry:
        code = case.industry[0]
        if code in SECTION_NAMES:
            file.industry_section = code
        else:
            file.industry_section, file.industry_division = DIVISION_SECTION[code], code
    return file


def _track(number: int, code: str) -> Track:
    return Track.objects.prefetch_related("fields", "thresholds").get(
        measure__number=number, code=code
    )


@pytest.mark.parametrize(("number", "code", "case"), CASES)
def test_the_case_is_the_notice_s_words(policy, number, code, case):
    notice = _notice_text()
    measure_text = Measure.objects.get(number=number).text
    for words in (case.words, case.industry_text, *case.confirm):
        assert words in notice and words in measure_text, words
    for kind in case.recognitions:
        assert NAMED_IN_MEASURE[kind] == number, kind


@pytest.mark.parametrize(("number", "code", "case"), CASES)
def test_the_policy_data_holds_the_track_s_conditions(policy, number, code, case):
    track = _track(number, code)

    assert sorted(track.recognitions) == sorted(case.recognitions)
    assert sorted(track.industry_codes) == sorted(case.industry)
    assert track.industry_text == case.industry_text
    assert track.confirmations == list(case.confirm)


@pytest.mark.parametrize(("number", "code", "case"), CASES)
def test_a_track_qualifies_only_when_the_file_establishes_every_condition(
    policy, number, code, case
):
    track = _track(number, code)
    window = window_for(track)

    match = match_track(track=track, window=window, file=_establishing(track, case))

    if case.confirm:
        assert match.status == Status.MAY_QUALIFY, match.reasons
        assert match.confirmations == list(case.confirm)
        assert match.missing == [] and match.missing_profile == []
    elif case.industry:
        # Every condition met, the industry on the enterprise's word alone: it may qualify.
        assert match.status == Status.MAY_QUALIFY, match.reasons
        assert match.unverified == ["国民经济行业分类"]
    else:
        assert match.status == Status.QUALIFIES, (match.reasons, match.missing)
        assert match.confirmations == []
        assert match.rests_on_departments


@pytest.mark.parametrize(("number", "code", "case"), [c for c in CASES if c.values[2].recognitions])
def test_a_recognition_track_does_not_qualify_without_one_of_its_recognitions(
    policy, number, code, case
):
    track = _track(number, code)
    file = _establishing(track, case, recognitions=False)
    file.recognitions.add((next(k for k in Recognition if k not in case.recognitions), YEAR))

    match = match_track(track=track, window=window_for(track), file=file)

    assert match.status == Status.DOES_NOT_QUALIFY
    assert f"通知第{number}条面向" in match.reasons[0]


@pytest.mark.parametrize(("number", "code", "case"), [c for c in CASES if c.values[2].industry])
def test_an_industry_track_does_not_qualify_an_enterprise_of_another_industry(
    policy, number, code, case
):
    track = _track(number, code)
    file = _establishing(track, case, industry=False)
    # 软件和信息技术服务业 or, for the tracks it serves, 农业: outside what the notice names.
    file.industry_section, file.industry_division = (
        ("A", "01")
        if "65" in case.industry
        else (
            "I",
            "65",
        )
    )

    match = match_track(track=track, window=window_for(track), file=file)

    assert match.status == Status.DOES_NOT_QUALIFY
    assert f"通知第{number}条面向{case.industry_text}" in match.reasons[0]


@pytest.mark.parametrize(("number", "code", "case"), [c for c in CASES if c.values[2].industry])
def test_an_industry_track_may_qualify_a_file_without_its_industry(policy, number, code, case):
    track = _track(number, code)

    match = match_track(
        track=track, window=window_for(track), file=_establishing(track, case, industry=False)
    )

    assert match.status == Status.MAY_QUALIFY
    assert match.missing_profile == ["国民经济行业分类"]


# ── the enterprise of the acceptance report: a 项目投资额 and nothing else ─────────────────────


PROJECT_TRACKS = {
    "data-platform",
    "new-materials",
    "rd-service-platform",
    "talent-training",
    "research-platform",
    "intelligent-manufacturing",
    "green-manufacturing",
}


@pytest.fixture
def data_platform_enterprise(enterprise_user):
    for measure in Measure.objects.filter(kind=Measure.Kind.FUNDING):
        WindowFactory(measure=measure, year=YEAR)
    EnterpriseFigure.objects.create(
        enterprise=enterprise_user.enterprise,
        name="project_investment",
        year=YEAR,
        decimal_value=Decimal("8000000"),
    )
    return enterprise_user


def test_a_project_investment_alone_qualifies_for_nothing(data_platform_enterprise):
    report = match_report(enterprise=data_platform_enterprise.enterprise)

    assert report.qualifies == []
    may = {m.track.code: m for m in report.may_qualify}
    assert set(may) >= PROJECT_TRACKS
    assert may["new-materials"].confirmations == [
        "投资国家急需战略性新兴产业、轻合金产业链、先进钢铁产业链以及化工新材料关键环节项目"
    ]
    assert "重庆高新技术产业研究院和行业性研究院" in may["research-platform"].confirmations
    # Its amount is still worked out, for when the enterprise confirms: 30% of 800万.
    assert may["data-platform"].quote.amount == Decimal("2400000.00")


def test_the_page_offers_no_draft_button_for_a_track_to_confirm(client, data_platform_enterprise):
    client.force_login(data_platform_enterprise)

    page = client.get(reverse("matches")).content.decode()

    qualifies = page[page.index('id="qualifies"') : page.index('id="may-qualify"')]
    may_qualify = page[page.index('id="may-qualify"') : page.index('id="does-not-qualify"')]
    assert "创建申报草稿" not in qualifies
    for code in PROJECT_TRACKS:
        assert f':{code}"' in may_qualify, code
    assert "须由企业确认（企业档案无法判断）" in may_qualify
    assert "通知第17条所述“重庆高新技术产业研究院和行业性研究院”" in may_qualify


def test_the_opening_sweep_tells_it_may_qualify_not_that_it_qualifies(data_platform_enterprise):
    from datetime import timedelta

    from django.utils import timezone

    from notifications.announcements import announce_opened_windows
    from notifications.models import Notification

    announce_opened_windows(now=timezone.now() + timedelta(seconds=1))

    digest = Notification.objects.get(recipient=data_platform_enterprise)
    assert "符合申报条件" not in digest.body
    assert "新材料关键环节项目" in digest.body and "可能符合" in digest.body
