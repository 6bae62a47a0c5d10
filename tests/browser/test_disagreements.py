"""对部门数据有异议 in a real browser: from the file's recognitions and yes/no figures, the
enterprise chooses 是 or 否 on a page laid out as the one about a number, and reads its report
back in the file."""

import re

from playwright.sync_api import Page, expect

from departments.models import DepartmentFigure, DepartmentRecognition
from enterprises.models import DepartmentDisagreement
from tests.browser.demo import shot
from tests.departments.factories import csv_bytes, run, statistics_bureau
from tests.enterprises.factories import EnterpriseUserFactory

PASSWORD = "correct-horse-battery"


def _sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的申报")).to_be_visible()


def test_an_enterprise_disputes_a_recognition_and_a_yes_no_from_its_file(
    committed_data, page: Page
):
    page.set_viewport_size({"width": 1280, "height": 900})
    user = EnterpriseUserFactory()
    batch = run(
        statistics_bureau(), csv_bytes([[user.enterprise.credit_code, 2024, "", "是", "是"]])
    ).batch
    recognition = DepartmentRecognition.objects.get(batch=batch)
    yes_no = DepartmentFigure.objects.get(batch=batch, name="first_breakthrough")
    _sign_in(page, user.username)

    page.goto("/enterprise/file/")
    page.locator("#recognitions").get_by_role("link", name="对部门数据有异议").click()
    expect(page).to_have_url(re.compile(f"/file/disagreements/recognitions/{recognition.pk}/$"))
    expect(page.get_by_role("heading", name="对部门数据有异议")).to_be_visible()
    expect(page.locator("#department-figure")).to_contain_text("已获得该认定")
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator(".has-error")).to_have_count(2)  # neither 是/否 nor a reason
    shot(page, "disagreement-recognition-errors")
    page.get_by_label("企业认为应为").select_option(label="否（未获得该认定）")
    page.get_by_label("异议理由").fill("该认定为集团子公司所获。")
    shot(page, "disagreement-recognition")
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator("#disagreements")).to_contain_text("该认定为集团子公司所获。")
    expect(page.locator("#disagreements")).to_contain_text("未获得该认定")

    page.goto(f"/enterprise/file/disagreements/{yes_no.pk}/")
    page.get_by_label("企业认为应为").select_option(label="否")
    page.get_by_label("异议理由").fill("当年未首次突破。")
    shot(page, "disagreement-yes-no")
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator("#disagreements tbody tr")).to_have_count(2)
    shot(page, "disagreement-file")
    assert DepartmentDisagreement.objects.filter(enterprise=user.enterprise).count() == 2
