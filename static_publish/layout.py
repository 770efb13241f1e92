"""Where each published page lives in the tree, and how files are written there.

The layout is a contract with the nginx configuration (deploy/nginx, docs/static-publishing.md):

- ``<root>/<hostname>/<url path>index.html`` for a page, ``index-N.html`` beside it for page N
  (N >= 2) of a column's list; ``<root>/_care/<hostname>/...`` for the same page in 关怀模式;
- ``<root>/<hostname>/_errors/404.html`` and ``503.html`` (and under ``_care/``);
- every ``.html`` with a ``.html.gz`` and ``.html.br`` beside it.

Files are written atomically (a temporary file in the same directory, fsync, ``os.replace``) with
mode 0644, directories 0755, so that nginx never sends a half-written page.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import brotli
from django.conf import settings

CARE_DIR = "_care"
ERRORS_DIR = "_errors"
ERROR_STATUSES = (404, 503)
SUFFIXES = {"": "", "gzip": ".gz", "br": ".br"}
TEMP_PREFIX = ".tmp-"


def root() -> Path | None:
    """The tree's root, or None when static publishing is off."""
    value = getattr(settings, "STATIC_PUBLISH_ROOT", "") or ""
    return Path(value) if value else None


def enabled() -> bool:
    return root() is not None


@dataclass(frozen=True, order=True)
class Target:
    """One published document: a page (with its pagination page) or a portal's error page."""

    hostname: str
    url_path: str  # "/xwdt/"; for an error page "/_errors/404/"
    page_number: int = 1
    error: int = 0  # 404 or 503 for a portal's error page

    def html_name(self, care: bool) -> str:
        base = f"{CARE_DIR}/{self.hostname}" if care else self.hostname
        if self.error:
            return f"{base}/{ERRORS_DIR}/{self.error}.html"
        name = "index.html" if self.page_number <= 1 else f"index-{self.page_number}.html"
        return f"{base}{self.url_path}{name}"

    def query_string(self) -> str:
        return f"page={self.page_number}" if self.page_number > 1 else ""


def compress(html: bytes, encoding: str) -> bytes:
    """The pre-compressed variants, the same bytes every time for the same page."""
    if encoding == "gzip":
        return gzip.compress(html, compresslevel=9, mtime=0)
    if encoding == "br":
        quality = getattr(settings, "STATIC_PUBLISH_BROTLI_QUALITY", 11)
        return brotli.compress(html, mode=brotli.MODE_TEXT, quality=quality)
    return html


def variants(html: bytes) -> dict[str, bytes]:
    return {encoding: compress(html, encoding) for encoding in SUFFIXES}


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step: readers see the old file or the new one."""
    path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def remove(path: Path) -> bool:
    """Delete ``path`` and the directories it leaves empty (never the root)."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    top = root()
    parent = path.parent
    while top is not None and parent != top and top in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent
    return True


def walk(top: Path):
    """Every file of the tree, as paths relative to ``top`` with forward slashes."""
    for directory, _dirs, files in os.walk(top):
        for name in files:
            full = Path(directory, name)
            yield full.relative_to(top).as_posix()
