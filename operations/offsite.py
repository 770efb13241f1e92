"""Copies of the backups in S3-compatible object storage (备份异地存储).

Configured by ``BACKUP_S3_*`` (docs/operations.md) and reached through django-storages'
``S3Storage`` (boto3), like the media. Each archive is uploaded with its SHA-256 in the object's
metadata and its ``.sha256`` file beside it; after the upload the object is looked at again (size,
the SHA-256 metadata, and the ETag against the MD5 of what was sent, part by part for multipart
uploads), and a copy that does not match is deleted and reported. A failed upload leaves the
local archive in place; ``upload_pending`` (run by every backup, or ``backup DIR
--upload-pending``) uploads whatever the store is still missing. Rotation applies to the remote
copies with the same keep counts. ``fetch`` brings an archive and its checksum file back for a
restore, which then verifies it like any local file.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from django.conf import settings

from .backup import NAME_RE, BackupError, keep_names, sha256_of

logger = logging.getLogger(__name__)

# Parts of a multipart upload: the ETag that the store computes depends on them.
PART_BYTES = 8 * 1024 * 1024


class OffsiteError(BackupError):
    """The object store could not be reached or did not keep a faithful copy."""


def configured() -> bool:
    return bool(getattr(settings, "BACKUP_S3_BUCKET", ""))


def _storage(bucket: str | None = None):
    try:
        from botocore.config import Config
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover - it is a dependency of the project
        raise OffsiteError("未安装 django-storages[s3]，无法使用对象存储") from None
    timeout = settings.BACKUP_S3_TIMEOUT
    return S3Storage(
        bucket_name=bucket or settings.BACKUP_S3_BUCKET,
        endpoint_url=settings.BACKUP_S3_ENDPOINT_URL or None,
        region_name=settings.BACKUP_S3_REGION or None,
        access_key=settings.BACKUP_S3_ACCESS_KEY_ID or None,
        secret_key=settings.BACKUP_S3_SECRET_ACCESS_KEY or None,
        location="",
        file_overwrite=True,
        querystring_auth=False,
        client_config=Config(
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"max_attempts": settings.BACKUP_S3_MAX_ATTEMPTS, "mode": "standard"},
            s3={"addressing_style": settings.BACKUP_S3_ADDRESSING_STYLE},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )


def _client(storage):
    return storage.connection.meta.client


def key_for(name: str) -> str:
    prefix = (settings.BACKUP_S3_PREFIX or "").strip("/")
    return f"{prefix}/{name}" if prefix else name


def _describe(exc: Exception) -> str:
    """What went wrong with the store, for the operator (no secrets: boto3 prints none)."""
    from botocore.exceptions import ClientError, ConnectTimeoutError, ReadTimeoutError

    if isinstance(exc, ConnectTimeoutError | ReadTimeoutError):
        return "连接对象存储超时"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"对象存储拒绝了请求（{error.get('Code', '')} {error.get('Message', '')}）".strip()
    return f"无法连接对象存储（{type(exc).__name__}）"


def _etag_of(path: Path) -> str:
    """The ETag S3 gives ``path`` when uploaded in PART_BYTES parts (or in one piece)."""
    size = path.stat().st_size
    if size <= PART_BYTES:
        return hashlib.md5(path.read_bytes()).hexdigest()  # noqa: S324
    digests = []
    with path.open("rb") as handle:
        while part := handle.read(PART_BYTES):
            digests.append(hashlib.md5(part).digest())  # noqa: S324
    return f"{hashlib.md5(b''.join(digests)).hexdigest()}-{len(digests)}"  # noqa: S324


def upload(archive: Path) -> str:
    """Copy ``archive`` and its ``.sha256`` file to the store and check the copy; returns the key."""
    from boto3.s3.transfer import TransferConfig
    from botocore.exceptions import BotoCoreError, ClientError

    archive = Path(archive)
    sidecar = Path(f"{archive}.sha256")
    digest = (
        sidecar.read_text(encoding="utf-8").split()[0] if sidecar.exists() else sha256_of(archive)
    )
    if sha256_of(archive) != digest:
        raise OffsiteError(f"本地备份 {archive.name} 与其 .sha256 不符，未上传")
    storage = _storage()
    client, bucket, key = _client(storage), storage.bucket_name, key_for(archive.name)
    transfer = TransferConfig(
        multipart_threshold=PART_BYTES, multipart_chunksize=PART_BYTES, max_concurrency=4
    )
    try:
        client.upload_file(
            str(archive),
            bucket,
            key,
            ExtraArgs={"Metadata": {"sha256": digest}},
            Config=transfer,
        )
        head = client.head_object(Bucket=bucket, Key=key)
        faithful = (
            head["ContentLength"] == archive.stat().st_size
            and head.get("Metadata", {}).get("sha256") == digest
            and head["ETag"].strip('"') == _etag_of(archive)
        )
        if not faithful:
            client.delete_object(Bucket=bucket, Key=key)
            raise OffsiteError(
                f"对象存储中的 {key} 与本地备份的校验值不符，已删除该副本；本地备份已保留"
            )
        client.put_object(
            Bucket=bucket,
            Key=f"{key}.sha256",
            Body=f"{digest}  {archive.name}\n".encode(),
            ContentType="text/plain",
        )
    except (BotoCoreError, ClientError) as exc:
        logger.error("upload of %s to s3://%s/%s failed: %s", archive, bucket, key, exc)
        raise OffsiteError(f"{_describe(exc)}，{archive.name} 未能复制到对象存储") from None
    logger.info("backup copied to s3://%s/%s (sha256 %s)", bucket, key, digest)
    return f"s3://{bucket}/{key}"


def remote_names() -> list[str]:
    """Names of the archives in the store (under the prefix)."""
    from botocore.exceptions import BotoCoreError, ClientError

    storage = _storage()
    client, prefix = _client(storage), key_for("")
    names = []
    try:
        for page in client.get_paginator("list_objects_v2").paginate(
            Bucket=storage.bucket_name, Prefix=prefix
        ):
            for item in page.get("Contents", []):
                name = item["Key"][len(prefix) :]
                if NAME_RE.match(name):
                    names.append(name)
    except (BotoCoreError, ClientError) as exc:
        raise OffsiteError(f"{_describe(exc)}，无法列出对象存储中的备份") from None
    return sorted(names)


def upload_pending(dest_dir) -> tuple[list[str], list[str]]:
    """Upload every local archive of ``dest_dir`` that the store does not hold yet, oldest first.
    Returns (uploaded keys, failure messages); stops at the first failure of the store."""
    present = set(remote_names())
    uploaded, failures = [], []
    for path in sorted(Path(dest_dir).iterdir()):
        if NAME_RE.match(path.name) and path.name not in present:
            try:
                uploaded.append(upload(path))
            except OffsiteError as error:
                failures.append(str(error))
                break
    return uploaded, failures


def rotate_remote(*, daily: int, weekly: int, monthly: int) -> list[str]:
    """Apply the local keep counts to the copies in the store; returns the deleted names."""
    from botocore.exceptions import BotoCoreError, ClientError

    names = remote_names()
    keep = keep_names(names, daily=daily, weekly=weekly, monthly=monthly)
    doomed = [name for name in names if name not in keep]
    if not doomed:
        return []
    storage = _storage()
    objects = [{"Key": key_for(n)} for n in doomed] + [
        {"Key": key_for(f"{n}.sha256")} for n in doomed
    ]
    try:
        for start in range(0, len(objects), 1000):
            _client(storage).delete_objects(
                Bucket=storage.bucket_name, Delete={"Objects": objects[start : start + 1000]}
            )
    except (BotoCoreError, ClientError) as exc:
        raise OffsiteError(f"{_describe(exc)}，对象存储中的旧备份未能轮换删除") from None
    return doomed


def parse_url(url: str) -> tuple[str, str]:
    """``s3://bucket/key`` → (bucket, key)."""
    rest = url[len("s3://") :]
    bucket, _, key = rest.partition("/")
    if not bucket or not key:
        raise BackupError(f"对象存储地址“{url}”不对，应为 s3://存储桶/对象名")
    return bucket, key


def fetch(bucket: str | None, key: str, workdir: Path) -> Path:
    """Download an archive (and its ``.sha256`` file, when there is one) into ``workdir``."""
    from botocore.exceptions import BotoCoreError, ClientError

    if not bucket and not configured():
        raise BackupError("未设置 BACKUP_S3_BUCKET，无法从对象存储取回备份")
    storage = _storage(bucket)
    client, bucket = _client(storage), storage.bucket_name
    name = key.rsplit("/", 1)[-1]
    target = workdir / name
    try:
        head = client.head_object(Bucket=bucket, Key=key)
        client.download_file(bucket, key, str(target))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
            raise BackupError(f"对象存储中没有 s3://{bucket}/{key}") from None
        raise OffsiteError(f"{_describe(exc)}，无法取回 s3://{bucket}/{key}") from None
    except BotoCoreError as exc:
        raise OffsiteError(f"{_describe(exc)}，无法取回 s3://{bucket}/{key}") from None
    # The SHA-256 recorded at upload becomes the checksum file that verify() reads.
    digest = head.get("Metadata", {}).get("sha256")
    if digest:
        Path(f"{target}.sha256").write_text(f"{digest}  {name}\n", encoding="utf-8")
    else:
        logger.warning("no SHA-256 recorded on s3://%s/%s", bucket, key)
    logger.info("fetched s3://%s/%s for a restore", bucket, key)
    return target
