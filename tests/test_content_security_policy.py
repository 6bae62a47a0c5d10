"""The content security policy: scripts and styles only from the site's own files.

The header is checked here; that no page of ours needs an inline script, event handler or style is
checked on the templates, and in a real browser by every browser test (tests/browser/conftest.py
fails a test on any policy violation Chromium reports).
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
# Emails are read in mail clients, where the site's stylesheet does not reach: inline styles are
# the norm there and the policy does not apply.
NOT_SERVED = ("notifications/templates/notifications/email/",)


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


@pytest.mark.parametrize(
    "url", [reverse("measures:catalogue"), reverse("login"), reverse("admin:login")]
)
def test_pages_carry_a_policy_without_inline_script_or_style(client, db, url):
    policy = policy_of(client.get(url))

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_a_signed_in_officials_admin_page_carries_the_policy(client, finance_user):
    client.force_login(finance_user)

    assert policy_of(client.get(reverse("admin:index")))["script-src"] == ["'self'"]


def served_templates() -> list[Path]:
    templates = [
        path
        for path in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and "var" not in path.parts
    ]
    return [
        path
        for path in templates
        if not any(part in path.relative_to(ROOT).as_posix() for part in NOT_SERVED)
    ]


INLINE = {
    "an inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "an event handler attribute": re.compile(r"<[^>]+\son[a-z]+\s*=", re.I),
    "a style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.I),
    "a style element": re.compile(r"<style[\s>]", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


def test_the_templates_are_found():
    names = {path.name for path in served_templates()}
    assert {"base.html", "calculator.html", "batch.html", "change_form.html"} <= names


@pytest.mark.parametrize("what", INLINE)
def test_no_template_needs_what_the_policy_refuses(what):
    offenders = [
        f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in served_templates()
        for text in [path.read_text()]
        for match in INLINE[what].finditer(text)
    ]
    assert not offenders, f"{what} in {offenders}"


def test_the_policy_built_once_is_django_csps_own(client, db, settings):
    """policy_portal.csp keeps the header it built; it must be the one django-csp builds, and
    follow a change of the settings."""
    from csp.utils import build_policy

    response = client.get(reverse("measures:catalogue"))
    assert response["Content-Security-Policy"] == build_policy()

    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'none'"]}
    }
    response = client.get(reverse("measures:catalogue"))
    assert policy_of(response)["img-src"] == ["'none'"]
    assert response["Content-Security-Policy"] == build_policy()


def test_a_response_that_changes_the_policy_gets_its_own(rf, db):
    from csp.decorators import csp_update
    from django.http import HttpResponse

    from policy_portal.csp import CSPMiddleware

    @csp_update({"img-src": ["https://maps.example.cn"]})
    def view(request):
        return HttpResponse("ok")

    request = rf.get("/")
    middleware = CSPMiddleware(view)
    response = middleware(request)

    assert "https://maps.example.cn" in policy_of(response)["img-src"]


RENDERED_INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I
)


@pytest.mark.parametrize("url", ["add/", "{pk}/change/"])
def test_the_periodic_task_form_runs_no_inline_script(client, policy, url):
    from django_celery_beat.models import PeriodicTask

    from tests.enterprises.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, roles=["administrator"]))
    task = PeriodicTask.objects.order_by("pk").first()

    page = client.get("/admin/django_celery_beat/periodictask/" + url.format(pk=task.pk))

    assert page.status_code == 200
    html = page.content.decode()
    assert not RENDERED_INLINE_SCRIPT.findall(html)
    assert "js/periodic_task_form" in html and 'id="readable-crontabs"' in html
