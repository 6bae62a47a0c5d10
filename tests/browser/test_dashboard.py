"""The dashboard in a real browser, on the demo data a first run gives: every chart drawn into a
canvas of its own, for the administrator and for a district reviewer; and the public page."""

from django.core.management import call_command
from playwright.sync_api import Page, expect

from dashboard.charts import CHARTS
from tests.browser.demo import log_in, shot


def _errors(page: Page) -> list[str]:
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            # The admin's pages name no icon, so the browser asks for /favicon.ico.
            if message.type == "error" and "favicon" not in message.location.get("url", "")
            else None
        ),
    )
    return errors


def _drawn_charts(page: Page) -> list[str]:
    """The keys of the charts with a canvas of some size in them."""
    expect(page.locator("[data-drawn]").first).to_be_visible()
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-chart]')).filter(element => {
            const canvas = element.querySelector('canvas');
            return canvas && canvas.width > 100 && canvas.height > 100;
        }).map(element => element.dataset.chart)"""
    )


def test_the_administrator_sees_every_chart_drawn_from_the_demo_data(committed_data, page: Page):
    page.set_viewport_size({"width": 1280, "height": 900})
    call_command("seed_demo", verbosity=0)
    errors = _errors(page)
    log_in(page, "demo-admin")
    shot(page, "dashboard-0-index")
    page.get_by_role("link", name="数据看板").click()
    expect(page.locator("h1")).to_contain_text("数据看板 · 全市")
    drawn = _drawn_charts(page)
    # The demo has applications, approvals and windows; no ratings, nothing paid yet.
    assert {"by-state", "by-measure", "money-by-window", "money-by-measure", "by-district"} <= set(
        drawn
    )
    assert page.locator("section.stats-chart").count() == len(CHARTS)
    shot(page, "dashboard-administrator")
    with page.expect_download() as download:
        page.locator("#chart-by-state a[download]").click()
    assert download.value.suggested_filename == "dashboard-by-state-city.xlsx"
    assert not errors, errors


def test_a_district_reviewer_sees_its_district_only(committed_data, page: Page):
    page.set_viewport_size({"width": 1280, "height": 900})
    call_command("seed_demo", verbosity=0)
    errors = _errors(page)
    log_in(page, "demo-district")
    page.goto("/admin/dashboard/")
    expect(page.locator("h1")).to_contain_text("渝北区")
    assert "by-state" in _drawn_charts(page)
    districts = page.locator("#chart-by-district tbody td:first-child").all_inner_texts()
    assert districts == ["渝北区"]
    shot(page, "dashboard-district")
    assert not errors, errors


def test_the_public_page_shows_totals(committed_data, page: Page):
    page.set_viewport_size({"width": 1280, "height": 900})
    call_command("seed_demo", verbosity=0)
    errors = _errors(page)
    page.goto("/")
    page.get_by_role("link", name="政策兑现公开").first.click()
    expect(page.locator("h1")).to_have_text("政策兑现公开")
    expect(page.locator(".transparency-table").first.locator("tbody tr")).not_to_have_count(0)
    shot(page, "transparency")
    assert not errors, errors
