"""An enterprise registers, fills its file (企业档案), applies and submits with the keyboard alone: Tab to each control,
type, Enter or Space. The one exception is the operating system's file picker, which no page can
open for a test: the focused file input is given its file directly."""

import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Page, expect

from applications.models import Application, State
from enterprises.models import Enterprise
from enterprises.selectors import figures_of_year, recognitions_of
from measures.models import Track
from tests.applications.factories import PDF_BYTES, WindowFactory
from tests.browser.demo import shot
from tests.enterprises.factories import make_credit_code

PASSWORD = "correct-horse-battery"
MAX_TABS = 120


def tab_to(page: Page, test: str, arg=None) -> None:
    """Press Tab until the focused element passes `test` (a JS function of it)."""
    page.wait_for_load_state()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(
            f"(arg) => {{ const e = document.activeElement; return ({test})(e, arg); }}", arg
        ):
            return
    raise AssertionError(f"Tab never reached {test} {arg!r} on {page.url}")


# The label's first words: some labels go on with a hint after a space.
LABELLED = (
    "(e, name) => e.labels && e.labels.length"
    " && e.labels[0].textContent.trim().split(/\\s+/)[0] === name"
)
NAMED = "(e, name) => e.textContent.trim() === name || e.value === name"


def type_into(page: Page, label: str, text: str) -> None:
    tab_to(page, LABELLED, label)
    page.keyboard.type(text)


def choose(page: Page, label: str, option: str) -> None:
    """A select, closed, changed with the arrow keys as a person would."""
    tab_to(page, LABELLED, label)
    for _ in range(60):
        if (
            page.evaluate("() => document.activeElement.selectedOptions[0].textContent.trim()")
            == option
        ):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{label}: no option {option}")


def press_on(page: Page, name: str, key: str = "Enter") -> None:
    tab_to(page, NAMED, name)
    with page.expect_navigation():
        page.keyboard.press(key)


def test_an_enterprise_registers_and_applies_with_the_keyboard(
    committed_data, page: Page, tmp_path
):
    track = Track.objects.select_related("measure").get(code="supply-chain")
    WindowFactory(measure=track.measure)
    credit_code = make_credit_code(seed=20230077)
    pdf = tmp_path / "证明材料.pdf"
    pdf.write_bytes(PDF_BYTES)

    page.goto("/enterprise/register/")
    type_into(page, "企业名称", "重庆键盘测试机械有限公司")
    type_into(page, "统一社会信用代码", credit_code)
    choose(page, "所在区县", "渝北区")
    choose(page, "所属行业", "装备制造")
    choose(page, "企业规模", "中型企业")
    type_into(page, "联系人", "李四")
    type_into(page, "联系电话", "13800138000")
    type_into(page, "联系人姓名", "李四")
    type_into(page, "登录用户名", "keyboard-applicant")
    type_into(page, "电子邮箱", "keyboard@example.com")
    type_into(page, "密码", PASSWORD)
    type_into(page, "确认密码", PASSWORD)
    press_on(page, "注册")
    expect(page).to_have_url(re.compile(r"/enterprise/profile/$"))

    # The profile: the bank details, saved with Enter in a field (the form's submission).
    type_into(page, "开户银行", "中国工商银行重庆分行")
    type_into(page, "银行账号", "6222020000000000001")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("企业信息已保存")

    # 企业档案: a recognition registered, then last year's figures entered. Tab into a field
    # selects what it holds, so typing replaces the year the form suggests.
    year = timezone.localdate().year - 1
    press_on(page, "企业档案")
    expect(page).to_have_url(re.compile(r"/enterprise/file/$"))
    choose(page, "认定名称", "领军（链主）企业")
    type_into(page, "认定年度", str(year))
    press_on(page, "登记")
    expect(page.locator(".messages")).to_contain_text(f"已登记认定：{year}年领军（链主）企业")
    type_into(page, "年度", str(year))
    press_on(page, "填写或修改该年度数据")
    expect(page).to_have_url(re.compile(rf"/enterprise/file/{year}/$"))
    type_into(page, "年累计采购额（元）", "300000000")
    type_into(page, "新增采购额（元）", "280000000")
    press_on(page, "保存")
    expect(page).to_have_url(re.compile(r"/enterprise/file/$"))
    expect(page.locator(".messages")).to_contain_text(f"已保存{year}年度数据")
    shot(page, "keyboard-file")
    enterprise = Enterprise.objects.get(credit_code=credit_code)
    assert list(recognitions_of(enterprise=enterprise).values_list("kind", "year")) == [
        ("chain_leader", year)
    ]
    figures = figures_of_year(enterprise=enterprise, year=year)
    assert figures["annual_purchase_amount"].decimal_value == Decimal("300000000")
    assert figures["new_purchase_amount"].decimal_value == Decimal("280000000")

    press_on(page, "我的申报")
    expect(page).to_have_url(re.compile(r"/portal/$"))
    press_on(page, "新建申报")
    tab_to(
        page,
        "(e, code) => e.matches(`#open-measures button[data-track='${code}']`)",
        "supply-chain",
    )
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"/figures/$"))
    type_into(page, "年累计采购额（元）", "300000000")
    type_into(page, "新增采购额（元）", "300000000")
    press_on(page, "保存并继续")

    expect(page).to_have_url(re.compile(r"/documents/$"))
    for kind in track.required_documents:
        choose(page, "材料类型", kind)
        tab_to(page, LABELLED, "文件")
        page.locator(":focus").set_input_files(pdf)
        press_on(page, "上传")
        expect(page.locator(".checklist li", has_text=kind)).to_contain_text("✓")
    press_on(page, "下一步：核对并提交")

    expect(page.locator("#quote-result")).to_contain_text("200万元")
    tab_to(page, "(e) => e.id === 'submit-application'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/portal/applications/\d+/$"))
    application = Application.objects.get(enterprise__credit_code=credit_code)
    assert application.state == State.DISTRICT_REVIEW
