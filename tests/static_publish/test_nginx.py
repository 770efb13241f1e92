"""nginx in front of the application with static publishing on (issue 15), the way a web host runs
it: Debian's nginx with deploy/nginx (optional/static_publish.conf linked into snippets/, paths,
ports and the portals' domain adapted to the test's folders), the live test server as the web
node, and the tree that ``manage.py publish_static`` writes. nginx sends anonymous pages
from the tree byte for byte as the application would, with the same headers, and leaves
everything dynamic to the application; a missing file goes to the application; with the
application down it sends the portal's published 503 page.

Skipped where nginx is not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import gzip
import http.client
import re
import socket
import ssl
import subprocess
import time
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.operations.test_deploy import NGINX, _free_port, _nginx_prefix

DEPLOY = Path(settings.BASE_DIR) / "deploy" / "nginx"
HOST = f"nanning.{settings.PORTAL_DOMAIN}"
# The headers an anonymous page carries, the application's and nginx's alike (HSTS is nginx's).
SECURITY_HEADERS = (
    "content-type",
    "content-security-policy",
    "referrer-policy",
    "x-content-type-options",
    "x-frame-options",
    "permissions-policy",
    "cross-origin-opener-policy",
    "content-language",
)
# Skipped before any fixture runs (no database flushed and seeded for nothing).
needs_nginx = pytest.mark.skipif(
    not Path(NGINX).exists(),
    reason="nginx is not installed (apt-get install nginx); .ci/run installs it",
)
DECOY = b"<!doctype html><title>DECOY</title>served from the tree"


def _production_csp(settings) -> None:
    """The policy the application sends in production (HTTPS on), which nginx copies."""
    directives = dict(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])
    directives["upgrade-insecure-requests"] = True
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": directives}


def _headers_of(response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.getheaders()}


def _policy(value: str) -> set[str]:
    """A CSP as a set of directives: django-csp writes them in no fixed order."""
    return {" ".join(part.split()) for part in value.split(";") if part.strip()}


def _comparable(headers: dict[str, str]) -> dict:
    found = {name: headers.get(name) for name in SECURITY_HEADERS}
    found["content-security-policy"] = _policy(found["content-security-policy"] or "")
    return found


class Stack:
    """nginx (HTTPS on a free port) in front of ``upstream``, with the published tree."""

    def __init__(self, tmp_path: Path, upstream: str):
        self.tmp_path = tmp_path
        self.port = _free_port()
        main = _nginx_prefix(
            tmp_path, http_port=_free_port(), https_port=self.port, upstream=upstream
        )
        site = tmp_path / "etc/nginx/gxxf"
        (site / "snippets/static_publish.conf").symlink_to("../optional/static_publish.conf")
        # The test's portals answer at <code>.localhost (PORTAL_DOMAIN), not <code>.gxxf.gov.cn.
        conf = site / "gxxf.conf"
        conf.write_text(
            conf.read_text(encoding="utf-8").replace("gxxf.gov.cn", settings.PORTAL_DOMAIN),
            encoding="utf-8",
        )
        self.root = tmp_path / "srv/published"
        self.root.mkdir(parents=True)
        self.logs = tmp_path / "logs"
        self.process = subprocess.Popen(
            [NGINX, "-p", str(tmp_path), "-c", str(main), "-e", str(self.logs / "e.log")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.process.stderr.read().decode()) from None
                time.sleep(0.1)
        raise RuntimeError("nginx did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(10)

    def request(self, path, *, method="GET", headers=None, body=None, host=HOST):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=context, timeout=10
        )
        connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        response.body = response.read()
        connection.close()
        return response

    def file(self, relative: str) -> Path:
        return self.root / relative

    def write(self, relative: str, content: bytes) -> None:
        """A file and its .gz as the static_publish app writes them."""
        path = self.file(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        Path(f"{path}.gz").write_bytes(gzip.compress(content, mtime=0))

    def published_log(self) -> list[str]:
        path = self.logs / "gxxf.published.log"
        return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def _from_application(port: int, path: str, cookie: str = ""):
    """What the application sends an anonymous visitor (no session cookie) for this URL."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
    if cookie:
        headers["Cookie"] = cookie
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    assert response.status == 200, (path, response.status)
    return response


def _tree_file(path_and_query: str, care: bool) -> str:
    """The layout contract (static_publish): <host>/<path>index.html, index-N.html, _care/."""
    parts = urlsplit(path_and_query)
    page = re.fullmatch(r"page=(\d+)", parts.query)
    name = f"index-{page[1]}.html" if page else "index.html"
    return ("_care/" if care else "") + HOST + parts.path + name


@pytest.fixture
def site_pages(portals, column):
    """南宁's 工作动态 column with two pagination pages and an article."""
    from cms.factories import ArticlePageFactory, paragraph

    column.page_size = 2
    column.save_revision().publish()
    articles = [
        ArticlePageFactory(parent=column, slug=f"sp{n}", title=f"静态发布测试稿件{n}")
        for n in range(3)
    ]
    articles[0].body = paragraph("正文。" * 200)
    articles[0].save_revision().publish()
    return {
        "home": "/",
        "column": f"/{column.slug}/",
        "column_page_2": f"/{column.slug}/?page=2",
        "article": urlsplit(articles[0].get_url()).path,
    }


@pytest.fixture
def stack(live_server, site_pages, tmp_path, settings):
    _production_csp(settings)
    app_port = int(live_server.url.rsplit(":", 1)[1])
    running = Stack(tmp_path, f"127.0.0.1:{app_port}")
    # The tree as the application's side writes it (static_publish), for the 南宁 portal.
    settings.STATIC_PUBLISH_ROOT = str(running.root)
    call_command("publish_static", "--site", "nanning", stdout=StringIO())
    for path in site_pages.values():
        for care in (False, True):
            assert running.file(_tree_file(path, care)).is_file(), (path, care)
    running.app_port = app_port
    running.pages = site_pages
    yield running
    running.stop()


# Each test with the live server flushes the database and seeds the portals again (half a
# minute on a busy machine): these tests check several requests each.
@pytest.mark.django_db(transaction=True)
@needs_nginx
def test_nginx_sends_anonymous_pages_from_the_tree_as_the_application_would(stack):
    for name, path in stack.pages.items():
        served = stack.request(path)
        application = _from_application(stack.app_port, path)
        assert served.status == 200, name
        assert served.getheader("X-Static") == "1", name  # nginx sent it, not the application
        assert "X-Page-Cache" not in _headers_of(served)
        assert served.body == application.body, name
        assert _comparable(_headers_of(served)) == _comparable(_headers_of(application)), name
        assert served.getheader("Cache-Control") == "no-cache"
        assert served.getheader("Strict-Transport-Security") == "max-age=31536000"
        assert served.getheader("ETag") and served.getheader("Last-Modified")
    assert len(stack.published_log()) == len(stack.pages)
    # The pages nginx falls back on while the application is down are in the tree too.
    assert stack.file(f"{HOST}/_errors/503.html").is_file()
    assert stack.file(f"_care/{HOST}/_errors/503.html").is_file()
    # ?page=2 is index-2.html beside the column's index.html.
    column = stack.pages["column"]
    assert stack.request(f"{column}?page=2").body != stack.request(column).body
    # 关怀模式: the cookie chooses the _care tree.
    path = stack.pages["article"]
    care = stack.request(path, headers={"Cookie": "csrftoken=x; care_mode=1"})
    plain = stack.request(path, headers={"Cookie": "care_mode=0"})
    assert care.getheader("X-Static") == plain.getheader("X-Static") == "1"
    assert care.body == _from_application(stack.app_port, path, "care_mode=1").body
    assert plain.body == _from_application(stack.app_port, path).body
    assert care.body != plain.body
    # Browsers revalidate (ETag), get the pre-compressed file, and HEAD works.
    again = stack.request(path, headers={"If-None-Match": plain.getheader("ETag")})
    assert again.status == 304 and again.body == b""
    compressed = stack.request(path, headers={"Accept-Encoding": "gzip"})
    assert compressed.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(compressed.body) == plain.body
    assert "Accept-Encoding" in compressed.getheader("Vary", "")
    head = stack.request(path, method="HEAD")
    assert head.status == 200 and head.getheader("X-Static") == "1"
    # A republished page is sent at once: nothing caches it in between.
    stack.write(_tree_file(path, False), plain.body.replace(b"</body>", b"<!-- v2 --></body>"))
    assert b"<!-- v2 -->" in stack.request(path).body


@pytest.mark.django_db(transaction=True)
@needs_nginx
def test_everything_but_anonymous_page_views_goes_to_the_application(stack):
    column = stack.pages["column"]
    # Files nginx must not pick for these requests: if it did, the decoy would show.
    for path in ("/", column, "/search/", "/hdjl/", "/hdjl/xf/", "/admin/", "/api/app/v1/"):
        stack.write(f"{HOST}{path}index.html", DECOY)
    stack.write(_tree_file(f"{column}?page=1", False), DECOY)
    requests = [
        ("GET", f"{column}?page=2&x=1", {}),
        ("GET", f"{column}?page=1", {}),
        ("GET", f"{column}?page=02", {}),
        ("GET", f"{column}?utm_source=wx", {}),
        ("GET", column, {"Cookie": "care_mode=1; sessionid=abc"}),
        ("GET", column, {"Cookie": "sessionid="}),
        ("POST", column, {"Content-Type": "application/x-www-form-urlencoded"}),
        ("GET", "/search/?q=%E4%BF%A1%E8%AE%BF", {}),
        ("GET", "/search/", {}),
        ("GET", "/hdjl/", {}),
        ("GET", "/hdjl/xf/", {}),
        ("GET", "/admin/", {}),
        ("GET", "/api/app/v1/", {}),
    ]
    for method, path, headers in requests:
        body = b"" if method == "POST" else None
        answer = stack.request(path, method=method, headers=headers, body=body)
        assert answer.getheader("X-Static") is None, (method, path, headers)
        assert b"DECOY" not in answer.body, (method, path, headers)
        assert answer.status < 500, (method, path, answer.status)
    assert stack.published_log() == []
    # The search page is the application's own, with the query; a signed-in editor's view is
    # the application's fresh page.
    search = stack.request("/search/?q=%E4%BF%A1%E8%AE%BF")
    assert search.status == 200 and "信访" in search.body.decode()
    signed_in = stack.request(column, headers={"Cookie": "sessionid=abc"})
    assert signed_in.status == 200 and "静态发布测试稿件" in signed_in.body.decode()
    # A page missing from the tree is rendered by the application, and so is its 404.
    path = stack.pages["article"]
    stack.file(_tree_file(path, False)).unlink()
    Path(f"{stack.file(_tree_file(path, False))}.gz").unlink()
    answer = stack.request(path)
    assert answer.status == 200 and answer.getheader("X-Static") is None
    assert answer.body == _from_application(stack.app_port, path).body
    missing = stack.request("/no-such-page/")
    assert missing.status == 404 and missing.getheader("X-Static") is None
    assert "您访问的页面不存在" in missing.body.decode()  # the application's own 404 page


@pytest.mark.django_db(transaction=True)
@needs_nginx
def test_pages_sent_by_nginx_are_counted_once_their_log_is_imported(stack):
    from stats.counting import buffer
    from stats.models import PageViewDaily

    buffer.take()
    for _ in range(3):
        assert stack.request(stack.pages["article"]).getheader("X-Static") == "1"
    stack.request("/search/?q=x")  # the application's: counted by its own middleware, not here
    views, _visitors = buffer.take()
    assert not [key for key in views if key[2] == stack.pages["article"]]
    deadline = time.monotonic() + 5  # nginx writes its log line after the response
    while len(stack.published_log()) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    log = stack.logs / "gxxf.published.log"
    call_command("stats_import_log", str(log), stdout=StringIO())
    call_command("stats_import_log", str(log), stdout=StringIO())  # counted once only
    counted = {row.path: row.views for row in PageViewDaily.objects.all()}
    assert counted == {stack.pages["article"]: 3}


@needs_nginx
def test_the_published_503_page_while_the_application_is_unreachable(tmp_path):
    down = Stack(tmp_path, f"127.0.0.1:{_free_port()}")  # nothing listens there
    try:
        for care in ("", "_care/"):
            down.write(f"{care}{HOST}/_errors/503.html", f"{care}系统维护中 503".encode())
        down.write(_tree_file("/", False), b"<!doctype html>home")
        # Published pages are still sent while the application is down.
        assert down.request("/").body == b"<!doctype html>home"
        for path, cookie, expected in (
            ("/search/?q=1", "", "系统维护中 503"),
            ("/gzdt/sp9/", "", "系统维护中 503"),
            ("/", "sessionid=abc", "系统维护中 503"),
            ("/hdjl/xf/", "care_mode=1", "_care/系统维护中 503"),
        ):
            answer = down.request(path, headers={"Cookie": cookie} if cookie else {})
            assert answer.status == 503, path
            assert answer.body.decode() == expected, path
            assert answer.getheader("Content-Type") == "text/html; charset=utf-8"
            assert answer.getheader("X-Frame-Options") == "DENY"
            assert answer.getheader("Cache-Control") == "no-store"
    finally:
        down.stop()


@needs_nginx
def test_static_and_media_files_are_never_sniffed_and_uploads_never_render_as_pages(tmp_path):
    running = Stack(tmp_path, f"127.0.0.1:{_free_port()}")
    try:
        (tmp_path / "srv/static").mkdir(parents=True, exist_ok=True)
        (tmp_path / "srv/static/portal.css").write_text("body{}")
        media = tmp_path / "srv/media/documents"
        media.mkdir(parents=True)
        (media / "evil.html").write_text("<script>alert(1)</script>")
        (media / "evil.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')
        css = running.request("/static/portal.css")
        assert css.status == 200 and css.getheader("X-Content-Type-Options") == "nosniff"
        assert css.getheader("Strict-Transport-Security") == "max-age=31536000"
        for name in ("evil.html", "evil.svg", "../original_images/a.txt"):
            answer = running.request(f"/media/documents/{name}")
            assert answer.status == 200, name
            assert answer.getheader("X-Content-Type-Options") == "nosniff"
            assert "sandbox" in answer.getheader("Content-Security-Policy")
            assert answer.getheader("Strict-Transport-Security") == "max-age=31536000"
        html = running.request("/media/documents/evil.html")
        assert html.getheader("Content-Type") == "application/octet-stream"
        assert html.getheader("Content-Disposition") == "attachment"
        assert "default-src 'none'" in html.getheader("Content-Security-Policy")
    finally:
        running.stop()


@pytest.mark.django_db
def test_the_headers_nginx_adds_are_the_applications_for_an_anonymous_page(
    client, site_pages, settings
):
    """Runs without nginx too: the header file of the deployment against the application."""
    _production_csp(settings)
    text = (DEPLOY / "optional/static_publish_headers.conf").read_text(encoding="utf-8")
    added = {
        name.lower(): value
        for name, value in re.findall(r'^add_header (\S+) "([^"]*)" always;$', text, re.M)
    }
    response = client.get(site_pages["article"], HTTP_HOST=HOST)
    assert response.status_code == 200
    application = {name: response.headers.get(name) for name in SECURITY_HEADERS}
    application["content-security-policy"] = _policy(application["content-security-policy"])
    nginx = {name: added.get(name) for name in SECURITY_HEADERS if name != "content-type"}
    nginx["content-security-policy"] = _policy(nginx["content-security-policy"])
    application.pop("content-type")
    assert nginx == application


def test_the_maps_leave_to_the_application_what_its_page_cache_leaves_to_it():
    """Runs without nginx too: the prefixes, session cookie and care cookie of the maps are the
    application's (cms.page_cache), so a prefix added there cannot be forgotten here."""
    from cms import page_cache

    text = (DEPLOY / "static_publish_maps.conf").read_text(encoding="utf-8")
    with_slash = re.search(r'"~\^/\(\?:([^)]*)\)/" 0;', text)[1].split("|")
    without = re.search(r'"~\^/\(\?:([^)]*)\)" 0;', text)[1].split("|")
    prefixes = {f"/{p}/" for p in with_slash} | {f"/{p}" for p in without}
    assert prefixes == set(page_cache.EXCLUDED_PREFIXES)
    assert f"(?:^|;)\\s*{settings.SESSION_COOKIE_NAME}=" in text
    assert f"map $cookie_{page_cache.CARE_COOKIE} $gxxf_sp_tree" in text
