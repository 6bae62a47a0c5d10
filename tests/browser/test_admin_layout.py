"""The officials' admin as its users see it at 1280 px: lists without sideways scrolling, a new
official added in one form and at work at once, and the Chinese error pages."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.browser.demo import log_in, shot
from tests.browser.second_factor import enrol

WIDTH = 1280


def assert_fits(page: Page) -> None:
    """Nothing of the list lies beyond the window's right edge, nor needs its own scrolling."""
    overflow = page.evaluate(
        """() => {
            const results = document.querySelector('#changelist .results');
            return {
                page: document.documentElement.scrollWidth, view: window.innerWidth,
                list: results.scrollWidth, shown: results.clientWidth,
                table: Math.ceil(document.querySelector('#result_list').getBoundingClientRect().right),
            };
        }"""
    )
    assert overflow["page"] <= overflow["view"], overflow
    assert overflow["list"] <= overflow["shown"], overflow
    assert overflow["table"] <= overflow["view"], overflow


@pytest.mark.parametrize(
    ("username", "columns"),
    [
        ("demo-district", ["申报编号", "企业", "措施与类别", "测算金额", "提交时间", "办理期限"]),
        ("demo-municipal", ["申报编号", "所在区县", "推荐金额", "核定金额", "办理期限"]),
        ("demo-finance", ["申报编号", "企业", "所在区县", "核定金额", "提交时间"]),
        ("demo-admin", ["申报编号", "所在区县", "测算金额", "核定金额", "办理期限"]),
    ],
)
def test_each_roles_application_list_fits_1280_px(demo, page: Page, username, columns):
    page.set_viewport_size({"width": WIDTH, "height": 900})
    log_in(page, username)

    page.goto("/admin/applications/application/?queue=all")

    headers = page.locator("#result_list thead th")
    for column in columns:
        expect(headers.filter(has_text=column)).to_have_count(1)
        assert headers.filter(has_text=column).bounding_box()["x"] < WIDTH
    reference = page.locator("#result_list .field-reference_or_draft")
    heights = {round(box["height"]) for box in (r.bounding_box() for r in reference.all())}
    line = page.locator("#result_list thead th").first.bounding_box()["height"]
    assert reference.count() and max(heights) < 3 * line, "a reference stays on one line"
    assert_fits(page)
    shot(page, f"changelist-{username}")


@pytest.mark.parametrize("username", ["demo-district", "demo-finance", "demo-admin"])
def test_the_list_still_fits_when_every_row_is_past_its_limits(demo, page: Page, username):
    from datetime import timedelta

    from django.utils import timezone

    from applications.models import UNPAID_STATES, Application

    past = timezone.now() - timedelta(days=1)
    unpaid = Application.objects.filter(state__in=UNPAID_STATES)
    unpaid.filter(due_at__isnull=False).update(due_at=past)
    unpaid.update(payment_due_at=past)
    page.set_viewport_size({"width": WIDTH, "height": 900})
    log_in(page, username)

    page.goto("/admin/applications/application/?queue=all&limit=past")

    expect(page.locator("#result_list .payment-limit-past").first).to_be_visible()
    assert_fits(page)
    shot(page, f"changelist-past-limit-{username}")


def test_the_windows_list_shows_the_budget_figures_at_1280_px(demo, page: Page):
    page.set_viewport_size({"width": WIDTH, "height": 900})
    log_in(page, "demo-admin")

    page.goto("/admin/measures/applicationwindow/")

    for column in ("预算总额", "已批准待拨付", "已拨付", "剩余预算"):
        expect(page.locator("#result_list thead th").filter(has_text=column)).to_be_visible()
    assert_fits(page)
    shot(page, "windows-administrator")


def test_an_administrator_adds_a_district_reviewer_who_changes_the_password_and_works(
    demo, page: Page
):
    """三员分立 in the browser: the system administrator creates the account, the security
    administrator gives it its role and scope, and the new official enrols a second factor and
    replaces the initial password before the work list opens."""
    page.set_viewport_size({"width": WIDTH, "height": 900})
    log_in(page, "demo-admin")
    page.goto("/admin/enterprises/staffmember/add/")
    expect(page.locator("select#id_role")).to_have_count(0)  # roles are not the administrator's

    page.get_by_label("姓名").fill("周敏")
    page.get_by_label("用户名").fill("zhou.min")
    page.get_by_label(re.compile("^初始密码")).fill("Zhou-Min-2026-pass")
    page.get_by_label("确认初始密码").fill("Zhou-Min-2026-pass")
    page.get_by_label("电子邮件地址").fill("zhou.min@example.com")
    shot(page, "staff-add")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator("#result_list")).to_contain_text("周敏")
    expect(page.locator("#result_list")).to_contain_text("未分配角色")

    page.context.clear_cookies()
    log_in(page, "demo-security")
    page.goto("/admin/enterprises/staffmember/")
    page.locator("#result_list").get_by_role("link", name="周敏").click()
    divisions = page.locator(".form-row.field-divisions")
    page.locator("select#id_role").select_option(label="区县审核员")
    expect(divisions).to_be_hidden()  # the scope the role needs, and only that
    page.get_by_label("负责区县").select_option(label="渝北区")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator("#result_list")).to_contain_text("区县审核员")
    shot(page, "staff-list")

    page.context.clear_cookies()
    page.goto("/admin/login/")
    page.get_by_label("用户名").fill("zhou.min")
    page.get_by_label("密码").fill("Zhou-Min-2026-pass")
    page.get_by_role("button", name="登录").click()
    # A new official enrols an authenticator at the first sign-in.
    enrol(page)
    # The administrator's initial password: the reviewer's own comes first.
    page.goto("/admin/applications/application/")
    page.wait_for_url("**/admin/password_change/")
    expect(page.locator(".messagelist")).to_contain_text("初始密码")
    page.locator("#id_old_password").fill("Zhou-Min-2026-pass")
    page.locator("#id_new_password1").fill("Zhou-Min-own-2026")
    page.locator("#id_new_password2").fill("Zhou-Min-own-2026")
    page.locator("form input[type=submit]").click()
    page.wait_for_url("**/admin/password_change/done/")
    page.goto("/admin/applications/application/")
    expect(page.locator("h1")).to_have_text("选择要查看的申报")
    expect(page.locator("#changelist-filter")).to_contain_text("办理范围")


def test_missing_and_refused_pages_are_chinese_in_the_sites_look(demo, page: Page):
    log_in(page, "demo-district")

    missing = page.goto("/admin/applications/application/99999999/change/")
    assert missing.status in (200, 302, 404)
    page.goto("/no/such/page/")
    expect(page.locator("h1")).to_contain_text("页面不存在")
    shot(page, "error-404")
    refused = page.goto("/admin/disbursements/disbursementbatch/add/")
    assert refused.status == 403
    expect(page.locator("h1")).to_contain_text("没有权限")
    shot(page, "error-403")
    assert settings.DEBUG is False


def test_the_periodic_task_form_describes_its_crontab_in_chinese(demo, page: Page):
    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    from notifications.schedule import install

    install(apps)  # the browser tests' data is flushed after each test, beat's rows included
    page.set_viewport_size({"width": WIDTH, "height": 900})
    log_in(page, "demo-admin")
    task = PeriodicTask.objects.get(name="公示期满自动结束")

    page.goto(f"/admin/django_celery_beat/periodictask/{task.pk}/change/")

    help_text = page.locator(".field-crontab .help")
    expect(help_text).to_contain_text("计划说明：")
    expect(page.locator(".field-crontab_translation")).to_be_hidden()
    shot(page, "admin-periodic-task")


def test_the_date_and_time_widgets_speak_the_sites_chinese(demo, page: Page):
    """The calendar and the clock of a window's dates: the project's djangojs catalogue, not
    Django's spaced or English phrases (the one-letter day names)."""
    from measures.models import ApplicationWindow

    page.set_viewport_size({"width": WIDTH, "height": 900})
    window = ApplicationWindow.objects.order_by("pk").first()
    log_in(page, "demo-admin")
    page.goto(f"/admin/measures/applicationwindow/{window.pk}/change/")
    page.locator("#calendarlink0").click()
    calendar = page.locator("#calendarbox0")
    expect(calendar).to_be_visible()
    expect(calendar.locator("th")).to_have_text(["一", "二", "三", "四", "五", "六", "日"])
    expect(calendar.locator("caption")).to_have_text(re.compile(r"^\d{4}年\d{1,2}月$"))
    calendar.locator(".calendarnav-next").click()
    expect(calendar.locator("caption")).to_have_text(re.compile(r"^\d{4}年\d{1,2}月$"))
    expect(calendar.get_by_role("link", name="今天", exact=True)).to_be_visible()
    shot(page, "admin-window-calendar")
    calendar.get_by_role("link", name="取消").click()
    page.locator("#clocklink0").click()
    clock = page.locator("#clockbox0")
    expect(clock.locator("h2")).to_have_text("选择时间")
    expect(clock.locator("ul.timelist a")).to_have_text(
        ["现在", "午夜0点", "上午6点", "中午12点", "下午6点"]
    )
    shot(page, "admin-window-clock")
