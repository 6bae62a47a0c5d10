"""The site's URL map: every app's pages mounted under their prefix."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dashboard import views as dashboard_views
from enterprises import session_views
from enterprises import views as enterprise_views

from . import views as portal_views

# Django's account pages the site serves with views or templates of its own.
SITE_OWN_AUTH_PAGES = {"password_reset", "password_change", "password_change_done"}

urlpatterns = [
    path("", include("measures.urls")),
    path("api/", include("measures.api_urls")),
    # 部门数据 by API: a department's system delivers its batches, signed (departments/api.py).
    path("api/departments/", include("departments.api_urls")),
    path("enterprise/", include("portal.enterprise_urls")),
    # 可申报政策: the enterprise's file against the open windows (enterprises/matching.py).
    path("portal/matches/", portal_views.matches, name="matches"),
    path("portal/", include("portal.application_urls")),
    # The enterprise's rating of a paid or rejected application.
    path("portal/", include("ratings.urls")),
    path("notifications/", include("notifications.urls")),
    # 公示: public, no login.
    path("publicity/", include("publicity.urls")),
    # 政策兑现公开: totals per measure and district, public.
    path("transparency/", dashboard_views.transparency, name="transparency"),
    # Django's account pages, with the password reset form rate-limited (enterprises/views.py).
    # The officials' idle-session warning: its keep-alive and the page it leaves for.
    path("accounts/session/keep-alive/", session_views.keep_alive, name="session_keep_alive"),
    path("accounts/session/ended/", session_views.ended, name="session_ended"),
    # 身份鉴别: the second factor after the password (security/views.py, security/gate.py).
    path("accounts/second-factor/", include("security.urls")),
    path("accounts/password_reset/", enterprise_views.password_reset, name="password_reset"),
    # Changing one's password on the site's own pages (officials are sent to the admin's).
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(
            template_name="registration/site_password_change_form.html"
        ),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/site_password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "accounts/",
        include([p for p in auth_urls.urlpatterns if p.name not in SITE_OWN_AUTH_PAGES]),
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    # The dashboard, an admin page of its own (dashboard/urls.py wraps it in the admin's login).
    path("admin/dashboard/", include("dashboard.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.STATIC_URL, document_root=settings.STATIC_ROOT)
