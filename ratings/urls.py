from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("applications/<int:pk>/rate/", views.rate, name="rate"),
]
