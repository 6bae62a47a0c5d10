"""Officials' sessions end with the browser and after 30 minutes idle; enterprises' last a
working day."""

import time

from django.http import HttpRequest
from django.urls import reverse

from enterprises.sessions import LAST_SEEN
from tests.zh_hans import english_on_page

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


# ── the idle warning: its keep-alive, the page after the end, the script on officials' pages ──

KEEP_ALIVE = reverse("session_keep_alive")
ENDED = reverse("session_ended")


def test_the_keep_alive_starts_an_officials_idle_time_again(client, district_reviewer, settings):
    client.force_login(district_reviewer)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 20 * 60
    session.save()

    response = client.post(KEEP_ALIVE)

    assert response.status_code == 200
    assert response.json() == {"signed_in": True, "remaining": settings.OFFICIAL_IDLE_SECONDS}
    assert client.session[LAST_SEEN] >= int(time.time()) - 1


def test_the_keep_alive_needs_the_csrf_token(district_reviewer):
    from django.middleware.csrf import get_token
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(district_reviewer)
    page = client.get(reverse("admin:index"))
    token = page.wsgi_request.META.get("CSRF_COOKIE") or get_token(page.wsgi_request)

    assert client.post(KEEP_ALIVE).status_code == 403
    assert client.post(KEEP_ALIVE, HTTP_X_CSRFTOKEN=token).status_code == 200


def test_the_keep_alive_is_for_officials_only(client, enterprise_user):
    assert client.post(KEEP_ALIVE).status_code == 401  # the session has ended: the script leaves
    client.force_login(enterprise_user)
    assert client.post(KEEP_ALIVE).status_code == 403
    assert client.get(KEEP_ALIVE).status_code == 405


def test_an_ended_session_keeps_nothing_alive(client, district_reviewer):
    client.force_login(district_reviewer)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()

    assert client.post(KEEP_ALIVE).status_code == 401
    assert "_auth_user_id" not in client.session


def test_after_the_end_an_admin_page_goes_to_the_admins_login_with_the_reason(client):
    response = client.get(ENDED, {"next": "/admin/applications/application/"}, follow=True)

    assert response.redirect_chain[0] == (
        reverse("admin:login") + "?next=%2Fadmin%2Fapplications%2Fapplication%2F",
        302,
    )
    content = response.content.decode()
    assert "您因长时间无操作已退出，请重新登录。" in content
    assert not english_on_page(content)


def test_after_the_end_a_site_page_goes_to_the_sites_login(client):
    response = client.get(ENDED, {"next": "/notifications/"})

    assert response["Location"] == reverse("login") + "?next=%2Fnotifications%2F"


def test_the_page_after_the_end_goes_nowhere_else(client):
    response = client.get(ENDED, {"next": "https://evil.example.com/"})

    assert response["Location"] == reverse("login")


def test_a_session_still_alive_goes_back_to_its_page(client, district_reviewer):
    client.force_login(district_reviewer)

    response = client.get(ENDED, {"next": "/admin/applications/application/"})

    assert response["Location"] == "/admin/applications/application/"


def test_officials_pages_carry_the_warning_and_enterprises_pages_do_not(
    client, district_reviewer, enterprise_user, settings
):
    settings.OFFICIAL_IDLE_SECONDS = 30 * 60
    client.force_login(district_reviewer)
    for page in (reverse("admin:index"), reverse("measures:catalogue")):
        content = client.get(page).content.decode()
        assert "js/idle_warning.js" in content, page
        assert 'data-text="您已 28 分钟无操作，2 分钟后将自动退出。"' in content
        assert 'data-continue="继续使用"' in content
        assert f'data-keep-alive-url="{KEEP_ALIVE}"' in content

    client.force_login(enterprise_user)
    assert "idle_warning" not in client.get(reverse("applications:home")).content.decode()
