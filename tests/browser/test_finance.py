"""Finance in a real browser, on the demo data a first run gives: a batch built from the approved
applications, exported in both formats, and paid by a second person with one failed line."""

import csv
import io
import re
from decimal import Decimal

from django.conf import settings
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from applications.models import Application, State
from disbursements.models import BatchState, DisbursementBatch
from enterprises.models import User
from publicity.selectors import cleared_application_ids
from tests.browser.demo import log_in, shot


def test_finance_builds_exports_and_a_second_person_pays_the_demo_batch(
    committed_data, page: Page, browser, live_server, tmp_path
):
    page.set_viewport_size({"width": 1280, "height": 900})
    call_command("seed_demo", verbosity=0)
    chosen = Application.objects.filter(state=State.APPROVED)
    # Those the demo put through a closed 公示; the others are refused one by one.
    cleared = cleared_application_ids(chosen.values_list("pk", flat=True))
    approved = list(chosen.filter(pk__in=cleared).order_by("reference"))
    assert len(approved) >= 4 and chosen.count() > len(approved)

    log_in(page, "demo-finance")
    page.goto("/admin/applications/application/")
    shot(page, "1-finance-queue")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("add_to_disbursement_batch")
    page.locator("button[name=index]").click()
    # What will join and what will not, with why, before confirming.
    expect(page.locator("#joining-applications tbody tr")).to_have_count(len(approved))
    expect(page.locator("#refused-applications tbody tr")).to_have_count(
        chosen.count() - len(approved)
    )
    shot(page, "2-add-to-batch")
    page.get_by_label("备注").fill("演示拨付批次")
    page.get_by_role("button", name="加入拨付批次").click()

    expect(page).to_have_url(re.compile(r"/admin/disbursements/disbursementbatch/\d+/change/$"))
    batch = DisbursementBatch.objects.latest("pk")  # the demo has paid one batch already
    expect(page.locator("#batch-lines tbody tr")).to_have_count(len(approved))
    page.locator('[data-action="disbursements_freeze"]').click()
    page.get_by_role("button", name="锁定批次").click()
    expect(page.locator("[data-state]")).to_have_text("已锁定待拨付")
    shot(page, "3-frozen-batch")

    expect(page.locator('[data-export="csv"]')).to_have_text("导出银行导入文件（CSV）")
    expect(page.locator('[data-export="xlsx"]')).to_have_text("导出阅读核对表（XLSX）")
    expect(page.locator("#export-advice")).to_contain_text("查看、核对、打印请用阅读核对表（XLSX）")
    with page.expect_download() as csv_download:
        page.locator('[data-export="csv"]').click()
    assert csv_download.value.suggested_filename == f"{batch.number}-银行导入.csv"
    rows = list(csv.reader(io.StringIO(csv_download.value.path().read_bytes().decode("utf-8-sig"))))
    total = sum(a.approved_amount for a in approved)
    assert rows[0][:3] == ["序号", "申报编号", "企业名称"]
    assert [row[1] for row in rows[1:-1]] == [a.reference for a in approved]
    assert Decimal(rows[-1][7]) == total
    assert "0310012345678901" in [row[9] for row in rows]
    with page.expect_download() as xlsx_download:
        page.locator('[data-export="xlsx"]').click()
    assert xlsx_download.value.suggested_filename == f"{batch.number}-阅读核对.xlsx"
    sheet = load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes())).active
    assert sheet["C2"].value in {a.enterprise.name for a in approved}
    assert round(Decimal(str(sheet.cell(row=len(approved) + 2, column=8).value)), 2) == total
    page.reload()
    expect(page.locator("#batch-exports tbody tr")).to_have_count(2)
    expect(page.locator("#batch-exports")).to_contain_text("银行导入文件（CSV）")
    expect(page.locator("#batch-exports")).to_contain_text("阅读核对表（XLSX）")
    shot(page, "3b-exported-batch")
    expect(page.locator('[data-action="disbursements_mark_paid"]')).to_have_count(0)

    second = browser.new_context(base_url=live_server.url, locale="zh-CN")
    confirmer = second.new_page()
    confirmer.set_viewport_size({"width": 1280, "height": 900})
    log_in(confirmer, "demo-finance-2")
    confirmer.goto(f"/admin/disbursements/disbursementbatch/{batch.pk}/change/")
    confirmer.locator('[data-action="disbursements_mark_paid"]').click()
    confirmer.get_by_label("银行流水号").fill("CQRCB-20261125-0001")
    failed = approved[0].reference
    confirmer.get_by_label("银行退回的明细").fill(f"{failed} 户名与账号不符")
    shot(confirmer, "4-mark-paid")
    confirmer.get_by_role("button", name="确认拨付").click()
    expect(confirmer.locator("[data-state]")).to_have_text("已拨付")
    expect(confirmer.locator(".line-failed")).to_contain_text("户名与账号不符")
    shot(confirmer, "5-paid-batch")
    second.close()

    batch.refresh_from_db()
    assert batch.state == BatchState.PAID and batch.line_count == len(approved) - 1
    assert Application.objects.get(reference=failed).state == State.APPROVED
    assert (
        Application.objects.filter(
            pk__in=[a.pk for a in approved[1:]], state=State.DISBURSED
        ).count()
        == len(approved) - 1
    )
    # The batch log reads what was done, by whom.
    page.reload()
    log = page.locator("#batch-log")
    expect(log).to_contain_text("陈静（财务人员）")
    expect(log).to_contain_text("赵强（财务人员）")
    expect(log).not_to_contain_text("草稿 → 草稿")
    shot(page, "6-batch-log")

    # The enterprise whose payment the bank returned reads it at the top of its application.
    member = User.objects.filter(enterprise=approved[0].enterprise).first()
    portal = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    portal.set_viewport_size({"width": 1280, "height": 900})
    portal.goto("/accounts/login/")
    portal.get_by_label("用户名").fill(member.username)
    portal.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    portal.get_by_role("button", name="登录").click()
    portal.goto(f"/portal/applications/{approved[0].pk}/")
    expect(portal.locator("#payment-returned")).to_contain_text("户名与账号不符")
    expect(portal.locator("#payment-returned a")).to_have_attribute("href", "/enterprise/profile/")
    shot(portal, "7-payment-returned")
