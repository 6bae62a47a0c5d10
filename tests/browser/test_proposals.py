"""免申即享 in a real browser, on the demo data: the demo enterprise finds the draft the site
prepared for measure 11 from its file, confirms it in one click, and the district reviewer finds
it in the worklist with the library's documents attached."""

from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from applications.models import Application, State, TransitionLog
from applications.proposals import CONFIRMATION_COMMENT
from tests.browser.demo import log_in, shot


def test_the_demo_enterprise_confirms_its_proposal_and_the_district_reviewer_gets_it(
    committed_data, page: Page
):
    page.set_viewport_size({"width": 1280, "height": 900})
    call_command("seed_demo", verbosity=0)
    proposal = Application.objects.get(
        enterprise__users__username="demo-enterprise", proposed_at__isnull=False
    )

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("demo-enterprise")
    page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto("/portal/")
    expect(page.locator(".badge.proposal")).to_have_text("免申即享 · 待确认")
    shot(page, "proposal-home")

    page.goto(f"/portal/applications/{proposal.pk}/")
    page.get_by_role("link", name="核对并一键确认（免申即享）").click()
    expect(page.locator("#proposal-notice")).to_contain_text("根据部门掌握的贵企业数据预先填写")
    for kind in proposal.track.required_documents:
        expect(page.locator("main")).to_contain_text(kind)
    expect(page.locator("#quote-result")).to_contain_text("96万元")
    shot(page, "proposal-review")
    page.get_by_role("button", name="一键确认申报").click()

    expect(page.locator(".messages")).to_contain_text("已确认申报，等待区县审核。")
    proposal.refresh_from_db()
    assert proposal.state == State.DISTRICT_REVIEW and proposal.reference
    assert TransitionLog.objects.filter(
        application=proposal, transition="submit", comment=CONFIRMATION_COMMENT
    ).exists()
    assert {d.kind for d in proposal.documents.all() if d.library_document_id} == set(
        proposal.track.required_documents
    )

    page.context.clear_cookies()
    log_in(page, "demo-district")
    page.goto("/admin/applications/application/")
    page.get_by_role("link", name=proposal.reference).click()
    documents = page.locator("#documents")
    for kind in proposal.track.required_documents:
        expect(documents).to_contain_text(kind)
    expect(page.locator("#timeline")).to_contain_text(CONFIRMATION_COMMENT)
    shot(page, "proposal-district-reviewer")
