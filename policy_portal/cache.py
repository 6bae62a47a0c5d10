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
