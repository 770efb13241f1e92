"""Static publishing (页面静态化) and tamper detection (网页防篡改), through the front doors.

A portal administrator publishes and unpublishes in the Wagtail admin; the files that appear in
the tree are compared with what an anonymous visitor gets from the application for the same
host and URL (and with the 关怀模式 cookie). Operators run ``publish_static`` and
``verify_static``; the tamper alert is read on the admin dashboard.
"""

from __future__ import annotations

import gzip
import threading
from pathlib import Path

import brotli
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from audit.models import AuditRecord
from cms.factories import ArticlePageFactory
from cms.models import ArticlePage, ArticleShare
from sites.registry import ADMIN_ROLES
from static_publish import layout, rendering, services
from static_publish.models import PublishedFile, TamperAlert
from tests.cms.editor import create

pytestmark = pytest.mark.django_db

SUFFIXES = ("", ".gz", ".br")


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "static-pages"
    with override_settings(STATIC_PUBLISH_ROOT=str(root)):
        yield root


def files_in(root: Path) -> set[str]:
    if not root.exists():
        return set()
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def documents(host: str, *url_paths: str) -> set[str]:
    """The six files of each page: index.html, .gz and .br, in both trees."""
    names = set()
    for url_path in url_paths:
        base, _, number = url_path.partition("?page=")
        name = f"index-{number}.html" if number else "index.html"
        for prefix in ("", "_care/"):
            names.update(f"{prefix}{host}{base}{name}{suffix}" for suffix in SUFFIXES)
    return names


def anonymous(url: str, host: str, care: bool = False) -> bytes:
    client = Client()
    if care:
        client.cookies["care_mode"] = "1"
    response = client.get(url, HTTP_HOST=host)
    assert response.status_code == 200, url
    return response.content


def assert_same_as_dynamic(root: Path, host: str, url_path: str) -> None:
    base, _, number = url_path.partition("?page=")
    name = f"index-{number}.html" if number else "index.html"
    for prefix, care in (("", False), ("_care/", True)):
        html = (root / f"{prefix}{host}{base}{name}").read_bytes()
        assert html == anonymous(url_path, host, care), (url_path, care)
        assert gzip.decompress((root / f"{prefix}{host}{base}{name}.gz").read_bytes()) == html
        assert brotli.decompress((root / f"{prefix}{host}{base}{name}.br").read_bytes()) == html


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def gzdt(portals, code):
    return portals[code].site.root_page.get_children().get(slug="gzdt").specific


# --- incremental publishing -------------------------------------------------------------------


def test_publishing_an_article_rebuilds_exactly_its_files_with_the_dynamic_bytes(
    portals, column, staff, tree, django_capture_on_commit_callbacks
):
    host = portals["nanning"].site.hostname
    admin = as_user(staff("nanning", "admin"))

    with django_capture_on_commit_callbacks(execute=True):
        response = create(admin, column, title="静态发布测试稿", action="publish")
    assert response.status_code == 302
    article = ArticlePage.objects.get(title="静态发布测试稿")
    assert article.live

    # The article, its column's list, its parents up to the home page and the site map.
    expected = documents(host, "/gzdt/gaojian/", "/gzdt/", "/", "/wzdt/")
    assert files_in(tree) == expected
    for url_path in ("/gzdt/gaojian/", "/gzdt/", "/", "/wzdt/"):
        assert_same_as_dynamic(tree, host, url_path)
    assert "静态发布测试稿" in (tree / host / "gzdt/index.html").read_text()
    # Every file is in the manifest with its SM3 digest and size.
    rows = {row.path: row for row in PublishedFile.objects.all()}
    assert set(rows) == expected
    page_html = (tree / host / "gzdt/gaojian/index.html").read_bytes()
    row = rows[f"{host}/gzdt/gaojian/index.html"]
    assert row.digest == services.sm3(page_html) and row.size == len(page_html)
    assert row.page_id == article.pk and bytes(row.content) == page_html


def test_an_article_approved_through_the_three_reviews_is_published_when_the_last_one_approves(
    portals, column, staff, tree, django_capture_on_commit_callbacks
):
    """三审: the editor submits, 初审 and 复审 approve (nothing is written yet), 终审 approves and
    the files appear, with the bytes a visitor gets."""
    host = portals["nanning"].site.hostname
    with django_capture_on_commit_callbacks(execute=True):
        response = create(
            as_user(staff("nanning", "editor")), column, title="三审静态稿", action="submit"
        )
    assert response.status_code == 302
    article = ArticlePage.objects.get(title="三审静态稿")

    def approve(user):
        state = ArticlePage.objects.get(pk=article.pk).current_workflow_task_state
        url = reverse("wagtailadmin_pages:workflow_action", args=[article.pk, "approve", state.pk])
        with django_capture_on_commit_callbacks(execute=True):
            return as_user(user).post(url, {"comment": ""})

    for user in (staff("nanning", "reviewer"), staff("nanning", "reviewer")):
        assert approve(user).status_code in (200, 302)
        assert files_in(tree) == set()  # not live yet: nothing is published
    assert approve(staff("nanning", "approver")).status_code in (200, 302)
    assert ArticlePage.objects.get(pk=article.pk).live
    assert files_in(tree) == documents(host, "/gzdt/gaojian/", "/gzdt/", "/", "/wzdt/")
    assert_same_as_dynamic(tree, host, "/gzdt/gaojian/")


def test_unpublishing_removes_the_article_from_every_list_page_and_the_receiving_portal(
    portals, staff, tree, django_capture_on_commit_callbacks
):
    nanning, liuzhou = gzdt(portals, "nanning"), gzdt(portals, "liuzhou")
    with django_capture_on_commit_callbacks(execute=True):  # set up, then published in full
        nanning.page_size = 2
        nanning.save(update_fields=["page_size"])
        articles = [
            ArticlePageFactory(parent=nanning, title=f"分页稿件{n}", slug=f"fenye-{n}")
            for n in range(5)
        ]
        newest = articles[-1]
        ArticleShare.objects.create(
            article=newest, column=liuzhou, status=ArticleShare.Status.ACCEPTED
        )
    host, other = portals["nanning"].site.hostname, portals["liuzhou"].site.hostname
    services.publish_all([portals["nanning"].site_id, portals["liuzhou"].site_id])
    assert documents(host, "/gzdt/", "/gzdt/?page=2", "/gzdt/?page=3") <= files_in(tree)
    shared = f"/gzdt/shared/{newest.pk}/"
    assert documents(other, shared) <= files_in(tree)
    assert newest.title in (tree / other / "gzdt/index.html").read_text()

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(staff("nanning", "admin")).post(
            reverse("wagtailadmin_pages:unpublish", args=[newest.pk])
        )
    assert response.status_code == 302
    files = files_in(tree)
    # Its page, its shared route under 柳州 and the list page that no longer exists are gone.
    assert not documents(host, f"/gzdt/{newest.slug}/") & files
    assert not documents(other, shared) & files
    assert not documents(host, "/gzdt/?page=3") & files
    assert not PublishedFile.objects.filter(page_id=newest.pk).exists()
    # Every list page that remains shifted and equals the dynamic one; none names it.
    for url_path in ("/gzdt/", "/gzdt/?page=2", "/", "/wzdt/"):
        assert_same_as_dynamic(tree, host, url_path)
    for url_path in ("/gzdt/", "/"):
        assert_same_as_dynamic(tree, other, url_path)
    for name in files:
        if name.endswith(".html"):
            assert newest.title not in (tree / name).read_text(), name
    assert articles[1].title in (tree / host / "gzdt/index-2.html").read_text()


def test_a_footer_change_rebuilds_every_page_of_the_portal(
    portals, staff, tree, django_capture_on_commit_callbacks
):
    site = portals["nanning"].site
    host = site.hostname
    services.publish_all([site.pk])
    before = {n for n in files_in(tree) if n.endswith(".html") and "_errors/503" not in n}
    assert len(before) > 10

    admin = as_user(staff("nanning", "admin"))
    url = reverse("wagtailsettings:edit", args=["portal_sites", "portalsettings", site.pk])
    form = admin.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["sponsor"] = "南宁市信访局（新主办单位名称）"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, data)
    assert response.status_code == 302, response.context["form"].errors

    for name in before:
        assert "新主办单位名称" in (tree / name).read_text(), name
    assert_same_as_dynamic(tree, host, "/gzdt/")
    # Other portals are not touched.
    assert not any(n.startswith(portals["liuzhou"].site.hostname) for n in files_in(tree))


def test_concurrent_writes_of_one_file_never_leave_a_partial_file(tmp_path):
    target = tmp_path / "nanning.localhost" / "gzdt" / "index.html"
    contents = [bytes([65 + n]) * (200_000 + n * 7919) for n in range(6)]
    layout.write_atomic(target, contents[0])
    seen, stop, errors = set(), threading.Event(), []

    def writer(body):
        try:
            for _ in range(30):
                layout.write_atomic(target, body)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def reader():
        while not stop.is_set():
            seen.add(target.read_bytes())

    watching = threading.Thread(target=reader)
    watching.start()
    writers = [threading.Thread(target=writer, args=(body,)) for body in contents]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    watching.join()
    assert not errors
    assert seen <= set(contents) and len(seen) >= 2  # whole files only, old or new
    assert target.read_bytes() in contents
    assert oct(target.stat().st_mode & 0o777) == "0o644"
    assert [p.name for p in target.parent.iterdir()] == ["index.html"]  # no temporary left


# --- what the renders leave alone ---------------------------------------------------------------


def test_internal_renders_are_not_page_views_and_bypass_the_page_cache(portals, column, tree):
    from stats.counting import buffer

    host = portals["nanning"].site.hostname
    assert Client().get("/gzdt/", HTTP_HOST=host)["X-Page-Cache"] == "miss"
    ArticlePageFactory(parent=column, title="缓存之外的新稿件")  # no signal: cache not purged
    assert "缓存之外的新稿件" not in anonymous("/gzdt/", host).decode()  # the cached page
    buffer.take()

    rendered = rendering.render(layout.Target(host, "/gzdt/"))
    assert rendered.publishable and "缓存之外的新稿件" in rendered.body.decode()
    views, _visitors = buffer.take()
    assert not views


# --- tamper detection -------------------------------------------------------------------------


def test_verify_static_finds_changed_deleted_and_added_files_and_repair_restores_them(
    portals, staff, tree, client
):
    site = portals["nanning"].site
    host = site.hostname
    services.execute(services.plan_for(homes=[site.root_page_id]))
    home = tree / host / "index.html"
    original_home, original_gz = (
        home.read_bytes(),
        (tree / host / "wzdt/index.html.gz").read_bytes(),
    )
    assert call_command("verify_static") is None  # clean

    home.write_bytes(original_home[:-1] + b"X")  # one byte changed
    (tree / host / "wzdt/index.html.gz").unlink()
    (tree / host / "hacked.html").write_text("<p>被篡改</p>")

    with pytest.raises(CommandError, match="发现 3 个文件"):
        call_command("verify_static")
    alert = TamperAlert.objects.get()
    assert {(f["path"], f["problem"]) for f in alert.findings} == {
        (f"{host}/index.html", "changed"),
        (f"{host}/wzdt/index.html.gz", "missing"),
        (f"{host}/hacked.html", "unexpected"),
    }
    assert alert.resolved_at is None and not alert.repaired
    record = AuditRecord.objects.get(action="static.tamper_detected")
    assert record.portal == "nanning" and record.details["count"] == 3

    # The alert is on the dashboard of the portal's administrators and the system's, not others'.
    root = get_user_model().objects.create_superuser("root-static", password="Pw-root-static-2026")
    system_admin = get_user_model().objects.create_user("sysadmin-static", password="Pw-x-2026")
    system_admin.groups.add(Group.objects.get(name=ADMIN_ROLES["system"]))
    for user in (staff("nanning", "admin"), root, system_admin):
        page = as_user(user).get(reverse("wagtailadmin_home")).content.decode()
        assert "网页防篡改告警" in page and f"{host}/hacked.html" in page
    page = as_user(staff("liuzhou", "admin")).get(reverse("wagtailadmin_home")).content.decode()
    assert "网页防篡改告警" not in page

    call_command("verify_static", "--repair")
    assert home.read_bytes() == original_home
    assert (tree / host / "wzdt/index.html.gz").read_bytes() == original_gz
    assert not (tree / host / "hacked.html").exists()

    call_command("verify_static")  # clean again: the alerts are lifted
    assert not TamperAlert.objects.filter(resolved_at__isnull=True).exists()
    page = as_user(root).get(reverse("wagtailadmin_home")).content.decode()
    assert "网页防篡改告警" not in page


def test_publish_static_writes_the_portal_and_check_reports_a_difference(portals, tree):
    from io import StringIO

    host = portals["nanning"].site.hostname
    out = StringIO()
    call_command("publish_static", "--site", "nanning", stdout=out)
    assert "写入" in out.getvalue() and "用时" in out.getvalue()
    assert {f"{host}/_errors/404.html", f"{host}/_errors/503.html"} <= files_in(tree)
    assert_same_as_dynamic(tree, host, "/wza/")
    call_command("publish_static", "--site", "nanning", "--check", stdout=StringIO())

    (tree / host / "gzdt/index.html").write_text("旧内容")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("publish_static", "--site", "nanning", "--check", stdout=out)
    assert f"{host}/gzdt/index.html（内容不同）" in out.getvalue()
    assert (tree / host / "gzdt/index.html").read_text() == "旧内容"  # --check writes nothing


@override_settings(STATIC_PUBLISH_ROOT="")
def test_with_static_publishing_off_nothing_is_written(
    portals, column, staff, tmp_path, django_capture_on_commit_callbacks
):
    admin = as_user(staff("nanning", "admin"))
    with django_capture_on_commit_callbacks(execute=True):
        create(admin, column, title="未启用静态发布", action="publish")
    assert ArticlePage.objects.get(title="未启用静态发布").live
    assert not PublishedFile.objects.exists()
    assert not list(tmp_path.iterdir())
    with pytest.raises(CommandError, match="STATIC_PUBLISH_ROOT"):
        call_command("publish_static")


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishes_of_one_page_leave_whole_files_that_match_the_manifest(tree):
    """Workers storing the same document at once (PostgreSQL row locks): every read of the file
    sees one whole version, and at the end the file on disk is the one the manifest describes."""
    from django.db import connection, connections
    from django.utils import timezone

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks (runs in CI with DATABASE_URL)")
    target = layout.Target("nanning.localhost", "/gzdt/")
    bodies = [(f"<html>{n}</html>" * (20_000 + 997 * n)).encode() for n in range(4)]
    path = tree / "nanning.localhost/gzdt/index.html"
    seen, stop, errors = set(), threading.Event(), []

    def publish(body):
        try:
            for _ in range(5):
                services.store(target, False, body, None, timezone.now(), services.Summary())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def reader():
        while not stop.is_set():
            if path.exists():
                seen.add(path.read_bytes())

    watching = threading.Thread(target=reader)
    watching.start()
    workers = [threading.Thread(target=publish, args=(body,)) for body in bodies]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    stop.set()
    watching.join()
    assert not errors
    assert seen and seen <= set(bodies)
    row = PublishedFile.objects.get(path="nanning.localhost/gzdt/index.html")
    assert row.digest == services.sm3(path.read_bytes()) and bytes(row.content) == path.read_bytes()
    gz = PublishedFile.objects.get(path="nanning.localhost/gzdt/index.html.gz")
    assert gzip.decompress((tree / gz.path).read_bytes()) == path.read_bytes()
    assert call_command("verify_static") is None


def test_moving_and_deleting_an_article_remove_its_old_files_and_update_both_columns(
    portals, column, staff, tree, django_capture_on_commit_callbacks
):
    site = portals["nanning"].site
    host = site.hostname
    notices = site.root_page.get_children().get(slug="tzgg").specific
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticlePageFactory(parent=column, title="将要移动的稿件", slug="yidong")
    services.execute(services.plan_for(changed=[article.pk]))
    assert documents(host, "/gzdt/yidong/") <= files_in(tree)
    admin = as_user(staff("nanning", "admin"))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("wagtailadmin_pages:move_confirm", args=[article.pk, notices.pk])
        )
    assert response.status_code == 302
    files = files_in(tree)
    assert not documents(host, "/gzdt/yidong/") & files  # the old address answers a redirect
    assert documents(host, "/tzgg/yidong/", "/tzgg/", "/gzdt/") <= files
    for url_path in ("/tzgg/yidong/", "/tzgg/", "/gzdt/"):
        assert_same_as_dynamic(tree, host, url_path)
    assert "将要移动的稿件" not in (tree / host / "gzdt/index.html").read_text()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("wagtailadmin_pages:delete", args=[article.pk]))
    assert response.status_code == 302
    files = files_in(tree)
    assert not documents(host, "/tzgg/yidong/") & files
    assert not PublishedFile.objects.filter(page_id=article.pk).exists()
    assert_same_as_dynamic(tree, host, "/tzgg/")
    assert "将要移动的稿件" not in (tree / host / "tzgg/index.html").read_text()


def test_a_campaign_that_ended_leaves_the_published_home_page_after_the_midnight_job(
    portals, tree, monkeypatch, django_capture_on_commit_callbacks
):
    """The home page lists open campaigns by the calendar; nothing is saved at midnight, so the
    campaign job (refresh_campaign_pages) is what rebuilds the published home page."""
    from datetime import datetime, time, timedelta
    from io import StringIO

    from django.utils import timezone

    from backend_bridge.models import SuggestionCampaign

    def at(moment):
        aware = timezone.make_aware(moment)
        monkeypatch.setattr(timezone, "now", lambda: aware)

    def job():
        with django_capture_on_commit_callbacks(execute=True):
            call_command("periodic", "campaign-pages", "refresh_campaign_pages", stdout=StringIO())

    host = portals["nanning"].site.hostname
    today = timezone.localdate()
    at(datetime.combine(today, time(9, 0)))
    with django_capture_on_commit_callbacks(execute=True):
        SuggestionCampaign.objects.create(
            portal=portals["nanning"],
            title="乡村振兴金点子",
            start_date=today - timedelta(days=5),
            end_date=today,
        )
    home = tree / host / "index.html"
    assert "乡村振兴金点子" in home.read_text()
    liuzhou_home = tree / portals["liuzhou"].site.hostname / "index.html"
    assert not liuzhou_home.exists()  # only the campaign's portal was rebuilt

    at(datetime.combine(today + timedelta(days=1), time(0, 6)))
    job()
    assert "乡村振兴金点子" not in home.read_text()
    assert home.read_bytes() == anonymous("/", host)
