"""The enterprise's own pages under /enterprise/: registration, profile and its file."""

from django.urls import path

from enterprises import views

from . import views as portal_views

app_name = "enterprises"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("profile/", views.profile, name="profile"),
    path("profile/export/", views.profile_export, name="profile-export"),
    path("file/", views.file, name="file"),
    path("file/year/", views.file_year_choose, name="file-year-choose"),
    path("file/<int:year>/", views.file_year, name="file-year"),
    path(
        "file/disagreements/<int:figure>/",
        views.disagreement_report,
        name="disagreement-report",
    ),
    path(
        "file/disagreements/recognitions/<int:recognition>/",
        views.disagreement_report_recognition,
        name="disagreement-report-recognition",
    ),
    path(
        "file/recognitions/<int:pk>/delete/",
        views.recognition_delete,
        name="recognition-delete",
    ),
    path(
        "file/from-application/<int:pk>/",
        portal_views.file_from_application,
        name="file-from-application",
    ),
]
