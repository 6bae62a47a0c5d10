"""A district reviewer's application list in a real browser, at 1280 px: the filters its
scope can use, the many-choice ones as drop-downs that narrow the list when chosen."""

from django.core.management import call_command
from playwright.sync_api import Page, expect

from applications.models import Application, State
from measures.money import format_yuan, format_yuan_exact
from tests.browser.demo import log_in, shot


def test_a_district_reviewer_filters_by_track_from_a_drop_down(committed_data, page: Page):
    call_command("seed_demo", verbosity=0)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "demo-district")

    page.goto("/admin/applications/application/?queue=all")
    filters = page.locator("#changelist-filter")
    expect(filters.locator("select#filter-track")).to_be_visible()
    # One district's reviewer: no district filter; the states its scope holds, no 草稿.
    expect(filters.locator("select#filter-district")).to_have_count(0)
    expect(filters.get_by_role("link", name="草稿", exact=True)).to_have_count(0)
    shot(page, "changelist-district-reviewer")

    track = filters.locator("select#filter-track option").nth(1)
    value, label = track.get_attribute("value"), track.inner_text()
    filters.locator("select#filter-track").select_option(value)

    page.wait_for_url(f"**track={value}**")
    expect(filters.locator("select#filter-track")).to_have_value(value)
    assert "queue=all" in page.url, "the list's other filters are kept"
    assert label


# Typed amounts and what measures.money reads them as; the page must read them alike.
TYPED = ["2000000", "150000000", "1234567.89", "1234500", "0.01", "0", "99990000", "12.5"]


def test_a_district_reviewer_sees_the_amount_read_as_it_is_typed(committed_data, page: Page):
    call_command("seed_demo", verbosity=0)
    application = Application.objects.get(state=State.DISTRICT_REVIEW)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "demo-district")

    page.goto(f"/admin/applications/application/{application.pk}/change/")
    page.locator('[data-transition="district_approve"]').click()
    amount = page.locator("input[name=amount]")
    reading = amount.locator("xpath=following-sibling::span[@class='wan']")

    expect(page.locator("#calculated-amount")).to_contain_text(
        format_yuan_exact(application.calculated_amount)
    )
    amount.fill("")
    amount.press_sequentially("2000000")
    expect(reading).to_have_text("200万元")
    shot(page, "decide-amount-read-as-typed")
    for typed in TYPED:
        amount.fill(typed)
        expect(reading).to_have_text(format_yuan(typed))
    amount.fill("2,000,000")  # the form refuses separators: no reading to trust
    expect(reading).to_have_text("")
