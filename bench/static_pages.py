"""Static publishing benchmark (issue 15): nginx sending the published article against nginx
sending an ordinary static file of the same size, and the page cache through gunicorn.

Builds the demo database of bench/pages.py, starts gunicorn (2 workers, gthread x4) and Debian's
nginx with deploy/nginx (optional/static_publish.conf linked into snippets/; plain HTTP on a free
port instead of TLS, paths and the portals' domain adapted), then loads each target with wrk
(keep-alive, 16 connections), all in one run:
  (a) the anonymous article sent by nginx from the published tree,
  (b) nginx sending an ordinary static file of the same size (/static/),
  (c) the page cache through gunicorn directly, and through nginx -> gunicorn,
and prints requests/s, p50 and the ratio (a)/(b) (goal >= 0.7). With the static_publish app's
`publish_static` command present, it also times a full rebuild of the 15 portals and the
incremental rebuild after publishing one article (files rebuilt, seconds); without it, it writes
the article's file from the application's answer and says what it could not measure.

    .venv/bin/python bench/static_pages.py [--seconds 8] [--connections 16] [--threads 2] [--reuse]
"""

import argparse
import gzip
import http.client
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # noqa: E402  (the page benchmark's demo database and gunicorn)

ROOT = pages.ROOT
OUT = pages.OUT.parent / "static_pages"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DOMAIN = "localhost"
HOST = pages.HOST
ARTICLE = pages.ARTICLE


def get(port: int, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Host": HOST, **(headers or {})})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def wrk(port: int, path: str, seconds: float, connections: int, threads: int) -> dict:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{int(seconds)}s",
        "--latency",
        "-H",
        f"Host: {HOST}",
        f"http://127.0.0.1:{port}{path}",
    ]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", text)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "p50": float(p50.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p50.group(2)],
        "errors": int(errors.group(1)) if errors else 0,
    }


class Nginx:
    """deploy/nginx under OUT/nginx, static publishing on, plain HTTP on ``self.port``."""

    def __init__(self, upstream_port: int, static_root: Path, tree: Path):
        prefix = OUT / "nginx"
        if prefix.exists():
            shutil.rmtree(prefix)
        site = prefix / "etc/nginx/gxxf"
        shutil.copytree(ROOT / "deploy" / "nginx", site)
        (prefix / "logs").mkdir()
        self.port = pages.free_port()
        for conf in site.rglob("*.conf"):
            text = conf.read_text(encoding="utf-8")
            text = (
                text.replace("/etc/nginx/gxxf/", f"{site}/")
                .replace("/srv/gxxf/static/", f"{static_root}/")
                .replace("/srv/gxxf/published", str(tree))
                .replace("/srv/gxxf/", f"{prefix}/srv/")
                .replace("/var/log/nginx/", f"{prefix}/logs/")
                .replace("server 127.0.0.1:8000", f"server 127.0.0.1:{upstream_port}")
                .replace("gxxf.gov.cn", DOMAIN)
            )
            # No TLS on loopback: the portals' server listens in plain HTTP, the others go.
            text = re.sub(r"^\s*ssl_\w+ [^\n]*\n", "", text, flags=re.M)
            text = re.sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{self.port};", text)
            text = re.sub(r"listen 443 ssl http2 default_server;", "", text)
            text = re.sub(
                r"listen 80( default_server)?;", f"listen 127.0.0.1:{pages.free_port()}\\1;", text
            )
            conf.write_text(text, encoding="utf-8")
        (site / "snippets/static_publish.conf").symlink_to("../optional/static_publish.conf")
        main = prefix / "nginx.conf"
        user = "user root root;" if os.geteuid() == 0 else ""
        main.write_text(
            f"""
{user}
worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi; uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {site}/gxxf.conf;
}}
""",
            encoding="utf-8",
        )
        self.log = prefix / "logs/gxxf.published.log"
        self.process = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", str(main), "-e", str(prefix / "logs/e.log")]
        )
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                get(self.port, "/static/bench-article.html")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def has_publish_static(env: dict) -> bool:
    result = subprocess.run(
        [pages.PY, str(ROOT / "manage.py"), "help", "publish_static"],
        env=env,
        cwd=ROOT,
        capture_output=True,
    )
    return result.returncode == 0


def tree_files(tree: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in tree.rglob("*") if p.is_file()}


INCREMENTAL = """
import time
import django
django.setup()
from cms.factories import ArticlePageFactory
from sites.models import Portal
column = Portal.objects.get(code="nanning").site.root_page.get_children().get(slug="gzdt").specific
slug = f"bench-static-{int(time.time())}"
article = ArticlePageFactory(parent=column, slug=slug, title="静态发布基准测试稿件", live=False)
started = time.perf_counter()
article.save_revision().publish()
print(time.perf_counter() - started)
"""


def publishing_figures(env: dict, tree: Path) -> list[str]:
    """Full rebuild of the 15 portals and one article's incremental rebuild, if available."""
    if not has_publish_static(env):
        return [
            "full rebuild of the 15 portals: TODO (no `manage.py publish_static` on this branch; "
            "run this script again once the static_publish app is merged)",
            "incremental publish of one article: TODO (same reason)",
        ]
    started = time.perf_counter()
    subprocess.run(
        [pages.PY, str(ROOT / "manage.py"), "publish_static"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    full = time.perf_counter() - started
    before = tree_files(tree)
    seconds = float(
        subprocess.run(
            [pages.PY, "-c", INCREMENTAL],
            env={**env, "TASKS_BACKEND": "immediate"},
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()[-1]
    )
    after = tree_files(tree)
    changed = [p for p, mtime in after.items() if before.get(p) != mtime]
    removed = [p for p in before if p not in after]
    pages_changed = sorted({str(p.relative_to(tree)) for p in changed if p.name.endswith(".html")})
    return [
        f"full rebuild of the 15 portals: {full:.1f} s, {len(before)} files",
        f"incremental publish of one article (publish() with the rebuild task run at once): "
        f"{seconds:.2f} s, {len(pages_changed)} pages rebuilt ({len(changed)} files with .gz/.br), "
        f"{len(removed)} removed",
        *[f"    {name}" for name in pages_changed[:40]],
    ]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the demo database of an earlier run"
    )
    options = parser.parse_args()
    if not Path(NGINX).exists() or not shutil.which("wrk"):
        sys.exit("needs Debian's nginx and wrk (apt-get install nginx wrk)")

    tree = OUT / "published"
    base = {
        "DATABASE_URL": f"sqlite:///{OUT / 'bench.sqlite3'}",
        "STATIC_ROOT": str(OUT / "static"),
        "STATIC_PUBLISH_ROOT": str(tree),
        "PAGE_CACHE_SECONDS": "600",
    }
    env = pages.environment(base)
    if options.reuse and (OUT / "bench.sqlite3").exists():
        shutil.rmtree(tree, ignore_errors=True)
        subprocess.run(
            [pages.PY, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True, cwd=ROOT
        )
    else:
        pages.demo_database(OUT, env)
    tree.mkdir()
    figures = publishing_figures(env, tree)

    server = pages.Server(env)
    nginx = None
    try:
        body = get(server.port, ARTICLE).body
        (OUT / "static" / "bench-article.html").write_bytes(body)
        published = tree / HOST / ARTICLE.strip("/") / "index.html"
        if not published.exists():  # no publish_static: the application's own answer
            published.parent.mkdir(parents=True, exist_ok=True)
            published.write_bytes(body)
            Path(f"{published}.gz").write_bytes(gzip.compress(body))
        nginx = Nginx(server.port, OUT / "static", tree)
        sent = get(nginx.port, ARTICLE)
        assert sent.getheader("X-Static") == "1", "nginx did not send the published file"
        if sent.body != body:
            print("WARNING: the published article differs from the application's answer")
        proxied = get(nginx.port, ARTICLE + "?from=bench")
        assert proxied.status == 200 and proxied.getheader("X-Static") is None
        print(f"article page: {len(body)} bytes; static file: /static/bench-article.html")
        results = {}
        for name, port, path in (
            ("(a) nginx, published article", nginx.port, ARTICLE),
            ("(b) nginx, static file same size", nginx.port, "/static/bench-article.html"),
            ("(c) gunicorn, page cache", server.port, ARTICLE),
            ("(c) nginx -> gunicorn, page cache", nginx.port, ARTICLE + "?from=bench"),
        ):
            for _ in range(20):  # warm up every worker and cache
                get(port, path)
            results[name] = wrk(port, path, options.seconds, options.connections, options.threads)
    finally:
        if nginx:
            nginx.stop()
        server.stop()

    print(
        f"wrk {options.threads} threads x {options.connections} connections (keep-alive), "
        f"{options.seconds:.0f} s each; nginx worker_processes auto; gunicorn 2 workers "
        f"(gthread x4), cache: local memory; {os.cpu_count()} CPUs"
    )
    print(f"{'scenario':36} {'req/s':>9} {'p50 ms':>8} {'non-2xx':>8}")
    for name, r in results.items():
        print(f"{name:36} {r['rps']:9.0f} {r['p50']:8.2f} {r['errors']:8d}")
    a = results["(a) nginx, published article"]["rps"]
    b = results["(b) nginx, static file same size"]["rps"]
    c = results["(c) gunicorn, page cache"]["rps"]
    print(f"ratio (a)/(b) = {a / b:.2f}   (goal >= 0.7)")
    print(f"ratio (a)/(c) = {a / c:.1f}")
    for line in figures:
        print(line)


if __name__ == "__main__":
    main()
