"""The counter the quote throttle keeps in the cache, on Redis and on the local-memory cache."""

import os
import time
import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache

from policy_portal.cache import ClientKeepingRedisCache, count

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")


def test_the_counter_counts_on_the_sites_cache():
    key = f"test-count:{uuid.uuid4().hex}"

    assert [count(key, 60) for _ in range(3)] == [1, 2, 3]


@needs_redis
def test_the_redis_counter_counts_in_one_entry_that_expires():
    cache = ClientKeepingRedisCache(os.environ["REDIS_URL"], {})
    key = f"test-count:{uuid.uuid4().hex}"

    assert [cache.count(key, 1) for _ in range(3)] == [1, 2, 3]
    assert cache.get(key) == 3, "Django's cache reads the counter as a number"
    time.sleep(1.1)
    assert cache.count(key, 1) == 1, "a new period starts once the entry has expired"


def test_the_local_memory_counter_starts_again_after_its_period(settings, monkeypatch):
    local = LocMemCache(f"test-count-{uuid.uuid4().hex}", {})
    monkeypatch.setattr("django.core.cache.caches", {"default": local})
    key = "quotes"

    assert [count(key, 1) for _ in range(2)] == [1, 2]
    time.sleep(1.1)
    assert count(key, 1) == 1
