"""Beat's tasks of the enterprises room: thin, they call Django's own commands."""

from celery import shared_task
from django.core.management import call_command


@shared_task
def clear_expired_sessions() -> None:
    """Delete the sessions past their expiry (Django's ``clearsessions``): the row of a
    session nobody ended by logging out names who was signed in."""
    call_command("clearsessions")
