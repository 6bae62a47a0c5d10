"""公示 in the admin: administrators create, publish and close them and decide objections."""

from .access import AdministratorsOnly
from .applications import PublicityFilter, publicise_applications
from .logs import PublicityLogAdmin
from .objections import DecideForm, ObjectionAdmin
from .publicities import (
    EntryInline,
    LogInline,
    ObjectionInline,
    PublicityAddForm,
    PublicityAdmin,
)

__all__ = [
    "AdministratorsOnly",
    "DecideForm",
    "EntryInline",
    "LogInline",
    "ObjectionAdmin",
    "ObjectionInline",
    "PublicityAddForm",
    "PublicityAdmin",
    "PublicityFilter",
    "PublicityLogAdmin",
    "publicise_applications",
]
