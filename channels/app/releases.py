"""Release checks of the 广西信访APP (网上信访APP版本更新上线): which version an APP should run.

Administrators keep the versions per platform in the admin (``APP版本管理``); an installed APP asks
:func:`check` with its platform, its own version and optionally its device id. The answer is the
newest published version that applies to that device, whether it is newer than the APP's own
(an optional update) and whether the APP is below a minimum supported version (a forced update).

A staged rollout offers a version to a fixed share of devices first: a device's bucket is a hash
of the release and the device id, so one device gets the same answer on every check and a device
that had the update keeps it when the percentage grows. Without a device id only versions
released to every device are offered.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from channels.models import AppRelease

Platform = AppRelease.Platform
MAX_PARTS = 4
_VERSION = re.compile(r"^\d{1,6}(\.\d{1,6}){0,3}$")
MAX_DEVICE_ID = 128


class ReleaseError(Exception):
    """A request the release check cannot answer: ``code`` and a zh-hans ``message``."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def parse_version(value: str) -> tuple[int, ...]:
    """``"2.3.1"`` as ``(2, 3, 1, 0)``; up to four numeric parts, compared numerically."""
    value = (value or "").strip()
    if not _VERSION.match(value):
        raise ReleaseError(
            "invalid_version", f"版本号“{value[:40]}”格式不正确，应为 2.3.1 这样的数字版本号"
        )
    parts = tuple(int(p) for p in value.split("."))
    return parts + (0,) * (MAX_PARTS - len(parts))


def parse_platform(value: str) -> str:
    if value not in Platform.values:
        raise ReleaseError(
            "unknown_platform",
            f"不支持的平台“{(value or '')[:40]}”，应为 android、ios 或 harmony 之一",
        )
    return value


def in_rollout(release: AppRelease, device_id: str | None) -> bool:
    """Whether ``release`` is offered to this device (stable per device and release)."""
    if release.rollout_percent >= 100:
        return True
    if not device_id or release.rollout_percent <= 0:
        return False
    digest = hashlib.sha256(
        f"{release.platform}:{release.version}:{device_id}".encode()
    ).hexdigest()
    return int(digest[:8], 16) % 100 < release.rollout_percent


@dataclass
class Answer:
    platform: str
    current_version: str
    latest: AppRelease | None
    update_available: bool
    update_required: bool

    def as_dict(self) -> dict:
        latest = self.latest
        return {
            "platform": self.platform,
            "current_version": self.current_version,
            "update_available": self.update_available,
            "update_required": self.update_required,
            "latest": None
            if latest is None
            else {
                "version": latest.version,
                "release_notes": latest.release_notes,
                "download_url": latest.download_url,
                "checksum_sha256": latest.checksum,
                "min_supported_version": latest.min_supported_version,
                "released_at": latest.created_at,
            },
        }


def check(platform: str, version: str, device_id: str | None = None) -> Answer:
    """What an APP of ``platform`` running ``version`` on ``device_id`` should do."""
    platform = parse_platform(platform)
    current = parse_version(version)
    if device_id is not None:
        device_id = device_id.strip()
        if len(device_id) > MAX_DEVICE_ID:
            raise ReleaseError("invalid_device_id", f"设备编号不能超过 {MAX_DEVICE_ID} 个字符")
    offered = [
        r
        for r in AppRelease.objects.filter(platform=platform, published=True)
        if in_rollout(r, device_id)
    ]
    if not offered:
        return Answer(platform, version, None, False, False)
    latest = max(offered, key=lambda r: (parse_version(r.version), r.pk))
    minimum = max(
        (parse_version(r.min_supported_version) for r in offered if r.min_supported_version),
        default=(0,) * MAX_PARTS,
    )
    newer = parse_version(latest.version) > current
    return Answer(platform, version, latest, newer, newer and current < minimum)
