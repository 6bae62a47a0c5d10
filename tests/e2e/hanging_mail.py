"""A mail backend that never finishes sending: a worker using it is killed while it sends."""

import time

from django.core.mail.backends.base import BaseEmailBackend


class HangingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        time.sleep(600)
        return 0
