"""Test equipment: a channel that keeps what it receives in the cache, told how to fail.

It stands in for a real channel only in the tests of the fan-out core (the WeChat channel is
tested against its loopback simulator). Its script lives in the Django cache so that the worker
sees the same script whichever thread runs it.
"""

from django.core.cache import cache

from channels.base import Channel, PermanentFailure, TemporaryFailure

KEY = "test-channel:{code}:{what}"


def script(code: str, *, temporary: int = 0, permanent: bool = False, crash_after_record=0):
    cache.set(KEY.format(code=code, what="temporary"), temporary)
    cache.set(KEY.format(code=code, what="permanent"), permanent)
    cache.set(KEY.format(code=code, what="crash"), crash_after_record)


def received(code: str) -> list:
    return cache.get(KEY.format(code=code, what="received"), [])


class RecordingChannel(Channel):
    kind = "test"

    def _fail_if_told(self):
        left = cache.get(KEY.format(code=self.code, what="temporary"), 0)
        if left:
            cache.set(KEY.format(code=self.code, what="temporary"), left - 1)
            raise TemporaryFailure("渠道繁忙，请稍后重试")
        if cache.get(KEY.format(code=self.code, what="permanent")):
            raise PermanentFailure("渠道拒绝了这篇文章：标题超过 64 个字")

    def deliver(self, delivery):
        self._fail_if_told()
        page = delivery.revision.as_object() if delivery.revision_id else delivery.page.specific
        if "remote_id" not in delivery.progress:
            delivery.record(remote_id=f"r{delivery.page_id}-{delivery.pk}")
            crash = cache.get(KEY.format(code=self.code, what="crash"), 0)
            if crash:
                cache.set(KEY.format(code=self.code, what="crash"), crash - 1)
                raise SystemExit("worker killed after recording its intent")
        delivery.remote_id = delivery.progress["remote_id"]
        delivery.remote_url = f"https://app.example.invalid/articles/{delivery.remote_id}"
        cache.set(
            KEY.format(code=self.code, what="received"),
            [*received(self.code), (delivery.action, page.title, delivery.remote_id)],
        )

    def withdraw(self, delivery):
        self._fail_if_told()
        cache.set(
            KEY.format(code=self.code, what="received"),
            [*received(self.code), ("withdraw", delivery.page.title, "")],
        )
