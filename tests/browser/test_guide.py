"""A measure's guide (申兑指南) in a real browser: the print button prints, and the printed page
is the guide alone, headed by the notice and the measure's number and title."""

import os

from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.browser.demo import shot

# Where to keep the guide printed to PDF (for looking at it), when set.
PRINTS = os.environ.get("SCREENSHOTS_DIR")


def test_the_guide_prints_without_navigation_or_buttons(committed_data, page: Page):
    call_command("seed_demo", verbosity=0)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/measures/10/")
    print_button = page.get_by_role("button", name="打印申兑指南")
    expect(print_button).to_be_visible()
    expect(page.locator(".site-header")).to_be_visible()
    expect(page.locator(".print-heading")).to_be_hidden()
    shot(page, "guide-screen")

    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    print_button.click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")

    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    shot(page, "guide-print")
    for hidden in (".site-header", ".site-footer", "button", "a.button"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator(".print-heading")).to_have_text(
        "重庆市加力振作工业经济若干政策措施（渝经信规范〔2023〕1号）"
    )
    expect(page.locator("h1")).to_have_text("第10条 集成电路产业")
    expect(page.locator(".guide-contact")).to_contain_text("演示号码")
    expect(page.locator(".guide-window").first).to_contain_text("年第一批")
    if PRINTS:
        page.pdf(path=os.path.join(PRINTS, "guide-print.pdf"), format="A4")
