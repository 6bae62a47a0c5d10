"""Officials' sessions end with the browser and after 30 minutes idle; enterprises' last a
working day."""

import time

from django.http import HttpRequest
from django.urls import reverse

from enterprises.sessions import LAST_SEEN

PASSWORD = "correct-horse-battery"


def test_an_officials_session_ends_with_the_browser_and_after_30_idle_minutes(
    client, district_reviewer
):
    assert client.login(
        request=HttpRequest(), username=district_reviewer.username, password=PASSWORD
    )
    client.get(reverse("admin:index"))
    assert client.session.get_expire_at_browser_close()

    session = client.session
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert "_auth_user_id" not in client.session


def test_an_active_official_stays_logged_in(client, district_reviewer):
    assert client.login(
        request=HttpRequest(), username=district_reviewer.username, password=PASSWORD
    )
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 29 * 60
    session.save()

    assert client.get(reverse("admin:index")).status_code == 200


def test_an_enterprises_session_lasts_a_working_day(client, enterprise_user, settings):
    assert client.login(request=HttpRequest(), username=enterprise_user.username, password=PASSWORD)

    assert client.session.get_expiry_age() == settings.ENTERPRISE_SESSION_SECONDS == 8 * 3600
    assert not client.session.get_expire_at_browser_close()


def test_an_officials_pages_save_the_session_only_when_the_last_seen_time_is_a_minute_old(
    client, district_reviewer
):
    from django.contrib.sessions.models import Session

    assert client.login(
        request=HttpRequest(), username=district_reviewer.username, password=PASSWORD
    )
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 10
    session.save()
    stored = Session.objects.get(session_key=session.session_key).session_data

    client.get(reverse("admin:index"))
    assert Session.objects.get(session_key=session.session_key).session_data == stored

    session = client.session
    session[LAST_SEEN] = int(time.time()) - 61
    session.save()
    client.get(reverse("admin:index"))
    assert client.session[LAST_SEEN] >= int(time.time()) - 1
