"""Counting pages that nginx sent from the static tree, from its access log.

The deployment's nginx writes the ``gxxf`` log format, which is nginx's ``combined`` format with
the requested host in front (``deploy/`` configures it)::

    log_format gxxf '$host $remote_addr - $remote_user [$time_local] "$request" '
                    '$status $body_bytes_sent "$http_referer" "$http_user_agent"';

A plain ``combined`` log is read too when ``--host`` says which portal it belongs to. Only what
the middleware would count is counted (GET, status 200, pages rather than assets or APIs), into
the same tables. A file is recognised by its first line, and reading resumes where the previous
import stopped, so importing a growing or rotated log twice counts nothing twice.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from cms import page_cache

from .counting import is_page_path, write

LINE = re.compile(
    r"^(?:(?P<host>[^\s\[]+) )?(?P<ip>[0-9a-fA-F.:]+) \S+ \S+ \[(?P<time>[^\]]+)\] "
    r'"(?P<method>[A-Z]+) (?P<target>\S+)(?: [^"]*)?" (?P<status>\d{3}) \S+ '
    r'"(?:[^"\\]|\\.)*" "(?P<agent>(?:[^"\\]|\\.)*)"'
)
ASSET = re.compile(r"\.(?:css|js|png|jpe?g|gif|svg|webp|ico|woff2?|ttf|map|gz|br|txt|xml|pdf)$")


class LogFormatError(ValueError):
    pass


def _parse_time(value: str):
    return datetime.strptime(value, "%d/%b/%Y:%H:%M:%S %z")


def _fingerprint(path: Path) -> str:
    with path.open("rb") as fh:
        first = fh.readline()
    return hashlib.sha256(first).hexdigest()


def import_log(path: Path, host: str | None = None) -> dict:
    """Count the log's new lines; returns {"lines", "counted", "skipped", "malformed"}."""
    from stats.models import LogImport

    fingerprint = _fingerprint(path)
    with transaction.atomic():
        state, _ = LogImport.objects.select_for_update().get_or_create(
            fingerprint=fingerprint, defaults={"path": str(path)}
        )
        views, visitors = Counter(), set()
        result = {"lines": 0, "counted": 0, "skipped": 0, "malformed": 0}
        with path.open("rb") as fh:
            fh.seek(state.offset)
            for raw in fh:
                if not raw.endswith(b"\n"):  # a line still being written: next time
                    break
                state.offset += len(raw)
                result["lines"] += 1
                match = LINE.match(raw.decode("utf-8", "replace").rstrip("\n"))
                if not match:
                    result["malformed"] += 1
                    continue
                site_id = page_cache.site_id_for_host(match["host"] or host or "")
                target = urlsplit(match["target"]).path or "/"
                if (
                    site_id is None
                    or match["method"] != "GET"
                    or match["status"] != "200"
                    or not is_page_path(target)
                    or ASSET.search(target)
                ):
                    result["skipped"] += 1
                    continue
                target = target.removesuffix("index.html")
                day = timezone.localdate(_parse_time(match["time"]))
                views[(site_id, day, target)] += 1
                # nginx logged the client address it trusted ($remote_addr after real_ip)
                visitors.add((site_id, day, (match["ip"], "", match["agent"][:300])))
                result["counted"] += 1
        write(views, visitors)
        state.path = str(path)
        state.lines += result["counted"]
        state.save()
    if result["lines"] and result["malformed"] == result["lines"]:
        raise LogFormatError(
            f"{path} 中没有一行符合访问日志格式（gxxf 或 combined），请检查 nginx 的 log_format 配置"
        )
    return result
