import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import Application, State, TransitionLog
from measures.models import Track
from measures.workdays import due_after_workdays
from reviews.models import Review
from reviews.selectors import windows_with_budget
from reviews.services import review_decide
from tests.applications.factories import WindowFactory, draft
from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory, UserFactory

CHANGELIST = "admin:applications_application_changelist"


def change_url(application):
    return reverse("admin:applications_application_change", args=[application.pk])


def decide_url(application, transition):
    return reverse("admin:applications_application_decide", args=[application.pk, transition])


@pytest.fixture
def submitted(enterprise_user):
    return services.application_submit(application=draft(user=enterprise_user), by=enterprise_user)


def test_the_page_shows_figures_rule_documents_timeline_and_only_the_allowed_buttons(
    client, submitted, district_reviewer
):
    client.force_login(district_reviewer)

    page = client.get(change_url(submitted)).content.decode()

    assert "年累计采购额" in page and "3亿元（300,000,000.00元）" in page
    assert "按其新增采购额1%比例给予最高200万元奖励" in page
    assert submitted.track.measure.text in page
    assert reverse("applications:document-download", args=[submitted.documents.first().pk]) in page
    assert "区县审核中" in page
    for transition in ("district_approve", "district_return", "district_reject"):
        assert decide_url(submitted, transition) in page
    assert "municipal_approve" not in page
    assert "deletelink" not in page


def test_reviewers_cannot_change_what_the_enterprise_declared(client, submitted, district_reviewer):
    client.force_login(district_reviewer)

    response = client.post(
        change_url(submitted), {"declared": '{"new_purchase_amount": "1"}', "state": "approved"}
    )

    assert response.status_code == 403
    submitted.refresh_from_db()
    assert Decimal(submitted.declared["new_purchase_amount"]) == Decimal("300000000")
    assert submitted.state == State.DISTRICT_REVIEW
    delete = client.post(
        reverse("admin:applications_application_delete", args=[submitted.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Application.objects.filter(pk=submitted.pk).exists()


def test_district_approval_records_a_review_and_moves_on(client, submitted, district_reviewer):
    client.force_login(district_reviewer)
    form = client.get(decide_url(submitted, "district_approve"))
    assert form.context["form"].initial["amount"] == Decimal("2000000.00")

    response = client.post(
        decide_url(submitted, "district_approve"),
        {"amount": "1800000", "comment": "材料齐全，同意推荐", "comment_public": "on"},
    )

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == State.MUNICIPAL_REVIEW
    assert submitted.recommended_amount == Decimal("1800000")
    review = Review.objects.get(application=submitted)
    assert (review.stage, review.decision, review.amount, review.reviewer) == (
        Review.Stage.DISTRICT,
        Review.Decision.APPROVE,
        Decimal("1800000"),
        district_reviewer,
    )
    assert review.log_entry.to_state == State.MUNICIPAL_REVIEW
    assert submitted.due_at is not None


def test_the_page_reads_its_amounts_exactly_rather_than_as_bare_decimals(
    client, submitted, district_reviewer
):
    client.force_login(district_reviewer)

    page = client.get(change_url(submitted)).content.decode()

    # The calculated amount as a read-only field and as the rule's result.
    assert page.count("200万元（2,000,000.00元）") >= 2
    assert "2000000.00" not in page


def decide_page(client, application, transition) -> str:
    return client.get(decide_url(application, transition)).content.decode()


def amount_input(page: str) -> str:
    return re.search(r'<input[^>]*name="amount"[^>]*>', page).group()


def test_the_district_decides_with_the_calculated_amount_beside_the_amount(
    client, submitted, district_reviewer
):
    client.force_login(district_reviewer)

    page = decide_page(client, submitted, "district_approve")

    # static/js/wan.js reads the amount beside the input as it is typed.
    assert 'data-money="yuan"' in amount_input(page)
    assert page.index(amount_input(page)) < page.index('id="amount-references"')
    assert '<span id="calculated-amount">测算金额：200万元（2,000,000.00元）</span>' in page
    assert "js/wan.js" in page
    # No recommendation yet: the district makes it.
    assert 'id="district-recommendation"' not in page


def test_the_municipal_reviewer_decides_with_the_districts_recommendation_beside_it(
    client, submitted, district_reviewer, municipal_reviewer
):
    services.application_district_approve(
        application=submitted, by=district_reviewer, amount=Decimal("1800000")
    )
    client.force_login(municipal_reviewer)

    page = decide_page(client, submitted, "municipal_approve")

    assert '<span id="calculated-amount">测算金额：200万元（2,000,000.00元）</span>' in page
    assert (
        '<span id="district-recommendation">区县推荐金额：180万元（1,800,000.00元）</span>' in page
    )
    assert 'value="1800000.00"' in amount_input(page)


def test_a_range_track_is_decided_with_the_range_the_notice_allows_beside_the_amount(
    client, enterprise_user, district_reviewer
):
    application = services.application_submit(
        application=draft(user=enterprise_user, code="single-champion"), by=enterprise_user
    )
    client.force_login(district_reviewer)

    page = decide_page(client, application, "district_approve")

    assert (
        '<span id="calculated-amount">测算金额：审核确定：50万元（500,000.00元） — '
        "200万元（2,000,000.00元）</span>"
    ) in page


def test_a_decision_without_an_amount_keeps_the_amounts_in_its_summary(
    client, submitted, district_reviewer
):
    client.force_login(district_reviewer)

    page = decide_page(client, submitted, "district_return")

    assert 'id="amount-references"' not in page
    assert "测算金额：200万元（2,000,000.00元）；区县推荐金额：—" in page


def test_the_amounts_beside_the_input_cost_no_query(client, submitted, district_reviewer):
    client.force_login(district_reviewer)
    client.get(decide_url(submitted, "district_approve"))
    with CaptureQueriesContext(connection) as approve:
        client.get(decide_url(submitted, "district_approve"))
    with CaptureQueriesContext(connection) as return_:
        client.get(decide_url(submitted, "district_return"))

    assert len(approve.captured_queries) == len(return_.captured_queries)


@pytest.mark.parametrize("transition", ["district_return", "district_reject"])
def test_returning_or_rejecting_needs_a_comment(client, submitted, district_reviewer, transition):
    client.force_login(district_reviewer)

    response = client.post(decide_url(submitted, transition), {"comment": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["comment"]
    submitted.refresh_from_db()
    assert submitted.state == State.DISTRICT_REVIEW
    assert not Review.objects.exists()


def test_an_amount_outside_the_rule_is_refused_on_the_page(client, submitted, district_reviewer):
    client.force_login(district_reviewer)

    response = client.post(
        decide_url(submitted, "district_approve"), {"amount": "2500000", "comment": ""}
    )

    assert response.status_code == 200
    assert "200万元" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == State.DISTRICT_REVIEW


def test_an_internal_comment_stays_off_the_enterprise_page(
    client, submitted, district_reviewer, enterprise_user
):
    client.force_login(district_reviewer)
    client.post(decide_url(submitted, "district_return"), {"comment": "内部：核实关联交易"})
    client.force_login(enterprise_user)

    page = client.get(reverse("applications:detail", args=[submitted.pk])).content.decode()

    assert "已退回修改" in page
    assert "核实关联交易" not in page


def test_municipal_approval_within_the_remaining_budget_only(
    client,
    enterprise_user,
    other_enterprise_user,
    district_reviewer,
    other_district_reviewer,
    municipal_reviewer,
):
    track = Track.objects.get(code="supply-chain")
    window = WindowFactory(measure=track.measure, total_budget=Decimal("3000000"))
    first = services.application_submit(
        application=draft(user=enterprise_user, window=window), by=enterprise_user
    )
    second = services.application_submit(
        application=draft(user=other_enterprise_user, window=window), by=other_enterprise_user
    )
    services.application_district_approve(
        application=first, by=district_reviewer, amount=Decimal("2000000")
    )
    services.application_district_approve(
        application=second, by=other_district_reviewer, amount=Decimal("2000000")
    )
    client.force_login(municipal_reviewer)

    assert (
        client.post(decide_url(first, "municipal_approve"), {"amount": "2000000"}).status_code
        == 302
    )
    refused = client.post(decide_url(second, "municipal_approve"), {"amount": "2000000"})

    assert "超出批次预算" in refused.content.decode()
    second.refresh_from_db()
    assert second.state == State.MUNICIPAL_REVIEW


def test_finance_sees_approved_work_but_cannot_approve(
    client, submitted, district_reviewer, municipal_reviewer, finance_user
):
    services.application_district_approve(
        application=submitted, by=district_reviewer, amount=Decimal("2000000")
    )
    client.force_login(finance_user)

    assert client.get(change_url(submitted)).status_code == 404
    assert (
        client.post(decide_url(submitted, "municipal_approve"), {"amount": "1"}).status_code == 404
    )
    services.application_municipal_approve(
        application=submitted, by=municipal_reviewer, amount=Decimal("2000000")
    )
    page = client.get(change_url(submitted)).content.decode()
    assert "data-transition" not in page


def test_bulk_return_asks_for_a_comment_then_reports_each_outcome(
    client, enterprise_user, district_reviewer
):
    first = services.application_submit(application=draft(user=enterprise_user), by=enterprise_user)
    second = services.application_submit(
        application=draft(user=enterprise_user, code="ic-design"), by=enterprise_user
    )
    client.force_login(district_reviewer)
    selection = {"action": "district_return", ACTION_CHECKBOX_NAME: [first.pk, second.pk]}

    intermediate = client.post(reverse(CHANGELIST), selection)
    assert intermediate.status_code == 200
    assert "bulk_decide" in intermediate.templates[0].name
    assert first.reference in intermediate.content.decode()
    empty = client.post(reverse(CHANGELIST), {**selection, "apply": "1", "comment": ""})
    assert empty.status_code == 200  # the comment is required
    done = client.post(
        reverse(CHANGELIST),
        {**selection, "apply": "1", "comment": "请补充", "comment_public": "on"},
        follow=True,
    )

    messages = [str(m) for m in done.context["messages"]]
    assert any("成功 2 件" in m for m in messages), messages
    assert set(
        Application.objects.filter(pk__in=[first.pk, second.pk]).values_list("state", flat=True)
    ) == {State.RETURNED}
    assert Review.objects.filter(decision=Review.Decision.RETURN).count() == 2


def test_bulk_approval_reports_those_that_need_an_amount_set_by_hand(
    client, enterprise_user, district_reviewer
):
    formula = services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )
    ranged = services.application_submit(
        application=draft(user=enterprise_user, code="single-champion"), by=enterprise_user
    )
    client.force_login(district_reviewer)

    done = client.post(
        reverse(CHANGELIST),
        {
            "action": "district_approve",
            ACTION_CHECKBOX_NAME: [formula.pk, ranged.pk],
            "apply": "1",
            "comment": "",
        },
        follow=True,
    )

    messages = [str(m) for m in done.context["messages"]]
    assert any(formula.reference in m and "成功 1 件" in m for m in messages), messages
    assert any(ranged.reference in m and "逐件" in m for m in messages), messages
    formula.refresh_from_db()
    ranged.refresh_from_db()
    assert (formula.state, formula.recommended_amount) == (
        State.MUNICIPAL_REVIEW,
        Decimal("2000000.00"),
    )
    assert ranged.state == State.DISTRICT_REVIEW


def test_each_role_gets_only_its_own_actions(
    client, district_reviewer, municipal_reviewer, finance_user, admin_user
):
    for user, expected in (
        (district_reviewer, {"district_approve", "district_return", "district_reject"}),
        (municipal_reviewer, {"municipal_approve", "municipal_return", "municipal_reject"}),
        (finance_user, {"add_to_disbursement_batch"}),
        (admin_user, set()),
    ):
        client.force_login(user)
        response = client.get(reverse(CHANGELIST))
        form = response.context["action_form"]
        actions = {choice[0] for choice in form.fields["action"].choices} - {""} if form else set()
        assert actions == expected, user


def test_due_dates_and_the_overdue_filter(client, enterprise_user, district_reviewer):
    on_time = services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )
    late = services.application_submit(
        application=draft(user=enterprise_user, code="ic-design"), by=enterprise_user
    )
    assert on_time.due_at == due_after_workdays(
        on_time.submitted_at, on_time.window.district_review_days
    )
    Application.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    soon = due_after_workdays(timezone.now(), 2)
    Application.objects.filter(pk=on_time.pk).update(due_at=soon)
    client.force_login(district_reviewer)

    overdue = client.get(reverse(CHANGELIST), {"due": "overdue"}).context["cl"].result_list
    due_soon = client.get(reverse(CHANGELIST), {"due": "soon"}).context["cl"].result_list

    assert [a.pk for a in overdue] == [late.pk]
    assert [a.pk for a in due_soon] == [on_time.pk]
    assert "已逾期" in client.get(reverse(CHANGELIST)).content.decode()


def test_search_by_reference_enterprise_name_and_credit_code(
    client, enterprise_user, district_reviewer
):
    application = services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )
    client.force_login(district_reviewer)

    for term in (
        application.reference,
        enterprise_user.enterprise.name[:6],
        enterprise_user.enterprise.credit_code,
    ):
        result = client.get(reverse(CHANGELIST), {"q": term}).context["cl"].result_list
        assert [a.pk for a in result] == [application.pk], term


def test_administrators_see_a_draft_named_by_when_it_was_created(client, enterprise_user):
    waiting = draft(user=enterprise_user)
    submitted = services.application_submit(
        application=draft(user=enterprise_user, code="ic-design"), by=enterprise_user
    )
    client.force_login(UserFactory(is_staff=True, roles=["administrator"]))

    listed = client.get(reverse(CHANGELIST), {"queue": "all"}).content.decode()
    page = client.get(change_url(waiting)).content.decode()
    by_reference = client.get(reverse(CHANGELIST), {"queue": "all", "q": submitted.reference})

    assert waiting.reference_label in listed and submitted.reference in listed
    assert waiting.reference_label in page
    assert [a.pk for a in by_reference.context["cl"].result_list] == [submitted.pk]


def _changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse(CHANGELIST), {"queue": "all"}).status_code == 200
    return len(context)


def test_the_changelist_runs_a_fixed_number_of_queries(client, district_reviewer):
    client.force_login(district_reviewer)
    track = Track.objects.get(code="supply-chain")
    window = WindowFactory(measure=track.measure)
    user = EnterpriseUserFactory()
    services.application_submit(application=draft(user=user, window=window), by=user)
    _changelist_queries(client)  # the filters' choices are read once, then cached
    one = _changelist_queries(client)

    for _ in range(29):
        other = EnterpriseUserFactory(enterprise=EnterpriseFactory())
        services.application_submit(
            application=draft(user=other, window=window, documents=True), by=other
        )
    # Read once more before counting: the policy version is cached for only ten seconds, and
    # submitting 29 applications on a busy machine can take longer than that.
    _changelist_queries(client)
    thirty = _changelist_queries(client)

    assert Application.objects.count() == 30
    assert thirty == one


def test_windows_show_budget_approved_disbursed_and_remaining(
    client, submitted, district_reviewer, municipal_reviewer, finance_user
):
    services.application_district_approve(
        application=submitted, by=district_reviewer, amount=Decimal("2000000")
    )
    services.application_municipal_approve(
        application=submitted, by=municipal_reviewer, amount=Decimal("1500000")
    )
    client.force_login(municipal_reviewer)

    response = client.get(reverse("admin:measures_applicationwindow_changelist"))

    window = next(w for w in response.context["cl"].result_list if w.pk == submitted.window_id)
    assert window.totals.approved_amount == Decimal("1500000")
    assert window.totals.disbursed_amount == Decimal("0")
    page = response.content.decode()
    assert "150万元" in page and "4850万元" in page
    services.applications_disburse(
        applications=Application.objects.filter(pk=submitted.pk),
        by=finance_user,
        paid_on=timezone.localdate(),
    )

    paid = windows_with_budget().get(pk=submitted.window_id)
    assert (paid.approved_total, paid.disbursed_total) == (Decimal("0"), Decimal("1500000"))


def test_those_who_only_view_read_reviews_log_entries_windows_and_tracks_amounts(
    client, submitted, district_reviewer, municipal_reviewer
):
    review = review_decide(
        application=submitted,
        by=district_reviewer,
        transition="district_approve",
        amount=Decimal("1800000"),
    )
    client.force_login(municipal_reviewer)

    def page(name, *args):
        return client.get(reverse(f"admin:{name}", args=args)).content.decode()

    # Lists read amounts; the page of one row adds them to the fen.
    lists = [page("reviews_review_changelist"), page("applications_transitionlog_changelist")]
    pages = [
        page("reviews_review_change", review.pk),
        page("applications_transitionlog_change", review.log_entry_id),
        page("applications_application_change", submitted.pk),
    ]
    window = page("measures_applicationwindow_change", submitted.window_id)
    track = page("measures_track_change", submitted.track_id)

    for shown in lists:
        assert "180万元" in shown and "1800000.00" not in shown
    for shown in pages:
        assert "180万元（1,800,000.00元）" in shown and "1800000.00" not in shown
    assert "5000万元（50,000,000.00元）" in window and "50000000.00" not in window
    assert "200万元（2,000,000.00元）" in track and "2000000.00" not in track


def test_reviews_and_log_entries_cannot_be_deleted_in_the_admin(
    client, submitted, district_reviewer, admin_user
):
    review_decide(
        application=submitted,
        by=district_reviewer,
        transition="district_approve",
        amount=Decimal("2000000"),
    )
    client.force_login(admin_user)
    review = Review.objects.get()
    entry = TransitionLog.objects.filter(application=submitted).first()

    assert (
        client.post(
            reverse("admin:reviews_review_delete", args=[review.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admin:applications_transitionlog_delete", args=[entry.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Review.objects.filter(pk=review.pk).exists()


def test_a_budget_cannot_be_cut_below_what_is_approved(
    client, submitted, district_reviewer, municipal_reviewer, admin_user
):
    services.application_district_approve(
        application=submitted, by=district_reviewer, amount=Decimal("2000000")
    )
    services.application_municipal_approve(
        application=submitted, by=municipal_reviewer, amount=Decimal("2000000")
    )
    window = submitted.window
    client.force_login(admin_user)
    url = reverse("admin:measures_applicationwindow_change", args=[window.pk])
    local = timezone.localtime
    form = {
        "measure": window.measure_id,
        "track": "",
        "year": window.year,
        "name": window.name,
        "opens_at_0": local(window.opens_at).strftime("%Y-%m-%d"),
        "opens_at_1": local(window.opens_at).strftime("%H:%M:%S"),
        "closes_at_0": local(window.closes_at).strftime("%Y-%m-%d"),
        "closes_at_1": local(window.closes_at).strftime("%H:%M:%S"),
        "district_review_days": 15,
        "municipal_review_days": 20,
        "processing_days": 60,
    }

    refused = client.post(url, {**form, "total_budget": "1999999.99"})
    accepted = client.post(url, {**form, "total_budget": "2000000"})

    assert refused.status_code == 200
    assert "预算不能低于" in refused.content.decode()
    assert accepted.status_code == 302
    window.refresh_from_db()
    assert window.total_budget == Decimal("2000000")


def test_stage_due_dates_are_fixed_when_the_stage_is_entered(submitted, district_reviewer):
    window = submitted.window
    expected = due_after_workdays(submitted.submitted_at, window.district_review_days)
    window.district_review_days = 99
    window.save()

    services.application_district_approve(
        application=submitted, by=district_reviewer, amount=Decimal("2000000")
    )

    submitted.refresh_from_db()
    assert submitted.district_due_at == expected
    assert submitted.municipal_due_at == due_after_workdays(
        submitted.municipal_review_at, window.municipal_review_days
    )
    assert submitted.due_at == submitted.municipal_due_at


def test_a_reviewer_who_lost_the_race_sees_the_current_state_not_a_403(
    client, submitted, district_reviewer
):
    other = UserFactory(
        district=district_reviewer.district, is_staff=True, roles=["district_reviewer"]
    )
    review_decide(
        application=submitted,
        by=other,
        transition="district_approve",
        amount=Decimal("2000000"),
    )
    client.force_login(district_reviewer)

    for response in (
        client.get(decide_url(submitted, "district_approve"), follow=True),
        client.post(decide_url(submitted, "district_reject"), {"comment": "不同意"}, follow=True),
    ):
        assert response.status_code == 200
        [message] = [str(m) for m in response.context["messages"]]
        assert "市级审核中" in message and "区县审核通过" in message and "不能" in message
    submitted.refresh_from_db()
    assert submitted.state == State.MUNICIPAL_REVIEW


def test_the_changelist_escapes_what_an_enterprise_typed(client, policy, district_reviewer):
    """The rows are rendered by reviews/templatetags/lean_changelist.py, not by the admin's own
    code: what an enterprise typed must come out as text there too."""
    enterprise = EnterpriseFactory(name='<img src=x onerror="alert(1)">重庆&公司')
    user = EnterpriseUserFactory(enterprise=enterprise)
    application = services.application_submit(application=draft(user=user), by=user)
    client.force_login(district_reviewer)

    page = client.get(reverse("admin:applications_application_changelist")).content.decode()

    assert application.reference in page
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;重庆&amp;公司" in page


@pytest.mark.parametrize("role", ["district_reviewer", "municipal_reviewer"])
def test_the_lean_rows_are_the_admins_own(client, request, enterprise_user, role):
    """lean_changelist renders the rows itself; they must be the very HTML the admin's
    result_list would have made, checkboxes and links included."""
    from django.contrib.admin.templatetags.admin_list import result_list

    from reviews.templatetags.lean_changelist import lean_results

    for _ in range(3):
        application = services.application_submit(
            application=draft(user=enterprise_user), by=enterprise_user
        )
        Application.objects.filter(pk=application.pk).update(
            municipal_review_at=timezone.now(), district="500112"
        )
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse(CHANGELIST), {"queue": "all", "o": "1"})

    cl = response.context["cl"]
    assert len(cl.result_list) == 3
    lean = [str(row[0]) for row in lean_results(cl)]
    own = ["".join(str(cell) for cell in row) for row in result_list(cl)["results"]]
    assert lean == own
    assert all('name="_selected_action"' in row for row in lean)


def test_a_decision_form_for_an_application_decided_meanwhile_says_who_decided_it(
    client, district_reviewer, submitted
):
    other = UserFactory(
        district=district_reviewer.district,
        is_staff=True,
        roles=["district_reviewer"],
        first_name="张敏",
    )
    review_decide(
        application=submitted,
        by=other,
        transition="district_approve",
        amount=Decimal("2000000"),
    )
    client.force_login(district_reviewer)

    response = client.get(decide_url(submitted, "district_return"), follow=True)

    change_url = reverse("admin:applications_application_change", args=[submitted.pk])
    assert response.redirect_chain == [(change_url, 302)]
    [message] = [str(m) for m in response.context["messages"]]
    assert "张敏（区县审核员）" in message and "区县审核通过" in message
    assert "不能区县退回修改" in message
