"""对部门数据有异议: the enterprise reports, beside a department's figure in its file, the value it
holds to be right and why; the system administrators are told and answer in the admin; the
enterprise is told and reads the answer in its file. The department's figure never changes."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from departments.models import DepartmentFigure, DepartmentRecognition
from enterprises import services
from enterprises.models import DepartmentDisagreement
from notifications.models import Notification
from tests.departments.factories import csv_bytes, run, statistics_bureau
from tests.enterprises.factories import EnterpriseUserFactory, UserFactory
from tests.zh_hans import english_on_page

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


# ── a yes/no figure, and a recognition ──────────────────────────────────────────────────────


@pytest.fixture
def batch(user):
    """统计局 says the enterprise made 首次突破 (是) and holds 单项冠军 (是)."""
    source = statistics_bureau()
    return run(source, csv_bytes([[user.enterprise.credit_code, YEAR, "1200000000", "是", "是"]]))


@pytest.fixture
def yes_no(batch):
    return DepartmentFigure.objects.get(batch=batch.batch, name="first_breakthrough")


@pytest.fixture
def recognition(batch):
    return DepartmentRecognition.objects.get(batch=batch.batch)


def recognition_url(recognition) -> str:
    return reverse("enterprises:disagreement-report-recognition", args=[recognition.pk])


def chinese(errors) -> bool:
    return bool(errors) and all(any("\u4e00" <= c <= "\u9fff" for c in e) for e in errors)


def test_the_file_offers_a_report_beside_a_yes_no_and_a_recognition(
    client, user, yes_no, recognition
):
    client.force_login(user)
    page = client.get(FILE_URL).content.decode()
    assert report_url(yes_no) in page
    assert recognition_url(recognition) in page


def test_the_page_shows_what_the_department_says(client, user, yes_no, recognition):
    client.force_login(user)
    page = client.get(report_url(yes_no)).content.decode()
    assert '<option value="false">否</option>' in page and "统计局" in page
    page = client.get(recognition_url(recognition)).content.decode()
    assert "制造业单项冠军" in page and "已获得该认定" in page and "否（未获得该认定）" in page


def test_a_yes_no_report_reaches_the_administrators_and_its_answer_the_enterprise(
    client, user, yes_no, administrator, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(report_url(yes_no), {"value": "false", "reason": "当年未突破"})
    assert response.status_code == 302
    disagreement = DepartmentDisagreement.objects.get()
    assert disagreement.figure == yes_no and disagreement.recognition is None
    assert (disagreement.claimed_boolean, disagreement.claimed_value) == (False, None)
    assert disagreement.claimed is False
    told = Notification.objects.get(recipient=administrator)
    assert "企业认为应为否" in told.body and "当年未突破" in told.body

    client.force_login(administrator)
    listed = client.get(reverse("admin:enterprises_departmentdisagreement_changelist"))
    assert user.enterprise.name in listed.content.decode()
    change = reverse("admin:enterprises_departmentdisagreement_change", args=[disagreement.pk])
    assert client.get(change).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(change, {"answer": "统计局将核实。"}).status_code == 302
    disagreement.refresh_from_db()
    assert disagreement.state == DepartmentDisagreement.State.ANSWERED
    answer = Notification.objects.get(recipient=user)
    assert "统计局将核实" in answer.body

    yes_no.refresh_from_db()
    assert yes_no.boolean_value is True and yes_no.current
    client.force_login(user)
    page = client.get(FILE_URL).content.decode()
    assert "当年未突破" in page and "统计局将核实" in page


def test_a_recognition_report_reaches_the_administrators_and_its_answer_the_enterprise(
    client, user, recognition, administrator, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            recognition_url(recognition), {"value": "false", "reason": "认定为子公司所获"}
        )
    assert response.status_code == 302
    disagreement = DepartmentDisagreement.objects.get()
    assert disagreement.recognition == recognition and disagreement.figure is None
    assert (disagreement.claimed_boolean, disagreement.claimed_value) == (False, None)
    assert str(disagreement) == f"{user.enterprise} · {YEAR} 制造业单项冠军"
    told = Notification.objects.get(recipient=administrator)
    assert "制造业单项冠军" in told.body and "企业认为应为未获得该认定" in told.body

    client.force_login(administrator)
    changelist = reverse("admin:enterprises_departmentdisagreement_changelist")
    listed = client.get(changelist).content.decode()
    assert "制造业单项冠军" in listed and "未获得该认定" in listed
    change = reverse("admin:enterprises_departmentdisagreement_change", args=[disagreement.pk])
    page = client.get(change).content.decode()
    assert "制造业单项冠军" in page and "认定为子公司所获" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(change, {"answer": "已转工信部门核实。"}).status_code == 302
    disagreement.refresh_from_db()
    assert disagreement.state == DepartmentDisagreement.State.ANSWERED
    answer = Notification.objects.get(recipient=user)
    assert "制造业单项冠军" in answer.body and "已转工信部门核实" in answer.body

    recognition.refresh_from_db()
    assert recognition.held and recognition.current
    client.force_login(user)
    page = client.get(FILE_URL).content.decode()
    assert "认定为子公司所获" in page and "已转工信部门核实" in page


def test_the_admin_filters_by_what_is_disputed_and_by_source(
    client, user, batch, yes_no, recognition, administrator
):
    amount = DepartmentFigure.objects.get(batch=batch.batch, name="industrial_added_value")
    services.disagreement_report(
        enterprise=user.enterprise, figure=amount, value="1", reason="数值有误", by=user
    )
    services.disagreement_report(
        enterprise=user.enterprise,
        recognition=recognition,
        value=False,
        reason="认定有误",
        by=user,
    )
    client.force_login(administrator)
    changelist = reverse("admin:enterprises_departmentdisagreement_changelist")
    by_recognition = client.get(changelist, {"target": "recognition"})
    assert [d.recognition for d in by_recognition.context["cl"].result_list] == [recognition]
    by_figure = client.get(changelist, {"target": "figure"})
    assert [d.figure for d in by_figure.context["cl"].result_list] == [amount]
    by_source = client.get(changelist, {"source": str(recognition.source_id)})
    assert len(by_source.context["cl"].result_list) == 2
    elsewhere = client.get(changelist, {"source": str(recognition.source_id + 1000)})
    assert elsewhere.status_code == 200 and not elsewhere.context["cl"].result_list


@pytest.mark.parametrize("value", ["", "maybe", "1", "0", "yes", "no"])
def test_a_yes_no_that_is_not_yes_or_no_is_refused_in_chinese(
    client, user, yes_no, recognition, value
):
    client.force_login(user)
    for url in (report_url(yes_no), recognition_url(recognition)):
        response = client.post(url, {"value": value, "reason": "有误"})
        assert response.status_code == 200
        assert chinese(response.context["form"].errors["value"])
    assert not DepartmentDisagreement.objects.exists()


def test_saying_what_the_department_says_is_refused_in_chinese(client, user, yes_no, recognition):
    client.force_login(user)
    for url in (report_url(yes_no), recognition_url(recognition)):
        response = client.post(url, {"value": "true", "reason": "有误"})
        assert response.status_code == 200
        errors = response.context["form"].errors["value"]
        assert chinese(errors) and "与部门数据相同" in errors[0]
    assert not DepartmentDisagreement.objects.exists()


def test_a_reason_is_required_about_a_recognition(client, user, recognition):
    client.force_login(user)
    response = client.post(recognition_url(recognition), {"value": "false", "reason": " "})
    assert response.status_code == 200 and chinese(response.context["form"].errors["reason"])
    assert not DepartmentDisagreement.objects.exists()


def test_another_enterprise_s_yes_no_and_recognition_get_404(client, yes_no, recognition, policy):
    client.force_login(EnterpriseUserFactory())
    for url in (report_url(yes_no), recognition_url(recognition)):
        assert client.get(url).status_code == 404
        assert client.post(url, {"value": "false", "reason": "x"}).status_code == 404
    assert not DepartmentDisagreement.objects.exists()


def test_a_recognition_no_longer_current_gets_404(client, user, recognition):
    DepartmentRecognition.objects.filter(pk=recognition.pk).update(current=False)
    client.force_login(user)
    assert client.get(recognition_url(recognition)).status_code == 404


def test_a_recognition_the_department_refutes_can_be_disputed(client, user, policy):
    """The enterprise recorded it; the department says it does not hold it (否)."""
    source = statistics_bureau()
    batch = run(source, csv_bytes([[user.enterprise.credit_code, YEAR, "", "", "否"]]))
    refuted = DepartmentRecognition.objects.get(batch=batch.batch)
    services.enterprise_recognition_add(
        enterprise=user.enterprise, by=user, kind=refuted.kind, year=YEAR
    )
    client.force_login(user)
    assert recognition_url(refuted) in client.get(FILE_URL).content.decode()
    response = client.post(recognition_url(refuted), {"value": "true", "reason": "有认定文件"})
    assert response.status_code == 302
    assert DepartmentDisagreement.objects.get().claimed_boolean is True


def test_the_service_refuses_a_claim_of_the_wrong_kind(user, yes_no, recognition):
    with pytest.raises(ValidationError):
        services.disagreement_report(
            enterprise=user.enterprise, figure=yes_no, value="12", reason="有误", by=user
        )
    with pytest.raises(TypeError):
        services.disagreement_report(
            enterprise=user.enterprise,
            figure=yes_no,
            recognition=recognition,
            value=False,
            reason="有误",
            by=user,
        )


def test_the_database_keeps_one_target_and_one_claim(user, yes_no, recognition):
    base = {"enterprise": user.enterprise, "reason": "有误", "reported_by": user}
    refused = [
        {"figure": yes_no, "recognition": recognition, "claimed_boolean": False},
        {"claimed_boolean": False},
        {"figure": yes_no, "claimed_boolean": False, "claimed_value": Decimal(1)},
        {"figure": yes_no},
        {"recognition": recognition, "claimed_value": Decimal(1)},
    ]
    for values in refused:
        with pytest.raises(IntegrityError), transaction.atomic():
            DepartmentDisagreement.objects.create(**base, **values)


def test_the_pages_about_a_yes_no_and_a_recognition_read_in_chinese(
    client, user, yes_no, recognition, administrator
):
    for figure, target in ((yes_no, None), (None, recognition)):
        services.disagreement_report(
            enterprise=user.enterprise,
            figure=figure,
            recognition=target,
            value=False,
            reason="有误",
            by=user,
        )
    client.force_login(user)
    pages = [
        client.get(report_url(yes_no)),
        client.get(recognition_url(recognition)),
        client.post(recognition_url(recognition), {"value": "maybe", "reason": ""}),
        client.get(FILE_URL),
    ]
    client.force_login(administrator)
    changelist = reverse("admin:enterprises_departmentdisagreement_changelist")
    pages += [client.get(changelist), client.get(changelist, {"target": "recognition"})]
    pages += [
        client.get(reverse("admin:enterprises_departmentdisagreement_change", args=[pk]))
        for pk in DepartmentDisagreement.objects.values_list("pk", flat=True)
    ]
    allowed = {user.username, administrator.username}
    for page in pages:
        assert page.status_code == 200
        assert not english_on_page(page.content.decode(), allowed=allowed)


def test_the_file_and_the_admin_list_read_more_reports_in_no_more_queries(
    client, user, batch, yes_no, recognition, administrator, django_assert_max_num_queries
):
    amount = DepartmentFigure.objects.get(batch=batch.batch, name="industrial_added_value")
    changelist = reverse("admin:enterprises_departmentdisagreement_changelist")

    def report(**target):
        value = "1" if target.get("figure") == amount else False
        services.disagreement_report(
            enterprise=user.enterprise, value=value, reason="有误", by=user, **target
        )

    def queries(url, who) -> int:
        client.force_login(who)
        with django_assert_max_num_queries(100) as counted:
            assert client.get(url).status_code == 200
        return len(counted.captured_queries)

    report(figure=amount)
    one = {FILE_URL: queries(FILE_URL, user), changelist: queries(changelist, administrator)}
    report(figure=yes_no)
    report(recognition=recognition)
    report(recognition=recognition)
    assert queries(FILE_URL, user) <= one[FILE_URL]
    assert queries(changelist, administrator) <= one[changelist]
