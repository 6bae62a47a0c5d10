"""可申报政策 in a real browser, on the demo enterprise's file: the three groups, the amounts,
the report printed (as PDF) with the enterprise's name and date, and a draft started from it."""

import re

from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from applications.models import Application, State
from enterprises.models import User
from tests.browser.demo import shot


def test_the_demo_enterprise_sees_what_it_may_apply_for_and_prints_it(
    committed_data, page: Page, tmp_path
):
    page.set_viewport_size({"width": 1280, "height": 900})
    call_command("seed_demo", verbosity=0)
    enterprise = User.objects.get(username="demo-enterprise").enterprise

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("demo-enterprise")
    page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="可申报政策").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("可申报政策")
    expect(page.locator("#report-enterprise")).to_have_text(enterprise.name)
    first_unit = page.locator("#qualifies tr[data-track='11:first-unit-insurance']")
    expect(first_unit).to_contain_text("96万元")
    # Measure 2's figures are in the file; what it cannot tell is the enterprise's to confirm.
    supply_chain = page.locator("#may-qualify tr[data-track='2:supply-chain']")
    expect(supply_chain).to_contain_text("通知第2条所述“重点骨干企业”")
    expect(supply_chain).to_contain_text("45万元")
    expect(supply_chain.get_by_role("button", name="创建申报草稿")).to_have_count(0)
    expect(page.locator("#does-not-qualify tr[data-track='1:leading-enterprise']")).to_contain_text(
        "年工业增加值首次突破10亿元及以上"
    )
    shot(page, "enterprise-matches")

    # Printed: the report alone, its enterprise and date at the top.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="打印报告")).to_be_hidden()
    expect(page.locator("#report-date")).to_be_visible()
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    page.emulate_media(media="screen")

    # Measure 11 was prepared from the file (免申即享): the report leads to it.
    first_unit.get_by_role("link", name="免申即享 · 去确认").click()
    expect(page).to_have_url(re.compile(r"/portal/applications/\d+/$"))
    matches = page.goto("/portal/matches/")
    page.locator("#qualifies tr[data-track='3:single-champion']").get_by_role(
        "button", name="创建申报草稿"
    ).click()
    expect(page).to_have_url(re.compile(r"/portal/applications/\d+/figures/$"))
    draft = Application.objects.get(enterprise=enterprise, state=State.DRAFT, proposed_at=None)
    assert draft.track.code == "single-champion" and matches.status == 200


def test_the_profile_offers_the_divisions_of_the_chosen_section(committed_data, page: Page):
    from tests.enterprises.factories import EnterpriseUserFactory

    user = EnterpriseUserFactory()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill("correct-horse-battery")
    page.get_by_role("button", name="登录").click()
    page.goto("/enterprise/profile/")

    page.get_by_label("国民经济行业门类").select_option("C")
    division = page.get_by_label("国民经济行业大类")
    expect(division.locator("optgroup:not([hidden])")).to_have_count(1)
    division.select_option("35")
    # An account from before names were asked gives its person's name with the first save.
    page.get_by_label("联系人姓名").fill("李四")
    page.get_by_role("button", name="保存").click()

    expect(page.locator(".message.success")).to_be_visible()
    user.enterprise.refresh_from_db()
    assert (user.enterprise.industry_section, user.enterprise.industry_division) == ("C", "35")
