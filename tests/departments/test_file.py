"""The enterprise's file reads the departments' data by credit code: a department's value over
the enterprise's own, each with its source; the enterprise cannot change a department's."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from departments.models import DataSource, SourceField
from enterprises import selectors, services
from enterprises.models import EnterpriseFigure, EnterpriseRecognition
from measures.recognitions import Recognition
from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory, make_credit_code

from .factories import csv_bytes, run, statistics_bureau

pytestmark = pytest.mark.django_db
FILE_URL = reverse("enterprises:file")
YEAR = 2024
NAME = "industrial_added_value"


@pytest.fixture
def source(policy):
    return statistics_bureau()


@pytest.fixture
def user(policy):
    return EnterpriseUserFactory()


def give(source, credit_code, amount="1200000000", first="", champion=""):
    return run(source, csv_bytes([[credit_code, YEAR, amount, first, champion]])).batch


def test_an_enterprise_that_registers_later_finds_its_data_in_its_file(source):
    code = make_credit_code(424242)
    batch = give(source, code, champion="是")

    enterprise = EnterpriseFactory(credit_code=code.lower())

    file = selectors.enterprise_file(enterprise=enterprise)
    assert file.figures[NAME] == {YEAR: Decimal("1200000000")}
    assert (Recognition.SINGLE_CHAMPION, YEAR) in file.recognitions
    provenance = file.source_of(NAME, YEAR)
    assert provenance.is_department and provenance.batch_id == batch.pk
    assert str(provenance).startswith("统计局（批次号")
    assert selectors.enterprise_files(enterprise_ids=[enterprise.pk])[enterprise.pk] == file


def test_the_department_wins_over_the_enterprise_for_the_same_year(source, user):
    enterprise = user.enterprise
    EnterpriseFigure.objects.create(
        enterprise=enterprise, name=NAME, year=YEAR, decimal_value=Decimal("900000000")
    )
    EnterpriseFigure.objects.create(
        enterprise=enterprise, name=NAME, year=YEAR - 1, decimal_value=Decimal("800000000")
    )
    EnterpriseRecognition.objects.create(
        enterprise=enterprise, kind=Recognition.SINGLE_CHAMPION, year=YEAR
    )
    give(source, enterprise.credit_code, champion="否")

    file = selectors.enterprise_file(enterprise=enterprise)

    assert file.figures[NAME] == {YEAR: Decimal("1200000000"), YEAR - 1: Decimal("800000000")}
    assert not file.source_of(NAME, YEAR - 1).is_department
    # The department says the enterprise does not hold it: matching follows the department.
    assert (Recognition.SINGLE_CHAMPION, YEAR) not in file.recognitions


def test_of_two_departments_the_later_batch_is_read(source, user):
    tax = DataSource.objects.create(name="税务局", code="tax", first_year=2020)
    SourceField.objects.create(source=tax, header="增加值", figure_name=NAME)
    give(source, user.enterprise.credit_code)
    later = run(
        tax,
        csv_bytes(
            [[user.enterprise.credit_code, YEAR, "5"]],
            header=["统一社会信用代码", "年度", "增加值"],
        ),
    ).batch

    file = selectors.enterprise_file(enterprise=user.enterprise)

    assert file.figures[NAME][YEAR] == Decimal("5")
    assert file.source_of(NAME, YEAR).batch_id == later.pk


def test_the_file_page_shows_each_source_and_marks_a_difference(client, source, user):
    enterprise = user.enterprise
    EnterpriseFigure.objects.create(
        enterprise=enterprise, name=NAME, year=YEAR, decimal_value=Decimal("900000000")
    )
    EnterpriseFigure.objects.create(
        enterprise=enterprise, name="annual_purchase_amount", year=YEAR, decimal_value=Decimal("1")
    )
    give(source, enterprise.credit_code, first="是", champion="是")
    client.force_login(user)

    body = client.get(FILE_URL).content.decode()

    assert body.count("统计局（批次号") >= 3  # two figures and a recognition
    assert "企业自报" in body  # the enterprise's own purchase figure
    assert "计算以部门数据为准，与企业自报不一致" in body
    assert "企业自报：" in body and "9亿元" in body and "12亿元" in body
    assert "部门数据，不能修改" in body


def test_a_difference_within_the_tolerance_is_not_marked(client, source, user):
    EnterpriseFigure.objects.create(
        enterprise=user.enterprise, name=NAME, year=YEAR, decimal_value=Decimal("1195000000")
    )
    give(source, user.enterprise.credit_code)  # 1,200,000,000: 0.4% apart, within 1%
    client.force_login(user)

    body = client.get(FILE_URL).content.decode()

    assert "统计局（批次号" in body
    assert "与企业自报不一致" not in body


def test_the_enterprise_cannot_change_a_departments_figure(client, source, user):
    enterprise = user.enterprise
    own = EnterpriseFigure.objects.create(
        enterprise=enterprise, name=NAME, year=YEAR, decimal_value=Decimal("900000000")
    )
    give(source, enterprise.credit_code)
    client.force_login(user)
    url = reverse("enterprises:file-year", args=[YEAR])

    page = client.get(url).content.decode()
    assert "以部门数据为准，企业不能修改" in page
    field = re.search(rf'<input[^>]*name="{NAME}"[^>]*>', page).group(0)
    assert "disabled" in field and 'value="1200000000' in field

    response = client.post(url, {NAME: "1", "annual_purchase_amount": "300000000"})

    assert response.status_code == 200
    assert "该项数据由统计局提供，以部门数据为准，企业不能修改。" in response.content.decode()
    assert list(EnterpriseFigure.objects.filter(enterprise=enterprise)) == [own]

    # Without the department's figure in the post, the rest is saved and the figure stays.
    client.post(url, {"annual_purchase_amount": "300000000"})
    assert EnterpriseFigure.objects.filter(enterprise=enterprise).count() == 2
    own.refresh_from_db()
    assert own.decimal_value == Decimal("900000000")
    assert selectors.enterprise_file(enterprise=enterprise).figures[NAME][YEAR] == Decimal(
        "1200000000"
    )


def test_the_service_refuses_a_departments_figure(source, user):
    give(source, user.enterprise.credit_code)

    with pytest.raises(ValidationError) as refused:
        services.enterprise_figures_set(
            enterprise=user.enterprise, by=user, year=YEAR, values={NAME: Decimal("1")}
        )

    assert "以部门数据为准" in refused.value.message_dict[NAME][0]
