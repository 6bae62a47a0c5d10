"""The product's URLs and, beside them, the trivial view bench/load.py measures as its floor:
no database, no template, no session."""

from django.http import HttpResponse
from django.urls import path

from portal.urls import urlpatterns as product_urlpatterns


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial), *product_urlpatterns]
