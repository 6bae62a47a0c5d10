"""Junk in any filter of any admin list, or in a portal form, is refused, never a 500."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.enterprises.factories import UserFactory

JUNK = ["abc", "1.5", "'"]


@pytest.fixture
def officials(district_reviewer, municipal_reviewer, finance_user):
    return [
        district_reviewer,
        municipal_reviewer,
        finance_user,
        UserFactory(is_staff=True, is_superuser=True, roles=["administrator"]),
    ]


def _changelists():
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        yield reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), model_admin


def test_every_admin_filter_refuses_junk_without_a_500(client, officials):
    client.raise_request_exception = False
    for user in officials:
        client.force_login(user)
        for url, _model_admin in _changelists():
            first = client.get(url)
            if first.status_code != 200:
                continue
            parameters = set()
            for spec in first.context["cl"].filter_specs:
                parameters.update(spec.expected_parameters())
            parameters.update({"o", "p", "q", "e"})
            for parameter in sorted(parameters):
                for junk in JUNK:
                    response = client.get(url, {parameter: junk})
                    assert response.status_code < 500, (user, url, parameter, junk)


@pytest.mark.parametrize(
    "data",
    [
        {"window": "abc", "track": "1"},
        {"window": "", "track": ""},
        {"window": "1.5", "track": "x"},
        {},
        {"window": "99999999", "track": "99999999"},
    ],
)
def test_starting_an_application_with_junk_is_a_message_not_a_500(client, enterprise_user, data):
    client.raise_request_exception = False
    client.force_login(enterprise_user)

    response = client.post(reverse("applications:apply"), data, follow=True)

    assert response.status_code == 200
    assert "请选择申报批次和申报类别" in response.content.decode()
