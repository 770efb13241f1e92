"""Counting page views costs the cached page almost nothing: wrk against a cached article with
counting off and on, alternately, in one run; then checks that every request wrk completed was
counted. On a loaded machine wrk's figures swing by tens of percent between runs, so the same
comparison is also made inside one process (the whole WSGI stack, cached article, counting off
and on in alternating blocks of requests, medians), which other load slows equally for both.

    .venv/bin/python bench/stats_counting.py [--seconds 8] [--rounds 2] [--connections 16]

Goal (issue 16): cached throughput with counting on >= 0.9 x with counting off.
"""

import argparse
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # noqa: E402  (the page benchmark's server and demo database)

OUT = pages.OUT.parent / "stats"


def wrk(port: int, seconds: float, connections: int) -> tuple[float, int]:
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{int(seconds)}s",
            "-H",
            f"Host: {pages.HOST}",
            f"http://127.0.0.1:{port}{pages.ARTICLE}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1))
    total = int(re.search(r"(\d+) requests in", result).group(1))
    return rps, total


def counted(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT COALESCE(SUM(views), 0) FROM stats_pageviewdaily WHERE path = ?",
            (pages.ARTICLE,),
        ).fetchone()
    return row[0]


IN_PROCESS = """
import io, statistics, time
import django
django.setup()
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from stats.counting import flush
app = WSGIHandler()
environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "%(path)s", "SERVER_NAME": "%(host)s",
           "SERVER_PORT": "80", "HTTP_HOST": "%(host)s", "wsgi.input": io.BytesIO(),
           "wsgi.url_scheme": "http", "REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "bench"}
def block(n=1000):
    start = time.perf_counter()
    for _ in range(n):
        b"".join(app(dict(environ), lambda *a: None))
    return n / (time.perf_counter() - start)
block(200)
off, on = [], []
for _ in range(%(blocks)d):
    settings.STATS_COUNTING = False
    off.append(block())
    settings.STATS_COUNTING = True
    on.append(block())
flush()
print(statistics.median(off), statistics.median(on))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("需要 wrk（apt-get install wrk）")
    pages.OUT = OUT
    database = OUT / "bench.sqlite3"
    env = pages.environment(
        {"DATABASE_URL": f"sqlite:///{database}", "STATIC_ROOT": str(OUT / "static")}
    )
    pages.demo_database(OUT, env)
    results = {"off": [], "on": []}
    requested_on = 0
    for _ in range(options.rounds):
        for mode in ("off", "on"):
            server = pages.Server(
                {**env, "PAGE_CACHE_SECONDS": "600", "STATS_COUNTING": "1" if mode == "on" else "0"}
            )
            try:
                pages.fetch(server.port, pages.ARTICLE, pages.HOST)  # warm the page cache
                rps, total = wrk(server.port, options.seconds, options.connections)
            finally:
                server.stop()  # workers write their remaining counts as they exit
            results[mode].append(rps)
            if mode == "on":
                requested_on += total + 1
    off, on = statistics.median(results["off"]), statistics.median(results["on"])
    print(
        f"gunicorn 2 workers (gthread x4), wrk 2 threads x {options.connections} connections, "
        f"{options.seconds:.0f} s x {options.rounds} rounds each, cached article {pages.ARTICLE}"
    )
    print(
        f"counting off: {off:9.0f} req/s   (rounds: {', '.join(f'{r:.0f}' for r in results['off'])})"
    )
    print(
        f"counting on:  {on:9.0f} req/s   (rounds: {', '.join(f'{r:.0f}' for r in results['on'])})"
    )
    print(f"ratio on/off = {on / off:.2f}   (target >= 0.9)")
    stored = counted(database)
    print(f"views counted {stored}, requests completed by wrk (+ warm-up) {requested_on}")
    script = IN_PROCESS % {"path": pages.ARTICLE, "host": pages.HOST, "blocks": 15}
    off, on = map(
        float,
        subprocess.run(
            [pages.PY, "-c", script],
            env={**env, "PAGE_CACHE_SECONDS": "600"},
            cwd=pages.ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.split("\n")[-2]
        .split(),
    )
    print(
        f"in one process, whole WSGI stack, 15 alternating blocks of 1000: counting off {off:.0f} "
        f"req/s, on {on:.0f} req/s, ratio on/off = {on / off:.2f}"
    )


if __name__ == "__main__":
    main()
