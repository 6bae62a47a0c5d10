from django.urls import path

from . import api

app_name = "departments-api"

urlpatterns = [
    path("batches/", api.batches, name="batches"),
]
