"""The application's page, the batch page and the 公示 print as documents an office files: the
content, without navigation or buttons. Kept as PDFs (print-*.pdf) when SCREENSHOTS_DIR is set."""

import os

from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page

from applications.models import Application, State
from disbursements.models import DisbursementBatch
from publicity.models import Publicity
from tests.browser.test_finance import SCREENSHOTS, log_in

HIDDEN_IN_PRINT = [
    ".site-header",
    ".site-footer",
    "#header",
    "div.breadcrumbs",
    "#nav-sidebar",
    ".object-tools",
    "button",
    "input[type=submit]",
    "a.button",
]


def printed(page: Page, url: str, name: str, content: str) -> None:
    page.goto(url)
    page.emulate_media(media="print")
    shown = page.evaluate(
        """(selectors) => selectors.flatMap((s) => [...document.querySelectorAll(s)])
            .filter((e) => e.getClientRects().length > 0).map((e) => e.outerHTML.slice(0, 80))""",
        HIDDEN_IN_PRINT,
    )
    assert not shown, f"{url}: printed, still shows {shown}"
    assert page.locator(content).first.is_visible(), f"{url}: {content} missing in print"
    if SCREENSHOTS:
        page.pdf(path=os.path.join(SCREENSHOTS, f"{name}.pdf"), format="A4")
    page.emulate_media(media="screen")


def test_the_application_the_batch_and_the_publicity_print_as_documents(committed_data, page: Page):
    call_command("seed_demo", verbosity=0)
    publicity = Publicity.objects.order_by("pk").first()
    if publicity is not None:
        printed(page, f"/publicity/{publicity.pk}/", "print-publicity", "#publicity-entries")

    application = Application.objects.filter(created_by__username="demo-enterprise-2").first()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("demo-enterprise-2")
    page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/portal/**")
    printed(page, f"/portal/applications/{application.pk}/", "print-application", "main h1")
    page.context.clear_cookies()

    batch = DisbursementBatch.objects.first()
    if batch is None:
        from disbursements.services import batch_add_applications, batch_create
        from enterprises.models import User

        finance = User.objects.get(username="demo-finance")
        batch = batch_create(by=finance)
        batch_add_applications(
            batch=batch, applications=Application.objects.filter(state=State.APPROVED), by=finance
        )
    log_in(page, "demo-finance")
    printed(
        page,
        f"/admin/disbursements/disbursementbatch/{batch.pk}/change/",
        "print-batch",
        "#content h1",
    )
