"""部门数据 by API in the admin: the system administrator issues a source's key and sees its
secret once; rotating replaces it, revoking stops it."""

import re

import pytest
from django.urls import reverse

from departments.api_models import SourceKey
from tests.enterprises.factories import UserFactory
from tests.zh_hans import english_on_page

from .factories import statistics_bureau
from .test_api import GOOD, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(policy):
    return statistics_bureau()


@pytest.fixture
def administrator(policy):
    return UserFactory(is_staff=True, roles=["administrator"])


def shown_secret(response) -> str:
    return re.search(r'<code id="secret">([^<]+)</code>', response.content.decode()).group(1)


def test_issuing_shows_the_secret_once(client, source, administrator):
    client.force_login(administrator)

    response = client.post(reverse("admin:departments_sourcekey_add"), {"source": source.pk})

    assert response.status_code == 200
    key = SourceKey.objects.get(source=source)
    secret = shown_secret(response)
    assert secret == key.secret and key.key_id in response.content.decode()
    assert key.issued_by == administrator
    change = client.get(reverse("admin:departments_sourcekey_change", args=[key.pk]))
    assert change.status_code == 200 and secret not in change.content.decode()
    assert not english_on_page(change.content.decode(), allowed={key.key_id})
    listing = client.get(reverse("admin:departments_sourcekey_changelist"))
    assert secret not in listing.content.decode()
    # The signed request works with what the page showed.
    assert post(client, (key, secret), GOOD).status_code == 201


def test_a_source_with_a_key_is_not_offered_again(client, source, administrator):
    SourceKey.issue(source=source, by=None)
    client.force_login(administrator)

    response = client.post(reverse("admin:departments_sourcekey_add"), {"source": source.pk})

    assert response.status_code == 200 and "<code" not in response.content.decode()
    assert SourceKey.objects.count() == 1


def test_rotating_replaces_the_key_and_revoking_stops_it(client, source, administrator):
    old, old_secret = SourceKey.issue(source=source, by=None)
    client.force_login(administrator)
    rotate = reverse("admin:departments_sourcekey_rotate", args=[old.pk])

    assert "确定为统计局重新签发接口密钥吗" in client.get(rotate).content.decode()
    response = client.post(rotate)

    key = SourceKey.objects.get()
    secret = shown_secret(response)
    assert (key.key_id, key.secret) != (old.key_id, old_secret) and secret == key.secret
    assert post(client, (old, old_secret), GOOD).status_code == 401

    client.force_login(administrator)
    revoked = client.post(reverse("admin:departments_sourcekey_revoke", args=[key.pk]))

    assert revoked.status_code == 302
    key.refresh_from_db()
    assert key.is_revoked and key.revoked_by == administrator
    assert post(client, (key, secret), GOOD).status_code == 403
