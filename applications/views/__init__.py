"""The enterprise portal: HTTP only — parse, call a selector or a service, render."""

from .documents import document_attach, document_delete, document_download, documents
from .library import library, library_delete, library_download, library_replace
from .pages import confirm, detail, figures, resubmit, review, submit, withdraw
from .portal import apply, home

__all__ = [
    "apply",
    "confirm",
    "detail",
    "document_attach",
    "document_delete",
    "document_download",
    "documents",
    "figures",
    "home",
    "library",
    "library_delete",
    "library_download",
    "library_replace",
    "resubmit",
    "review",
    "submit",
    "withdraw",
]
