"""One host at a time for periodic work (定时任务在多台主机上同时触发时只执行一次).

A ``JobLock`` row per job name is taken with one conditional UPDATE (free, or its lease expired:
a crashed holder's lock comes back by itself), which is atomic on PostgreSQL and on SQLite alike;
the row also records when the job last finished and what it did, so that a daily job started by
timers on three hosts runs once a day (``min_interval``).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import JobLock

logger = logging.getLogger(__name__)


class Busy(Exception):
    """Another host holds the job's lock, or the job ran less than ``min_interval`` ago."""


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(name: str, *, lease_seconds: int, min_interval: int = 0, holder: str = "") -> str:
    """Take the lock of ``name`` or raise ``Busy``; returns the holder string to release with."""
    holder = holder or holder_name()
    now = timezone.now()
    try:
        with transaction.atomic():
            JobLock.objects.get_or_create(name=name)
    except IntegrityError:  # created by another host at the same moment
        pass
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    if min_interval:
        free &= Q(last_finished_at__isnull=True) | Q(
            last_finished_at__lte=now - timedelta(seconds=min_interval)
        )
    taken = JobLock.objects.filter(free, name=name).update(
        holder=holder,
        locked_until=now + timedelta(seconds=lease_seconds),
        last_started_at=now,
    )
    if not taken:
        lock = JobLock.objects.get(name=name)
        if lock.locked_until and lock.locked_until >= now:
            raise Busy(f"“{name}”正由 {lock.holder} 执行（锁定到 {lock.locked_until:%H:%M:%S}）")
        raise Busy(f"“{name}”在 {lock.last_finished_at:%Y-%m-%d %H:%M} 已执行过，未到间隔")
    return holder


def release(name: str, holder: str, *, result: str = "", finished: bool = True) -> None:
    fields = {"holder": "", "locked_until": None, "last_result": result[:4000]}
    if finished:
        fields["last_finished_at"] = timezone.now()
    JobLock.objects.filter(name=name, holder=holder).update(**fields)


@contextmanager
def exclusive(name: str, *, lease_seconds: int = 3600, min_interval: int = 0):
    """``with exclusive("backup"):`` — the body runs on one host at a time; raises ``Busy``."""
    holder = acquire(name, lease_seconds=lease_seconds, min_interval=min_interval)
    outcome = {"result": ""}
    try:
        yield outcome
    except BaseException as exc:
        release(name, holder, result=f"失败：{type(exc).__name__}: {exc}", finished=False)
        raise
    release(name, holder, result=str(outcome["result"]))
