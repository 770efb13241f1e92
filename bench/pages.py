"""Page-serving benchmark: cached page vs uncached page vs a static file of the same size.

Starts the application under gunicorn (2 workers) on loopback, loads it from separate client
process, and prints requests/s and p50/p99 latency for:
  (a) a cached anonymous article page,
  (b) the same page with the page cache off,
  (c) a static file of the same size served by the same server (WhiteNoise),
plus the ratios (a)/(c) and (b)/(c). Targets: (a) >= 0.5 x (c); (b) p50 < 50 ms.

    .venv/bin/python bench/pages.py [--seconds 8] [--clients 8] [--redis redis://127.0.0.1:6379/3]
"""

import argparse
import http.client
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "pages"
PY = sys.executable
HOST = "nanning.localhost"
ARTICLE = "/gzdt/a1/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(extra: dict) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings",
            "DJANGO_READ_DOT_ENV": "0",
            "SECRET_KEY": "bench-only-not-secret",
            "DATABASE_URL": f"sqlite:///{OUT / 'bench.sqlite3'}",
            "STATIC_ROOT": str(OUT / "static"),
            "ALLOWED_HOSTS": ".localhost,127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "DEBUG": "0",
            # console SMS and ID providers on loopback (security.checks refuses them otherwise)
            "ALLOW_DEVELOPMENT_PROVIDERS": "1",
        }
    )
    env.update(extra)
    return env


def demo_database(out: Path, env: dict) -> list[str]:
    """A fresh folder with a migrated, demo-seeded database and collected static files, as
    `env` points to them; returns the manage.py command prefix."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    manage = [PY, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [*manage, "seed_portals", "--demo", "--no-admin"],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    return manage


def prepare(env: dict) -> None:
    """A seeded database, collected static files, and a static copy of the article page."""
    demo_database(OUT, env)
    render = (
        "from django.test import Client; import sys;"
        f"r = Client().get('{ARTICLE}', HTTP_HOST='{HOST}'); assert r.status_code == 200, r.status_code;"
        "sys.stdout.buffer.write(r.content)"
    )
    body = subprocess.run(
        [PY, "-c", f"import django; django.setup(); {render}"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    ).stdout
    (OUT / "static" / "bench-article.html").write_bytes(body)
    print(f"article page: {len(body)} bytes")


class Server:
    def __init__(self, env: dict):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                PY,
                "-m",
                "gunicorn",
                "cms.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                fetch(self.port, "/healthz", HOST)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def fetch(port: int, path: str, host: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": host})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def client_loop(port, path, seconds, latencies, errors):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        try:
            ok = fetch(port, path, HOST) == 200
        except OSError:
            ok = False
        latencies.append(time.perf_counter() - start)
        if not ok:
            errors.append(1)


def load_process(port, path, seconds, clients, queue):
    """The load generator: one process (not the server's), `clients` concurrent connections."""
    latencies, errors = [], []
    threads = [
        threading.Thread(target=client_loop, args=(port, path, seconds, latencies, errors))
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((latencies, len(errors)))


def load(port: int, path: str, seconds: float, clients: int) -> dict:
    for _ in range(20):  # warm up every worker and cache
        fetch(port, path, HOST)
    queue = multiprocessing.Queue()
    process = multiprocessing.Process(
        target=load_process, args=(port, path, seconds, clients, queue)
    )
    process.start()
    latencies, errors = queue.get()
    process.join()
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": errors,
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--redis", default="", help="use this Redis as the cache (default: local memory)"
    )
    options = parser.parse_args()
    base = {"REDIS_URL": options.redis} if options.redis else {}
    prepare(environment(base))
    results = {}
    for name, extra, path, clients in (
        ("(a) cached article", {"PAGE_CACHE_SECONDS": "600"}, ARTICLE, options.clients),
        ("(b) uncached article", {"PAGE_CACHE_SECONDS": "0"}, ARTICLE, options.clients),
        # One connection per worker: the latency of a render without queueing behind others.
        ("(b) uncached, 2 connections", {"PAGE_CACHE_SECONDS": "0"}, ARTICLE, 2),
        (
            "(c) static file, same size",
            {"PAGE_CACHE_SECONDS": "600"},
            "/static/bench-article.html",
            options.clients,
        ),
    ):
        server = Server(environment({**base, **extra}))
        try:
            results[name] = load(server.port, path, options.seconds, clients)
        finally:
            server.stop()
    cache = "redis" if options.redis else "local memory"
    print(
        f"gunicorn 2 workers (gthread x4), 1 client process x {options.clients} connections, {options.seconds:.0f} s each, cache: {cache}"
    )
    print(f"{'scenario':32} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, r in results.items():
        print(f"{name:32} {r['rps']:9.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['errors']:7d}")
    static = results["(c) static file, same size"]["rps"]
    print(f"ratio (a)/(c) = {results['(a) cached article']['rps'] / static:.2f}   (target >= 0.5)")
    print(f"ratio (b)/(c) = {results['(b) uncached article']['rps'] / static:.2f}")
    print(
        f"(b) p50 = {results['(b) uncached article']['p50']:.1f} ms with {options.clients} connections, "
        f"{results['(b) uncached, 2 connections']['p50']:.1f} ms with 2   (target < 50 ms)"
    )


if __name__ == "__main__":
    main()
