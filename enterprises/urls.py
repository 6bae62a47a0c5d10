from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("profile/", views.profile, name="profile"),
    path("file/", views.file, name="file"),
    path("file/year/", views.file_year_choose, name="file-year-choose"),
    path("file/<int:year>/", views.file_year, name="file-year"),
    path(
        "file/recognitions/<int:pk>/delete/",
        views.recognition_delete,
        name="recognition-delete",
    ),
    path(
        "file/from-application/<int:pk>/",
        views.file_from_application,
        name="file-from-application",
    ),
]
