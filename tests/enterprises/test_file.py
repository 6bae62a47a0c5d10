"""企业档案: the national classification, recognitions, yearly figures, and saving an approved
application's figures into the file."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from applications import services as application_services
from applications.models import Application, State
from enterprises import selectors, services
from enterprises.matching import considered_fields
from enterprises.models import Enterprise, EnterpriseFigure, EnterpriseRecognition
from measures.models import Track, TrackField
from measures.recognitions import Recognition
from tests.applications.factories import draft

from .test_views import PROFILE_URL, profile_data

FILE_URL = reverse("enterprises:file")
THIS_YEAR = timezone.localdate().year


def year_url(year: int) -> str:
    return reverse("enterprises:file-year", args=[year])


# ── the national classification on the profile ─────────────────────────────────────────────


def test_the_profile_records_the_section_and_a_division_of_it(client, enterprise_user):
    client.force_login(enterprise_user)

    response = client.post(
        PROFILE_URL, profile_data(industry_section="C", industry_division="35"), follow=True
    )

    assert response.status_code == 200
    enterprise = Enterprise.objects.get(pk=enterprise_user.enterprise_id)
    assert (enterprise.industry_section, enterprise.industry_division) == ("C", "35")
    assert enterprise.get_industry_division_display() == "35 专用设备制造业"
    # The notice's industry groups are kept as they were chosen.
    assert enterprise.industry == Enterprise.Industry.ELECTRONICS


@pytest.mark.parametrize(("section", "division"), [("A", "35"), ("", "35")])
def test_a_division_outside_the_section_is_refused(client, enterprise_user, section, division):
    client.force_login(enterprise_user)

    response = client.post(
        PROFILE_URL, profile_data(industry_section=section, industry_division=division)
    )

    assert response.status_code == 200
    assert "所选行业大类不属于所选门类" in response.content.decode()
    assert Enterprise.objects.get(pk=enterprise_user.enterprise_id).industry_division == ""


def test_the_classification_is_optional(client, enterprise_user):
    client.force_login(enterprise_user)

    response = client.post(PROFILE_URL, profile_data())

    assert response.status_code == 302


def test_the_profile_offers_every_division_of_the_standard(client, enterprise_user):
    from measures.industries import DIVISION_NAMES, SECTION_NAMES

    assert len(SECTION_NAMES) == 20
    assert sorted(DIVISION_NAMES) == [f"{n:02d}" for n in range(1, 98)]
    client.force_login(enterprise_user)
    page = client.get(PROFILE_URL).content.decode()
    assert "C 制造业" in page and "39 计算机、通信和其他电子设备制造业" in page


# ── recognitions ───────────────────────────────────────────────────────────────────────────


def test_an_enterprise_records_a_recognition_once_per_kind_and_year(client, enterprise_user):
    client.force_login(enterprise_user)
    data = {"recognition-kind": Recognition.SINGLE_CHAMPION, "recognition-year": str(THIS_YEAR)}

    first = client.post(FILE_URL, data, follow=True).content.decode()
    again = client.post(FILE_URL, data, follow=True).content.decode()

    recognitions = EnterpriseRecognition.objects.filter(enterprise=enterprise_user.enterprise)
    assert list(recognitions.values_list("kind", "year")) == [("single_champion", THIS_YEAR)]
    assert "制造业单项冠军" in client.get(FILE_URL).content.decode()
    # The second time says it was already there rather than announcing it as new.
    assert f"已登记认定：{THIS_YEAR}年制造业单项冠军。" in first
    assert "此前已登记，未重复登记" not in first
    assert f"{THIS_YEAR}年制造业单项冠军此前已登记，未重复登记。" in again
    assert "已登记认定：" not in again


def test_the_file_page_labels_point_at_their_own_inputs(client, enterprise_user):
    """The recognition's 认定年度 and the figures' 年度 are two inputs: two ids, each label
    pointing at its own."""
    client.force_login(enterprise_user)
    page = client.get(FILE_URL).content.decode()

    ids = re.findall(r'\bid="(id_[^"]+)"', page)
    assert len(ids) == len(set(ids)), ids
    for target in re.findall(r'<label[^>]*\bfor="([^"]+)"', page):
        assert f'id="{target}"' in page, target
    assert 'for="id_recognition-year"' in page
    assert 'for="id_year"' in page


def test_the_file_does_not_ask_for_what_describes_one_application(client, enterprise_user, policy):
    """Text fields (产品名称及批件号, 认定文件名称及文号, 产业园名称) are read by neither matching
    nor proposals: the year's form does not ask for them."""
    client.force_login(enterprise_user)
    page = client.get(year_url(THIS_YEAR)).content.decode()

    for label in ("产品名称及批件号", "认定文件名称及文号", "产业园名称", "产品名称及注册号"):
        assert label not in page
    assert TrackField.objects.filter(field_type=TrackField.FieldType.TEXT).exists()
    for track in Track.objects.filter(is_active=True).prefetch_related("fields", "thresholds"):
        read = {f.name for f in considered_fields(track)}
        texts = {f.name for f in track.fields.all() if f.field_type == TrackField.FieldType.TEXT}
        assert not read & texts, track.code
    assert not set(selectors.file_fields()) & set(
        TrackField.objects.filter(field_type=TrackField.FieldType.TEXT).values_list(
            "name", flat=True
        )
    )


@pytest.mark.parametrize("year", ["1999", str(THIS_YEAR + 2), "二〇二五"])
def test_a_recognition_year_out_of_range_is_refused(client, enterprise_user, year):
    client.force_login(enterprise_user)

    response = client.post(
        FILE_URL, {"recognition-kind": Recognition.SINGLE_CHAMPION, "recognition-year": year}
    )

    assert response.status_code == 200
    assert not EnterpriseRecognition.objects.exists()


def test_a_recognition_the_notice_does_not_name_is_refused(client, enterprise_user):
    client.force_login(enterprise_user)

    response = client.post(
        FILE_URL, {"recognition-kind": "high_tech", "recognition-year": str(THIS_YEAR)}
    )

    assert response.status_code == 200
    assert not EnterpriseRecognition.objects.exists()


def test_an_enterprise_deletes_its_own_recognition_only(
    client, enterprise_user, other_enterprise_user
):
    mine = EnterpriseRecognition.objects.create(
        enterprise=enterprise_user.enterprise, kind=Recognition.KEY_BRAND, year=THIS_YEAR
    )
    theirs = EnterpriseRecognition.objects.create(
        enterprise=other_enterprise_user.enterprise, kind=Recognition.KEY_BRAND, year=THIS_YEAR
    )
    client.force_login(enterprise_user)

    delete = "enterprises:recognition-delete"
    assert client.post(reverse(delete, args=[theirs.pk])).status_code == 404
    assert client.post(reverse(delete, args=[mine.pk])).status_code == 302
    assert list(EnterpriseRecognition.objects.all()) == [theirs]


def test_a_user_cannot_write_another_enterprise_file(enterprise_user, other_enterprise_user):
    with pytest.raises(PermissionDenied):
        services.enterprise_recognition_add(
            enterprise=other_enterprise_user.enterprise,
            by=enterprise_user,
            kind=Recognition.KEY_BRAND,
            year=THIS_YEAR,
        )
    with pytest.raises(PermissionDenied):
        services.enterprise_figures_set(
            enterprise=other_enterprise_user.enterprise,
            by=enterprise_user,
            year=THIS_YEAR,
            values={"annual_purchase_amount": Decimal("1")},
        )


# ── figures by year ────────────────────────────────────────────────────────────────────────


def test_the_year_form_asks_for_every_figure_of_the_policy_data(client, enterprise_user):
    client.force_login(enterprise_user)

    page = client.get(year_url(THIS_YEAR)).content.decode()

    for name in ("annual_purchase_amount", "new_purchase_amount", "first_breakthrough"):
        assert f'name="{name}"' in page
    assert "年累计采购额（元）" in page
    # A yes/no figure may be unknown to the file.
    assert "未填写" in page


def test_an_enterprise_saves_changes_and_clears_the_figures_of_a_year(client, enterprise_user):
    client.force_login(enterprise_user)
    enterprise = enterprise_user.enterprise

    response = client.post(
        year_url(THIS_YEAR),
        {
            "annual_purchase_amount": "180000000",
            "new_purchase_amount": "45000000.50",
            "first_breakthrough": "false",
        },
    )

    assert response.status_code == 302
    figures = {f.name: f.value for f in EnterpriseFigure.objects.filter(enterprise=enterprise)}
    assert figures == {
        "annual_purchase_amount": Decimal("180000000"),
        "new_purchase_amount": Decimal("45000000.50"),
        "first_breakthrough": False,
    }

    client.post(year_url(THIS_YEAR), {"annual_purchase_amount": "190000000"})

    figures = {f.name: f.value for f in EnterpriseFigure.objects.filter(enterprise=enterprise)}
    assert figures == {"annual_purchase_amount": Decimal("190000000")}
    page = client.get(FILE_URL).content.decode()
    assert "1.9亿元" in page and f"{THIS_YEAR}年度" in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1,000", "不要使用千位分隔符"),
        ("-5", "不能小于0元"),
        ("1.001", "小数"),
        ("NaN", "请输入一个数字，不要使用千位分隔符"),
    ],
)
def test_figures_are_read_as_strictly_as_an_application_s(client, enterprise_user, value, message):
    client.force_login(enterprise_user)

    response = client.post(year_url(THIS_YEAR), {"annual_purchase_amount": value})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not EnterpriseFigure.objects.exists()


def test_a_yes_no_figure_takes_only_yes_no_or_unknown(client, enterprise_user):
    client.force_login(enterprise_user)

    response = client.post(year_url(THIS_YEAR), {"first_breakthrough": "maybe"})

    assert response.status_code == 200
    assert not EnterpriseFigure.objects.exists()


@pytest.mark.parametrize("year", [1999, THIS_YEAR + 2])
def test_a_year_out_of_range_has_no_page(client, enterprise_user, year):
    client.force_login(enterprise_user)

    assert client.get(year_url(year)).status_code == 404


def test_the_service_takes_only_names_of_the_policy_data(enterprise_user):
    with pytest.raises(ValidationError):
        services.enterprise_figures_set(
            enterprise=enterprise_user.enterprise,
            by=enterprise_user,
            year=THIS_YEAR,
            values={"headcount": Decimal("10")},
        )


def test_choosing_a_year_opens_its_form(client, enterprise_user):
    client.force_login(enterprise_user)

    response = client.get(reverse("enterprises:file-year-choose"), {"year": "2025"})

    assert response.status_code == 302
    assert response.url == year_url(2025)


# ── saving an approved application into the file ──────────────────────────────────────────


@pytest.fixture
def approved(enterprise_user, district_reviewer, municipal_reviewer):
    application = application_services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )
    application = application_services.application_district_approve(
        application=application, by=district_reviewer, amount=Decimal("2000000")
    )
    return application_services.application_municipal_approve(
        application=application, by=municipal_reviewer, amount=Decimal("2000000")
    )


def save_url(application) -> str:
    return reverse("enterprises:file-from-application", args=[application.pk])


def test_an_approved_application_is_saved_into_the_file_once(client, enterprise_user, approved):
    client.force_login(enterprise_user)

    page = client.get(reverse("applications:detail", args=[approved.pk])).content.decode()
    assert "保存到企业档案" in page
    response = client.post(save_url(approved), follow=True)
    assert "已将申报数据保存到企业档案的2026年度（2项）" in response.content.decode()
    response = client.post(save_url(approved), follow=True)
    assert "企业档案的2026年度已是这些数据" in response.content.decode()

    figures = EnterpriseFigure.objects.filter(enterprise=enterprise_user.enterprise)
    assert {(f.name, f.year, f.value, f.source_application_id) for f in figures} == {
        ("annual_purchase_amount", 2026, Decimal("300000000"), approved.pk),
        ("new_purchase_amount", 2026, Decimal("300000000"), approved.pk),
    }


def test_a_paid_application_s_card_says_it_was_paid_not_approved(client, enterprise_user, approved):
    # Written past the batch services (tested in tests/disbursements): only the page's words.
    Application.objects.filter(pk=approved.pk).update(state=State.DISBURSED)
    client.force_login(enterprise_user)

    page = client.get(reverse("applications:detail", args=[approved.pk])).content.decode()

    card = page.split('id="save-to-file"')[1].split("</section>")[0]
    assert "资金已拨付。" in card
    assert "申报已批准。" not in card


def test_saving_replaces_the_year_s_figures_and_keeps_the_others(enterprise_user, approved):
    enterprise = enterprise_user.enterprise
    services.enterprise_figures_set(
        enterprise=enterprise,
        by=enterprise_user,
        year=2026,
        values={"annual_purchase_amount": Decimal("1"), "actual_investment": Decimal("2")},
    )

    assert services.enterprise_file_save_application(application=approved, by=enterprise_user) == 2

    figures = {f.name: f.value for f in EnterpriseFigure.objects.filter(enterprise=enterprise)}
    assert figures == {
        "annual_purchase_amount": Decimal("300000000"),
        "new_purchase_amount": Decimal("300000000"),
        "actual_investment": Decimal("2"),
    }


def test_an_application_not_approved_is_not_saved(client, enterprise_user):
    application = draft(user=enterprise_user)
    client.force_login(enterprise_user)

    assert (
        "保存到企业档案"
        not in client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    )
    response = client.post(save_url(application), follow=True)

    assert "申报批准后才能将申报数据保存到企业档案" in response.content.decode()
    assert not EnterpriseFigure.objects.exists()


def test_another_enterprise_s_application_is_not_found(client, other_enterprise_user, approved):
    client.force_login(other_enterprise_user)

    assert client.post(save_url(approved)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.enterprise_file_save_application(application=approved, by=other_enterprise_user)
    assert not EnterpriseFigure.objects.exists()


# ── figures from before they had a ceiling ────────────────────────────────────────────────


def test_a_figure_stored_beyond_the_ceiling_before_is_removed_and_the_file_works_again(
    client, enterprise_user
):
    import importlib

    from django.apps import apps

    enterprise = enterprise_user.enterprise
    kept = EnterpriseFigure.objects.create(
        enterprise=enterprise, name="new_purchase_amount", year=THIS_YEAR, decimal_value=1
    )
    absurd = EnterpriseFigure.objects.create(
        enterprise=enterprise, name="annual_purchase_amount", year=THIS_YEAR, decimal_value=1
    )
    # As the form took it before: written past today's validation.
    EnterpriseFigure.objects.filter(pk=absurd.pk).update(decimal_value=Decimal("99999999999999.99"))
    migration = importlib.import_module("enterprises.migrations.0008_figures_read_back_exactly")

    migration.remove_figures_beyond_the_ceiling(apps, None)

    assert list(EnterpriseFigure.objects.values_list("pk", "decimal_value")) == [
        (kept.pk, Decimal("1.00"))
    ]
    client.force_login(enterprise_user)
    for url in (FILE_URL, year_url(THIS_YEAR), "/portal/matches/"):
        assert client.get(url).status_code == 200, url


def test_a_figure_that_is_not_an_amount_reads_in_full_digits(client, enterprise_user):
    from measures.models import TrackField

    TrackField.objects.filter(name="annual_purchase_amount").update(unit="台")
    services.enterprise_figures_set(
        enterprise=enterprise_user.enterprise,
        by=enterprise_user,
        year=THIS_YEAR,
        values={"annual_purchase_amount": Decimal("1000")},
    )
    client.force_login(enterprise_user)

    page = client.get(FILE_URL).content.decode()

    assert "1,000台" in page and "1E+3" not in page
