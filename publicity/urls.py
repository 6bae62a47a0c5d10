from django.urls import path

from . import views

app_name = "publicity"

urlpatterns = [
    path("", views.publicity_list, name="list"),
    path("<int:pk>/", views.publicity_detail, name="detail"),
]
