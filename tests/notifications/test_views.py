"""The notification centre: the unread count in both headers, the list of one's own
notifications, marking them read, the email preference, and where each one may lead."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.template import engines
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications import services
from notifications.models import Notification
from tests.applications.factories import draft
from tests.notifications.factories import NotificationFactory

LIST = reverse("notifications:list")


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def submitted(enterprise_user, capture):
    """An application of ``enterprise_user`` just submitted, its notifications delivered."""
    application = draft(user=enterprise_user)
    with capture(execute=True):
        services.application_submit(application=application, by=enterprise_user)
    application.refresh_from_db()
    return application


def bell(html: str) -> str:
    """The text of the portal header's notification link."""
    match = re.search(r'<a [^>]*id="notification-bell"[^>]*>(.*?)</a>', html, re.S)
    assert match, "no notification bell in the page"
    return re.sub(r"<[^>]+>|\s+", "", match.group(1))


def admin_link(html: str) -> tuple[str, str]:
    """The admin header's notification link: its address and its text."""
    match = re.search(r'<a href="([^"]+)" id="notifications-link">(.*?)</a>', html, re.S)
    assert match, "no notification link in the admin header"
    return match.group(1), re.sub(r"<[^>]+>|\s+", "", match.group(2))


def rows(html: str) -> dict[int, str]:
    """Each notification row of the list page by its id: its HTML."""
    return {
        int(pk): row for pk, row in re.findall(r'<tr id="notification-(\d+)"(.*?)</tr>', html, re.S)
    }


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


# ── the unread count in the headers ─────────────────────────────────────────────────────────


def test_the_portal_header_shows_the_users_unread_count(
    enterprise_user, other_enterprise_user, client_for
):
    NotificationFactory.create_batch(3, recipient=enterprise_user)
    NotificationFactory(recipient=enterprise_user, read_at=timezone.now())
    NotificationFactory.create_batch(2, recipient=other_enterprise_user)

    html = client_for(enterprise_user).get(reverse("measures:catalogue")).content.decode()

    assert bell(html) == "通知3"
    assert f'href="{LIST}"' in html


def test_the_portal_header_shows_no_number_when_all_is_read(enterprise_user, client_for):
    NotificationFactory(recipient=enterprise_user, read_at=timezone.now())

    html = client_for(enterprise_user).get(reverse("applications:home")).content.decode()

    assert bell(html) == "通知"


def test_visitors_see_no_bell(policy, client):
    html = client.get(reverse("measures:catalogue")).content.decode()

    assert 'id="notification-bell"' not in html


def test_the_count_costs_one_query_however_many_notifications(
    enterprise_user, client_for, django_assert_num_queries
):
    client = client_for(enterprise_user)
    page = reverse("applications:home")
    without = queries(client, page)
    NotificationFactory.create_batch(5, recipient=enterprise_user)

    assert queries(client, page) == without

    request = RequestFactory().get("/")
    request.user = enterprise_user
    tag = engines["django"].from_string("{% load notifications %}{% unread_notifications %}")
    with django_assert_num_queries(1):
        assert tag.render({}, request) == "5"


def test_the_admin_header_shows_the_officials_unread_count(
    district_reviewer, municipal_reviewer, client_for
):
    NotificationFactory.create_batch(3, recipient=district_reviewer)
    NotificationFactory(recipient=district_reviewer, read_at=timezone.now())
    NotificationFactory(recipient=municipal_reviewer)

    html = client_for(district_reviewer).get(reverse("admin:index")).content.decode()

    assert admin_link(html) == (LIST, "通知（3）")
    # The site's own header is kept.
    assert "重庆市工业经济政策申报平台 · 管理后台" in html


def test_the_admin_header_count_costs_one_query(finance_user, client_for):
    client = client_for(finance_user)
    page = reverse("admin:applications_application_changelist")
    client.get(page)  # the list's filter choices are read once, then cached
    without = queries(client, page)
    NotificationFactory.create_batch(5, recipient=finance_user)

    assert queries(client, page) == without
    assert admin_link(client.get(page).content.decode())[1] == "通知（5）"


# ── the list ────────────────────────────────────────────────────────────────────────────────


def test_the_list_shows_only_the_users_own_notifications_newest_first(
    enterprise_user, other_enterprise_user, district_reviewer, client_for
):
    older = NotificationFactory(recipient=enterprise_user, title="较早的通知")
    newer = NotificationFactory(recipient=enterprise_user, title="较新的通知")
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=1)
    )
    others = [
        NotificationFactory(recipient=other_enterprise_user, title="别家企业的通知"),
        NotificationFactory(recipient=district_reviewer, title="审核员的通知"),
    ]

    html = client_for(enterprise_user).get(LIST).content.decode()

    assert list(rows(html)) == [newer.pk, older.pk]
    for notification in others:
        assert notification.title not in html


def test_unread_notifications_are_marked(enterprise_user, client_for):
    unread = NotificationFactory(recipient=enterprise_user)
    read = NotificationFactory(recipient=enterprise_user, read_at=timezone.now())

    found = rows(client_for(enterprise_user).get(LIST).content.decode())

    assert 'class="notification unread"' in found[unread.pk] and "未读" in found[unread.pk]
    assert 'class="notification"' in found[read.pk] and "未读" not in found[read.pk]
    assert reverse("notifications:read", args=[unread.pk]) in found[unread.pk]
    assert reverse("notifications:read", args=[read.pk]) not in found[read.pk]


def test_the_list_has_pages_of_30(enterprise_user, client_for):
    NotificationFactory.create_batch(31, recipient=enterprise_user)
    client = client_for(enterprise_user)

    assert len(rows(client.get(LIST).content.decode())) == 30
    assert len(rows(client.get(LIST, {"page": 2}).content.decode())) == 1


def test_the_lists_queries_do_not_grow_with_its_rows(enterprise_user, client_for):
    application = draft(user=enterprise_user)
    client = client_for(enterprise_user)
    NotificationFactory(recipient=enterprise_user, application=application)
    one = queries(client, LIST)
    NotificationFactory.create_batch(20, recipient=enterprise_user, application=application)

    assert queries(client, LIST) == one


def test_officials_get_the_admin_look_and_enterprises_the_portals(
    enterprise_user, district_reviewer, client
):
    client.force_login(district_reviewer)
    staff_page = client.get(LIST).content.decode()
    client.force_login(enterprise_user)
    portal_page = client.get(LIST).content.decode()

    assert 'id="site-name"' in staff_page and 'id="notifications-link"' in staff_page
    assert 'class="site-header"' not in staff_page
    assert 'class="site-header"' in portal_page and 'id="site-name"' not in portal_page


# ── where a notification leads ──────────────────────────────────────────────────────────────


def test_an_enterprises_notification_leads_to_its_portal_page(
    enterprise_user, district_reviewer, client_for, django_capture_on_commit_callbacks
):
    application = submitted(enterprise_user, django_capture_on_commit_callbacks)
    notification = Notification.objects.get(recipient=enterprise_user)
    client = client_for(enterprise_user)
    open_url = reverse("notifications:open", args=[notification.pk])

    assert f'href="{open_url}"' in rows(client.get(LIST).content.decode())[notification.pk]
    response = client.get(open_url)

    assert response.status_code == 302
    assert response["Location"] == reverse("applications:detail", args=[application.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_an_officials_notification_leads_to_the_admin_within_their_scope(
    enterprise_user, district_reviewer, client_for, django_capture_on_commit_callbacks
):
    application = submitted(enterprise_user, django_capture_on_commit_callbacks)
    notification = Notification.objects.get(recipient=district_reviewer)
    client = client_for(district_reviewer)
    open_url = reverse("notifications:open", args=[notification.pk])

    assert f'href="{open_url}"' in rows(client.get(LIST).content.decode())[notification.pk]
    response = client.get(open_url)

    change = reverse("admin:applications_application_change", args=[application.pk])
    assert response["Location"] == change
    assert client.get(change).status_code == 200


@pytest.mark.parametrize("official", ["other_district_reviewer", "finance_user"])
def test_an_application_out_of_the_officials_scope_is_not_linked(
    official, enterprise_user, client_for, request, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(official)
    application = submitted(enterprise_user, django_capture_on_commit_callbacks)
    notification = NotificationFactory(recipient=user, application=application)
    client = client_for(user)

    row = rows(client.get(LIST).content.decode())[notification.pk]
    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert notification.title in row and "<a " not in row
    assert response["Location"] == LIST
    assert str(application.pk) not in response["Location"]


def test_an_enterprise_is_never_linked_to_another_enterprises_application(
    enterprise_user, other_enterprise_user, client_for
):
    theirs = draft(user=other_enterprise_user)
    notification = NotificationFactory(recipient=enterprise_user, application=theirs)
    client = client_for(enterprise_user)

    assert "<a " not in rows(client.get(LIST).content.decode())[notification.pk]
    assert client.get(reverse("notifications:open", args=[notification.pk]))["Location"] == LIST


# ── marking read ────────────────────────────────────────────────────────────────────────────


def test_marking_one_read_leaves_the_others_unread(enterprise_user, client_for):
    one, other = NotificationFactory.create_batch(2, recipient=enterprise_user)

    response = client_for(enterprise_user).post(reverse("notifications:read", args=[one.pk]))

    assert response.status_code == 302 and response["Location"] == LIST
    one.refresh_from_db()
    other.refresh_from_db()
    assert one.read_at is not None and other.read_at is None


def test_marking_one_read_returns_to_the_page_it_was_on(enterprise_user, client_for):
    notification = NotificationFactory(recipient=enterprise_user)
    url = reverse("notifications:read", args=[notification.pk])

    response = client_for(enterprise_user).post(url, {"page": "2"})
    elsewhere = client_for(enterprise_user).post(url, {"page": "https://evil.example/"})

    assert response["Location"] == f"{LIST}?page=2"
    assert elsewhere["Location"] == LIST


def test_reading_again_keeps_the_first_reading_time(enterprise_user, client_for):
    first = timezone.now() - timezone.timedelta(days=2)
    notification = NotificationFactory(recipient=enterprise_user, read_at=first)

    client_for(enterprise_user).post(reverse("notifications:read", args=[notification.pk]))

    notification.refresh_from_db()
    assert notification.read_at == first


def test_marking_all_read_touches_only_the_users_own(
    enterprise_user, other_enterprise_user, district_reviewer, client_for
):
    mine = NotificationFactory.create_batch(3, recipient=enterprise_user)
    others = [
        NotificationFactory(recipient=other_enterprise_user),
        NotificationFactory(recipient=district_reviewer),
    ]
    client = client_for(enterprise_user)

    response = client.post(reverse("notifications:read-all"), follow=True)

    assert "已将 3 条通知标为已读。" in response.content.decode()
    assert bell(response.content.decode()) == "通知"
    assert all(n.read_at for n in Notification.objects.filter(pk__in=[n.pk for n in mine]))
    assert not any(n.read_at for n in Notification.objects.filter(pk__in=[n.pk for n in others]))


def test_state_changes_need_the_csrf_token(enterprise_user):
    notification = NotificationFactory(recipient=enterprise_user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(enterprise_user)

    for url in [
        reverse("notifications:read", args=[notification.pk]),
        reverse("notifications:read-all"),
        reverse("notifications:settings"),
    ]:
        assert client.post(url, {}).status_code == 403, url
    notification.refresh_from_db()
    enterprise_user.refresh_from_db()
    assert notification.read_at is None and enterprise_user.email_notifications


def test_the_state_changing_views_refuse_get(enterprise_user, client_for):
    notification = NotificationFactory(recipient=enterprise_user)
    client = client_for(enterprise_user)

    for url in [
        reverse("notifications:read", args=[notification.pk]),
        reverse("notifications:read-all"),
    ]:
        assert client.get(url).status_code == 405, url
    notification.refresh_from_db()
    assert notification.read_at is None


# ── who may reach what ──────────────────────────────────────────────────────────────────────


def notification_urls(notification):
    return [
        ("get", reverse("notifications:open", args=[notification.pk])),
        ("post", reverse("notifications:read", args=[notification.pk])),
    ]


@pytest.mark.parametrize(
    ("owner", "intruder"),
    [
        ("enterprise_user", "other_enterprise_user"),
        ("district_reviewer", "enterprise_user"),
        ("enterprise_user", "district_reviewer"),
        ("municipal_reviewer", "finance_user"),
    ],
)
def test_every_url_of_anothers_notification_answers_404(
    owner, intruder, policy, client_for, request
):
    notification = NotificationFactory(recipient=request.getfixturevalue(owner))
    client = client_for(request.getfixturevalue(intruder))

    for method, url in notification_urls(notification):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (method, url, response.status_code)
    assert notification.title not in client.get(LIST).content.decode()
    client.post(reverse("notifications:read-all"))
    notification.refresh_from_db()
    assert notification.read_at is None


def test_anonymous_visitors_are_sent_to_log_in(enterprise_user, client):
    notification = NotificationFactory(recipient=enterprise_user)

    for method, url in [
        ("get", LIST),
        ("get", reverse("notifications:settings")),
        ("post", reverse("notifications:settings")),
        ("post", reverse("notifications:read-all")),
        *notification_urls(notification),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    notification.refresh_from_db()
    assert notification.read_at is None


# ── email ───────────────────────────────────────────────────────────────────────────────────


def email_box_checked(html: str) -> bool:
    box = re.search(r'<input type="checkbox" name="email_notifications"[^>]*>', html)
    assert box, "no email checkbox in the page"
    return " checked" in box.group(0)


@pytest.mark.parametrize("user", ["enterprise_user", "district_reviewer"])
def test_the_settings_page_turns_email_off_and_on(user, policy, client_for, request):
    user = request.getfixturevalue(user)
    client = client_for(user)
    url = reverse("notifications:settings")

    assert email_box_checked(client.get(url).content.decode())
    assert client.post(url, {}).status_code == 302
    user.refresh_from_db()
    assert user.email_notifications is False
    assert not email_box_checked(client.get(url).content.decode())

    client.post(url, {"email_notifications": "on"})
    user.refresh_from_db()
    assert user.email_notifications is True


def test_the_list_links_to_the_settings(enterprise_user, client_for):
    html = client_for(enterprise_user).get(LIST).content.decode()

    assert f'href="{reverse("notifications:settings")}"' in html


def test_with_email_off_the_notification_still_arrives_in_the_portal(
    enterprise_user, district_reviewer, client_for, django_capture_on_commit_callbacks
):
    client = client_for(enterprise_user)
    client.post(reverse("notifications:settings"), {})

    application = submitted(enterprise_user, django_capture_on_commit_callbacks)

    notification = Notification.objects.get(recipient=enterprise_user)
    assert notification.emailed_at is None
    assert [m.to for m in mail.outbox] == [[district_reviewer.email]]
    assert application.reference in client.get(LIST).content.decode()


def test_the_email_has_a_chinese_subject_a_text_and_an_html_part(
    enterprise_user, district_reviewer, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://zc.example.cn/"
    application = submitted(enterprise_user, django_capture_on_commit_callbacks)

    email = next(m for m in mail.outbox if m.to == [enterprise_user.email])

    assert email.subject == f"【{application.reference}】提交申报 · 政策申报平台"
    assert "\n" not in email.subject
    detail = "https://zc.example.cn" + reverse("applications:detail", args=[application.pk])
    assert f"{enterprise_user.username}，您好：" in email.body
    assert "状态：区县审核" in email.body and detail in email.body
    (html, mimetype), *_ = email.alternatives
    assert mimetype == "text/html"
    assert f'href="{detail}"' in html and "提交申报" in html
    assert "https://zc.example.cn" + reverse("notifications:settings") in html


def test_an_officials_email_links_to_the_admin(
    enterprise_user, district_reviewer, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://zc.example.cn"
    application = submitted(enterprise_user, django_capture_on_commit_callbacks)

    email = next(m for m in mail.outbox if m.to == [district_reviewer.email])

    change = reverse("admin:applications_application_change", args=[application.pk])
    assert f"https://zc.example.cn{change}" in email.body
    assert reverse("applications:detail", args=[application.pk]) not in email.body


def test_a_user_without_an_address_gets_no_email(
    enterprise_user, district_reviewer, django_capture_on_commit_callbacks
):
    enterprise_user.email = ""
    enterprise_user.save()

    submitted(enterprise_user, django_capture_on_commit_callbacks)

    assert Notification.objects.filter(recipient=enterprise_user, emailed_at=None).exists()
    assert [m.to for m in mail.outbox] == [[district_reviewer.email]]


def test_the_sites_addresses_in_a_notification_read_as_links_with_words(
    enterprise_user, client_for, settings
):
    settings.SITE_URL = "https://zc.example.cn"
    application = draft(user=enterprise_user)
    detail = reverse("applications:detail", args=[application.pk])
    profile = reverse("enterprises:profile")
    NotificationFactory(
        recipient=enterprise_user,
        application=application,
        body=(
            "状态：已拨付\n"
            f"欢迎对本次服务进行评价： https://zc.example.cn{detail}\n"
            f"请核对并更正开户银行和银行账号： https://zc.example.cn{profile} ，更正后将重新拨付。"
        ),
    )

    html = client_for(enterprise_user).get(LIST).content.decode()

    assert f'欢迎对本次服务进行评价：<a href="{detail}">查看申报</a>' in html
    assert f'请核对并更正开户银行和银行账号：<a href="{profile}">更正银行账号</a>，更正后' in html
    assert "zc.example.cn" not in html
    assert not re.search(r">\s*https?://", html)


def test_the_emails_text_keeps_the_address_and_its_html_gives_words(enterprise_user, settings):
    from notifications.emails import notification_email_message

    settings.SITE_URL = "https://zc.example.cn"
    application = draft(user=enterprise_user)
    detail = "https://zc.example.cn" + reverse("applications:detail", args=[application.pk])
    notification = NotificationFactory(
        recipient=enterprise_user,
        application=application,
        body=f"欢迎对本次服务进行评价： {detail}",
    )

    email = notification_email_message(notification)

    assert f"欢迎对本次服务进行评价： {detail}" in email.body
    html = email.alternatives[0].content
    assert f'欢迎对本次服务进行评价：<a href="{detail}">查看申报</a>' in html


def test_other_addresses_in_a_notification_stay_links_and_text_is_escaped(
    enterprise_user, client_for
):
    NotificationFactory(
        recipient=enterprise_user, body="<b>公告</b> 详见 https://www.gov.cn/zhengce/"
    )

    html = client_for(enterprise_user).get(LIST).content.decode()

    assert "&lt;b&gt;公告&lt;/b&gt;" in html
    assert 'href="https://www.gov.cn/zhengce/"' in html
