"""The main pages of each role on the demo data, in Chromium at 1280 px: each opens in Chinese,
within the content security policy, and is kept as a picture when SCREENSHOTS_DIR is set
(`make screenshots` keeps them in var/screenshots/)."""

import pytest
from playwright.sync_api import Page

from applications.models import Application, State
from tests.browser.demo import demo_batch, log_in, shot, sign_in_enterprise
from tests.zh_hans import english_on_page

ENTERPRISE_PAGES = [
    ("portal-home", lambda app: "/portal/"),
    ("portal-apply", lambda app: "/portal/apply/"),
    ("portal-application", lambda app: f"/portal/applications/{app.pk}/"),
    ("portal-library", lambda app: "/portal/library/"),
    ("portal-notifications", lambda app: "/notifications/"),
    ("portal-profile", lambda app: "/enterprise/profile/"),
    ("portal-password", lambda app: "/accounts/password_change/"),
    ("portal-second-factor", lambda app: "/accounts/second-factor/enrol/"),
]
OFFICIAL_PAGES = {
    "demo-district": [
        ("worklist", lambda app, batch: "/admin/applications/application/"),
        ("application", lambda app, batch: f"/admin/applications/application/{app.pk}/change/"),
        (
            "decide",
            lambda app, batch: f"/admin/applications/application/{app.pk}/decide/district_approve/",
        ),
    ],
    "demo-municipal": [
        ("worklist", lambda app, batch: "/admin/applications/application/"),
        ("windows", lambda app, batch: "/admin/measures/applicationwindow/"),
    ],
    "demo-finance": [
        ("worklist", lambda app, batch: "/admin/applications/application/?queue=all"),
        ("batches", lambda app, batch: "/admin/disbursements/disbursementbatch/"),
        (
            "batch",
            lambda app, batch: f"/admin/disbursements/disbursementbatch/{batch.pk}/change/",
        ),
    ],
    "demo-admin": [
        ("index", lambda app, batch: "/admin/"),
        ("windows", lambda app, batch: "/admin/measures/applicationwindow/"),
        ("staff", lambda app, batch: "/admin/enterprises/staffmember/"),
        ("staff-add", lambda app, batch: "/admin/enterprises/staffmember/add/"),
    ],
    "demo-security": [
        ("index", lambda app, batch: "/admin/"),
        ("staff", lambda app, batch: "/admin/enterprises/staffmember/"),
        ("second-factors", lambda app, batch: "/admin/security/secondfactoraccount/"),
        ("lockouts", lambda app, batch: "/admin/axes/accessattempt/"),
    ],
    "demo-auditor": [
        ("index", lambda app, batch: "/admin/"),
        ("audit", lambda app, batch: "/admin/security/auditrecord/"),
        ("transition-logs", lambda app, batch: "/admin/applications/transitionlog/"),
        ("batch-logs", lambda app, batch: "/admin/disbursements/batchlog/"),
    ],
}


def _open(page: Page, url: str, name: str) -> None:
    response = page.goto(url)
    assert response.status == 200, f"{url}: {response.status}"
    english = english_on_page(page.content(), allowed={"demo"})
    assert not english, f"{url}: English on a zh-hans page: {english}"
    shot(page, name)


def test_the_public_pages(demo, page: Page):
    page.set_viewport_size({"width": 1280, "height": 900})
    for name, url in [
        ("public-catalogue", "/"),
        ("public-measure", "/measures/2/"),
        ("public-calculator", "/calculator/"),
        ("public-register", "/enterprise/register/"),
        ("public-login", "/accounts/login/"),
    ]:
        _open(page, url, name)


def test_the_enterprises_pages(demo, page: Page):
    page.set_viewport_size({"width": 1280, "height": 900})
    application = sign_in_enterprise(page)
    for name, url in ENTERPRISE_PAGES:
        _open(page, url(application), name)


@pytest.mark.parametrize("username", list(OFFICIAL_PAGES))
def test_each_officials_pages(demo, page: Page, username):
    page.set_viewport_size({"width": 1280, "height": 900})
    in_review = Application.objects.filter(state=State.DISTRICT_REVIEW).first()
    batch = demo_batch()
    log_in(page, username)
    for name, url in OFFICIAL_PAGES[username]:
        _open(page, url(in_review, batch), f"{username}-{name}")
