"""The cache (Redis in production) as a helper, never a reason to fail a request.

Only rate limits and throwaway values live in the cache. While Redis is unreachable,
``DegradingRedisCache`` logs and counts each failure and answers as an empty cache: reads
miss, writes are dropped, ``add`` and ``incr`` act as on a fresh key; a counter lost with
a Redis restart between ``add`` and ``incr`` starts again rather than raising. So sign-in works
(its rate limit is not enforced for that while, rather than every sign-in failing), and
pages answer. Redis's own socket timeouts (settings) keep each failure to about a second.
"""

import logging
from collections import Counter

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

# Cache operations that found Redis unreachable since the process started.
failures: Counter[str] = Counter()


def _degrading(name: str, fallback):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(DegradingRedisCache, self), name)(*args, **kwargs)
        except UNREACHABLE as error:
            failures[name] += 1
            logger.warning("Cache %s without Redis (%s): answered as empty.", name, error)
            return fallback(*args, **kwargs)

    method.__name__ = name
    return method


_COUNT = "redis.call('SET', KEYS[1], 0, 'EX', ARGV[1], 'NX') return redis.call('INCR', KEYS[1])"


def count(key: str, timeout: int) -> int:
    """Add one to the counter ``key`` of the default cache, kept ``timeout`` seconds from
    its first count, and return it (rate limits)."""
    from django.core.cache import cache

    if isinstance(cache, DegradingRedisCache):
        return cache.count(key, timeout)
    cache.add(key, 0, timeout=timeout)
    return cache.incr(key)


class ReusingRedisCacheClient(RedisCacheClient):
    """One redis-py client per connection pool, kept, where Django makes one per cache
    operation (making one sets up its some 170 reply callbacks: a good part of a cache
    read). A redis-py client is safe to share between threads; its pool hands each command
    a connection."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class DegradingRedisCache(RedisCache):
    get = _degrading("get", lambda key, default=None, version=None: default)
    get_many = _degrading("get_many", lambda keys, version=None: {})
    has_key = _degrading("has_key", lambda key, version=None: False)
    set = _degrading("set", lambda *args, **kwargs: None)
    set_many = _degrading("set_many", lambda data, *args, **kwargs: list(data))
    add = _degrading("add", lambda *args, **kwargs: True)
    touch = _degrading("touch", lambda *args, **kwargs: False)
    delete = _degrading("delete", lambda *args, **kwargs: False)
    delete_many = _degrading("delete_many", lambda *args, **kwargs: None)
    clear = _degrading("clear", lambda: None)
    _incr = _degrading("incr", lambda key, delta=1, version=None: delta)

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def count(self, key, timeout, version=None) -> int:
        """Add one to a counter kept ``timeout`` seconds from its first count, and return
        it: one trip to Redis (SET NX and INCR in a script), where ``add`` then ``incr``
        take three. Without Redis: 1, as on a fresh key."""
        key = self.make_and_validate_key(key, version=version)
        try:
            return self._cache.get_client(key, write=True).eval(_COUNT, 1, key, int(timeout))
        except UNREACHABLE as error:
            failures["count"] += 1
            logger.warning("Cache count without Redis (%s): answered as fresh.", error)
            return 1

    def incr(self, key, delta=1, version=None):
        """A counter that vanished since it was added (Redis restarted between the two
        calls, or it expired) starts again at ``delta`` instead of raising."""
        try:
            return self._incr(key, delta, version)
        except ValueError:
            self.add(key, delta, version=version)
            return delta
