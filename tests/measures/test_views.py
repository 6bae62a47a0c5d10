from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from measures.models import ApplicationWindow, Measure, Track


def test_catalogue_lists_every_measure_by_section_with_the_notice_text(client, policy):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    for measure in Measure.objects.all():
        assert measure.text in html
    assert "一、支持龙头骨干企业做强做优引领发展" in html
    assert "九、进一步优化营商环境做好要素保障" in html
    # What the tracks pay, in 万元.
    assert "最高 200万元" in html
    assert "50万元—200万元" in html


def test_catalogue_marks_measures_open_only_with_an_open_window(client, policy):
    now = timezone.now()
    ApplicationWindow.objects.create(
        measure=Measure.objects.get(number=10),
        year=now.year,
        name="2026年第一批",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=5),
        total_budget=Decimal("10000000"),
    )

    html = client.get("/").content.decode()

    card = html.split('id="measure-10"')[1].split("</article>")[0]
    assert "申报中" in card
    other = html.split('id="measure-2"')[1].split("</article>")[0]
    assert "暂未开放申报" in other


def test_catalogue_runs_a_fixed_number_of_queries(client, policy, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get("/")


def test_measure_page_shows_tracks_fields_and_documents(client, policy):
    response = client.get("/measures/11/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "实际投保年度保费" in html
    assert "保险合同" in html
    assert client.get("/measures/99/").status_code == 404


def test_calculator_quotes_the_figures_entered(client, policy):
    track = Track.objects.get(code="ic-design")

    response = client.post("/calculator/", {"track": track.pk, "actual_investment": "30000000"})

    html = response.content.decode()
    assert "符合申报条件" in html
    assert "360万元" in html


def test_calculator_shows_the_reason_when_not_eligible(client, policy):
    track = Track.objects.get(code="ic-design")

    html = client.post(
        "/calculator/", {"track": track.pk, "actual_investment": "19990000"}
    ).content.decode()

    assert "不符合申报条件" in html
    assert "实际到位投资2000万元以上" in html


def test_calculator_shows_field_errors_for_bad_figures(client, policy):
    track = Track.objects.get(code="ic-design")

    html = client.post(
        "/calculator/", {"track": track.pk, "actual_investment": "-5"}
    ).content.decode()

    assert "errorlist" in html
    assert "符合申报条件" not in html


def test_calculator_lists_only_funding_tracks(client, policy):
    html = client.get("/calculator/").content.decode()

    assert "集成电路设计" in html
    assert "“四个一批”专项行动" not in html
