"""免申即享: drafts prepared from the departments' data, confirmed in one click, never twice; what
the enterprise typed itself is never proposed."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from applications.errors import ApplicationError
from applications.models import Application, ProposalRun, State, TransitionLog
from applications.proposals import (
    CONFIRMATION_COMMENT,
    proposal_candidates,
    proposal_confirm,
    proposals_prepare,
)
from enterprises.models import EnterpriseFigure
from notifications.models import Notification
from tests.applications.factories import WindowFactory, draft
from tests.departments.factories import department_figures

pytestmark = pytest.mark.django_db

YEAR = 2026


def file_figures(enterprise, figures: dict, *, year: int = YEAR) -> None:
    for name, value in figures.items():
        column = (
            {"boolean_value": value}
            if isinstance(value, bool)
            else {"decimal_value": Decimal(value)}
        )
        EnterpriseFigure.objects.create(enterprise=enterprise, name=name, year=year, **column)


# 第11条, whose every condition the file establishes: 80% of the 120万元 premium (under 3% of
# the insured 5000万元) is 96万元.
FIRST_UNIT = {
    "insured_amount": "50000000",
    "annual_premium": "1200000",
    "first_units_or_batch": True,
}


@pytest.fixture
def window(track):
    return WindowFactory(measure=track(11).measure, year=YEAR)


def held(enterprise, figures: dict, *, year: int = YEAR, source_name="经信委认定"):
    department_figures(enterprise.credit_code, figures, year=year, source_name=source_name)


@pytest.fixture
def filed(enterprise_user):
    """An enterprise of which 经信委认定 holds the figures of 第11条 for the window's year."""
    held(enterprise_user.enterprise, FIRST_UNIT)
    return enterprise_user


def test_a_full_file_gets_a_filled_draft_and_an_invitation(window, filed):
    assert proposals_prepare(window=window) == 1

    application = Application.objects.get(enterprise=filed.enterprise, window=window)
    assert application.state == State.DRAFT and application.proposed_at is not None
    assert application.reference is None
    assert Decimal(application.declared["annual_premium"]) == Decimal("1200000")
    assert application.declared["first_units_or_batch"] is True
    assert application.calculated_amount == Decimal("960000.00")
    invitation = Notification.objects.get(recipient=filed, key=f"proposal:{application.pk}")
    assert "免申即享" in invitation.title and "96万元" in invitation.body
    assert "经信委认定" in invitation.body


def test_each_proposed_figure_names_the_department_it_came_from(window, filed):
    proposals_prepare(window=window)

    application = Application.objects.get(enterprise=filed.enterprise, window=window)
    sources = application.declared_sources
    assert set(sources) == set(FIRST_UNIT)
    assert {s["source"] for s in sources.values()} == {"department"}
    assert {s["source_name"] for s in sources.values()} == {"经信委认定"}
    assert all(s["batch"] for s in sources.values())


def test_self_reported_figures_are_never_proposed(window, enterprise_user):
    """The same figures typed by the enterprise: 可能符合 and an invitation to apply."""
    file_figures(enterprise_user.enterprise, FIRST_UNIT)

    assert proposals_prepare(window=window) == 0
    assert not Application.objects.filter(enterprise=enterprise_user.enterprise).exists()


def test_one_self_reported_figure_among_department_ones_is_not_proposed(window, enterprise_user):
    held(enterprise_user.enterprise, {"insured_amount": "50000000", "first_units_or_batch": True})
    file_figures(enterprise_user.enterprise, {"annual_premium": "1200000"})

    assert proposals_prepare(window=window) == 0


def test_figures_from_two_departments_make_one_proposal(window, enterprise_user):
    held(enterprise_user.enterprise, {"first_units_or_batch": True})
    held(
        enterprise_user.enterprise,
        {"insured_amount": "50000000", "annual_premium": "1200000"},
        source_name="金融监管局",
    )

    assert proposals_prepare(window=window) == 1
    application = Application.objects.get(enterprise=enterprise_user.enterprise)
    names = {name: s["source_name"] for name, s in application.declared_sources.items()}
    assert names == {
        "first_units_or_batch": "经信委认定",
        "insured_amount": "金融监管局",
        "annual_premium": "金融监管局",
    }


def test_a_department_figure_replaces_the_enterprises_own(window, enterprise_user):
    """The enterprise typed a bigger premium; the department's figure is the one proposed."""
    file_figures(enterprise_user.enterprise, {**FIRST_UNIT, "annual_premium": "1400000"})
    held(enterprise_user.enterprise, FIRST_UNIT)

    assert proposals_prepare(window=window) == 1
    application = Application.objects.get(enterprise=enterprise_user.enterprise)
    assert Decimal(application.declared["annual_premium"]) == Decimal("1200000")


def test_an_import_starts_the_open_windows_preparation(
    window, enterprise_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = department_figures(enterprise_user.enterprise.credit_code, FIRST_UNIT, year=YEAR)

    run = ProposalRun.objects.get(window=window)
    assert run.import_batch == outcome.batch
    assert run.finished_at is not None and run.proposed == 1
    assert Application.objects.get(enterprise=enterprise_user.enterprise).proposed_at


def test_an_import_that_changes_nothing_starts_no_preparation(
    window, enterprise_user, django_capture_on_commit_callbacks
):
    department_figures(enterprise_user.enterprise.credit_code, FIRST_UNIT, year=YEAR)
    ProposalRun.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        department_figures(enterprise_user.enterprise.credit_code, FIRST_UNIT, year=YEAR)

    assert not ProposalRun.objects.exists()


def test_an_enterprise_registered_after_the_import_gets_its_proposal(window, policy):
    from tests.enterprises.factories import (
        EnterpriseFactory,
        EnterpriseUserFactory,
        make_credit_code,
    )

    credit_code = make_credit_code(4242)
    department_figures(credit_code, FIRST_UNIT, year=YEAR)
    assert proposals_prepare(window=window) == 0

    user = EnterpriseUserFactory(enterprise=EnterpriseFactory(credit_code=credit_code))

    assert proposals_prepare(window=window) == 1
    assert Application.objects.get(window=window).enterprise == user.enterprise


def test_running_it_again_proposes_nothing_twice(window, filed):
    proposals_prepare(window=window)
    assert proposals_prepare(window=window) == 0

    assert Application.objects.filter(enterprise=filed.enterprise, window=window).count() == 1
    assert Notification.objects.filter(recipient=filed, key__startswith="proposal:").count() == 1


def test_a_proposal_the_enterprise_withdrew_is_not_made_again(window, filed):
    proposals_prepare(window=window)
    application = Application.objects.get(enterprise=filed.enterprise, window=window)
    from applications import services

    services.application_withdraw(application=application, by=filed)

    assert proposals_prepare(window=window) == 0


@pytest.mark.parametrize(
    "figures",
    [
        {"insured_amount": "50000000", "annual_premium": "1200000"},  # a yes/no unanswered
        {**FIRST_UNIT, "first_units_or_batch": False},  # not the first units
    ],
)
def test_a_file_that_is_incomplete_or_does_not_qualify_gets_no_proposal(
    window, enterprise_user, figures
):
    held(enterprise_user.enterprise, figures)

    assert proposals_prepare(window=window) == 0


def test_only_the_windows_own_year_fills_a_proposal(window, enterprise_user):
    held(enterprise_user.enterprise, FIRST_UNIT, year=YEAR - 1)

    assert proposals_prepare(window=window) == 0


@pytest.mark.parametrize(
    ("number", "code", "figures", "industry"),
    [
        # Threshold met; 重点骨干企业 and 成效显著 are the enterprise's to confirm.
        (
            2,
            "supply-chain",
            {"annual_purchase_amount": "180000000", "new_purchase_amount": "45000000"},
            ("C", "35"),
        ),
        # The kind of project is the enterprise's to confirm.
        (6, "data-platform", {"project_investment": "8000000"}, ("C", "36")),
        # In 65, but whether it designs integrated circuits the file cannot tell.
        (10, "ic-design", {"actual_investment": "30000000"}, ("I", "65")),
    ],
)
def test_a_track_with_conditions_to_confirm_is_never_proposed(
    track, enterprise_user, number, code, figures, industry
):
    enterprise = enterprise_user.enterprise
    enterprise.industry_section, enterprise.industry_division = industry
    enterprise.save()
    held(enterprise, figures)
    window = WindowFactory(measure=track(number, code).measure, year=YEAR)

    assert proposal_candidates(window=window, enterprise_ids=[enterprise.pk]) == []
    assert proposals_prepare(window=window) == 0


def test_an_enterprise_with_its_own_application_gets_no_proposal(window, filed):
    draft(user=filed, code="first-unit-insurance", window=window, declared=FIRST_UNIT)

    assert proposals_prepare(window=window) == 0


def test_confirming_submits_it_logged_as_a_confirmation(window, filed, track):
    proposals_prepare(window=window)
    application = Application.objects.get(enterprise=filed.enterprise, window=window)
    from applications import services
    from tests.applications.factories import pdf_upload

    for kind in application.track.required_documents:
        services.document_add(application=application, by=filed, kind=kind, upload=pdf_upload())

    confirmed = proposal_confirm(application=application, by=filed)

    assert confirmed.state == State.DISTRICT_REVIEW and confirmed.reference
    entry = TransitionLog.objects.filter(application=application).last()
    assert (entry.transition, entry.comment) == ("submit", CONFIRMATION_COMMENT)


def test_a_draft_the_enterprise_made_itself_is_not_confirmed_as_a_proposal(window, filed):
    application = draft(user=filed, code="first-unit-insurance", window=window, declared=FIRST_UNIT)

    with pytest.raises(ApplicationError):
        proposal_confirm(application=application, by=filed)


def test_the_confirm_button_is_the_enterprises_own(window, filed, other_enterprise_user):
    proposals_prepare(window=window)
    application = Application.objects.get(enterprise=filed.enterprise, window=window)
    url = reverse("applications:confirm", args=[application.pk])
    other = Client()
    other.force_login(other_enterprise_user)

    assert other.post(url).status_code == 404
    application.refresh_from_db()
    assert application.state == State.DRAFT


def test_the_review_page_offers_one_click_confirmation_once_nothing_is_missing(
    client, window, filed
):
    from applications import services
    from tests.applications.factories import pdf_upload

    proposals_prepare(window=window)
    application = Application.objects.get(enterprise=filed.enterprise, window=window)
    client.force_login(filed)
    url = reverse("applications:review", args=[application.pk])
    confirm = reverse("applications:confirm", args=[application.pk])

    missing = client.get(url).content.decode()
    for kind in application.track.required_documents:
        services.document_add(application=application, by=filed, kind=kind, upload=pdf_upload())
    ready = client.get(url).content.decode()

    assert "免申即享" in missing and confirm not in missing
    assert "一键确认申报" in ready and confirm in ready


def test_candidates_are_read_in_a_fixed_number_of_queries(
    window, filed, other_enterprise_user, django_assert_max_num_queries
):
    held(other_enterprise_user.enterprise, FIRST_UNIT)
    enterprises = [filed.enterprise_id, other_enterprise_user.enterprise_id]
    proposal_candidates(window=window, enterprise_ids=enterprises[:1])
    with django_assert_max_num_queries(20) as one:
        proposal_candidates(window=window, enterprise_ids=enterprises[:1])
    with django_assert_max_num_queries(len(one.captured_queries)):
        both = proposal_candidates(window=window, enterprise_ids=enterprises)
    assert len(both) == 2


def test_a_run_reports_its_progress(window, filed, admin_user):
    run = ProposalRun.objects.create(window=window, requested_by=admin_user)

    proposals_prepare(window=window, run=run)

    run.refresh_from_db()
    assert (run.done, run.enterprises, run.proposed) == (run.enterprises, run.enterprises, 1)
    assert run.finished_at is not None


def test_administrators_start_a_run_from_the_windows_list(
    window, filed, admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:measures_applicationwindow_changelist"),
            {"action": "prepare_proposals", "_selected_action": [window.pk]},
        )

    assert response.status_code == 302
    run = ProposalRun.objects.get(window=window, requested_by__isnull=False)
    assert run.finished_at is not None and run.proposed == 1
    runs = admin_client.get(reverse("admin:applications_proposalrun_changelist"))
    assert "已完成" in runs.content.decode()


def test_the_proposal_tells_the_enterprise_where_each_figure_came_from(client, window, filed):
    proposals_prepare(window=window)
    application = Application.objects.get(enterprise=filed.enterprise, window=window)
    batch = application.declared_sources["annual_premium"]["batch"]
    client.force_login(filed)

    page = client.get(reverse("applications:review", args=[application.pk])).content.decode()

    assert page.count(f"来源：经信委认定（批次号{batch}，") == len(FIRST_UNIT)
    assert "企业自报" not in page


def test_a_figure_the_enterprise_changes_in_the_draft_becomes_its_own(window, filed):
    from applications import services

    proposals_prepare(window=window)
    application = Application.objects.get(enterprise=filed.enterprise, window=window)
    services.application_update_declared(
        application=application,
        by=filed,
        declared={**FIRST_UNIT, "annual_premium": Decimal("1000000")},
    )

    application.refresh_from_db()
    assert application.declared_sources["insured_amount"]["source"] == "department"
    assert application.declared_sources["annual_premium"]["source"] == "enterprise"


def test_the_report_says_what_each_match_rests_on(client, window, filed):
    client.force_login(filed)

    page = client.get(reverse("matches")).content.decode()

    qualifies = page[page.index('id="qualifies"') : page.index('id="may-qualify"')]
    assert "测算依据（均为部门数据）" in qualifies
    assert "实际投保年度保费（2026年）：120万元" in qualifies
    assert "来源：经信委认定（批次号" in qualifies


def test_self_reported_figures_are_an_invitation_to_apply_on_the_report(
    client, window, enterprise_user
):
    file_figures(enterprise_user.enterprise, FIRST_UNIT)
    client.force_login(enterprise_user)

    page = client.get(reverse("matches")).content.decode()

    qualifies = page[page.index('id="qualifies"') : page.index('id="may-qualify"')]
    may_qualify = page[page.index('id="may-qualify"') : page.index('id="does-not-qualify"')]
    assert "first-unit-insurance" not in qualifies
    assert ':first-unit-insurance"' in may_qualify
    assert "依据企业自报数据符合条件，尚无部门数据证实" in may_qualify
    assert "来源：企业自报" in may_qualify
    assert "创建申报草稿" in may_qualify


def test_a_draft_started_while_the_chunk_is_written_is_left_alone(
    window, filed, other_enterprise_user
):
    """The chunk's single insert meets the enterprise's own new draft: it is written again one
    draft at a time, the others' proposals made, the enterprise's own draft kept."""
    from django.utils import timezone

    from applications.proposals import _prepare

    held(other_enterprise_user.enterprise, FIRST_UNIT)
    enterprises = [filed.enterprise_id, other_enterprise_user.enterprise_id]
    candidates = proposal_candidates(window=window, enterprise_ids=enterprises)
    own = draft(user=filed, code="first-unit-insurance", window=window, declared=FIRST_UNIT)

    prepared = _prepare(window=window, candidates=candidates, now=timezone.now())

    assert [a.enterprise_id for a in prepared] == [other_enterprise_user.enterprise_id]
    assert list(Application.objects.filter(enterprise=filed.enterprise)) == [own]
    assert own.proposed_at is None


def test_an_import_is_not_refused_when_preparing_its_proposals_fails(
    window, enterprise_user, monkeypatch, django_capture_on_commit_callbacks
):
    """免申即享 is the import's consequence, not its condition: the departments' data stays."""
    from applications import tasks
    from departments.models import DepartmentFigure

    def broken(**kwargs):
        ProposalRun.objects.create(window=window)  # written, then undone with its savepoint
        raise RuntimeError("the preparation failed")

    monkeypatch.setattr(tasks, "proposal_runs_after_import", broken)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = department_figures(enterprise_user.enterprise.credit_code, FIRST_UNIT, year=YEAR)

    assert outcome.new == len(FIRST_UNIT)
    assert DepartmentFigure.objects.filter(batch=outcome.batch).count() == len(FIRST_UNIT)
    assert not ProposalRun.objects.exists()


def test_a_chunk_read_by_the_range_of_its_ids_proposes_to_its_own_enterprises_only(window, policy):
    """Past a few dozen enterprises the chunk's reads name them by the range of their ids, not
    by a list of thousands: an enterprise inside the range but not in the chunk, whose data the
    department holds too, gets nothing; every account of each proposed enterprise, and no
    other, is invited."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from applications.proposals import _prepare
    from departments.imports import import_rows
    from departments.models import DataSource, ImportBatch, SourceField
    from policy_portal.bulk import DENSE_FROM
    from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory

    users = [EnterpriseUserFactory(enterprise=EnterpriseFactory()) for _ in range(DENSE_FROM + 6)]
    second = EnterpriseUserFactory(enterprise=users[0].enterprise)  # a second account
    left_out = users[len(users) // 2]
    source = DataSource.objects.create(name="经信委认定", code="recognitions", first_year=2000)
    for name in FIRST_UNIT:
        SourceField.objects.create(source=source, header=name, figure_name=name)
    header = ["统一社会信用代码", "年度", *FIRST_UNIT]
    rows = [
        (number, [u.enterprise.credit_code, str(YEAR), "50000000", "1200000", "是"])
        for number, u in enumerate(users, start=2)
    ]
    outcome = import_rows(
        source=source,
        rows=iter([(1, header), *rows]),
        channel=ImportBatch.Channel.API,
        sha256="1" * 64,
        by=None,
        apply=True,
    )
    assert not outcome.refused, outcome.report()
    chunk = [u.enterprise_id for u in users if u is not left_out]

    with CaptureQueriesContext(connection) as queries:
        candidates = proposal_candidates(window=window, enterprise_ids=chunk)
    _prepare(window=window, candidates=candidates, now=timezone.now())

    assert sorted(c.enterprise_id for c in candidates) == sorted(chunk)
    assert {c.user_id for c in candidates} == {u.pk for u in users if u is not left_out}
    assert set(
        Application.objects.filter(window=window).values_list("enterprise_id", flat=True)
    ) == set(chunk)
    invited = Notification.objects.filter(key__startswith="proposal:")
    assert sorted(invited.values_list("recipient_id", flat=True)) == sorted(
        [u.pk for u in users if u is not left_out] + [second.pk]
    )
    longest = max(
        (
            match.count(",") + 1
            for q in queries
            for match in re.findall(r" IN \(([^()]*)\)", q["sql"])
        ),
        default=0,
    )
    assert longest < DENSE_FROM, "a chunk's enterprises were named one by one"
