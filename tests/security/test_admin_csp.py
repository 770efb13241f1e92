"""The admin's Content-Security-Policy as the browser receives it: scripts never 'unsafe-inline',
every inline script of a screen carries the nonce that the header names (a new one per
response), style attributes closed, and public pages (cached whole) without any nonce."""

import re

import pytest

from cms.factories import ArticlePageFactory
from tests.cms.test_pictures import make_image
from tests.security.test_signin_headers import csp_of

pytestmark = pytest.mark.django_db


def inline_scripts(html: str) -> list[str]:
    return [
        tag
        for tag in re.findall(r"<script\b[^>]*>", html)
        if "src=" not in tag and 'type="application/json"' not in tag
    ]


def test_admin_screens_allow_no_inline_script_without_the_nonce(client, staff, column):
    client.force_login(staff("nanning", "editor"))
    for path in ("/admin/", f"/admin/pages/{column.pk}/", "/admin/images/"):
        response = client.get(path, HTTP_HOST="nanning.localhost")
        assert response.status_code == 200, path
        policy = csp_of(response)
        assert "'unsafe-inline'" not in policy["script-src"], path
        assert policy["script-src"][0] == "'self'", path
        assert policy["style-src-attr"] == ["'none'"], path
        nonces = [word for word in policy["script-src"] if word.startswith("'nonce-")]
        scripts = inline_scripts(response.content.decode())
        if not nonces:
            assert scripts == [], (path, scripts)


def test_the_page_editor_gives_its_inline_initialisers_the_headers_nonce(client, staff, column):
    page = ArticlePageFactory(parent=column, slug="nonce")
    client.force_login(staff("nanning", "editor"))
    seen = []
    for _ in range(2):
        response = client.get(f"/admin/pages/{page.pk}/edit/", HTTP_HOST="nanning.localhost")
        assert response.status_code == 200
        nonces = [w for w in csp_of(response)["script-src"] if w.startswith("'nonce-")]
        assert len(nonces) == 1
        nonce = nonces[0][len("'nonce-") : -1]
        # 发布时间 (a date-time widget) and 封面图片 (an image chooser) start from inline scripts.
        scripts = inline_scripts(response.content.decode())
        assert len(scripts) >= 2
        assert all(f'nonce="{nonce}"' in tag for tag in scripts), scripts
        seen.append(nonce)
    assert seen[0] != seen[1]


def test_a_chosen_images_title_cannot_end_the_choosers_script(client, staff, column, portals):
    image = make_image("</script><script>alert(1)</script>", portals["nanning"].collection)
    page = ArticlePageFactory(parent=column, slug="cover", cover_image=image, cover_alt="封面")
    client.force_login(staff("nanning", "editor"))
    response = client.get(f"/admin/pages/{page.pk}/edit/", HTTP_HOST="nanning.localhost")
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.content.decode()


def test_public_pages_carry_no_nonce(client, column):
    ArticlePageFactory(parent=column, slug="plain")
    for path in ("/", "/gzdt/plain/"):
        response = client.get(path, HTTP_HOST="nanning.localhost")
        assert response.status_code == 200, path
        assert "nonce" not in response["Content-Security-Policy"], path
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], path
