"""An application copies each declared figure's source at submission: the department's
(source, batch, date of import) or 企业自报; a later import does not change the copy. Reviewers
and the enterprise read it beside each figure, with the department's value where the
enterprise declared another."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications import services
from departments.models import DataSource, SourceField
from enterprises.models import EnterpriseFigure
from tests.applications.factories import draft

from .factories import csv_bytes, department_figures, run

pytestmark = pytest.mark.django_db
YEAR = 2026  # the windows' year in the factories
PURCHASES = "annual_purchase_amount"
NEW_PURCHASES = "new_purchase_amount"
HEADER = ["统一社会信用代码", "年度", "年累计采购额", "新增采购额"]


@pytest.fixture
def bureau(policy):
    source = DataSource.objects.create(name="统计局", code="statistics", first_year=2020)
    SourceField.objects.create(
        source=source, header="年累计采购额", figure_name=PURCHASES, tolerance=Decimal("0.01")
    )
    SourceField.objects.create(
        source=source, header="新增采购额", figure_name=NEW_PURCHASES, tolerance=Decimal("0.01")
    )
    return source


def give(source, credit_code, purchases="300000000", new="", year=YEAR):
    return run(source, csv_bytes([[credit_code, year, purchases, new]], header=HEADER)).batch


def today() -> str:
    return timezone.localdate().isoformat()


def test_the_sources_are_copied_at_submission_and_kept_after_a_later_import(
    bureau, enterprise_user
):
    batch = give(bureau, enterprise_user.enterprise.credit_code)
    EnterpriseFigure.objects.create(
        enterprise=enterprise_user.enterprise,
        name=NEW_PURCHASES,
        year=YEAR,
        decimal_value=Decimal("300000000"),
    )
    application = services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )

    expected = {
        PURCHASES: {
            "source": "department",
            "source_name": "统计局",
            "batch": batch.pk,
            "date": today(),
        },
        NEW_PURCHASES: {"source": "enterprise", "entered": "file"},
    }
    assert application.declared_sources == expected

    give(bureau, enterprise_user.enterprise.credit_code, purchases="100000000", new="5")
    application.refresh_from_db()
    assert application.declared_sources == expected


def test_a_declared_value_other_than_the_departments_is_recorded_with_the_departments(
    bureau, enterprise_user
):
    batch = give(bureau, enterprise_user.enterprise.credit_code, purchases="200000000")

    application = services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )

    assert application.declared_sources[PURCHASES] == {
        "source": "enterprise",
        "entered": "application",
        "department": {
            "value": "200000000.00",
            "source_name": "统计局",
            "batch": batch.pk,
            "date": today(),
        },
    }
    # Within the tolerance (1%), the figure is the department's.
    other = give(bureau, enterprise_user.enterprise.credit_code, purchases="299000000")
    again = services.application_submit(application=draft(user=enterprise_user), by=enterprise_user)
    assert again.declared_sources[PURCHASES]["batch"] == other.pk
    assert again.declared_sources[PURCHASES]["source"] == "department"


def _marks(page: str) -> tuple[int, int]:
    return page.count("declared-source"), page.count("declared-differs")


def test_reviewers_and_the_enterprise_read_the_sources_and_the_difference(
    client, bureau, enterprise_user, district_reviewer
):
    batch = give(bureau, enterprise_user.enterprise.credit_code, new="100000000")
    application = services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )
    source = f"来源：统计局（批次号{batch.pk}，{today()}导入）"

    client.force_login(district_reviewer)
    page = client.get(
        reverse("admin:applications_application_change", args=[application.pk])
    ).content.decode()
    assert source in page
    assert "与部门数据不一致" in page and f"统计局（批次号{batch.pk}，{today()}导入）为" in page
    assert "100,000,000.00" in page
    assert _marks(page) == (2, 1)

    client.force_login(enterprise_user)
    mine = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert source in mine and "来源：企业自报" in mine
    assert "与部门数据不一致" in mine
    assert _marks(mine) == (2, 1)


def _page_queries(client, application) -> int:
    url = reverse("admin:applications_application_change", args=[application.pk])
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_the_reviewers_page_reads_the_sources_in_a_fixed_number_of_queries(
    client, bureau, enterprise_user, district_reviewer
):
    plain = services.application_submit(application=draft(user=enterprise_user), by=enterprise_user)
    give(bureau, enterprise_user.enterprise.credit_code, new="200000000")
    sourced = services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )
    assert "department" not in str(plain.declared_sources)
    assert sourced.declared_sources[PURCHASES]["source"] == "department"
    assert "department" in sourced.declared_sources[NEW_PURCHASES]
    client.force_login(district_reviewer)
    _page_queries(client, plain)  # what is cached is read once

    assert _page_queries(client, sourced) == _page_queries(client, plain)


def test_a_proposal_confirmed_copies_the_sources_too(policy, track, enterprise_user):
    from applications.models import Application
    from applications.proposals import proposal_confirm, proposals_prepare
    from tests.applications.factories import WindowFactory, pdf_upload

    insurance = DataSource.objects.create(name="保险监管", code="insurance", first_year=2020)
    SourceField.objects.create(source=insurance, header="投保金额", figure_name="insured_amount")
    enterprise = enterprise_user.enterprise
    batch = run(
        insurance,
        csv_bytes(
            [[enterprise.credit_code, YEAR, "50000000"]],
            header=["统一社会信用代码", "年度", "投保金额"],
        ),
    ).batch
    commission = department_figures(
        enterprise.credit_code,
        {"annual_premium": "1200000", "first_units_or_batch": True},
        year=YEAR,
    ).batch
    window = WindowFactory(measure=track(11).measure, year=YEAR)
    assert proposals_prepare(window=window) == 1
    application = Application.objects.get(enterprise=enterprise, window=window)
    for kind in application.track.required_documents:
        services.document_add(
            application=application, by=enterprise_user, kind=kind, upload=pdf_upload()
        )

    confirmed = proposal_confirm(application=application, by=enterprise_user)

    assert confirmed.declared_sources["insured_amount"] == {
        "source": "department",
        "source_name": "保险监管",
        "batch": batch.pk,
        "date": today(),
    }
    assert confirmed.declared_sources["annual_premium"] == {
        "source": "department",
        "source_name": "经信委认定",
        "batch": commission.pk,
        "date": today(),
    }


def test_the_enterprises_page_reads_the_sources_in_a_fixed_number_of_queries(
    client, bureau, enterprise_user
):
    plain = services.application_submit(application=draft(user=enterprise_user), by=enterprise_user)
    give(bureau, enterprise_user.enterprise.credit_code, new="200000000")
    sourced = services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )
    client.force_login(enterprise_user)

    def queries(application) -> int:
        url = reverse("applications:detail", args=[application.pk])
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    queries(plain)  # what is cached is read once
    assert queries(sourced) == queries(plain)
