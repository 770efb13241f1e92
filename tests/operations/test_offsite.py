"""Backups copied to S3-compatible object storage (issue 13), against the loopback simulator of
tests/simulators/s3.py: the copy is checked after upload (multipart too), an outage or a timeout
keeps the local archive and fails loudly in Chinese, a later run uploads what is missing,
rotation applies to the remote copies, and restore fetches an archive from the store and verifies
it like a local file."""

from __future__ import annotations

import hashlib
import logging
import os
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from operations import backup
from tests.operations.test_backup import _manage, _state, fresh_database  # noqa: F401
from tests.simulators.s3 import S3Simulator

BUCKET = "gxxf-backups"


@pytest.fixture
def store(settings):
    simulator = S3Simulator().start()
    simulator.create_bucket(BUCKET)
    settings.BACKUP_S3_BUCKET = BUCKET
    settings.BACKUP_S3_ENDPOINT_URL = simulator.url
    settings.BACKUP_S3_ACCESS_KEY_ID = "test-key"
    settings.BACKUP_S3_SECRET_ACCESS_KEY = "test-secret"  # noqa: S105
    settings.BACKUP_S3_REGION = "cn-south-1"
    settings.BACKUP_S3_PREFIX = "gxxf/backups"
    settings.BACKUP_S3_ADDRESSING_STYLE = "path"
    settings.BACKUP_S3_TIMEOUT = 1.0
    settings.BACKUP_S3_MAX_ATTEMPTS = 1
    settings.BACKUP_SM4_KEY = ""
    yield simulator
    simulator.stop()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    (tmp_path / "media" / "original_images").mkdir(parents=True)
    (tmp_path / "media" / "original_images" / "a.png").write_bytes(b"\x89PNG fake")
    return tmp_path / "media"


def _backup(dest, *extra) -> str:
    out, err = StringIO(), StringIO()
    call_command("backup", str(dest), *extra, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_a_backup_is_copied_checked_and_restorable_from_the_store(db, store, media_root, tmp_path):
    # Over the multipart threshold (8 MiB), incompressible: uploaded in parts.
    (media_root / "original_images" / "scan.bin").write_bytes(os.urandom(9 * 1024 * 1024))
    printed = _backup(tmp_path / "backups")
    archive = Path(printed.splitlines()[0])
    key = f"gxxf/backups/{archive.name}"
    assert f"已复制到对象存储并校验：s3://{BUCKET}/{key}" in printed
    assert store.keys(BUCKET) == [key, f"{key}.sha256"]
    stored = store.buckets[BUCKET][key]
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert stored.data == archive.read_bytes() and stored.metadata["sha256"] == digest
    assert stored.etag.endswith("-2")  # two parts
    assert any("uploadId" in path for method, path in store.requests if method == "PUT")

    for how in (["--from-storage", archive.name], [f"s3://{BUCKET}/{key}"]):
        out = StringIO()
        call_command("restore", *how, "--verify-only", stdout=out)
        assert "校验通过" in out.getvalue() and "媒体文件 2 个" in out.getvalue()

    # The copy in the store was damaged afterwards: refused like a damaged local file.
    stored.data = stored.data[:-10] + b"0123456789"
    with pytest.raises(CommandError, match="SHA-256.*未做任何更改"):
        call_command("restore", "--from-storage", archive.name, stdout=StringIO())
    with pytest.raises(CommandError, match="对象存储中没有"):
        call_command("restore", "--from-storage", "gxxf-backup-20200101T000000Z.tar.gz")


@pytest.mark.parametrize(
    ("failure", "said"),
    [("outage", "对象存储拒绝了请求（SlowDown"), ("stall", "连接对象存储超时")],
)
def test_an_outage_keeps_the_local_archive_and_a_later_run_uploads_it(
    db, store, media_root, tmp_path, caplog, failure, said
):
    if failure == "outage":
        store.outage = True
    else:
        store.stall_seconds = 2.0
    caplog.set_level(logging.ERROR)
    with pytest.raises(CommandError) as refused:
        _backup(tmp_path / "backups")
    message = str(refused.value)
    assert said in message and "复制到对象存储失败" in message
    assert "本地备份已保留" in message and "--upload-pending" in message
    local = sorted((tmp_path / "backups").glob("gxxf-backup-*.tar.gz"))
    assert len(local) == 1 and Path(f"{local[0]}.sha256").is_file()
    assert any("failed" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    assert store.keys(BUCKET) == [] or failure == "stall"  # a stalled PUT may land late

    store.outage, store.stall_seconds = False, 0.0
    printed = _backup(tmp_path / "backups", "--upload-pending")
    assert f"已复制到对象存储并校验：s3://{BUCKET}/gxxf/backups/{local[0].name}" in printed
    assert f"gxxf/backups/{local[0].name}.sha256" in store.keys(BUCKET)


def test_a_copy_the_store_damaged_is_deleted_and_reported(db, store, media_root, tmp_path):
    store.corrupt_uploads = True
    with pytest.raises(CommandError, match="校验值不符，已删除该副本"):
        _backup(tmp_path / "backups")
    assert store.keys(BUCKET) == []
    assert len(list((tmp_path / "backups").glob("gxxf-backup-*.tar.gz"))) == 1


def test_rotation_applies_to_the_copies_in_the_store(store, tmp_path):
    start = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    for day in range(10):
        name = backup.archive_name(start + timedelta(days=day), encrypted=False)
        (tmp_path / name).write_bytes(f"archive {day}".encode())
        digest = hashlib.sha256(f"archive {day}".encode()).hexdigest()
        (tmp_path / f"{name}.sha256").write_text(f"{digest}  {name}\n")
    printed = _backup(tmp_path, "--upload-pending", "--keep-daily", "3")
    assert printed.count("已复制到对象存储并校验") == 10
    kept = [backup.archive_name(start + timedelta(days=d), encrypted=False) for d in range(7, 10)]
    assert sorted(k for k in store.keys(BUCKET) if k.endswith(".tar.gz")) == [
        f"gxxf/backups/{name}" for name in kept
    ]
    assert len(store.keys(BUCKET)) == 6  # with their checksum files
    assert printed.count("已轮换删除对象存储中的") == 7
    assert sorted(p.name for p in tmp_path.glob("*.tar.gz")) == kept


@pytest.mark.django_db(transaction=True)
def test_a_new_installation_is_restored_from_the_store_after_the_server_was_lost(
    store,
    media_root,
    tmp_path,
    fresh_database,  # noqa: F811
):
    import shutil

    printed = _backup(tmp_path / "backups")
    name = Path(printed.splitlines()[0]).name
    shutil.rmtree(tmp_path / "backups")  # the old server and its backup directory are gone
    env = {
        "DATABASE_URL": fresh_database,
        "MEDIA_ROOT": str(tmp_path / "media-restored"),
        "BACKUP_S3_BUCKET": BUCKET,
        "BACKUP_S3_ENDPOINT_URL": store.url,
        "BACKUP_S3_ACCESS_KEY_ID": "test-key",
        "BACKUP_S3_SECRET_ACCESS_KEY": "test-secret",
        "BACKUP_S3_REGION": "cn-south-1",
        "BACKUP_S3_PREFIX": "gxxf/backups",
        "BACKUP_S3_ADDRESSING_STYLE": "path",
    }
    restored = _manage("restore", "--from-storage", name, env=env)
    assert "恢复完成" in restored.stdout
    state = _state(env)
    assert state["tables"] > 0 and state["media"] == ["original_images/a.png"]
