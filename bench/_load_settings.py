"""The site as bench/load.py serves it through gunicorn: the development settings with DEBUG
off (as the other benchmarks run them), plus one trivial view to compare the pages with."""

from policy_portal.settings.local import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "_load_urls"
