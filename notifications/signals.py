"""What the notification services announce for the tasks above them to act on: they never queue
a Celery task themselves, so that the tasks import the services and never the other way round.
Connected in NotificationsConfig.ready."""

from django.dispatch import Signal

# Notifications whose emails are due were written, or some emails failed to go out: the email
# task is to send them, ``countdown`` seconds later (None: at once).
emails_due = Signal()
