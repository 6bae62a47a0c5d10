"""axe-core in the tests' browser: the accessibility rules a page breaks.

The file is run through the DevTools protocol (page.evaluate), not as a <script>, so the site's
content security policy stays as strict under test as in production.
"""

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}


@cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def violations(page: Page) -> list[str]:
    """The serious and critical violations on the page as it stands, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    page.axe_running = True
    try:
        found = _run(page)
    finally:
        page.axe_running = False
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + " | ".join(v["nodes"])
        for v in found
        if v["impact"] in BLOCKING
    ]


def _run(page: Page) -> list[dict]:
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ': ' + n.failureSummary),
            }));
        }"""
    )


def assert_accessible(page: Page) -> None:
    found = violations(page)
    assert not found, f"{page.url}: axe-core finds:\n" + "\n".join(found)
