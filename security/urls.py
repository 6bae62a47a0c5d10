"""The second factor's pages, under /accounts/second-factor/ (``portal/urls.py``)."""

from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("recovery-codes/", views.recovery_codes, name="recovery-codes"),
]
