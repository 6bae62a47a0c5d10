"""What the browser tests on the demo data share: signing in as an enterprise or an official,
the demo's disbursement batch, and screenshots kept when SCREENSHOTS_DIR is set."""

import os

from django.conf import settings
from playwright.sync_api import Page

from applications.models import Application, State
from disbursements.models import DisbursementBatch
from tests.browser.second_factor import give_code

# Where to keep screenshots of the pages (for looking at them), when set.
SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR")
ENTERPRISE = "demo-enterprise-2"


def shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def log_in(page: Page, username: str) -> None:
    """An official's sign-in: the password, then the code of their authenticator."""
    page.goto("/admin/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    give_code(page, username)


def sign_in_enterprise(page: Page, username: str = ENTERPRISE) -> Application | None:
    """An enterprise's sign-in on the portal; its first application, for the pages about one."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/portal/**")
    return Application.objects.filter(created_by__username=username).order_by("pk").first()


def demo_batch() -> DisbursementBatch:
    """The demo's first disbursement batch, or one made of its approved applications."""
    batch = DisbursementBatch.objects.order_by("pk").first()
    if batch is None:
        from disbursements.services import batch_add_applications, batch_create
        from enterprises.models import User

        finance = User.objects.get(username="demo-finance")
        batch = batch_create(by=finance)
        batch_add_applications(
            batch=batch, applications=Application.objects.filter(state=State.APPROVED), by=finance
        )
    return batch
