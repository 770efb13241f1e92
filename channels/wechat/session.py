"""A wechatpy session storage kept in Django's cache, so access tokens are shared.

WeChat hands out one valid access token per account at a time and limits how often it may be
fetched; every web node, task worker and host must therefore use the same one. With
``REDIS_URL`` set the cache is Redis and they do; the embedded default (local memory) shares it
within one process, which is what tests and ``make run`` need.
"""

from __future__ import annotations

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from wechatpy.session import SessionStorage


class DjangoCacheStorage(SessionStorage):
    """wechatpy ``SessionStorage`` over a Django cache (``alias``), keys under ``prefix``."""

    def __init__(self, alias: str = DEFAULT_CACHE_ALIAS, prefix: str = "wechat"):
        self.alias = alias
        self.prefix = prefix

    @property
    def cache(self):
        return caches[self.alias]

    def key_name(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def get(self, key, default=None):
        return self.cache.get(self.key_name(key), default)

    def set(self, key, value, ttl=None):
        if value is None:
            return
        # wechatpy passes ttl=None for values without a lifetime: those get the cache's default
        # timeout rather than living forever.
        self.cache.set(self.key_name(key), value, DEFAULT_TIMEOUT if ttl is None else ttl)

    def delete(self, key):
        self.cache.delete(self.key_name(key))

    def __getitem__(self, key):
        return self.get(key)
