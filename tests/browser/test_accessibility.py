"""axe-core over the portal's pages, the public pages and the officials' main pages: no serious or
critical violation (contrast, names, labels, landmarks)."""

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page

from applications.models import Application, State
from disbursements.models import DisbursementBatch
from tests.browser.axe import violations
from tests.browser.test_finance import log_in
from tests.browser.test_phone import ENTERPRISE_PAGES, PUBLIC_PAGES


@pytest.fixture
def demo(committed_data):
    call_command("seed_demo", verbosity=0)


def _check(page: Page, pages) -> None:
    problems = []
    for url in pages:
        response = page.goto(url)
        assert response.status == 200, f"{url}: {response.status}"
        found = violations(page)
        if found:
            problems.append(f"{url}:\n  " + "\n  ".join(found))
    assert not problems, "axe-core finds:\n" + "\n".join(problems)


def test_the_public_pages_are_accessible(demo, page: Page):
    _check(page, [url() for _, url in PUBLIC_PAGES])


def test_the_enterprises_pages_are_accessible(demo, page: Page):
    application = Application.objects.filter(created_by__username="demo-enterprise-2").first()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("demo-enterprise-2")
    page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/portal/**")
    pages = [url(application) for _, url in ENTERPRISE_PAGES]
    pages += ["/accounts/password_change/", "/accounts/second-factor/enrol/"]
    _check(page, pages)


def test_the_officials_main_pages_are_accessible(demo, page: Page):
    in_review = Application.objects.filter(state=State.DISTRICT_REVIEW).first()
    batch = DisbursementBatch.objects.first()
    if batch is None:
        from disbursements.services import batch_add_applications, batch_create
        from enterprises.models import User

        finance = User.objects.get(username="demo-finance")
        batch = batch_create(by=finance)
        batch_add_applications(
            batch=batch, applications=Application.objects.filter(state=State.APPROVED), by=finance
        )
    log_in(page, "demo-admin")
    _check(
        page,
        [
            "/admin/",
            "/admin/applications/application/",
            f"/admin/applications/application/{in_review.pk}/change/",
            f"/admin/disbursements/disbursementbatch/{batch.pk}/change/",
        ],
    )


def test_a_fields_error_is_tied_to_its_input(committed_data, page: Page):
    """A screen reader reads the error with the field: the input points at it."""
    page.goto("/enterprise/register/")
    page.get_by_label("统一社会信用代码").fill("123")
    page.get_by_role("button", name="注册").click()
    field = page.get_by_label("统一社会信用代码")
    assert field.get_attribute("aria-invalid") == "true"
    described = (field.get_attribute("aria-describedby") or "").split()
    errors = [i for i in described if i.endswith("_error")]
    assert errors, described
    assert page.locator(f"#{errors[0]}").inner_text().strip()
    for label_less in page.evaluate(
        """() => [...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')].filter((e) => !e.labels.length && !e.getAttribute('aria-label'))
            .map((e) => e.name)"""
    ):
        raise AssertionError(f"an input without a label: {label_less}")
