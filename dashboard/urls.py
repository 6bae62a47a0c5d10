"""The dashboard's pages, under /admin/dashboard/ and behind the admin's login."""

from django.contrib import admin
from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", admin.site.admin_view(views.dashboard), name="index"),
    path("<slug:chart>.xlsx", admin.site.admin_view(views.chart_xlsx), name="xlsx"),
]
