import datetime
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from measures.models import (
    ApplicationWindow,
    CalendarDay,
    Division,
    Measure,
    PolicyDocument,
    Section,
    Track,
)


@pytest.fixture
def window(policy):
    now = timezone.now()
    return ApplicationWindow.objects.create(
        measure=Measure.objects.get(number=10),
        track=Track.objects.get(measure__number=10, code="ic-design"),
        year=2023,
        name="2023年集成电路设计第一批",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=30),
        total_budget=Decimal("50000000"),
    )


@pytest.fixture
def closed_window(policy):
    return ApplicationWindow.objects.create(
        measure=Measure.objects.get(number=2),
        year=2022,
        name="2022年专业化配套集群",
        opens_at=timezone.now() - datetime.timedelta(days=400),
        closes_at=timezone.now() - datetime.timedelta(days=300),
        total_budget=Decimal("20000000"),
    )


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_notice_model_is_registered():
    registered = {m for m in admin.site._registry if m._meta.app_label == "measures"}
    assert registered == {
        PolicyDocument,
        Section,
        Division,
        Measure,
        Track,
        ApplicationWindow,
        CalendarDay,
    }


@pytest.mark.parametrize(
    ("model", "lookup"),
    [
        (PolicyDocument, {"document_number": "渝经信规范〔2023〕1号"}),
        (Section, {"number": 4}),
        (Division, {"code": "electronics"}),
        (Measure, {"number": 10}),
        (Track, {"measure__number": 11, "code": "first-unit-insurance"}),
        (ApplicationWindow, {"year": 2023}),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_administrator_opens_changelist_and_change_page(admin_client, window, model, lookup):
    obj = model.objects.get(**lookup)

    changelist = admin_client.get(admin_url(model, "changelist"))
    change = admin_client.get(admin_url(model, "change", obj.pk))
    add = admin_client.get(admin_url(model, "add"))

    assert changelist.status_code == 200
    assert change.status_code == 200
    assert add.status_code == 200
    assert str(obj) in change.content.decode()


def test_measure_page_lists_its_tracks_as_links(admin_client, policy):
    measure = Measure.objects.get(number=10)

    content = admin_client.get(admin_url(Measure, "change", measure.pk)).content.decode()

    for track in measure.tracks.all():
        assert f'href="{admin_url(Track, "change", track.pk)}"' in content
        assert track.name in content


def test_measure_list_shows_section_kind_and_division(admin_client, policy):
    response = admin_client.get(admin_url(Measure, "changelist"), {"kind": "programme"})

    content = response.content.decode()
    assert [m.number for m in response.context["cl"].result_list] == [4, 5, 19, 22, 23]
    assert "工作举措" in content
    assert "中小企业服务处" in content


def test_track_page_edits_fields_and_thresholds(admin_client, track):
    subject = track(10, "ic-design")

    response = admin_client.get(admin_url(Track, "change", subject.pk))

    formsets = {f.formset.prefix: f for f in response.context["inline_admin_formsets"]}
    assert formsets["fields"].formset.initial_form_count() == 1
    assert formsets["thresholds"].formset.initial_form_count() == 1
    assert "实际到位投资2000万元以上" in response.content.decode()


def test_track_list_shows_rules_in_the_notices_units(admin_client, policy):
    response = admin_client.get(admin_url(Track, "changelist"), {"q": "ic-design"})

    content = response.content.decode()
    assert [t.code for t in response.context["cl"].result_list] == ["ic-design"]
    assert "12%" in content
    assert "500万元" in content


def test_track_list_filters_by_award_kind(admin_client, policy):
    response = admin_client.get(admin_url(Track, "changelist"), {"award_kind": "formula"})

    assert {t.code for t in response.context["cl"].result_list} == {
        "supply-chain",
        "data-platform",
        "financing-interest",
        "ic-design",
        "ic-manufacturing",
        "ic-equipment-materials",
        "first-unit-insurance",
    }


def test_window_list_shows_which_windows_are_open_now(admin_client, window, closed_window):
    everything = admin_client.get(admin_url(ApplicationWindow, "changelist"))
    open_now = admin_client.get(admin_url(ApplicationWindow, "changelist"), {"open_now": "yes"})
    closed = admin_client.get(admin_url(ApplicationWindow, "changelist"), {"open_now": "no"})

    content = everything.content.decode()
    assert 'alt="是"' in content and 'alt="否"' in content
    assert "5000万元" in content
    assert list(open_now.context["cl"].result_list) == [window]
    assert list(closed.context["cl"].result_list) == [closed_window]


def window_form(measure: Measure, track: Track | None = None, **overrides) -> dict:
    return {
        "measure": measure.pk,
        "track": track.pk if track else "",
        "year": 2023,
        "name": "2023年第一批",
        "opens_at_0": "2023-03-01",
        "opens_at_1": "09:00:00",
        "closes_at_0": "2023-04-30",
        "closes_at_1": "17:00:00",
        "total_budget": "30000000",
        "district_review_days": 15,
        "municipal_review_days": 20,
        "processing_days": 60,
    } | overrides


def test_window_is_added_through_the_admin(admin_client, policy):
    measure = Measure.objects.get(number=2)

    response = admin_client.post(admin_url(ApplicationWindow, "add"), window_form(measure))

    assert response.status_code == 302
    assert ApplicationWindow.objects.get(name="2023年第一批").measure == measure


def test_window_track_must_belong_to_the_measure(admin_client, track):
    response = admin_client.post(
        admin_url(ApplicationWindow, "add"),
        window_form(Measure.objects.get(number=2), track(10, "ic-design")),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["track"] == ["申报类别须属于所选措施。"]
    assert not ApplicationWindow.objects.exists()


def test_window_cannot_open_for_a_programme(admin_client, policy):
    response = admin_client.post(
        admin_url(ApplicationWindow, "add"), window_form(Measure.objects.get(number=4))
    )

    assert response.status_code == 200
    assert "measure" in response.context["adminform"].form.errors
    assert not ApplicationWindow.objects.exists()


def test_window_must_close_after_it_opens(admin_client, policy):
    response = admin_client.post(
        admin_url(ApplicationWindow, "add"),
        window_form(Measure.objects.get(number=2), closes_at_0="2023-02-01"),
    )

    assert response.status_code == 200
    assert "closes_at" in response.context["adminform"].form.errors


def test_window_autocomplete_offers_funding_measures_and_active_tracks(admin_client, policy):
    Track.objects.filter(code="type-approval").update(is_active=False)
    autocomplete = reverse("admin:autocomplete")
    source = {"app_label": "measures", "model_name": "applicationwindow"}

    measures = admin_client.get(autocomplete, source | {"field_name": "measure"}).json()
    tracks = admin_client.get(autocomplete, source | {"field_name": "track", "term": "7"}).json()

    offered = {int(r["id"]) for r in measures["results"]}
    assert offered == set(
        Measure.objects.filter(kind=Measure.Kind.FUNDING).values_list("pk", flat=True)
    )
    assert {r["text"] for r in tracks["results"]} == {
        str(t) for t in Track.objects.filter(measure__number=7, is_active=True)
    }


def form_data(response) -> dict:
    """The POST body of an admin change page as rendered: the form and every inline formset."""
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if bound.field.widget.__class__.__name__ == "SplitDateTimeWidget":
                raise AssertionError(
                    "form_data does not split date-times; give those fields by hand"
                )
            data[bound.html_name] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(
            {f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()}
        )
        for form in formset.initial_forms:
            add(form)
    return data


def test_track_rule_is_edited_in_the_admin(admin_client, track):
    subject = track(2)
    url = admin_url(Track, "change", subject.pk)
    data = form_data(admin_client.get(url)) | {"cap": "2500000", "fields-0-label": "年度累计采购额"}

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    subject.refresh_from_db()
    assert subject.cap == Decimal("2500000")
    assert subject.fields.get(name="annual_purchase_amount").label == "年度累计采购额"


def test_track_admin_rejects_a_formula_without_a_rate(admin_client, track):
    subject = track(2)
    url = admin_url(Track, "change", subject.pk)
    data = form_data(admin_client.get(url)) | {"rate": ""}

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    subject.refresh_from_db()
    assert subject.rate == Decimal("0.01")


def test_whom_a_section_addresses_is_ticked_among_the_profiles_choices(admin_client, policy):
    from measures.admin import SectionForm

    section = Section.objects.get(number=4)
    page = admin_client.get(admin_url(Section, "change", section.pk)).content.decode()
    assert 'name="industries" value="electronics"' in page and "电子信息" in page

    form = SectionForm(
        instance=section,
        data={
            "document": section.document_id,
            "number": 4,
            "title": section.title,
            "industries": ["electronics", "software"],
            "scales": [],
        },
    )
    assert form.is_valid(), form.errors
    form.save()
    section.refresh_from_db()
    assert section.industries == ["electronics", "software"] and section.scales == []
    assert not SectionForm(
        instance=section,
        data={"document": section.document_id, "number": 4, "title": "x", "industries": ["cars"]},
    ).is_valid()


def test_a_track_without_a_cap_shows_the_empty_mark_to_a_reader(client, district_reviewer, track):
    subject = track(1)  # 100万元及以上: no cap
    client.force_login(district_reviewer)

    html = client.get(admin_url(Track, "change", subject.pk)).content.decode()

    cap = re.search(
        r'fieldBox field-cap_exact.*?<div class="readonly">(.*?)</div>', html, re.S
    ).group(1)
    assert cap.strip() == "—"
    assert "None" not in html


def test_a_track_s_conditions_are_edited_in_the_admin(admin_client, track):
    subject = track(10, "ic-design")
    url = admin_url(Track, "change", subject.pk)
    page = admin_client.get(url)
    assert "须企业确认的条件" in page.content.decode()
    data = form_data(page) | {
        "recognitions": ["key_software_enterprise"],
        "industry_codes": ["65", "I"],
        "confirmations": "集成电路设计类企业\n\n 实际到位投资 \n",
    }

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    subject.refresh_from_db()
    assert subject.recognitions == ["key_software_enterprise"]
    assert sorted(subject.industry_codes) == ["65", "I"]
    assert subject.confirmations == ["集成电路设计类企业", "实际到位投资"]


def test_an_industry_requirement_needs_the_notice_s_words(admin_client, track):
    subject = track(10, "ic-design")
    url = admin_url(Track, "change", subject.pk)
    data = form_data(admin_client.get(url)) | {"industry_text": ""}

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "industry_text" in response.context["adminform"].form.errors
