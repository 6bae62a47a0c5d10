from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path("measures/", api.MeasureListApi.as_view(), name="measure-list"),
    path("measures/<int:number>/", api.MeasureDetailApi.as_view(), name="measure-detail"),
    path("measures/<int:number>/quote/", api.MeasureQuoteApi.as_view(), name="measure-quote"),
]
