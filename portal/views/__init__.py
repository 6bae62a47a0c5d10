"""The enterprise's pages: HTTP only — parse, call a selector or a service, render."""

from .documents import document_attach, document_delete, document_download, documents
from .file import file_from_application, matches
from .home import apply, home
from .library import library, library_delete, library_download, library_replace
from .pages import confirm, detail, figures, resubmit, review, submit, withdraw

__all__ = [
    "apply",
    "confirm",
    "detail",
    "document_attach",
    "document_delete",
    "document_download",
    "documents",
    "figures",
    "file_from_application",
    "home",
    "library",
    "library_delete",
    "library_download",
    "library_replace",
    "matches",
    "resubmit",
    "review",
    "submit",
    "withdraw",
]
