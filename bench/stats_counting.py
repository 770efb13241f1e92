"""Counting page views costs the cached page almost nothing: wrk against a cached article with
counting off and on, alternately, in one run; then checks that every request wrk completed was
counted.

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


if __name__ == "__main__":
    main()
