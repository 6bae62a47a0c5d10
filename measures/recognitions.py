"""The recognitions (认定) the notice names, and the tracks that are granted for holding one.

Only what 渝经信规范〔2023〕1号 itself names is here, each with the measure that names it. Which
recognitions a track asks for is policy data (``Track.recognitions``, from the data file and
editable in the admin), read by matching (``enterprises.matching``): such a track asks for one
of them, granted in the window's year or the year before (``RECOGNITION_YEARS``). A test holds
every track's recognitions to the measure that names them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# A recognition counts for a window of year Y when it was granted in Y or in Y − 1: the notice
# rewards recognitions newly granted (首次认定（复核）), and a window of one year takes those of the
# year before, granted too late for the previous round.
RECOGNITION_YEARS = 2


class Recognition(models.TextChoices):
    # 第1条
    CHAIN_LEADER = "chain_leader", _("领军（链主）企业")
    # 第3条
    LITTLE_GIANT_CULTIVATION = "little_giant_cultivation", _("国家“小巨人”培育企业")
    LITTLE_GIANT = "little_giant", _("国家级专精特新“小巨人”企业")
    SINGLE_CHAMPION = "single_champion", _("制造业单项冠军")
    SME_INCUBATOR = "sme_incubator", _("专精特新中小企业孵化器")
    # 第4条
    SPECIALIZED_SME = "specialized_sme", _("专精特新企业")
    # 第13条
    KEY_BRAND = "key_brand", _("消费品工业重点培育品牌")
    FEATURED_CHAIN_PLATFORM = (
        "featured_chain_platform",
        _("通过“揭榜挂帅”入选重庆消费品工业特色产业链平台"),
    )
    # 第14条
    PRODUCT_REGISTRATION = "product_registration", _("新产品生产注册批件")
    INTERNATIONAL_REGISTRATION = (
        "international_registration",
        _("药品或三类高端医疗器械国际注册"),
    )
    CONSISTENCY_EVALUATION = "consistency_evaluation", _("通过或视同通过一致性评价")
    # 第15条
    KEY_SOFTWARE_ENTERPRISE = "key_software_enterprise", _("重点软信企业")
    MUNICIPAL_SOFTWARE_PRODUCT = "municipal_software_product", _("市级软件产品")
    MUNICIPAL_SOFTWARE_PLATFORM = "municipal_software_platform", _("市级软件公共服务平台")
    FIRST_EDITION_SOFTWARE = "first_edition_software", _("首版次软件产品")
    # 第16条
    MUNICIPAL_INNOVATION_DEMO = (
        "municipal_innovation_demo",
        _("市级技术创新示范企业（获评优秀）"),
    )
    MUNICIPAL_RD_INSTITUTION = "municipal_rd_institution", _("市级研发机构（获评优秀）")
    NATIONAL_INNOVATION_DEMO = "national_innovation_demo", _("国家级技术创新示范企业")
    QUALITY_BENCHMARK = "quality_benchmark", _("质量标杆企业")
    INNOVATION_PLATFORM = "innovation_platform", _("创新平台认定企业")


# The measure of the notice that names each recognition.
NAMED_IN_MEASURE = {
    recognition: measure
    for measure, recognitions in {
        1: [Recognition.CHAIN_LEADER],
        3: [
            Recognition.LITTLE_GIANT_CULTIVATION,
            Recognition.LITTLE_GIANT,
            Recognition.SINGLE_CHAMPION,
            Recognition.SME_INCUBATOR,
        ],
        4: [Recognition.SPECIALIZED_SME],
        13: [Recognition.KEY_BRAND, Recognition.FEATURED_CHAIN_PLATFORM],
        14: [
            Recognition.PRODUCT_REGISTRATION,
            Recognition.INTERNATIONAL_REGISTRATION,
            Recognition.CONSISTENCY_EVALUATION,
        ],
        15: [
            Recognition.KEY_SOFTWARE_ENTERPRISE,
            Recognition.MUNICIPAL_SOFTWARE_PRODUCT,
            Recognition.MUNICIPAL_SOFTWARE_PLATFORM,
            Recognition.FIRST_EDITION_SOFTWARE,
        ],
        16: [
            Recognition.MUNICIPAL_INNOVATION_DEMO,
            Recognition.MUNICIPAL_RD_INSTITUTION,
            Recognition.NATIONAL_INNOVATION_DEMO,
            Recognition.QUALITY_BENCHMARK,
            Recognition.INNOVATION_PLATFORM,
        ],
    }.items()
    for recognition in recognitions
}


def counted_years(window_year: int) -> range:
    """The years of recognition that count for a window of ``window_year``."""
    return range(window_year - RECOGNITION_YEARS + 1, window_year + 1)
