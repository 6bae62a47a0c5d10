"""公示 in a real browser: an administrator publishes one, a member of the public objects from
its page, the administrator upholds the objection, and the application is back in municipal
review."""

import re

from django.core.management import call_command
from playwright.sync_api import Page, expect

from applications.models import Application, State
from publicity.models import Objection, Publicity
from tests.browser.demo import log_in, shot


def test_an_upheld_objection_from_the_public_page_returns_the_application_to_review(
    committed_data, page: Page, browser, live_server
):
    page.set_viewport_size({"width": 1280, "height": 900})
    call_command("seed_demo", verbosity=0)
    # The demo's approved application that no 公示 holds yet.
    application = Application.objects.get(
        state=State.APPROVED,
        enterprise__users__username="demo-enterprise-2",
        track__code="financing-interest",
    )

    log_in(page, "demo-admin")
    page.goto("/admin/applications/application/?publicity=none")
    expect(page.locator("#result_list")).to_contain_text(application.reference)
    shot(page, "publicity-0-to-publicise")
    page.locator(f"input[name=_selected_action][value='{application.pk}']").check()
    page.select_option("select[name=action]", "publicise_applications")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist")).to_contain_text("已生成公示草稿")
    publicity = Publicity.objects.get(entries__application=application)
    page.locator("#take-publish").click()
    expect(page.locator(".messagelist")).to_contain_text("发布公示")

    visitor = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    visitor.goto(f"/publicity/{publicity.pk}/")
    expect(visitor.locator("#publicity-entries")).to_contain_text(application.enterprise.name)
    assert application.enterprise.credit_code not in visitor.content()
    shot(visitor, "publicity-1-public-page")
    visitor.select_option("#id_entry", index=1)
    visitor.get_by_label("姓名").fill("李明")
    visitor.get_by_label("联系方式").fill("13800000000")
    visitor.get_by_label("异议内容").fill("该企业的采购额与实际不符。")
    question = visitor.locator("label[for=id_answer]").inner_text()
    first, second = map(int, re.search(r"(\d+) 加 (\d+)", question).groups())
    visitor.locator("#id_answer").fill(str(first + second))
    visitor.get_by_role("button", name="提交异议").click()
    expect(visitor.locator(".messages")).to_contain_text("异议已提交")
    objection = Objection.objects.get()

    page.goto("/admin/publicity/objection/")
    page.get_by_role("link", name=re.compile(application.enterprise.name)).first.click()
    page.get_by_role("link", name="处理异议").click()
    page.get_by_label("异议成立（申报退回市级审核）").check()
    page.get_by_label("处理意见").fill("经核实，采购额虚报，退回市级审核。")
    page.get_by_role("button", name="保存处理结果").click()
    expect(page.locator(".messagelist")).to_contain_text("异议已处理")
    shot(page, "publicity-2-objection-upheld")

    objection.refresh_from_db()
    assert objection.outcome == Objection.Outcome.UPHELD
    assert Application.objects.get(pk=application.pk).state == State.MUNICIPAL_REVIEW
    page.goto(f"/admin/applications/application/{application.pk}/change/")
    expect(page.locator("body")).to_contain_text("市级审核中")
    shot(page, "publicity-3-application-back-in-review")


def test_finance_cannot_batch_the_demo_applications_under_or_before_their_publicity(
    committed_data, page: Page, live_server
):
    page.set_viewport_size({"width": 1280, "height": 900})
    call_command("seed_demo", verbosity=0)

    log_in(page, "demo-finance")
    page.goto("/admin/applications/application/?state=approved")
    page.locator("#action-toggle").check()
    page.select_option("select[name=action]", "add_to_disbursement_batch")
    page.locator("button[name=index]").click()
    page.get_by_role("button", name="加入拨付批次").click()

    refusals = page.locator(".messagelist .error")
    expect(refusals).to_have_count(2)
    expect(refusals.first).to_contain_text("尚未完成公示")
    shot(page, "publicity-4-finance-refused")


def test_a_wrong_sum_asks_a_new_question_with_the_answer_field_empty(
    committed_data, page: Page, live_server
):
    page.set_viewport_size({"width": 1280, "height": 900})
    call_command("seed_demo", verbosity=0)
    publicity = Publicity.objects.get(state="published")

    page.goto(f"{live_server.url}/publicity/{publicity.pk}/")
    page.select_option("#id_entry", index=1)
    page.get_by_label("姓名").fill("李明")
    page.get_by_label("联系方式").fill("13800000000")
    page.get_by_label("异议内容").fill("该企业的采购额与实际不符。")
    question = page.locator("label[for=id_answer]").inner_text()
    first, second = map(int, re.search(r"(\d+) 加 (\d+)", question).groups())
    page.locator("#id_answer").fill(str(first + second + 1))
    page.get_by_role("button", name="提交异议").click()

    expect(page.locator("#objection")).to_contain_text("验证问题回答不正确")
    expect(page.locator("#id_answer")).to_have_value("")
    expect(page.get_by_label("姓名")).to_have_value("李明")
    shot(page, "publicity-5-new-question-after-a-wrong-sum")
    question = page.locator("label[for=id_answer]").inner_text()
    first, second = map(int, re.search(r"(\d+) 加 (\d+)", question).groups())
    page.locator("#id_answer").fill(str(first + second))
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator(".messages")).to_contain_text("异议已提交")
    assert Objection.objects.filter(publicity=publicity).count() == 1
