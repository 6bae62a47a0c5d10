"""The enterprise's applications under /portal/: the list, a new draft, each application's
pages, its documents and the library of documents."""

from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("", views.home, name="home"),
    path("apply/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.detail, name="detail"),
    path("applications/<int:pk>/figures/", views.figures, name="figures"),
    path("applications/<int:pk>/documents/", views.documents, name="documents"),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/delete/",
        views.document_delete,
        name="document-delete",
    ),
    path("applications/<int:pk>/documents/attach/", views.document_attach, name="document-attach"),
    path("applications/<int:pk>/review/", views.review, name="review"),
    path("applications/<int:pk>/submit/", views.submit, name="submit"),
    path("applications/<int:pk>/resubmit/", views.resubmit, name="resubmit"),
    path("applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("applications/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("documents/<int:document_pk>/", views.document_download, name="document-download"),
    path("library/", views.library, name="library"),
    path("library/<int:document_pk>/", views.library_download, name="library-download"),
    path("library/<int:document_pk>/replace/", views.library_replace, name="library-replace"),
    path("library/<int:document_pk>/delete/", views.library_delete, name="library-delete"),
]
