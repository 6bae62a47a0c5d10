from django.urls import path

from . import views

app_name = "measures"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("measures/<int:number>/", views.measure_detail, name="detail"),
    path("calculator/", views.calculator, name="calculator"),
]
