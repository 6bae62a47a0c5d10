import pytest
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.test import Client

from enterprises.models import Enterprise, User
from measures.models import ApplicationWindow, Measure

ACCOUNTS = [
    "demo-enterprise",
    "demo-district",
    "demo-municipal",
    "demo-finance",
    "demo-finance-2",
    "demo-admin",
    "demo-security",
    "demo-auditor",
]


def test_seed_demo_creates_one_account_per_role_and_open_windows(policy, settings, capsys):
    settings.DEMO_PASSWORD = "pass-for-test-1"

    call_command("seed_demo")

    out = capsys.readouterr().out
    assert "pass-for-test-1" in out
    for username in ACCOUNTS:
        user = User.objects.get(username=username)
        assert user.check_password("pass-for-test-1")
        assert username in out
    enterprise_user = User.objects.get(username="demo-enterprise")
    district_user = User.objects.get(username="demo-district")
    assert enterprise_user.enterprise.district == district_user.district
    assert enterprise_user.groups.filter(name="enterprise").exists()
    assert district_user.groups.filter(name="district_reviewer").exists()
    assert User.objects.get(username="demo-municipal").divisions.exists()
    # 三员分立: three administrators, none a superuser (a superuser's sign-in is refused).
    for username, role in (
        ("demo-admin", "administrator"),
        ("demo-security", "security_administrator"),
        ("demo-auditor", "auditor"),
    ):
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.is_staff and not user.is_superuser
    assert "安全管理员" in out and "审计管理员" in out
    assert Enterprise.objects.values("district").distinct().count() >= 3
    funding = Measure.objects.filter(kind=Measure.Kind.FUNDING)
    for measure in funding:
        window = ApplicationWindow.objects.open_now().get(measure=measure)
        assert window.total_budget > 0
    assert not ApplicationWindow.objects.filter(measure__kind=Measure.Kind.PROGRAMME).exists()


def test_seed_demo_twice_changes_nothing(policy):
    call_command("seed_demo")
    counts = (User.objects.count(), Enterprise.objects.count(), ApplicationWindow.objects.count())
    passwords = dict(User.objects.values_list("username", "password"))

    call_command("seed_demo")

    assert (
        User.objects.count(),
        Enterprise.objects.count(),
        ApplicationWindow.objects.count(),
    ) == counts
    assert dict(User.objects.values_list("username", "password")) == passwords


def test_demo_accounts_can_log_in(policy, settings):
    call_command("seed_demo")

    for username in ACCOUNTS:
        assert Client().login(
            request=HttpRequest(), username=username, password=settings.DEMO_PASSWORD
        ), username


def test_seed_demo_needs_the_policy_loaded_first(db, monkeypatch):
    monkeypatch.setattr(Measure.objects, "exists", lambda: False)

    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_seed_demo_gives_each_reviewer_work_to_decide(policy, settings, tmp_path):
    from django.utils.timezone import now

    from applications.models import Application, State
    from applications.selectors import applications_in_scope, work_queue_states

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    call_command("seed_demo")

    # The demo applicants' eight, one 免申即享 draft prepared from the demo file, and the demo
    # enterprise's three of last year, handled to the end.
    assert Application.objects.count() == 12
    proposal = Application.objects.get(proposed_at__isnull=False)
    assert (proposal.enterprise.users.get().username, proposal.track.measure.number) == (
        "demo-enterprise",
        11,
    )
    assert proposal.state == State.DRAFT
    # With the library's documents: nothing stands between it and one click.
    assert sorted(d.kind for d in proposal.documents.all()) == sorted(
        proposal.track.required_documents
    )
    assert all(d.library_document_id for d in proposal.documents.all())
    for username, states in (
        ("demo-district", {State.DISTRICT_REVIEW}),
        ("demo-municipal", {State.MUNICIPAL_REVIEW}),
        ("demo-finance", {State.APPROVED}),
    ):
        user = User.objects.get(username=username)
        queue = applications_in_scope(user=user).filter(state__in=work_queue_states(user=user))
        assert set(queue.values_list("state", flat=True)) == states, username
    # The demo enterprise itself starts with its 免申即享 draft only in this year's windows,
    # free to apply for the rest; last year's are paid or rejected.
    own = Application.objects.filter(enterprise__users__username="demo-enterprise")
    live = own.exclude(state__in=(State.DISBURSED, State.REJECTED))
    assert [a.proposed_at is not None for a in live] == [True]
    assert not own.filter(state__in=(State.DISBURSED, State.REJECTED), window__closes_at__gt=now())


def test_seed_demo_gives_finance_a_batch_to_build_and_a_second_person_to_confirm(
    policy, settings, tmp_path
):
    from datetime import date

    from applications.models import Application, State
    from disbursements import services
    from disbursements.exports import batch_export

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    preparer = User.objects.get(username="demo-finance")
    confirmer = User.objects.get(username="demo-finance-2")

    batch = services.batch_create(by=preparer)
    tried = services.batch_add_applications(
        batch=batch, applications=Application.objects.filter(state=State.APPROVED), by=preparer
    )
    # The approved application under the open 公示, and the one not publicised yet, stay out.
    refused = [o for o in tried if not o.added]
    assert len(refused) == 2
    assert all("尚未完成公示" in o.problem for o in refused)
    outcomes = [o for o in tried if o.added]
    assert len(outcomes) >= 4
    assert len({o.reference.split("-")[2] for o in outcomes}) >= 3  # several measures
    batch = services.batch_freeze(batch=batch, by=preparer)
    csv_text = b"".join(batch_export(batch=batch, export_format="csv", by=preparer)).decode()
    assert "0310012345678901" in csv_text  # the demo account with a leading zero
    failed = outcomes[0].reference
    outcome = services.batch_mark_paid(
        batch=batch,
        by=confirmer,
        payment_date=date.today(),
        bank_reference="DEMO-0001",
        failed={failed: "户名与账号不符"},
    )
    assert (outcome.paid, outcome.failed) == (len(outcomes) - 1, 1)


def test_seed_demo_refuses_where_demo_data_is_off_unless_forced(policy, settings):
    settings.DEMO_DATA_ALLOWED = False

    with pytest.raises(CommandError, match="force-demo"):
        call_command("seed_demo")
    assert not User.objects.filter(username="demo-admin").exists()

    call_command("seed_demo", force_demo=True)
    assert User.objects.filter(username="demo-admin").exists()


def test_the_demo_enterprise_file_shows_every_group_of_the_matching_page(policy):
    from enterprises.matching import match_report

    call_command("seed_demo")
    enterprise = User.objects.get(username="demo-enterprise").enterprise

    report = match_report(enterprise=enterprise)

    qualifies = {(m.measure.number, m.track.code): m for m in report.qualifies}
    may_qualify = {(m.measure.number, m.track.code): m for m in report.may_qualify}
    # Measure 11 from the figures, with its amount: 80% of the 120万元 premium.
    assert str(qualifies[(11, "first-unit-insurance")].quote.amount) == "960000.00"
    assert set(qualifies) == {
        (3, "single-champion"),  # a recognition of this year
        (11, "first-unit-insurance"),
        (16, "innovation-recognition"),  # a recognition of last year
    }
    # Measure 2's figures are there, with its amount; 重点骨干企业 is for the enterprise to confirm.
    supply_chain = may_qualify[(2, "supply-chain")]
    assert str(supply_chain.quote.amount) == "450000.00"
    assert "重点骨干企业" in supply_chain.confirmations
    assert {(m.measure.number, m.track.code) for m in report.does_not_qualify} >= {
        (1, "leading-enterprise"),
        (10, "ic-manufacturing"),
        (10, "ic-design"),  # not of 软件和信息技术服务业
    }
    assert (enterprise.industry_section, enterprise.industry_division) == ("C", "35")


def test_seed_demo_leaves_the_file_the_enterprise_changed(policy):
    from enterprises.models import EnterpriseFigure

    call_command("seed_demo")
    figures = EnterpriseFigure.objects.filter(name="new_purchase_amount")
    figures.update(decimal_value=1)
    snapshot = sorted(EnterpriseFigure.objects.values_list("name", "year", "decimal_value"))

    call_command("seed_demo")

    assert sorted(EnterpriseFigure.objects.values_list("name", "year", "decimal_value")) == snapshot


def test_demo_enterprise_has_its_licence_and_last_years_statements_in_its_library(policy):
    from django.utils import timezone

    from applications.models import LibraryDocument

    call_command("seed_demo")
    call_command("seed_demo")

    enterprise = User.objects.get(username="demo-enterprise").enterprise
    library = {
        (document.kind, document.year): document
        for document in LibraryDocument.objects.filter(enterprise=enterprise)
    }
    year = timezone.localdate().year
    assert set(library) == {
        ("营业执照", None),
        ("年度财务报表", year - 1),
        ("采购合同及发票汇总表", year),
        ("保险合同", year),
        ("保费支付凭证", year),
        ("首台（套）或首批次认定证明", year),
    }
    assert all(document.content_type == "application/pdf" for document in library.values())
    assert LibraryDocument.objects.count() == 6


def test_seed_demo_gives_divisions_contacts_marked_as_demo_and_keeps_entered_ones(policy):
    from measures.models import Division

    entered = Division.objects.get(code="sme")
    entered.contact_phone = "023-12345678"
    entered.save()

    call_command("seed_demo")

    kept = Division.objects.get(code="sme")
    assert (kept.contact_phone, kept.contact_address, kept.office_hours) == ("023-12345678", "", "")
    for division in Division.objects.exclude(code="sme"):
        assert "演示号码" in division.contact_phone
        assert "演示地址" in division.contact_address
        assert division.office_hours
    page = Client().get("/measures/2/").content.decode()
    assert "（演示号码）" in page and "联系方式待公布" not in page


def test_seed_demo_gives_the_enterprise_applications_to_rate_and_administrators_ratings(
    policy, settings, tmp_path
):
    from applications.models import Application, State
    from ratings.models import Rating, RatingStage
    from ratings.selectors import is_rateable

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    call_command("seed_demo")

    own = Application.objects.filter(enterprise__users__username="demo-enterprise")
    finished = own.filter(state__in=(State.DISBURSED, State.REJECTED)).select_related("rating")
    assert sorted(a.state for a in finished) == ["disbursed", "disbursed", "rejected"]
    rating = Rating.objects.get()
    assert (rating.score, rating.stage) == (4, RatingStage.DISBURSED)
    assert rating.application.enterprise.users.get().username == "demo-enterprise"
    waiting = [a for a in finished if is_rateable(a)]
    assert sorted(a.state for a in waiting) == ["disbursed", "rejected"]


def test_seed_demo_leaves_a_publicity_open_to_objections_and_one_application_to_publicise(
    policy, settings, tmp_path, client
):
    from django.urls import reverse

    from applications.models import Application, State
    from publicity.models import Publicity, PublicityState
    from publicity.selectors import applications_to_publicise

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")

    open_ = Publicity.objects.get(state=PublicityState.PUBLISHED)
    assert open_.is_open_for_objections()
    [line] = open_.entries.all()
    assert line.application.enterprise.users.get().username == "demo-enterprise-3"
    page = client.get(reverse("publicity:detail", args=[open_.pk]))
    assert page.status_code == 200 and line.enterprise_name in page.content.decode()
    waiting = [
        a
        for a in Application.objects.filter(state=State.APPROVED)
        if applications_to_publicise(window=a.window, measure=a.track.measure)
        .filter(pk=a.pk)
        .exists()
    ]
    assert [a.enterprise.users.get().username for a in waiting] == ["demo-enterprise-2"]
    # Running the demo again publicises nothing twice.
    count = Publicity.objects.count()
    call_command("seed_demo")
    assert Publicity.objects.count() == count


SECOND_FACTOR_LINE = r"^\s+(demo-[\w-]+)\s+([A-Z2-7]{32})  recovery: (.+)$"


def test_seed_demo_prints_each_officials_second_factor_and_a_tester_signs_in_with_it(
    policy, settings, capsys
):
    import re
    import time
    from base64 import b32decode

    from django.urls import reverse
    from django_otp.oath import TOTP

    call_command("seed_demo")
    printed = {
        username: (secret, codes.split(", "))
        for username, secret, codes in re.findall(SECOND_FACTOR_LINE, capsys.readouterr().out, re.M)
    }
    assert set(printed) == {
        "demo-district",
        "demo-municipal",
        "demo-finance",
        "demo-finance-2",
        "demo-admin",
        "demo-security",
        "demo-auditor",
    }
    call_command("seed_demo")  # again: the same secrets
    again = re.findall(SECOND_FACTOR_LINE, capsys.readouterr().out, re.M)
    assert {username: secret for username, secret, _codes in again} == {
        username: secret for username, (secret, _codes) in printed.items()
    }

    secret, recovery = printed["demo-district"]
    client = Client()
    client.post(reverse("login"), {"username": "demo-district", "password": settings.DEMO_PASSWORD})
    assert client.get(reverse("admin:index")).status_code == 302
    totp = TOTP(b32decode(secret), 30, 0, 6, 0)  # as `oathtool --totp -b SECRET` computes it
    totp.time = time.time()
    verified = client.post(reverse("security:verify"), {"code": f"{totp.token():06d}"})
    assert verified.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200

    other = Client()
    other.post(reverse("login"), {"username": "demo-district", "password": settings.DEMO_PASSWORD})
    assert other.post(reverse("security:verify"), {"code": recovery[0]}).status_code == 302
    assert other.get(reverse("admin:index")).status_code == 200
