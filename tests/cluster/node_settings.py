"""The production settings as the two-node test serves them: unchanged but for where the static
files were collected (STATIC_ROOT is var/static in the settings; the test collects them once
into a folder of its own, CLUSTER_STATIC_ROOT, which both nodes read as each machine would its
own copy of the image's)."""

import os

from policy_portal.settings.production import *  # noqa: F403

STATIC_ROOT = os.environ["CLUSTER_STATIC_ROOT"]
