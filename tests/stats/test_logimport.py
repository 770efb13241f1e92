"""Pages nginx served from the static tree are counted from its access log, exactly once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from stats.models import PageViewDaily, VisitorDigest

AGENT = "Mozilla/5.0 (iPhone) 手机"


def line(host, ip, path, status=200, method="GET", when="01/Dec/2026:09:30:00 +0800"):
    return f'{host} {ip} - - [{when}] "{method} {path} HTTP/1.1" {status} 5120 "-" "{AGENT}"\n'


def run(*args):
    call_command("stats_import_log", *args, stdout=StringIO())


@pytest.mark.django_db
def test_log_lines_are_counted_like_the_middleware_counts(tmp_path, portals, column):
    nanning, liuzhou = portals["nanning"], portals["liuzhou"]
    log = tmp_path / "gxxf.log"
    log.write_text(
        line(nanning.site.hostname, "203.0.113.5", "/")
        + line(nanning.site.hostname, "203.0.113.5", "/index.html")
        + line(nanning.site.hostname, "203.0.113.6", f"/{column.slug}/?page=2")
        + line(nanning.site.hostname, "203.0.113.6", "/static/cms/portal.css")
        + line(nanning.site.hostname, "203.0.113.6", "/missing/", status=404)
        + line(nanning.site.hostname, "203.0.113.6", "/search/?q=信访")
        + line(nanning.site.hostname, "203.0.113.6", "/", method="HEAD")
        + line(liuzhou.site.hostname, "198.51.100.1", "/"),
        encoding="utf-8",
    )
    run(str(log))
    counted = {(row.site_id, row.path): row.views for row in PageViewDaily.objects.all()}
    assert counted == {
        (nanning.site_id, "/"): 2,
        (nanning.site_id, f"/{column.slug}/"): 1,
        (liuzhou.site_id, "/"): 1,
    }
    assert PageViewDaily.objects.get(site=nanning.site, path="/").day.isoformat() == "2026-12-01"
    assert VisitorDigest.objects.filter(site=nanning.site).count() == 2


@pytest.mark.django_db
def test_importing_again_counts_only_new_lines(tmp_path, portals):
    host = portals["nanning"].site.hostname
    log = tmp_path / "gxxf.log"
    log.write_text(line(host, "203.0.113.5", "/"), encoding="utf-8")
    run(str(log))
    run(str(log))
    assert PageViewDaily.objects.get(path="/").views == 1
    with log.open("a", encoding="utf-8") as fh:
        fh.write(line(host, "203.0.113.8", "/"))
        fh.write(line(host, "203.0.113.9", "/")[:-20])  # still being written: not yet
    run(str(log))
    assert PageViewDaily.objects.get(path="/").views == 2


@pytest.mark.django_db
def test_combined_format_needs_the_host(tmp_path, portals):
    log = tmp_path / "access.log"
    log.write_text(line("", "203.0.113.5", "/").lstrip(), encoding="utf-8")
    run(str(log), "--host", portals["wuzhou"].site.hostname)
    assert PageViewDaily.objects.get().site_id == portals["wuzhou"].site_id


@pytest.mark.django_db
def test_a_file_that_is_not_an_access_log_is_refused_with_a_reason(tmp_path):
    log = tmp_path / "notes.txt"
    log.write_text("这不是访问日志\n第二行\n", encoding="utf-8")
    with pytest.raises(CommandError, match="log_format"):
        run(str(log))
    with pytest.raises(CommandError, match="找不到日志文件"):
        run(str(tmp_path / "missing.log"))
