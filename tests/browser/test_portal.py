"""The enterprise portal in a real browser: what the test client cannot see (labels, buttons,
file inputs, redirects followed by Chromium) is exercised here."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from applications.models import Application, State
from enterprises.models import Enterprise
from measures.models import Track
from tests.applications.factories import PDF_BYTES, WindowFactory
from tests.enterprises.factories import EnterpriseUserFactory, make_credit_code

PASSWORD = "correct-horse-battery"


@pytest.fixture
def pdf_file(tmp_path):
    path = tmp_path / "证明材料.pdf"
    path.write_bytes(PDF_BYTES)
    return path


def test_an_enterprise_registers_and_applies_for_measure_2(committed_data, page: Page, pdf_file):
    track = Track.objects.select_related("measure").get(code="supply-chain")
    WindowFactory(measure=track.measure)
    credit_code = make_credit_code(seed=20230001)

    page.goto("/enterprise/register/")
    page.get_by_label("企业名称").fill("重庆浏览器测试机械有限公司")
    page.get_by_label("统一社会信用代码").fill(credit_code.lower())
    page.get_by_label("所在区县").select_option(label="渝北区")
    page.get_by_label("所属行业").select_option(label="装备制造")
    page.get_by_label("企业规模").select_option(label="中型企业")
    page.get_by_label("联系人", exact=True).fill("李四")
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_label("联系人姓名").fill("李四")
    page.get_by_label("登录用户名").fill("browser-applicant")
    page.get_by_label("电子邮箱").fill("applicant@example.com")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_role("button", name="注册").click()

    expect(page).to_have_url(re.compile(r"/enterprise/profile/$"))
    expect(page.locator("#enterprise-credit-code")).to_have_text(credit_code)
    page.get_by_label("联系人", exact=True).fill("王五")
    page.get_by_label("开户银行").fill("中国工商银行重庆分行")
    page.get_by_label("银行账号").fill("6222020000000000001")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("企业信息已保存")

    page.get_by_role("navigation").get_by_role("link", name="我的申报").click()
    page.get_by_role("link", name="新建申报").click()
    page.locator('#open-measures button[data-track="supply-chain"]').click()
    expect(page).to_have_url(re.compile(r"/figures/$"))
    # 3亿 new purchases: 1% is 300万, above the 200万 cap.
    page.get_by_label("年累计采购额（元）").fill("300000000")
    page.get_by_label("新增采购额（元）").fill("300000000")
    page.get_by_role("button", name="保存并继续").click()

    expect(page).to_have_url(re.compile(r"/documents/$"))
    for kind in track.required_documents:
        page.get_by_label("材料类型").select_option(kind)
        page.get_by_label("文件").set_input_files(pdf_file)
        page.get_by_role("button", name="上传", exact=True).click()
        expect(page.locator(".checklist li", has_text=kind)).to_contain_text("✓")
    page.get_by_role("link", name="下一步：核对并提交").click()

    expect(page.locator("#quote-result")).to_contain_text("200万元")
    page.locator("#submit-application").click()

    expect(page).to_have_url(re.compile(r"/portal/applications/\d+/$"))
    expect(page.locator("#timeline")).to_contain_text("区县审核中")
    expect(page.locator("p .badge.state-district_review")).to_have_text("区县审核中")
    application = Application.objects.get(enterprise__credit_code=credit_code)
    assert application.state == State.DISTRICT_REVIEW
    assert application.calculated_amount == Decimal("2000000.00")
    assert application.documents.count() == len(track.required_documents)
    enterprise = Enterprise.objects.get(credit_code=credit_code)
    assert (enterprise.contact_name, enterprise.bank_account) == ("王五", "6222020000000000001")


def test_an_investment_below_20_million_cannot_be_submitted_for_ic_design(
    committed_data, page: Page
):
    track = Track.objects.select_related("measure").get(code="ic-design")
    WindowFactory(measure=track.measure)
    user = EnterpriseUserFactory()

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的申报")).to_be_visible()

    page.get_by_role("link", name="新建申报").click()
    page.locator('#open-measures button[data-track="ic-design"]').click()
    page.get_by_label("实际到位投资（元）").fill("19990000")
    page.get_by_role("button", name="保存并继续").click()
    expect(page).to_have_url(re.compile(r"/documents/$"))
    page.get_by_role("link", name="下一步：核对并提交").click()

    expect(page.locator("#quote-result")).to_contain_text("实际到位投资2000万元以上")
    expect(page.locator("#submit-application")).to_have_count(0)
    application = Application.objects.get(enterprise=user.enterprise)
    assert application.state == State.DRAFT
    assert application.declared == {"actual_investment": "19990000"}


def test_after_each_upload_the_type_selector_offers_the_next_missing_document(
    committed_data, page: Page, pdf_file
):
    from tests.applications.factories import draft

    user = EnterpriseUserFactory()
    application = draft(user=user, documents=False)
    assert application.track.required_documents[:2] == ["营业执照", "年度财务报表"]

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的申报")).to_be_visible()
    page.goto(f"/portal/applications/{application.pk}/documents/")

    kind = page.get_by_label("材料类型")
    expect(kind).to_have_value("营业执照")
    expect(page.locator("#calculated-amount")).to_contain_text("200万元")
    # The type is left as offered: one upload, and the selector moves on by itself.
    page.get_by_label("文件").set_input_files(pdf_file)
    page.get_by_role("button", name="上传", exact=True).click()

    expect(page.locator(".checklist li", has_text="营业执照")).to_contain_text("✓")
    expect(kind).to_have_value("年度财务报表")
    assert list(application.documents.values_list("kind", flat=True)) == ["营业执照"]


def test_the_apply_page_finder_narrows_the_measures_as_one_types(committed_data, page: Page):
    from enterprises.models import Enterprise

    for code in ("supply-chain", "data-platform", "hydrogen-station", "ic-design"):
        WindowFactory(measure=Track.objects.get(code=code).measure)
    user = EnterpriseUserFactory(enterprise__industry=Enterprise.Industry.AUTOMOTIVE)

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的申报")).to_be_visible()
    page.goto("/portal/apply/")

    everything = page.locator("#open-measures [data-search-item]")
    expect(everything).to_have_count(4)
    expect(page.locator("#recommended li a")).to_have_text(
        ["第6条 智能网联汽车", "第8条 新能源汽车融资贴息与加氢站"]
    )
    search = page.get_by_label("查找措施")

    search.fill("数据平台")  # a track's name: its measure, with that track alone
    expect(page.locator("#open-measures [data-search-item]:visible h3")).to_have_text(
        ["第6条 智能网联汽车"]
    )
    expect(page.locator("#open-measures button[data-track]:visible")).to_have_count(1)
    search.fill("加氢站")  # a measure's title: all its tracks
    expect(page.locator("#open-measures button[data-track]:visible")).to_have_count(2)
    expect(page.locator('[data-section-link="4"]')).to_be_hidden()

    search.fill("第10条")  # a number: that measure only
    expect(page.locator("[data-search-item]:visible h3")).to_have_text(["第10条 集成电路产业"])
    expect(page.locator("#recommended")).to_be_hidden()

    search.fill("没有这样的措施")
    expect(page.get_by_text("没有找到匹配的措施或申报类别。")).to_be_visible()

    search.fill("")
    expect(everything.locator("visible=true")).to_have_count(4)
    page.locator('[data-section-link="4"] a').click()
    expect(page).to_have_url(re.compile(r"#section-4$"))
    expect(page.locator("#section-4 h2")).to_be_in_viewport()


def test_a_licence_uploaded_to_the_library_is_attached_to_a_draft_in_one_click(
    committed_data, page: Page, pdf_file
):
    from applications.models import LibraryDocument
    from tests.applications.factories import draft
    from tests.browser.demo import shot

    user = EnterpriseUserFactory()
    application = draft(user=user, documents=False)
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的申报")).to_be_visible()

    page.get_by_role("link", name="企业材料库").click()
    expect(page.get_by_role("heading", name="企业材料库")).to_be_visible()
    expect(page.get_by_label("材料类型")).to_have_value("营业执照")
    page.get_by_label("文件").set_input_files(pdf_file)
    page.get_by_role("button", name="上传到材料库").click()
    expect(page.locator(".messages")).to_contain_text("已存入材料库：营业执照")
    expect(page.locator("#library-documents")).to_contain_text("证明材料.pdf")
    shot(page, "portal-library")
    licence = LibraryDocument.objects.get(enterprise=user.enterprise)

    page.goto(f"/portal/applications/{application.pk}/documents/")
    offered = page.locator(f"#library-{licence.pk}")
    expect(offered.get_by_label("选用为")).to_have_value("营业执照")
    offered.get_by_role("button", name="选用").click()

    expect(page.locator(".messages")).to_contain_text("已从材料库选用“证明材料.pdf”")
    licence_item = page.locator(".checklist li", has_text="营业执照")
    expect(licence_item).to_contain_text("✓")
    expect(licence_item).to_contain_text("已选用材料库中的版本（上传于")
    expect(page.locator(f"#library-{licence.pk}")).to_contain_text("已选用")
    # The upload form moves on to what is still missing.
    expect(page.get_by_label("材料类型")).to_have_value("年度财务报表")
    shot(page, "portal-documents-from-library")
    copy = application.documents.get()
    assert (copy.kind, copy.library_document_id, copy.sha256) == (
        "营业执照",
        licence.pk,
        licence.sha256,
    )
    assert copy.file.name != licence.file.name
