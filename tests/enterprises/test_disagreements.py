"""对部门数据有异议: the enterprise reports, beside a department's figure in its file, the value it
holds to be right and why; the system administrators are told and answer in the admin; the
enterprise is told and reads the answer in its file. The department's figure never changes."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from departments.models import DepartmentFigure
from enterprises import services
from enterprises.models import DepartmentDisagreement
from notifications.models import Notification
from tests.departments.factories import csv_bytes, run, statistics_bureau
from tests.enterprises.factories import EnterpriseUserFactory, UserFactory

pytestmark = pytest.mark.django_db
FILE_URL = reverse("enterprises:file")
YEAR = 2024


@pytest.fixture
def user(policy):
    return EnterpriseUserFactory()


@pytest.fixture
def administrator(policy):
    return UserFactory(is_staff=True, roles=["administrator"])


@pytest.fixture
def figure(user):
    source = statistics_bureau()
    batch = run(source, csv_bytes([[user.enterprise.credit_code, YEAR, "1200000000", "", ""]]))
    return DepartmentFigure.objects.get(batch=batch.batch, name="industrial_added_value")


def report_url(figure) -> str:
    return reverse("enterprises:disagreement-report", args=[figure.pk])


def test_the_file_offers_a_report_beside_the_departments_figure(client, user, figure):
    client.force_login(user)
    page = client.get(FILE_URL).content.decode()
    assert report_url(figure) in page and "对部门数据有异议" in page


def test_a_report_reaches_the_administrators_and_its_answer_the_enterprise(
    client, user, figure, administrator, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            report_url(figure), {"value": "１０００００００００.50", "reason": "统计口径有误"}
        )
    assert response.status_code == 302
    disagreement = DepartmentDisagreement.objects.get()
    assert disagreement.claimed_value == Decimal("1000000000.50")
    assert disagreement.state == DepartmentDisagreement.State.PENDING
    assert disagreement.reported_by == user
    told = Notification.objects.get(recipient=administrator)
    assert told.kind == Notification.Kind.DISAGREEMENT and user.enterprise.name in told.title
    assert not Notification.objects.filter(recipient=user).exists()

    client.force_login(administrator)
    changelist = client.get(reverse("admin:enterprises_departmentdisagreement_changelist"))
    listed = changelist.content.decode()
    assert user.enterprise.name in listed and "统计局" in listed
    change = reverse("admin:enterprises_departmentdisagreement_change", args=[disagreement.pk])
    assert client.post(change, {"answer": ""}).status_code == 200  # an answer is required
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(change, {"answer": "已请统计局核实，将于下批更正。"}).status_code == 302

    disagreement.refresh_from_db()
    assert disagreement.state == DepartmentDisagreement.State.ANSWERED
    assert disagreement.answered_by == administrator and disagreement.answered_at is not None
    answer = Notification.objects.get(recipient=user)
    assert answer.kind == Notification.Kind.DISAGREEMENT and "已请统计局核实" in answer.body
    assert mail.outbox  # the emails go out once the transaction commits

    # The department's figure is left as it was.
    figure.refresh_from_db()
    assert figure.decimal_value == Decimal("1200000000.00") and figure.current

    client.force_login(user)
    page = client.get(FILE_URL).content.decode()
    assert "已请统计局核实" in page and "已答复" in page and "统计口径有误" in page


def test_an_answer_is_given_once(user, figure, administrator):
    disagreement = services.disagreement_report(
        enterprise=user.enterprise, figure=figure, value="1", reason="有误", by=user
    )
    services.disagreement_answer(disagreement=disagreement, answer="已核实", by=administrator)
    with pytest.raises(Exception, match="已经答复"):
        services.disagreement_answer(disagreement=disagreement, answer="再答", by=administrator)


def test_another_enterprise_gets_404(client, figure, policy):
    other = EnterpriseUserFactory()
    client.force_login(other)
    assert client.get(report_url(figure)).status_code == 404
    assert client.post(report_url(figure), {"value": "1", "reason": "x"}).status_code == 404
    assert not DepartmentDisagreement.objects.exists()


def test_a_figure_no_longer_current_gets_404(client, user, figure):
    DepartmentFigure.objects.filter(pk=figure.pk).update(current=False)
    client.force_login(user)
    assert client.get(report_url(figure)).status_code == 404


@pytest.mark.parametrize("value", ["1e9", "1,000", "12亿", "1.234", "-5", "abc"])
def test_the_strict_parser_refuses_a_bad_value_in_chinese(client, user, figure, value):
    client.force_login(user)
    response = client.post(report_url(figure), {"value": value, "reason": "有误"})
    assert response.status_code == 200
    errors = response.context["form"].errors["value"]
    assert errors and all(any("\u4e00" <= c <= "\u9fff" for c in e) for e in errors)
    assert not DepartmentDisagreement.objects.exists()


def test_a_reason_is_required(client, user, figure):
    client.force_login(user)
    response = client.post(report_url(figure), {"value": "1", "reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]


def test_the_auditor_reads_the_reports_and_cannot_answer(client, user, figure):
    disagreement = services.disagreement_report(
        enterprise=user.enterprise, figure=figure, value="1", reason="有误", by=user
    )
    client.force_login(UserFactory(is_staff=True, roles=["auditor"]))
    change = reverse("admin:enterprises_departmentdisagreement_change", args=[disagreement.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"answer": "审计"}).status_code == 403
    disagreement.refresh_from_db()
    assert disagreement.state == DepartmentDisagreement.State.PENDING
