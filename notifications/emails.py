"""A notification as an email: subject and bodies rendered from templates, text and HTML."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Notification
from .selectors import notification_path

TEMPLATES = "notifications/email/"


def site_url() -> str:
    """Where the site is reached from outside, for the links in emails (which have no request
    to build them from)."""
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def notification_email_message(notification: Notification) -> EmailMultiAlternatives:
    recipient = notification.recipient
    base = site_url()
    # The same page the notification centre would link to: nothing the reader cannot open.
    path = notification_path(user=recipient, notification=notification)
    context = {
        "notification": notification,
        "recipient": recipient,
        "application": notification.application,
        "link": base + path if path else "",
        "notifications_link": base + reverse("notifications:list"),
        "settings_link": base + reverse("notifications:settings"),
    }
    # A header cannot hold a line break, and a template file ends with one.
    subject = "".join(render_to_string(TEMPLATES + "subject.txt", context).splitlines()).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(TEMPLATES + "body.txt", context),
        to=[recipient.email],
    )
    message.attach_alternative(render_to_string(TEMPLATES + "body.html", context), "text/html")
    return message
