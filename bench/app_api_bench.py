"""APP content API benchmark: anonymous article list and detail from the shared cache, uncached,
and a static file of the same size from the same server (wrk); then a sync of 1,000 changes.

Builds its own SQLite database with the demo portals, the APP channel configured and the live
pages put into the APP journal (``app_backfill``), writes static copies of the two JSON answers
(same bytes), then for each scenario starts gunicorn (2 workers, gthread x4) on loopback and loads
it with wrk (1 thread, ``--clients`` connections, keep-alive). Finally 1,000 more articles are
published into the journal and one APP syncs them from its cursor (time, bytes, requests).

    .venv/bin/python bench/app_api_bench.py [--seconds 5] [--clients 8] [--changes 1000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import PY, ROOT, Server, demo_database, environment  # noqa: E402

OUT = ROOT / "bench" / "out" / "app_api"
HOST = "nanning.localhost"
CHANNELS = json.dumps(
    [{"class": "channels.app.channel.AppChannel", "code": "app", "label": "广西信访APP"}]
)


def env_for(extra: dict) -> dict:
    return environment(
        {
            "DATABASE_URL": f"sqlite:///{OUT / 'bench.sqlite3'}",
            "STATIC_ROOT": str(OUT / "static"),
            "CHANNELS": CHANNELS,
            **extra,
        }
    )


def django(code: str, env: dict) -> str:
    return subprocess.run(
        [PY, "-c", f"import django; django.setup()\n{code}"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout


def prepare(env: dict) -> dict:
    manage = demo_database(OUT, env)
    subprocess.run([*manage, "app_backfill"], env=env, check=True, cwd=ROOT)
    found = django(
        "from django.test import Client\n"
        "from channels.app.content import app_articles\n"
        "from sites.models import Portal\n"
        "home = Portal.objects.get(code='nanning').site.root_page\n"
        "a = app_articles().descendant_of(home).order_by('-publish_date').first()\n"
        "c = Client()\n"
        f"lst = c.get('/api/app/v1/articles', {{'site': 'nanning'}}, HTTP_HOST='{HOST}')\n"
        f"det = c.get(f'/api/app/v1/articles/{{a.pk}}', {{'site': 'nanning'}}, HTTP_HOST='{HOST}')\n"
        "assert lst.status_code == det.status_code == 200\n"
        f"open('{OUT}/static/bench-list.json', 'wb').write(lst.content)\n"
        f"open('{OUT}/static/bench-detail.json', 'wb').write(det.content)\n"
        "print(a.pk, len(lst.content), len(det.content))\n",
        env,
    )
    article_id, list_bytes, detail_bytes = (int(x) for x in found.split())
    print(f"article list: {list_bytes} bytes, article detail: {detail_bytes} bytes")
    return {
        "list": "/api/app/v1/articles?site=nanning",
        "detail": f"/api/app/v1/articles/{article_id}?site=nanning",
        "list_static": "/static/bench-list.json",
        "detail_static": "/static/bench-detail.json",
    }


def wrk(port: int, path: str, seconds: float, clients: int) -> dict:
    command = [
        "wrk",
        "-t1",
        f"-c{clients}",
        f"-d{int(seconds)}s",
        "--latency",
        "-H",
        f"Host: {HOST}",
    ]
    text = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", text)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p50.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "rps": rps,
        "p50": float(p50.group(1)) * scale,
        "errors": int(errors.group(1)) if errors else 0,
    }


def get(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Host": HOST})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 200, (response.status, body[:200])
    return body


def sync_changes(env: dict, changes: int) -> tuple[str, float]:
    """``changes`` new articles published into the journal; returns the cursor from before."""
    out = django(
        "import time\n"
        "from channels.app import journal\n"
        "from cms.factories import ArticlePageFactory\n"
        "from sites.models import Portal\n"
        "home = Portal.objects.get(code='nanning').site.root_page\n"
        "column = home.get_children().get(slug='gzdt').specific\n"
        "cursor = journal.changes('nanning', None, journal.MAX_LIMIT)\n"
        "while cursor.has_more:\n"
        "    cursor = journal.changes('nanning', cursor.cursor, journal.MAX_LIMIT)\n"
        f"pages = [ArticlePageFactory(parent=column, title=f'同步测试稿件{{n}}') for n in range({changes})]\n"
        "start = time.perf_counter()\n"
        "for page in pages:\n"
        "    journal.record(page, live=True, revision=None)\n"
        "print(cursor.cursor, time.perf_counter() - start)\n",
        env,
    )
    cursor, seconds = out.split()
    return cursor, float(seconds)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--changes", type=int, default=1000)
    options = parser.parse_args()
    paths = prepare(env_for({}))
    results = {}
    for name, extra, path in (
        ("list, cached", {"PAGE_CACHE_SECONDS": "600"}, paths["list"]),
        ("list, uncached", {"PAGE_CACHE_SECONDS": "0"}, paths["list"]),
        ("list, static file same size", {}, paths["list_static"]),
        ("detail, cached", {"PAGE_CACHE_SECONDS": "600"}, paths["detail"]),
        ("detail, uncached", {"PAGE_CACHE_SECONDS": "0"}, paths["detail"]),
        ("detail, static file same size", {}, paths["detail_static"]),
    ):
        server = Server(env_for(extra))
        try:
            get(server.port, path)  # variants rendered, cache filled
            results[name] = wrk(server.port, path, options.seconds, options.clients)
        finally:
            server.stop()
    print(
        f"gunicorn 2 workers (gthread x4), wrk 1 thread x {options.clients} connections, "
        f"{options.seconds:.0f} s each, cache: local memory"
    )
    print(f"{'scenario':32} {'req/s':>9} {'p50 ms':>8} {'non-2xx':>8}")
    for name, r in results.items():
        print(f"{name:32} {r['rps']:9.0f} {r['p50']:8.2f} {r['errors']:8d}")
    for kind in ("list", "detail"):
        static = results[f"{kind}, static file same size"]["rps"]
        print(
            f"{kind}: cached/static = {results[f'{kind}, cached']['rps'] / static:.2f}, "
            f"uncached/static = {results[f'{kind}, uncached']['rps'] / static:.2f}"
        )

    cursor, write_seconds = sync_changes(env_for({}), options.changes)
    server = Server(env_for({}))
    try:
        start = time.perf_counter()
        total, requests, received = 0, 0, 0
        while True:
            body = get(server.port, f"/api/app/v1/sync?site=nanning&limit=500&cursor={cursor}")
            requests += 1
            total += len(body)
            answer = json.loads(body)
            received += len(answer["changes"])
            cursor = answer["cursor"]
            if not answer["has_more"]:
                break
        elapsed = time.perf_counter() - start
    finally:
        server.stop()
    print(
        f"journal: {options.changes} changes written in {write_seconds:.2f} s "
        f"({write_seconds / options.changes * 1000:.2f} ms each, counter row FOR UPDATE)"
    )
    print(
        f"sync of {received} changes: {elapsed:.2f} s, {requests} requests (limit 500), "
        f"{total} bytes ({total / max(received, 1):.0f} bytes per change)"
    )


if __name__ == "__main__":
    main()
