"""Real Chromium against pytest-django's live server.

Debian's Chromium is used because Playwright's own browser download does not work on the CI
machine; `.ci/run` installs it.
"""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling home, and the closed network refuses it noisily.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


def pytest_runtest_setup(item):
    # Before any fixture, so a machine without Chromium does not even build the test database.
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (CI installs it)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Kept on the item so that the `page` fixture knows, when it closes, whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread, so Django would refuse
    # the ORM calls the tests make around the browser (factories, assertions, the flush).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def demo(committed_data):
    """The demo data `seed_demo` gives, committed so that the live server sees it."""
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    # The live server runs in this process, so the uploads land here too.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


PHONE = {"width": 375, "height": 812}


def _opened(browser, live_server, request, tmp_path, **options):
    """A fresh browser context (no cookies) on the live server, in Chinese.

    Every page it shows must keep to the content security policy: a script, handler or style the
    policy refused is a page that does not work as written, so the test fails.
    """
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(f"{page.url}: {message.text}")
            # axe-core (tests/browser/axe.py) probes styles of its own while it runs.
            if "Content Security Policy" in message.text and not getattr(page, "axe_running", 0)
            else None
        ),
    )
    yield page
    assert not refused, "the content security policy refused:\n" + "\n".join(refused)
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        screenshot = tmp_path / "failure.png"
        page.screenshot(path=screenshot, full_page=True)
        print(f"screenshot of {page.url}: {screenshot}")
    context.close()


@pytest.fixture
def page(browser, live_server, request, tmp_path):
    yield from _opened(browser, live_server, request, tmp_path)


@pytest.fixture
def phone(browser, live_server, request, tmp_path):
    """A page in Chromium's emulation of a phone (375×812): its width, touch, the mobile
    viewport."""
    yield from _opened(
        browser,
        live_server,
        request,
        tmp_path,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
