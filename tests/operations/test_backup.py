"""Backup and restore (issue 13): the full round trip into a new, empty installation on the
suite's database (SQLite here, PostgreSQL in CI), with nothing delivered twice afterwards;
corrupted, partial, tampered and wrongly keyed archives are refused and change nothing."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from wagtail.documents import get_document_model

from backend_bridge.models import OutboxItem
from backend_bridge.services import outbox
from operations import backup
from tests.backend_bridge.conftest import id_number, petition, simulator, sms_ok, submit  # noqa: F401

KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def _manage(*args, env: dict, check=True) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT", "DEBUG", "TASKS_BACKEND")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="cms.settings",
        DJANGO_READ_DOT_ENV="0",
        SECRET_KEY="restore-test",
        TASKS_BACKEND="immediate",
        STATIC_ROOT=str(django_settings.STATIC_ROOT),
        **env,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result


@pytest.fixture
def fresh_database(tmp_path):
    """The DATABASE_URL of a new, empty database of the suite's engine."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    name = f"gxxf_restore_{secrets.token_hex(4)}"
    params = connection.settings_dict
    admin = f"host={params['HOST'] or '127.0.0.1'} port={params['PORT'] or 5432} user={params['USER']} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    user = params["USER"]
    host = params["HOST"] or "127.0.0.1"
    yield f"postgres://{user}@{host}:{params['PORT'] or 5432}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


SHOW = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
from backend_bridge.models import OutboxItem
from wagtail.documents import get_document_model
home = Client().get("/", HTTP_HOST="nanning.localhost")
doc = get_document_model().objects.get(title="办事指南")
print(json.dumps({
    "home_status": home.status_code,
    "home_has_title": "南宁" in home.content.decode(),
    "users": sorted(get_user_model().objects.values_list("username", flat=True)),
    "outbox": sorted(OutboxItem.objects.values_list("state", flat=True)),
    "document": doc.file.read().decode(),
}, ensure_ascii=False))
"""


@pytest.mark.django_db(transaction=True)
def test_round_trip_into_a_new_installation_serves_the_same_and_delivers_nothing_twice(
    submit,  # noqa: F811
    simulator,  # noqa: F811
    media_root,
    fresh_database,
    tmp_path,
    staff,
):
    from django.contrib.auth import get_user_model

    editor = staff("nanning", "editor")
    get_document_model().objects.create(
        title="办事指南", file=ContentFile("第一版".encode(), name="guide.txt")
    )
    submit()
    assert outbox.run_once().delivered == 1  # delivered before the backup
    submit()  # still waiting for the case system when the backup is taken
    assert sorted(OutboxItem.objects.values_list("state", flat=True)) == [
        "delivered",
        "pending",
    ]
    out = StringIO()
    call_command("backup", str(tmp_path / "backups"), "--no-encrypt", stdout=out)
    archive = Path(out.getvalue().strip())
    assert archive.is_file() and Path(f"{archive}.sha256").is_file()
    sent_before = len(simulator.requests)

    env = {
        "DATABASE_URL": fresh_database,
        "MEDIA_ROOT": str(tmp_path / "media-restored"),
        "CASE_SYSTEM_URL": simulator.url,
        "CASE_SYSTEM_KEY": "portal",
    }
    restored = _manage("restore", str(archive), env=env)
    assert "恢复完成" in restored.stdout
    shown = json.loads(_manage("shell", "-c", SHOW, env=env).stdout.strip().splitlines()[-1])
    assert shown["home_status"] == 200 and shown["home_has_title"]
    assert editor.username in shown["users"]
    assert shown["users"] == sorted(get_user_model().objects.values_list("username", flat=True))
    assert shown["outbox"] == ["delivered", "pending"]
    assert shown["document"] == "第一版"

    worker = _manage("bridge_worker", "--once", env=env)
    assert "delivered=1" in worker.stdout
    # One request for the waiting item; the item delivered before the backup is not sent again.
    sent_after = simulator.requests[sent_before:]
    assert len(sent_after) == 1 and len(simulator.cases) == 2


@pytest.fixture
def archive(db, media_root, tmp_path, settings):
    settings.BACKUP_SM4_KEY = ""
    (media_root / "original_images").mkdir(parents=True)
    (media_root / "original_images" / "a.png").write_bytes(b"\x89PNG fake")
    return backup.create_backup(tmp_path / "backups")


def _refused(path, match: str):
    before = backup.table_counts()
    with pytest.raises(CommandError, match=match):
        call_command("restore", str(path), stdout=StringIO())
    assert backup.table_counts() == before


def test_a_valid_archive_verifies_and_lists_what_it_holds(archive):
    out = StringIO()
    call_command("restore", str(archive), "--verify-only", stdout=out)
    assert "校验通过" in out.getvalue() and "媒体文件 1 个" in out.getvalue()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[0] == "manifest.json" and "media/original_images/a.png" in names


def test_restoring_over_an_installation_that_has_data_is_refused(archive):
    _refused(archive, "目标数据库不是空的")


def test_a_truncated_archive_is_refused(archive):
    Path(f"{archive}.sha256").unlink()
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    _refused(archive, "不完整或已损坏")


def test_an_archive_that_does_not_match_its_checksum_file_is_refused(archive):
    data = bytearray(archive.read_bytes())
    data[-100] ^= 0xFF
    archive.write_bytes(bytes(data))
    _refused(archive, "SHA-256")


def _repack(archive: Path, tmp_path: Path, change):
    work = tmp_path / "repack"
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    change(work)
    Path(f"{archive}.sha256").unlink()
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(work.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=path.relative_to(work).as_posix())


def test_a_member_changed_after_the_backup_is_refused(archive, tmp_path):
    _repack(
        archive,
        tmp_path,
        lambda work: (work / "media/original_images/a.png").write_bytes(b"tampered"),
    )
    _refused(archive, "校验值不符")


def test_an_archive_missing_a_member_is_refused(archive, tmp_path):
    _repack(archive, tmp_path, lambda work: (work / "media/original_images/a.png").unlink())
    _refused(archive, "缺少 1 个文件")


def test_an_archive_without_manifest_is_refused(archive, tmp_path):
    _repack(archive, tmp_path, lambda work: (work / "manifest.json").unlink())
    _refused(archive, "没有 manifest.json")


def test_encrypted_backup_needs_the_right_key(db, media_root, tmp_path, settings):
    settings.BACKUP_SM4_KEY = KEY
    sealed = backup.create_backup(tmp_path / "backups")
    assert sealed.name.endswith(".tar.gz.sm4")
    assert not tarfile.is_tarfile(sealed)  # nothing readable without the key
    out = StringIO()
    call_command("restore", str(sealed), "--verify-only", stdout=out)
    assert "校验通过" in out.getvalue()
    settings.BACKUP_SM4_KEY = "f" * 32
    _refused(sealed, "密钥不对")
    settings.BACKUP_SM4_KEY = ""
    _refused(sealed, "未设置 BACKUP_SM4_KEY")


def test_encrypting_without_a_key_is_refused_clearly(db, media_root, tmp_path, settings):
    settings.BACKUP_SM4_KEY = ""
    with pytest.raises(CommandError, match="未设置 BACKUP_SM4_KEY"):
        call_command("backup", str(tmp_path), "--encrypt", stdout=StringIO())
    assert not list(tmp_path.glob("gxxf-backup-*"))


def test_rotation_keeps_daily_weekly_and_monthly_copies(tmp_path):
    start = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    for day in range(90):
        name = backup.archive_name(start + timedelta(days=day), encrypted=False)
        (tmp_path / name).write_bytes(b"x")
        (tmp_path / f"{name}.sha256").write_text("x")
    deleted = backup.rotate(tmp_path, daily=7, weekly=4, monthly=3)
    kept = sorted(p.name for p in tmp_path.glob("*.tar.gz"))
    assert len(kept) + len(deleted) == 90
    # The last 7 days, then one per week for 4 weeks and one per month for 3 months.
    assert kept[-7:] == [
        backup.archive_name(start + timedelta(days=d), encrypted=False) for d in range(83, 90)
    ]
    assert 7 < len(kept) <= 7 + 4 + 3
    assert len(list(tmp_path.glob("*.sha256"))) == len(kept)


def test_the_sqlite_copy_is_a_consistent_database(archive, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite copy is made on SQLite only; PostgreSQL uses pg_dump")
    with tarfile.open(archive) as tar:
        tar.extract("database.sqlite3", tmp_path, filter="data")
    copy = sqlite3.connect(tmp_path / "database.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
    shutil.rmtree(tmp_path / "backups", ignore_errors=True)


STATE = """
import json, os
from django.db import connection
with connection.cursor() as cursor:
    tables = connection.introspection.table_names(cursor)
media = os.environ["MEDIA_ROOT"]
files = sorted(
    os.path.relpath(os.path.join(d, f), media) for d, _, fs in os.walk(media) for f in fs
)
print(json.dumps({"tables": len(tables), "media": files}))
"""

# The media step fails after the database has been written: the last rename, which puts the
# staged media in place, meets a full disk.
FULL_DISK = """
import errno, os
from django.core.management import call_command
from django.core.management.base import CommandError
real_rename = os.rename
def rename(src, dst):
    if str(dst) == os.environ["MEDIA_ROOT"]:
        raise OSError(errno.ENOSPC, "No space left on device")
    return real_rename(src, dst)
os.rename = rename
try:
    call_command("restore", os.environ["ARCHIVE"])
except CommandError as error:
    print("REFUSED", error)
"""


def _state(env) -> dict:
    return json.loads(_manage("shell", "-c", STATE, env=env).stdout.strip().splitlines()[-1])


@pytest.fixture
def committed_archive(media_root, tmp_path, settings):
    settings.BACKUP_SM4_KEY = ""
    (media_root / "original_images").mkdir(parents=True)
    (media_root / "original_images" / "a.png").write_bytes(b"\x89PNG fake")
    return backup.create_backup(tmp_path / "backups")


@pytest.mark.django_db(transaction=True)
def test_a_media_failure_after_the_database_step_rolls_back_both(
    committed_archive, fresh_database, tmp_path
):
    env = {
        "DATABASE_URL": fresh_database,
        "MEDIA_ROOT": str(tmp_path / "media-restored"),
        "ARCHIVE": str(committed_archive),
    }
    failed = _manage("shell", "-c", FULL_DISK, env=env)
    assert "REFUSED" in failed.stdout
    assert "No space left on device" in failed.stdout
    assert "已回滚，数据库和媒体文件保持恢复前的空状态" in failed.stdout
    # Still the empty installation it was: no table, no media, nothing staged left beside it.
    assert _state(env) == {"tables": 0, "media": []}
    assert sorted(p.name for p in tmp_path.iterdir() if "media-restored" in p.name) == []

    # Once the disk has room again, the same restore goes through.
    restored = _manage("restore", str(committed_archive), env=env)
    assert "恢复完成" in restored.stdout
    state = _state(env)
    assert state["tables"] > 0 and state["media"] == ["original_images/a.png"]


@pytest.mark.django_db(transaction=True)
def test_a_media_target_that_cannot_be_written_leaves_the_database_empty(
    committed_archive, fresh_database, tmp_path
):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the media's parent directory should be")
    env = {"DATABASE_URL": fresh_database, "MEDIA_ROOT": str(blocker / "media")}
    failed = _manage("restore", str(committed_archive), env=env, check=False)
    assert failed.returncode != 0
    assert "无法在" in failed.stderr and "准备媒体文件" in failed.stderr
    assert "请检查磁盘空间和目录权限" in failed.stderr
    env["MEDIA_ROOT"] = str(tmp_path / "elsewhere")
    assert _state(env)["tables"] == 0


# The row counts are compared after the database step: a restore that wrote fewer rows than the
# archive holds (a truncated dump) must take the media uploaded to the object store back out too.
SHORT_ROWS = """
import os
from django.core.management import call_command
from django.core.management.base import CommandError
from operations import backup
real_counts = backup.table_counts
def table_counts(using="default"):
    counts = real_counts(using)
    counts["auth_user"] = counts.get("auth_user", 0) - 1
    return counts
backup.table_counts = table_counts
try:
    call_command("restore", os.environ["ARCHIVE"])
except CommandError as error:
    print("REFUSED", error)
"""


@pytest.mark.django_db(transaction=True)
def test_media_in_object_storage_are_restored_and_taken_out_again_on_a_failure(
    committed_archive, fresh_database, tmp_path
):
    """With the media in an S3-compatible store (AWS_STORAGE_BUCKET_NAME), the restore uploads
    them before the database step and deletes them again when anything after it fails."""
    from tests.simulators.s3 import S3Simulator

    store = S3Simulator().start()
    try:
        store.create_bucket("gxxf-media")
        env = {
            "DATABASE_URL": fresh_database,
            "MEDIA_ROOT": str(tmp_path / "unused-media-root"),
            "ARCHIVE": str(committed_archive),
            "AWS_STORAGE_BUCKET_NAME": "gxxf-media",
            "AWS_S3_ENDPOINT_URL": store.url,
            "AWS_ACCESS_KEY_ID": "test-key",
            "AWS_SECRET_ACCESS_KEY": "test-secret",
            "AWS_DEFAULT_REGION": "cn-south-1",
        }
        failed = _manage("shell", "-c", SHORT_ROWS, env=env)
        assert "REFUSED" in failed.stdout, failed.stdout + failed.stderr
        assert "行数与备份不符" in failed.stdout and "已回滚" in failed.stdout
        assert store.keys("gxxf-media") == []  # the uploaded media were deleted again
        assert _state(env)["tables"] == 0

        restored = _manage("restore", str(committed_archive), env=env)
        assert "恢复完成" in restored.stdout
        assert store.keys("gxxf-media") == ["original_images/a.png"]
        assert _state(env)["tables"] > 0

        # A second restore onto the installation it rebuilt is refused, the store untouched.
        again = _manage("restore", str(committed_archive), env=env, check=False)
        assert again.returncode != 0 and "不是空的" in again.stdout + again.stderr
        assert store.keys("gxxf-media") == ["original_images/a.png"]
    finally:
        store.stop()
