"""Background work that survives (issue 13): the production task backend, periodic commands that
run on one host at a time, and media jobs picked up again after their worker died."""

import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from media_pipeline.models import MediaJob
from operations import locks
from operations.models import JobLock

pytestmark = pytest.mark.django_db


def _settings_value(expression: str, **env) -> str:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "TASKS_BACKEND", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(SECRET_KEY="x", DJANGO_READ_DOT_ENV="0", **env)
    code = f"import cms.settings as s; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_with_debug_off_tasks_go_to_the_database_backend_unless_configured():
    backend = "s.TASKS['default']['BACKEND']"
    assert _settings_value(backend, DEBUG="0") == "django_tasks_db.DatabaseBackend"
    assert _settings_value(backend, DEBUG="1") == "django_tasks.backends.immediate.ImmediateBackend"
    assert (
        _settings_value(backend, DEBUG="0", TASKS_BACKEND="immediate")
        == "django_tasks.backends.immediate.ImmediateBackend"
    )


def test_periodic_runs_the_command_and_records_what_it_did():
    out = StringIO()
    call_command("periodic", "media-sweep", "media_sweep", stdout=out)
    assert "重新排队 0 个" in out.getvalue() and "完成：media-sweep" in out.getvalue()
    lock = JobLock.objects.get(name="media-sweep")
    assert lock.last_finished_at and "重新排队 0 个" in lock.last_result
    assert lock.locked_until is None


def test_a_second_host_skips_a_job_that_another_host_is_running():
    holder = locks.acquire("bridge-summary", lease_seconds=600)
    out = StringIO()
    call_command("periodic", "bridge-summary", "media_sweep", stdout=out)
    assert "跳过" in out.getvalue() and "重新排队" not in out.getvalue()
    locks.release("bridge-summary", holder)
    out = StringIO()
    call_command("periodic", "bridge-summary", "media_sweep", stdout=out)
    assert "重新排队 0 个" in out.getvalue()


def test_a_lock_left_by_a_crashed_host_expires():
    locks.acquire("backup", lease_seconds=600)
    JobLock.objects.filter(name="backup").update(locked_until=timezone.now() - timedelta(seconds=1))
    out = StringIO()
    call_command("periodic", "backup", "media_sweep", stdout=out)
    assert "完成：backup" in out.getvalue()


def test_min_interval_runs_a_daily_job_once_whatever_the_number_of_hosts():
    outputs = []
    for _host in range(3):
        out = StringIO()
        call_command("periodic", "--min-interval", "80000", "daily", "media_sweep", stdout=out)
        outputs.append(out.getvalue())
    assert ["完成" in o for o in outputs] == [True, False, False]
    assert "已执行过" in outputs[1]


def test_a_failing_command_frees_its_lock_and_is_reported():
    with pytest.raises(CommandError):
        call_command("periodic", "broken", "site_check", "--site", "nowhere", stdout=StringIO())
    lock = JobLock.objects.get(name="broken")
    assert lock.locked_until is None and lock.last_result.startswith("失败")
    assert lock.last_finished_at is None


def test_periodic_without_a_command_is_refused():
    with pytest.raises(CommandError, match="请在任务名之后给出"):
        call_command("periodic", "nothing", stdout=StringIO())


def _running_job(**fields):
    defaults = {
        "kind": MediaJob.Kind.TRANSCODE,
        "profile": "wechat",
        "status": MediaJob.Status.RUNNING,
        "attempts": 1,
        "lease_expires_at": timezone.now() - timedelta(minutes=1),
        "started_at": timezone.now() - timedelta(hours=1),
    }
    defaults.update(fields)
    return MediaJob.objects.create(**defaults)


def test_a_media_job_whose_worker_died_is_run_again_once_its_lease_expired(
    django_capture_on_commit_callbacks,
):
    dead = _running_job()
    alive = _running_job(lease_expires_at=timezone.now() + timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        out = StringIO()
        call_command("media_sweep", stdout=out)
    assert "重新排队 1 个" in out.getvalue()
    dead.refresh_from_db()
    alive.refresh_from_db()
    # The immediate backend ran it again in this process: a second attempt was made.
    assert dead.attempts == 2 and dead.started_at > timezone.now() - timedelta(minutes=1)
    assert alive.attempts == 1 and alive.status == MediaJob.Status.RUNNING


def test_a_media_job_out_of_attempts_is_failed_with_the_reason_instead_of_hanging():
    job = _running_job(attempts=3, max_attempts=3)
    call_command("media_sweep", stdout=StringIO())
    job.refresh_from_db()
    assert job.status == MediaJob.Status.FAILED
    assert "多次中断" in job.message
