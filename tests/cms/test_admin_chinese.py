"""The admin speaks Chinese: the main Wagtail screens, rendered for an editor, a portal's site
administrator and the login page, carry no untranslated English (visible text, the attributes
people read — placeholders, titles, labels — and the strings Wagtail's JavaScript shows).

Brand names and technical tokens are allowed (``ALLOWED``). When Wagtail's zh_Hans catalogue
leaves a string in English, add it to ``cms/locale/zh_Hans/LC_MESSAGES/django.po`` and run
``make messages``.
"""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db

# Words that stay in Latin letters in a Chinese interface: brands, formats, units, tokens.
ALLOWED = {
    "wagtail",
    "wechat",
    "app",
    "api",
    "url",
    "html",
    "pdf",
    "xlsx",
    "csv",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "svg",
    "id",
    "seo",
    "sms",
    "ip",
    "email",
    "http",
    "https",
    "www",
    "localhost",
    "mb",
    "kb",
    "gb",
    "px",
    "utc",
    "icp",
    "h5",
    "gxxf",
    "otp",
    "ok",
    "javascript",
    "asia",  # Asia/Shanghai, the one time zone offered
    "shanghai",
}
LOGIN_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
# A login name inside a sentence ("“nanning-admin-1”的更多选项") is data too.
LOGIN_NAME_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])[a-z0-9]+(?:-[a-z0-9]+)+(?![A-Za-z0-9])")
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "data-w-tooltip-content-value")
VOID = {"input", "img", "br", "hr", "meta", "link", "source", "area", "col", "embed", "wbr"}
SKIP_CONTENT = {"script", "style", "svg", "template", "code", "pre", "textarea"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
# Interpolation placeholders of translated strings are not text: %(name)s, {name}, %s.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}|%[sd]|\$\{\w+\}")


class Texts(HTMLParser):
    """The text a person reads on the page, without scripts, styles, icons and hidden elements
    (those are filled in by Wagtail's scripts before anyone sees them)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.config: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, skipped) of the open elements
        self._config = False

    def _skipping(self) -> bool:
        return any(skipped for _, skipped in self._open)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in VOID:
            self._open.append((tag, tag in SKIP_CONTENT or "hidden" in attrs))
            self._config = tag == "script" and attrs.get("id") == "wagtail-config"
        if self._skipping() or "hidden" in attrs:
            return
        for name in READ_ATTRIBUTES:
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break
        self._config = False

    def handle_data(self, data):
        if self._config:
            self.config.append(data)
        elif not self._skipping() and data.strip():
            self.texts.append(data.strip())


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def english(html: str) -> set[str]:
    """The texts of the page that contain a word outside ``ALLOWED``."""
    parser = Texts()
    parser.feed(html)
    texts = list(parser.texts)
    for blob in parser.config:
        texts.extend(_strings(json.loads(blob).get("STRINGS", {})))
    found = set()
    for text in texts:
        if LOGIN_NAME.match(text):  # staff's login names are data, not interface text
            continue
        words = [
            w
            for w in WORD.findall(LOGIN_NAME_IN_TEXT.sub("", PLACEHOLDER.sub("", text)))
            if w.lower().strip("'’") not in ALLOWED
        ]
        if words:
            found.add(text[:120])
    return found


def _screens(portals, user_is_admin: bool) -> list[str]:
    from wagtail.models import Page

    home = portals["nanning"].site.root_page
    article_parent = home.get_children().get(slug="gzdt")
    screens = [
        "/admin/",
        f"/admin/pages/{home.pk}/",
        f"/admin/pages/{article_parent.pk}/",
        f"/admin/pages/{home.pk}/edit/",
        f"/admin/pages/{article_parent.pk}/add_subpage/",
        "/admin/pages/search/?q=信访",
        "/admin/images/",
        "/admin/documents/",
        "/admin/account/",
        "/admin/bridge/",
        "/admin/reports/locked/",
        "/admin/workflows/tasks/index/",
    ]
    first_child = Page.objects.get(pk=article_parent.pk).get_children().first()
    if first_child:
        screens.append(f"/admin/pages/{first_child.pk}/edit/")
    if user_is_admin:
        screens += ["/admin/users/", "/admin/groups/", "/admin/sites/"]
    return screens


def _check(client, screens) -> dict[str, set[str]]:
    problems = {}
    for url in screens:
        response = client.get(url)
        if response.status_code != 200:
            continue
        found = english(response.content.decode())
        if found and os.environ.get("ADMIN_ENGLISH_REPORT"):
            name = re.sub(r"\W+", "_", url)
            with open(f"{os.environ['ADMIN_ENGLISH_REPORT']}{name}.html", "wb") as page:
                page.write(response.content)
        if found:
            problems[url] = found
    return problems


def _report(problems: dict[str, set[str]]) -> str:
    """One line per English text, under its screen (empty when all is Chinese)."""
    text = "\n".join(
        f"{url}: {text}" for url, found in sorted(problems.items()) for text in sorted(found)
    )
    if text and os.environ.get("ADMIN_ENGLISH_REPORT"):  # the whole list, for the translator
        with open(os.environ["ADMIN_ENGLISH_REPORT"], "a", encoding="utf-8") as report:
            report.write(text + "\n")
    return text


def test_the_login_page_is_chinese(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert _report({"/admin/login/": english(response.content.decode())}) == ""


def test_the_main_screens_are_chinese_for_an_editor(client, staff, portals, column):
    from cms.factories import ArticlePageFactory, paragraph

    ArticlePageFactory(parent=column, slug="a1", title="工作动态一", body=paragraph("正文。"))
    client.force_login(staff("nanning", "editor"))
    screens = _screens(portals, user_is_admin=False)
    assert client.get(screens[0]).status_code == 200
    assert _report(_check(client, screens)) == ""


def test_the_main_screens_are_chinese_for_a_portal_administrator(client, staff, portals):
    client.force_login(staff("nanning", "admin"))
    assert _report(_check(client, _screens(portals, user_is_admin=True))) == ""


def test_the_probe_finds_english():
    """The check itself can fail: English text, an English placeholder and a JS string count."""
    assert english("<p>Save draft</p>") == {"Save draft"}
    assert english('<input placeholder="Search pages">') == {"Search pages"}
    config = (
        '<script id="wagtail-config" type="application/json">{"STRINGS": {"A": "Saving…"}}</script>'
    )
    assert english(config) == {"Saving…"}
    assert english("<p>保存草稿 PDF</p><script>var x = 'English';</script>") == set()


def test_a_page_in_review_is_chinese_for_its_editor_and_its_reviewer(client, staff, column):
    from tests.cms.editor import create

    editor, reviewer = staff("nanning", "editor"), staff("nanning", "reviewer")
    client.force_login(editor)
    response = create(client, column, title="工作动态待审稿", action="submit")
    assert response.status_code == 302, response.content.decode()[-3000:]
    from wagtail.models import Page

    page = Page.objects.get(title="工作动态待审稿")
    screens = [f"/admin/pages/{page.pk}/edit/", "/admin/", f"/admin/pages/{column.pk}/"]
    problems = _check(client, screens)
    client.force_login(reviewer)
    problems.update({f"{url} (reviewer)": found for url, found in _check(client, screens).items()})
    assert page.specific.workflow_in_progress
    assert _report(problems) == ""
