"""The production settings as bench/web.py serves them: unchanged but for where the static
files were collected (STATIC_ROOT is var/static in the settings; the benchmark collects into a
folder of its own, BENCH_STATIC_ROOT)."""

import os

from policy_portal.settings.production import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
