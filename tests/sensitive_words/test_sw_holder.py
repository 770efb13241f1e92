"""Hot reload: every holder rebuilds when the shared version changes and swaps atomically."""

import threading

import pytest

from sensitive_words.engine import Engine, EngineHolder, Entry


class SharedStore:
    """Stands in for the database row both processes read."""

    def __init__(self):
        self.version = 1
        self.words = ["旧词"]

    def build(self, version):
        return Engine([Entry(w) for w in self.words], version=version, pii=False)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def make_holder(store, clock, interval=1.0):
    return EngineHolder(
        lambda v: store.build(v), lambda: store.version, check_interval=interval, clock=clock
    )


def test_holder_builds_on_first_use():
    store, clock = SharedStore(), Clock()
    holder = make_holder(store, clock)
    assert [h.word for h in holder.get().check("旧词")] == ["旧词"]
    assert holder.built_version == 1


def test_two_holders_both_pick_up_a_new_version_after_the_check_interval():
    store, clock = SharedStore(), Clock()
    first, second = make_holder(store, clock), make_holder(store, clock)
    first.get(), second.get()
    store.words, store.version = ["新词"], 2
    clock.now = 1.5
    assert [h.word for h in first.get().check("新词")] == ["新词"]
    assert [h.word for h in second.get().check("新词")] == ["新词"]


def test_holder_does_not_read_the_version_again_within_the_interval():
    store, clock = SharedStore(), Clock()
    holder = make_holder(store, clock)
    holder.get()
    store.words, store.version = ["新词"], 2
    clock.now = 0.5
    assert holder.get().version == 1


def test_holder_keeps_the_old_engine_when_a_rebuild_fails():
    store, clock = SharedStore(), Clock()
    holder = make_holder(store, clock)
    old = holder.get()
    store.version = 2
    store.build = lambda version: (_ for _ in ()).throw(RuntimeError("db down"))
    clock.now = 2
    assert holder.get() is old


def test_first_build_failure_is_raised():
    store, clock = SharedStore(), Clock()
    store.build = lambda version: (_ for _ in ()).throw(RuntimeError("db down"))
    with pytest.raises(RuntimeError):
        make_holder(store, clock).get()


def test_readers_see_the_old_engine_while_another_thread_rebuilds():
    store, clock = SharedStore(), Clock()
    holder = make_holder(store, clock, interval=0)
    old = holder.get()
    started, release = threading.Event(), threading.Event()
    real_build = store.build

    def slow_build(version):
        started.set()
        release.wait(5)
        return real_build(version)

    store.build, store.version = slow_build, 2
    builder = threading.Thread(target=holder.get)
    builder.start()
    assert started.wait(5)
    assert holder.get() is old  # not blocked, not half-built
    release.set()
    builder.join(5)
    assert holder.get().version == 2
