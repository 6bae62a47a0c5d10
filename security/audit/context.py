"""Who makes a change and from where, for the audit trail.

The middleware hands pghistory's context (the person's id, the path and the client's address,
``policy_portal.client_ip``) to PostgreSQL with every statement of a request that may write,
where the triggers read it; keeps the request at hand for what Python records itself (the
security events, and on SQLite the changes); seals the trail once the request is over; and
reports a refusal (403) as a security event.
"""

from contextvars import ContextVar

from django.db import connection
from pghistory.middleware import HistoryMiddleware

from policy_portal.client_ip import client_ip
from policy_portal.signals import security_event

from .chain import seal_on_commit

_request: ContextVar = ContextVar("audit_request", default=None)


def current_request():
    """The request being handled in this thread, or None (a task, a command)."""
    return _request.get()


def request_actor(request):
    """The person signed in on ``request``, or None."""
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class AuditContextMiddleware(HistoryMiddleware):
    def get_context(self, request) -> dict:
        return {**super().get_context(request), "address": client_ip(request)}

    def __call__(self, request):
        token = _request.set(request)
        try:
            if connection.vendor == "postgresql":
                response = super().__call__(request)
            else:
                # pghistory's context is PostgreSQL's alone: it prefixes each statement.
                response = self.get_response(request)
        finally:
            _request.reset(token)
        if response.status_code == 403:
            security_event.send(
                sender=__name__,
                kind="permission_denied",
                user=request_actor(request),
                request=request,
                target=None,
                detail={"method": request.method, "path": request.path},
            )
        if request.method in WRITING_METHODS:
            seal_on_commit()
        return response


WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
