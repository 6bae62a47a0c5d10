"""What reviewers read in the notice's admin: money in the site's one format, no codes (those
are typed by administrators on a track's own page)."""

from django.urls import reverse

from measures.models import Measure, Track


def test_a_measure_s_tracks_read_in_yuan_without_codes(client, district_reviewer, track):
    subject = track(1)  # floor 1000000
    client.force_login(district_reviewer)

    page = client.get(reverse("admin:measures_measure_change", args=[subject.measure_id]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "100万元" in html
    assert "1000000.00" not in html and "1000000" not in html
    for code in subject.measure.tracks.values_list("code", flat=True):
        assert f">{code}<" not in html


def test_a_track_s_page_shows_a_reader_no_code(client, district_reviewer, policy):
    subject = Track.objects.get(measure__number=10, code="ic-design")
    client.force_login(district_reviewer)

    html = client.get(reverse("admin:measures_track_change", args=[subject.pk])).content.decode()

    assert "ic-design" not in html.split('<div id="content"', 1)[-1].split("<footer", 1)[0]
    assert "field-code" not in html


def test_an_administrator_still_types_a_track_s_code(admin_client, policy):
    subject = Track.objects.filter(measure=Measure.objects.get(number=10)).first()

    html = admin_client.get(reverse("admin:measures_track_change", args=[subject.pk])).content
    assert b'name="code"' in html
