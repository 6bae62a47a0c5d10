"""Django's Redis cache, keeping its redis-py client instead of building one per call.

``RedisCacheClient.get_client`` makes a new ``redis.Redis`` for every cache operation, and
redis-py fills a table of some 170 response callbacks in each: about a third of a millisecond,
more than the round trip itself. The client is a thin handle on the connection pool (which
Django already keeps), so one per pool serves every call.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ClientKeepingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ClientKeepingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ClientKeepingRedisCacheClient

    def count(self, key: str, timeout: int) -> int:
        """Add one to the counter ``key``, started at 0 for ``timeout`` seconds if it is not
        there: one round trip (SET NX EX and INCR in a pipeline) where Django's ``add`` and
        ``incr`` make three."""
        client = self._cache.get_client(key, write=True)
        key = self.make_and_validate_key(key)
        pipe = client.pipeline(transaction=False)
        pipe.set(key, self._cache._serializer.dumps(0), ex=timeout, nx=True)
        pipe.incr(key)
        return pipe.execute()[1]


def count(key: str, timeout: int) -> int:
    """Add one to the counter ``key`` of the default cache (kept ``timeout`` seconds from its
    first count) and return it."""
    from django.core.cache import caches

    cache = caches["default"]
    if isinstance(cache, ClientKeepingRedisCache):
        return cache.count(key, timeout)
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout)
        return 1
