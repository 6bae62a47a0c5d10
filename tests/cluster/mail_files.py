"""Mail of the two-node test's workers: each message a file in CLUSTER_MAIL_DIR (Django's
file backend, whose folder is a setting the environment does not set), so that the test counts
what both workers sent."""

import os

from django.core.mail.backends.filebased import EmailBackend as FileBasedBackend


class EmailBackend(FileBasedBackend):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("file_path", os.environ["CLUSTER_MAIL_DIR"])
        super().__init__(*args, **kwargs)
