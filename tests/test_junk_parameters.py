"""Junk in any filter of any admin list, in the rows an admin action is posted for, or in a
portal form, is refused, never a 500."""

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ERROR_FLAG
from django.urls import reverse

from tests.enterprises.factories import UserFactory

HUGE = "99999999999999999999"
JUNK = ["abc", "1.5", "'", HUGE]


OFFICIALS = ["district", "municipal", "finance", "administrator", "superuser"]


@pytest.fixture
def officials(district_reviewer, municipal_reviewer, finance_user):
    return {
        "district": district_reviewer,
        "municipal": municipal_reviewer,
        "finance": finance_user,
        "administrator": UserFactory(is_staff=True, roles=["administrator"]),
        "superuser": UserFactory(is_staff=True, is_superuser=True, roles=["administrator"]),
    }


def _changelists():
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        yield reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), model_admin


# One test per official and list, so that the suite's processes share the work.
@pytest.mark.parametrize("url", [url for url, _model_admin in _changelists()])
@pytest.mark.parametrize("who", OFFICIALS)
def test_every_admin_filter_refuses_junk_without_a_500(client, officials, who, url):
    client.raise_request_exception = False
    client.force_login(officials[who])
    first = client.get(url)
    if first.status_code == 200:
        parameters = set()
        for spec in first.context["cl"].filter_specs:
            parameters.update(spec.expected_parameters())
        parameters.update({"o", "p", "q", "e"})
        if first.context["cl"].date_hierarchy:
            parameters.update(_drill_down(first.context["cl"]))
        for parameter in sorted(parameters):
            for junk in JUNK:
                response = client.get(url, {parameter: junk})
                assert response.status_code < 500, (who, url, parameter, junk)


def _drill_down(changelist) -> set[str]:
    field = changelist.date_hierarchy
    return {f"{field}__year", f"{field}__month", f"{field}__day"}


def test_a_date_drill_down_out_of_the_calendar_is_the_wrong_filter_page(client, officials):
    """Django's answer to a filter it cannot apply: the list without it, marked ``?e=1``."""
    client.raise_request_exception = False
    checked = set()
    for user in officials.values():
        client.force_login(user)
        for url, _model_admin in _changelists():
            first = client.get(url)
            if first.status_code != 200 or not first.context["cl"].date_hierarchy:
                continue
            field = first.context["cl"].date_hierarchy
            checked.add(url)
            for drill_down in (
                {f"{field}__year": HUGE},
                {f"{field}__year": f"-{HUGE}"},
                {f"{field}__year": "0"},
                {f"{field}__year": "2026", f"{field}__month": HUGE},
                {f"{field}__year": "2026", f"{field}__month": "13"},
                {f"{field}__year": "2026", f"{field}__month": "2", f"{field}__day": HUGE},
                {f"{field}__year": "2026", f"{field}__month": "2", f"{field}__day": "30"},
            ):
                response = client.get(url, drill_down)
                assert response.status_code == 302, (user, url, drill_down, response.status_code)
                assert response["Location"] == f"{url}?{ERROR_FLAG}=1", (user, url, drill_down)
    # The lists with a drill-down: the enterprises, the login records, the ratings.
    assert reverse("admin:enterprises_enterprise_changelist") in checked
    assert reverse("admin:axes_accessattempt_changelist") in checked


def _actions(changelist_page) -> list[str]:
    action_form = changelist_page.context.get("action_form")
    if action_form is None:
        return []
    return [name for name, _label in action_form.fields["action"].choices if name]


JUNK_SELECTIONS = [["abc"], ["1", "1.5"], ["'"], [HUGE], [f"-{HUGE}"], [""]]


def test_every_admin_action_refuses_junk_rows_in_chinese_without_a_500(client, officials):
    client.raise_request_exception = False
    tried = set()
    for user in officials.values():
        client.force_login(user)
        for url, _model_admin in _changelists():
            first = client.get(url)
            if first.status_code != 200:
                continue
            for action in _actions(first):
                tried.add((url, action))
                for index, selected in enumerate(JUNK_SELECTIONS):
                    # As chosen from the list, and as confirmed on an action's own page.
                    confirmed = {"post": "yes"} if index % 2 else {}
                    data = {"action": action, "index": "0", "_selected_action": selected}
                    response = client.post(url, {**data, **confirmed})
                    label = (user, url, action, selected)
                    assert response.status_code == 302, (*label, response.status_code)
                    assert response["Location"] == url, label
                    if index == 0:
                        shown = client.get(url)
                        messages = [str(m) for m in shown.context["messages"]]
                        assert "所选记录无效，未做任何更改。" in messages, (*label, messages)
    # Every kind of action was posted: the applications' decisions, batch and 公示, 免申即享's,
    # Django's delete and beat's.
    actions = {action for _url, action in tried}
    assert {"delete_selected", "publicise_applications", "prepare_proposals"} <= actions
    assert {"district_approve", "add_to_disbursement_batch", "enable_tasks"} <= actions


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
