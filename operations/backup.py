"""Backup and restore of a whole installation (备份与恢复、重新部署).

An archive is one tar.gz: ``manifest.json`` first (format, time, database engine, the applied
migrations, the row count of every table and the size and SHA-256 of every member), then the
database (``database.dump`` from ``pg_dump -Fc`` on PostgreSQL; ``database.sqlite3``, a consistent
copy made with SQLite's online backup API), the media files under ``media/`` (read through the
default storage, so object storage works too) and ``config.json``, the settings that are not
secret. Optionally the whole archive is encrypted with SM4-GCM under ``BACKUP_SM4_KEY``
(``…tar.gz.sm4``: magic, nonce, ciphertext, tag); a ``.sha256`` file beside it is in
``sha256sum`` format. Archives are written under a temporary name and renamed when complete, so a
half-written one never looks like a backup.

Restore checks everything before it changes anything: the tag of an encrypted archive, the
sidecar checksum, that every member the manifest lists is there with its size and SHA-256 and
nothing else is, and that the target installation (database and media) is empty. Only then is
anything written, all or nothing: the media are staged beside ``MEDIA_ROOT`` (or uploaded to the
object store), the database is restored, the media are renamed into place and the row counts
compared; a failure at any step takes the database back to empty and removes the media. Outbox items and channel deliveries come back with their state, attempts and remote ids,
so what was delivered is not delivered again.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction

logger = logging.getLogger(__name__)

FORMAT = "gxxf-backup/1"
MAGIC = b"GXXFSM4\x01"
NONCE_BYTES = 12
TAG_BYTES = 16
CHUNK = 1024 * 1024
NAME_RE = re.compile(r"^gxxf-backup-(\d{8}T\d{6}Z)\.tar\.gz(\.sm4)?$")
# Settings worth knowing when rebuilding a host; none of them is a secret.
CONFIG_SETTINGS = (
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "PORTAL_DOMAIN",
    "PORTAL_PORT",
    "PORTAL_SCHEME",
    "TIME_ZONE",
    "LANGUAGE_CODE",
    "PAGE_CACHE_SECONDS",
    "TASKS_BACKEND",
    "WAGTAILADMIN_BASE_URL",
    "CASE_SYSTEM_URL",
    "WECHAT_API_BASE",
    "SMS_PROVIDER",
    "ID_VERIFY_PROVIDER",
    "BRIDGE_LEASE_SECONDS",
    "CHANNELS_LEASE_SECONDS",
)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (zh-hans)."""


@dataclass
class Verified:
    """An archive whose every member checked out, extracted into ``root``."""

    root: Path
    manifest: dict


# --- keys and encryption ------------------------------------------------------------------------


def backup_key(required: bool = False) -> bytes | None:
    raw = getattr(settings, "BACKUP_SM4_KEY", "") or ""
    if not raw:
        if required:
            raise BackupError("备份已加密，但未设置 BACKUP_SM4_KEY，无法解密")
        return None
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        key = b""
    if len(key) != 16:
        raise BackupError("BACKUP_SM4_KEY 必须是 32 个十六进制字符（16 字节）")
    return key


def _encrypt_file(source: Path, target: Path, key: bytes) -> None:
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    with source.open("rb") as plain, target.open("wb") as out:
        out.write(MAGIC + nonce)
        while chunk := plain.read(CHUNK):
            out.write(encryptor.update(chunk))
        out.write(encryptor.finalize() + encryptor.tag)


def _decrypt_file(source: Path, target: Path, key: bytes) -> None:
    size = source.stat().st_size
    with source.open("rb") as sealed:
        header = sealed.read(len(MAGIC) + NONCE_BYTES)
        if len(header) < len(MAGIC) + NONCE_BYTES or not header.startswith(MAGIC):
            raise BackupError("不是本系统的加密备份文件，或文件头已损坏")
        if size < len(header) + TAG_BYTES:
            raise BackupError("加密备份文件不完整")
        sealed.seek(size - TAG_BYTES)
        tag = sealed.read(TAG_BYTES)
        sealed.seek(len(header))
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(header[len(MAGIC) :], tag)).decryptor()
        remaining = size - len(header) - TAG_BYTES
        with target.open("wb") as out:
            while remaining > 0:
                chunk = sealed.read(min(CHUNK, remaining))
                remaining -= len(chunk)
                out.write(decryptor.update(chunk))
            try:
                out.write(decryptor.finalize())
            except InvalidTag:
                raise BackupError("备份文件校验失败：密钥不对，或文件不完整、已被篡改") from None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- what is in a backup ---------------------------------------------------------------------


def _db() -> dict:
    return settings.DATABASES["default"]


def _pg_env() -> dict:
    db = _db()
    env = {**os.environ}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _run(command: list[str], what: str) -> None:
    try:
        result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"找不到 {command[0]}：请安装 postgresql-client") from None
    if result.returncode != 0:
        logger.error("%s failed: %s", what, result.stderr)
        raise BackupError(f"{what}失败：{result.stderr.strip()[-500:]}")


def _dump_database(staging: Path) -> tuple[str, dict[str, int], dict[str, str]]:
    """Dump the database into ``staging``: (file name, rows per table, latest migrations), the
    counts taken from the very state that was dumped."""
    if connection.vendor == "postgresql":
        target = staging / "database.dump"
        # pg_dump reads the snapshot this transaction exported, so the counts match the dump
        # even while the portals keep writing.
        # (Inside an outer transaction, as in a test, the isolation level is already fixed.)
        nested = connection.in_atomic_block
        with transaction.atomic():
            command = ["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(target)]
            if not nested:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    cursor.execute("SELECT pg_export_snapshot()")
                    command.append(f"--snapshot={cursor.fetchone()[0]}")
            tables, migrations = table_counts(), _migrations()
            _run(command + [_db()["NAME"]], "导出数据库（pg_dump）")
        return target.name, tables, migrations
    if connection.vendor == "sqlite":
        target = staging / "database.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)  # consistent even while others write
            names = [
                row[0]
                for row in copy.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            tables = {
                name: copy.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]  # noqa: S608
                for name in sorted(names)
            }
            migrations: dict[str, str] = {}
            for app, name in copy.execute("SELECT app, name FROM django_migrations"):
                migrations[app] = max(migrations.get(app, ""), name)
        finally:
            copy.close()
        return target.name, tables, migrations
    raise BackupError(f"暂不支持备份 {connection.vendor} 数据库")


def _walk(storage, directory: str = ""):
    try:
        folders, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{directory}/{name}" if directory else name
    for folder in folders:
        yield from _walk(storage, f"{directory}/{folder}" if directory else folder)


def _copy_media(staging: Path) -> int:
    count = 0
    static_root = Path(settings.STATIC_ROOT).resolve()
    for name in _walk(default_storage):
        # collectstatic's output may sit under MEDIA_ROOT (tests): it is rebuilt, not restored.
        local = hasattr(default_storage, "path")
        if local and static_root in Path(default_storage.path(name)).resolve().parents:
            continue
        target = staging / "media" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        count += 1
    return count


def table_counts(using: str = "default") -> dict[str, int]:
    """Rows per table: what a restore is compared against."""
    conn = connections[using]
    with conn.cursor() as cursor:
        names = sorted(conn.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(name)}")  # noqa: S608
            counts[name] = cursor.fetchone()[0]
    return counts


def _migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).migration_qs.values_list("app", "name"):
        latest[app] = max(latest.get(app, ""), name)
    return latest


def _config() -> dict:
    return {name: getattr(settings, name, None) for name in CONFIG_SETTINGS}


# --- backup ------------------------------------------------------------------------------------


def archive_name(moment: datetime, encrypted: bool) -> str:
    return f"gxxf-backup-{moment:%Y%m%dT%H%M%SZ}.tar.gz" + (".sm4" if encrypted else "")


def create_backup(dest_dir, *, encrypt: bool | None = None, now: datetime | None = None) -> Path:
    """Write one archive into ``dest_dir`` and return its path (see the module docstring)."""
    dest = Path(dest_dir)
    dest.mkdir(parents=True, exist_ok=True)
    key = backup_key(required=bool(encrypt))
    encrypted = key is not None if encrypt is None else encrypt
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    final = dest / archive_name(moment, encrypted)
    if final.exists():
        raise BackupError(f"{final.name} 已存在")
    with tempfile.TemporaryDirectory(prefix="gxxf-backup-", dir=dest) as tmp:
        staging = Path(tmp) / "staging"
        staging.mkdir()
        database, tables, migrations = _dump_database(staging)
        media_files = _copy_media(staging)
        (staging / "config.json").write_text(
            json.dumps(_config(), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        members = sorted(
            str(p.relative_to(staging).as_posix()) for p in staging.rglob("*") if p.is_file()
        )
        manifest = {
            "format": FORMAT,
            "created_at": moment.isoformat(),
            "database": {"vendor": connection.vendor, "file": database},
            "migrations": migrations,
            "tables": tables,
            "media_files": media_files,
            "files": {
                name: {"size": (staging / name).stat().st_size, "sha256": sha256_of(staging / name)}
                for name in members
            },
        }
        tar_path = Path(tmp) / "archive.tar.gz"
        with tarfile.open(tar_path, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(moment.timestamp())
            tar.addfile(info, io.BytesIO(data))
            for name in members:
                tar.add(staging / name, arcname=name, recursive=False)
        partial = dest / (final.name + ".partial")
        if encrypted:
            _encrypt_file(tar_path, partial, key)
        else:
            shutil.move(tar_path, partial)
        digest = sha256_of(partial)
        partial.rename(final)
    (dest / (final.name + ".sha256")).write_text(f"{digest}  {final.name}\n", encoding="utf-8")
    logger.info(
        "backup written: %s (%d tables, %d media files)",
        final,
        len(manifest["tables"]),
        media_files,
    )
    return final


def _moment(name: str) -> datetime:
    return datetime.strptime(NAME_RE.match(name).group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def keep_names(names, *, daily: int, weekly: int, monthly: int) -> set[str]:
    """Which archive names to keep: the newest of each of the last ``daily`` days, ``weekly`` ISO
    weeks and ``monthly`` months, and always the newest (for local and remote copies alike)."""
    archives = sorted(((_moment(n), n) for n in names if NAME_RE.match(n)), reverse=True)
    if not archives:
        return set()
    keep = {archives[0][1]}
    for count, bucket in (
        (daily, lambda m: m.date()),
        (weekly, lambda m: m.isocalendar()[:2]),
        (monthly, lambda m: (m.year, m.month)),
    ):
        seen = []
        for moment, name in archives:
            label = bucket(moment)
            if label not in seen:
                seen.append(label)
                if len(seen) <= count:
                    keep.add(name)
    return keep


def rotate(dest_dir, *, daily: int, weekly: int, monthly: int, now=None) -> list[Path]:
    """Keep what ``keep_names`` keeps in ``dest_dir``; delete the others. Returns what was
    deleted. The buckets count archives, not calendar days, so a missed day loses nothing."""
    archives = sorted(p for p in Path(dest_dir).iterdir() if NAME_RE.match(p.name))
    keep = keep_names([p.name for p in archives], daily=daily, weekly=weekly, monthly=monthly)
    deleted = []
    for path in sorted(archives, key=lambda p: _moment(p.name), reverse=True):
        if path.name not in keep:
            path.unlink()
            Path(str(path) + ".sha256").unlink(missing_ok=True)
            deleted.append(path)
    return deleted


# --- verify and restore -------------------------------------------------------------------------


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        path = PurePosixPath(member.name)
        if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"备份中有不安全的条目“{member.name}”，已拒绝")
        members.append(member)
    return members


def verify(archive, workdir: Path) -> Verified:
    """Check and extract ``archive`` into ``workdir``; raises ``BackupError`` on any problem."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"找不到备份文件 {archive}")
    sidecar = Path(str(archive) + ".sha256")
    if sidecar.exists():
        expected = sidecar.read_text(encoding="utf-8").split()[0]
        if sha256_of(archive) != expected:
            raise BackupError("备份文件的 SHA-256 与 .sha256 文件不符：文件不完整或已损坏")
    tar_path = archive
    if archive.name.endswith(".sm4") or archive.open("rb").read(len(MAGIC)) == MAGIC:
        tar_path = workdir / "archive.tar.gz"
        _decrypt_file(archive, tar_path, backup_key(required=True))
    root = workdir / "extracted"
    root.mkdir()
    try:
        with tarfile.open(tar_path, "r:gz") as tar:
            tar.extractall(root, members=_safe_members(tar), filter="data")
    except (tarfile.TarError, EOFError, OSError, UnicodeDecodeError) as exc:
        raise BackupError(f"备份文件不完整或已损坏，无法解开（{type(exc).__name__}）") from None
    manifest_path = root / "manifest.json"
    if not manifest_path.is_file():
        raise BackupError("备份中没有 manifest.json，不是完整的备份")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except ValueError:
        raise BackupError("manifest.json 已损坏") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式“{manifest.get('format')}”")
    listed = manifest.get("files", {})
    present = {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p != manifest_path
    }
    missing = sorted(set(listed) - present)
    extra = sorted(present - set(listed))
    if missing:
        raise BackupError(f"备份不完整，缺少 {len(missing)} 个文件（如 {missing[0]}）")
    if extra:
        raise BackupError(f"备份中有清单之外的文件（如 {extra[0]}），已拒绝")
    for name, expected in listed.items():
        path = root / name
        if path.stat().st_size != expected["size"] or sha256_of(path) != expected["sha256"]:
            raise BackupError(f"文件 {name} 的校验值不符：备份已损坏")
    database = manifest.get("database", {})
    if database.get("file") not in listed:
        raise BackupError("备份中没有数据库文件")
    return Verified(root=root, manifest=manifest)


def _target_is_empty() -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _restore_database(verified: Verified) -> None:
    vendor = verified.manifest["database"]["vendor"]
    source = verified.root / verified.manifest["database"]["file"]
    if vendor != connection.vendor:
        raise BackupError(f"备份来自 {vendor} 数据库，当前配置的是 {connection.vendor}，请先改配置")
    if vendor == "postgresql":
        connection.close()
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "-d",
                _db()["NAME"],
                str(source),
            ],
            "恢复数据库（pg_restore）",
        )
        return
    connection.ensure_connection()
    with sqlite3.connect(source) as backup:
        backup.backup(connection.connection)
    backup.close()


def _drop_everything() -> None:
    """Take the target database back to empty (no tables), as it was before the restore."""
    connection.close()
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor, include_views=True)
        if connection.vendor == "postgresql":
            if names:
                quoted = ", ".join(connection.ops.quote_name(n) for n in names)
                cursor.execute(f"DROP TABLE IF EXISTS {quoted} CASCADE")  # noqa: S608
            cursor.execute(
                "SELECT sequence_name FROM information_schema.sequences"
                " WHERE sequence_schema = current_schema()"
            )
            for (sequence,) in cursor.fetchall():
                cursor.execute(f"DROP SEQUENCE IF EXISTS {connection.ops.quote_name(sequence)}")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            views = set(connection.introspection.table_names(cursor, include_views=True)) - set(
                connection.introspection.table_names(cursor)
            )
            for name in names:
                kind = "VIEW" if name in views else "TABLE"
                cursor.execute(f"DROP {kind} IF EXISTS {connection.ops.quote_name(name)}")
            cursor.execute("PRAGMA foreign_keys = ON")


def _media_files(media_root: Path) -> list[Path]:
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.is_dir() else []


class _LocalMedia:
    """Media on the local file system (``MEDIA_ROOT``, often a shared mount): the files are
    staged in a directory beside it, on the same file system, and swapped in by renaming, so the
    media appear whole or not at all."""

    def __init__(self, target: Path):
        self.target = target
        self.staging: Path | None = None
        self.aside: Path | None = None
        self.swapped = False

    def check_empty(self) -> None:
        if self.target.exists() and not self.target.is_dir():
            raise BackupError(f"媒体目录 {self.target} 不是目录")
        if _media_files(self.target):
            raise BackupError(f"媒体目录 {self.target} 中已有文件：恢复只能在空的安装上进行")

    def stage(self, source_root: Path) -> int:
        parent = self.target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.staging = Path(
                tempfile.mkdtemp(prefix=f".{self.target.name}.restore-", dir=parent)
            )
            count = 0
            for path in _media_files(source_root):
                destination = self.staging / path.relative_to(source_root)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, destination)
                count += 1
        except OSError as exc:
            raise BackupError(
                f"无法在 {parent} 准备媒体文件（{exc.strerror or type(exc).__name__}）："
                "请检查磁盘空间和目录权限"
            ) from None
        return count

    def swap(self) -> None:
        try:
            if self.target.exists():
                self.aside = self.target.with_name(f".{self.target.name}.before-restore")
                shutil.rmtree(self.aside, ignore_errors=True)
                os.rename(self.target, self.aside)
            os.rename(self.staging, self.target)
            self.swapped = True
        except OSError as exc:
            raise BackupError(
                f"无法把媒体文件放入 {self.target}（{exc.strerror or type(exc).__name__}）"
            ) from None

    def roll_back(self) -> None:
        if self.swapped:
            shutil.rmtree(self.target, ignore_errors=True)
        if self.aside is not None and self.aside.exists() and not self.target.exists():
            os.rename(self.aside, self.target)
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)

    def finish(self) -> None:
        if self.aside is not None:
            shutil.rmtree(self.aside, ignore_errors=True)


class _StorageMedia:
    """Media in object storage (the default storage is not local): the files are uploaded under
    their names before the database is written and deleted again if anything fails after."""

    def __init__(self, storage):
        self.storage = storage
        self.saved: list[str] = []

    def check_empty(self) -> None:
        if next(_walk(self.storage), None) is not None:
            raise BackupError("媒体存储中已有文件：恢复只能在空的安装上进行")

    def stage(self, source_root: Path) -> int:
        try:
            for path in _media_files(source_root):
                name = path.relative_to(source_root).as_posix()
                with path.open("rb") as handle:
                    saved = self.storage.save(name, File(handle))
                self.saved.append(saved)
                if saved != name:
                    raise BackupError(f"媒体文件 {name} 已存在，目标不是空的安装")
        except BackupError:
            raise
        except Exception as exc:
            raise BackupError(f"上传媒体文件失败（{type(exc).__name__}: {exc}）") from None
        return len(self.saved)

    def swap(self) -> None:
        pass

    def roll_back(self) -> None:
        for name in self.saved:
            try:
                self.storage.delete(name)
            except Exception:  # the operator is told the restore failed; log what stays
                logger.exception("could not delete restored media file %s", name)

    def finish(self) -> None:
        pass


def _media_target():
    from django.core.files.storage import FileSystemStorage

    if isinstance(default_storage, FileSystemStorage):
        return _LocalMedia(Path(default_storage.location))
    return _StorageMedia(default_storage)


def _local_copy(archive, workdir: Path) -> Path:
    """``archive`` itself, or a copy fetched from object storage (``s3://bucket/key``)."""
    if str(archive).startswith("s3://"):
        from . import offsite

        bucket, key = offsite.parse_url(str(archive))
        fetched = workdir / "fetched"
        fetched.mkdir()
        return offsite.fetch(bucket, key, fetched)
    return Path(archive)


def restore(archive, *, verify_only: bool = False) -> dict:
    """Rebuild this (empty) installation from ``archive``; returns what was restored.

    All or nothing: the media are staged first (beside ``MEDIA_ROOT``), then the database is
    written, then the media are swapped in and the row counts compared; any failure on the way
    takes the database back to empty and removes the media, and says so."""
    with tempfile.TemporaryDirectory(prefix="gxxf-restore-") as tmp:
        verified = verify(_local_copy(archive, Path(tmp)), Path(tmp))
        summary = {
            "created_at": verified.manifest["created_at"],
            "tables": len(verified.manifest["tables"]),
            "rows": sum(verified.manifest["tables"].values()),
            "media_files": verified.manifest.get("media_files", 0),
        }
        if verify_only:
            return summary
        if not _target_is_empty():
            raise BackupError("目标数据库不是空的：恢复只能在新建的空数据库上进行，未做任何更改")
        media = _media_target()
        media.check_empty()
        database_written = False
        try:
            media.stage(verified.root / "media")
            database_written = True  # from here on, a failure may have left tables behind
            _restore_database(verified)
            media.swap()
            counts = table_counts()
            expected = verified.manifest["tables"]
            differing = [name for name, rows in expected.items() if counts.get(name) != rows]
            if differing:
                raise BackupError(f"恢复后数据表行数与备份不符：{', '.join(differing[:5])}")
        except Exception as exc:
            media.roll_back()
            if database_written:
                _drop_everything()
            logger.error("restore of %s failed and was rolled back: %s", archive, exc)
            reason = str(exc) if isinstance(exc, BackupError) else f"{type(exc).__name__}: {exc}"
            raise BackupError(f"{reason}；已回滚，数据库和媒体文件保持恢复前的空状态") from None
        media.finish()
        from django.core.cache import caches

        for alias in settings.CACHES:
            caches[alias].clear()
    logger.info("restored %s: %s", archive, summary)
    return summary


def age_of_newest(dest_dir) -> timedelta | None:
    """How old the newest archive in ``dest_dir`` is (for the inspection)."""
    newest = None
    for path in Path(dest_dir).iterdir() if Path(dest_dir).is_dir() else []:
        match = NAME_RE.match(path.name)
        if match:
            moment = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            newest = max(newest or moment, moment)
    return datetime.now(UTC) - newest if newest else None
