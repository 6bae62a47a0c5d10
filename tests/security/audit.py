"""What the audit tests share: a change made inside a request from a given address, and the
records written of one object."""

from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from security.audit.context import AuditContextMiddleware
from security.models import CHANGE, AuditRecord

ON_POSTGRESQL = connection.vendor == "postgresql"
ADDRESS = "198.51.100.23"


def in_request(user, change, *, address: str = ADDRESS, method: str = "post"):
    """Run ``change()`` as a request of ``user`` from ``address`` would, through the audit's
    middleware; return what it returned."""
    request = getattr(RequestFactory(), method)("/somewhere/", REMOTE_ADDR=address)
    request.user = user
    result = {}

    def view(request):
        result["value"] = change()
        return HttpResponse()

    AuditContextMiddleware(view)(request)
    return result["value"]


def mark() -> int:
    """Where the trail ends now: pass it to ``changes_of(since=…)``."""
    return AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0


def changes_of(obj, *, since: int = 0, **filters):
    """The data-change records of ``obj`` (a model instance, or (label, id)), oldest first."""
    label, pk = (
        obj if isinstance(obj, tuple) else (obj._meta.concrete_model._meta.label_lower, obj.pk)
    )
    return list(
        AuditRecord.objects.filter(
            kind=CHANGE, object_type=label, object_id=str(pk), id__gt=since, **filters
        ).order_by("id")
    )
