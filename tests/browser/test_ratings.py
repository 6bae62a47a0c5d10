"""Rating the service in a real browser, on the demo data: the demo enterprise rates a paid
application from its page, and the administrator finds the rating, with no average of so few ratings."""

import re

from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from applications.models import Application, State
from ratings.models import Rating
from tests.browser.demo import log_in, shot


def test_the_enterprise_rates_a_paid_application_and_the_administrator_reads_it(
    committed_data, page: Page, browser, live_server
):
    page.set_viewport_size({"width": 1280, "height": 900})
    call_command("seed_demo", verbosity=0)
    waiting = Application.objects.get(
        enterprise__users__username="demo-enterprise",
        state=State.DISBURSED,
        rating__isnull=True,
    )

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("demo-enterprise")
    page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    # 我的申报 invites to rate what is paid or rejected and not rated yet.
    page.goto("/portal/")
    expect(page.locator("a.awaits-rating")).to_have_count(2)
    shot(page, "rating-0-my-applications")
    page.locator(f'a.awaits-rating[href="/portal/applications/{waiting.pk}/#rating"]').click()
    form = page.locator("#rating")
    expect(form.get_by_role("heading", name="服务评价")).to_be_visible()
    shot(page, "rating-1-form")
    # A score is required before the form is sent (the server refuses one without it too).
    expect(page.get_by_label("3分 一般")).to_have_attribute("required", "")
    # The stars are radio buttons named by their labels; keyboard and click alike.
    page.get_by_label("5分 非常满意").check()
    expect(page.get_by_label("5分 非常满意")).to_be_checked()
    page.get_by_label("意见建议（选填）").fill("审核和拨付都很及时，感谢！")
    shot(page, "rating-2-chosen")
    page.locator("#rating").get_by_role("button", name="提交评价").click()

    expect(page.locator(".messages")).to_contain_text("感谢您的评价！")
    given = page.locator("#rating")
    expect(given).to_contain_text("5分")
    expect(given).to_contain_text("非常满意")
    expect(given).to_contain_text("审核和拨付都很及时，感谢！")
    expect(given.get_by_role("button", name="提交评价")).to_have_count(0)
    shot(page, "rating-3-given")
    page.goto("/portal/")
    expect(page.locator("a.awaits-rating")).to_have_count(1)
    rating = Rating.objects.get(application=waiting)
    assert (rating.score, rating.stage) == (5, "disbursed")

    admin = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    admin.set_viewport_size({"width": 1280, "height": 900})
    log_in(admin, "demo-admin")
    admin.locator('#content-main a[href="/admin/ratings/rating/"]').first.click()
    expect(admin).to_have_url(re.compile(r"/admin/ratings/rating/$"))
    expect(admin.locator("#result_list tbody tr")).to_have_count(2)
    expect(admin.locator("#result_list")).to_contain_text("审核和拨付都很及时，感谢！")
    averages = admin.locator(".rating-averages")
    # Two ratings: too few for an average to be shown (it would be the enterprise's own).
    expect(averages).to_contain_text("当前列表 2 条评价，平均分：不足5条，不予显示")
    expect(averages).not_to_contain_text("4.50")
    expect(averages.locator("table")).to_have_count(3)
    expect(averages).to_contain_text("已拨付")
    shot(admin, "rating-4-admin-list")
    admin.get_by_role("link", name=waiting.reference).click()
    expect(admin.locator("#content")).to_contain_text("非常满意")
    expect(admin.locator("input[name=_save]")).to_have_count(0)
    shot(admin, "rating-5-admin-rating")
