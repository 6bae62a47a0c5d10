"""Every admin page of one row, of every registered model, for every staff role, opens without a
500: in the mode the role's permissions give, and in the view-only mode (the page of a row one
may see but not change), which every model admin is also put through for the administrator."""

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from enterprises.models import StaffMember
from tests.authorization import STAFF, build_world
from tests.enterprises.factories import UserFactory
from tests.zh_hans import english_on_page

# Rows of each model whose pages are opened: enough to meet each kind the world holds.
ROWS_PER_MODEL = 12


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        built = build_world()
        # The installation's superuser (it signs in only where ALLOW_SUPERUSER_LOGIN says so):
        # its rows are view-only to the administrator.
        built.users["superuser"] = UserFactory(
            is_staff=True, is_superuser=True, username="installation-root"
        )
        built.ascii_names.add("installation-root")
        built.media = media
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def media_root(settings, world):
    settings.MEDIA_ROOT = world.media
    return world.media


def _change_pages():
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[
            :ROWS_PER_MODEL
        ]:
            yield (
                model_admin,
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk]),
            )


def _open_every_change_page(client) -> list[str]:
    failures = []
    for _model_admin, url in _change_pages():
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"{url}: {response.status_code}")
    return failures


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*STAFF, "superuser"])
def test_every_change_page_opens_for_every_staff_role(role, world, media_root):
    client = Client(raise_request_exception=False)
    client.force_login(world.users[role])

    failures = _open_every_change_page(client)

    assert not failures, failures


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["administrator", "superuser"])
def test_every_change_page_opens_view_only(role, world, media_root, monkeypatch):
    """The same pages with the right to change taken away: each shows its row read-only."""
    for model_admin in admin.site._registry.values():
        monkeypatch.setattr(model_admin, "has_change_permission", lambda *args, **kwargs: False)
    client = Client(raise_request_exception=False)
    client.force_login(world.users[role])

    failures = _open_every_change_page(client)

    assert not failures, failures


@pytest.mark.django_db
def test_an_administrator_reads_a_superusers_page_without_changing_it(world, media_root):
    superuser = world.users["superuser"]
    client = Client(raise_request_exception=False)
    client.force_login(world.users["administrator"])
    url = reverse("admin:enterprises_staffmember_change", args=[superuser.pk])

    page = client.get(url)
    listed = client.get(reverse("admin:enterprises_staffmember_changelist"))

    assert page.status_code == 200
    body = page.content.decode()
    assert superuser.username in body
    # Read, not edited: no form field of the account, no save button.
    assert 'name="username"' not in body and 'name="_save"' not in body
    assert "超级管理员" in body
    assert not english_on_page(body, allowed=world.ascii_names)
    assert url in listed.content.decode()
    assert StaffMember.objects.filter(pk=superuser.pk, is_superuser=True).exists()
