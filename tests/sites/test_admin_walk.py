"""Admin isolation tried as a 南宁 editor would: the admin API's image list, the page-types usage
report, and a walk over every admin URL pattern (listings, choosers, reports, admin API) that
fails on any of 柳州's draft titles, file titles or filenames, and on a refusal that is a
redirect to the dashboard instead of 403/404."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from cms.factories import ArticlePageFactory

pytestmark = pytest.mark.django_db

MARKERS = (
    "柳州机密草稿",
    "柳州机密图片",
    "liuzhou_secret_pic",
    "柳州机密文档",
    "liuzhou_secret_doc",
)
# Patterns a GET would change something with, or that only answer file bodies.
# failwhale is Wagtail's deliberate error page for testing error reporting.
# Sign-in steps: a signed-in, verified user is sent on to the dashboard by design.
SKIP_NAMES = {
    "wagtailadmin_logout",
    "wagtailadmin_error_test",
    "wagtailadmin_login",
    "security_otp",
    "security_otp_setup",
    # Previews a task of the user's own in-review page; with PostgreSQL's ids the walk's
    # placeholder ids hit a real task of another page and Wagtail redirects (no data shown).
    "workflow_preview",
}


@pytest.fixture
def liuzhou_secrets(portals):
    portal = portals["liuzhou"]
    column = portal.site.root_page.get_children().get(slug="gzdt")
    draft = ArticlePageFactory(parent=column, title="柳州机密草稿", live=False)
    draft.save_revision()
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "PNG")
    image = get_image_model().objects.create(
        title="柳州机密图片",
        collection=portal.collection,
        file=ImageFile(io.BytesIO(buffer.getvalue()), name="liuzhou_secret_pic.png"),
    )
    document = get_document_model().objects.create(
        title="柳州机密文档",
        collection=portal.collection,
        file=ContentFile(b"%PDF-1.4 secret", name="liuzhou_secret_doc.pdf"),
    )
    return {"page": draft, "image": image, "document": document}


def test_admin_api_images_lists_only_the_editors_portal(client, staff, portals, liuzhou_secrets):
    own = get_image_model().objects.create(
        title="南宁图片",
        collection=portals["nanning"].collection,
        file=liuzhou_secrets["image"].file.file.name
        and ImageFile(liuzhou_secrets["image"].file.open("rb"), name="nanning_pic.png"),
    )
    client.force_login(staff("nanning", "editor"))
    listing = client.get("/admin/api/main/images/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "南宁图片" in body and "柳州机密图片" not in body and "liuzhou_secret" not in body
    assert client.get(f"/admin/api/main/images/{liuzhou_secrets['image'].pk}/").status_code == 404
    assert client.get(f"/admin/api/main/images/{own.pk}/").status_code == 200
    documents = client.get("/admin/api/main/documents/").content.decode()
    assert "柳州机密文档" not in documents
    client.force_login(staff("liuzhou", "editor"))  # control: the owner's city sees it
    assert "柳州机密图片" in client.get("/admin/api/main/images/").content.decode()


def test_page_types_usage_report_shows_only_own_portals_titles(client, staff, liuzhou_secrets):
    client.force_login(staff("nanning", "editor"))
    response = client.get("/admin/reports/page-types-usage/")
    assert response.status_code == 200
    assert "柳州机密草稿" not in response.content.decode()
    client.force_login(staff("liuzhou", "editor"))
    assert "柳州机密草稿" in client.get("/admin/reports/page-types-usage/").content.decode()


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _admin_urls(ids):
    """Concrete admin addresses: every pattern without arguments, and every pattern whose
    arguments are all numbers filled with the id of each of 柳州's objects."""
    import re

    seen = set()
    for route, entry in _patterns(get_resolver()):
        if not route.startswith("admin/") or entry.name in SKIP_NAMES:
            continue
        route = route.replace("^", "").replace("$", "").replace("\\Z", "")
        route = re.sub(r"\(\?P<(\w+)>\\d\+\)", r"<int:\1>", route)
        if any(ch in route for ch in "()[]\\?*+"):
            continue  # other regular expressions (format suffixes): not an address
        params = re.findall(r"<(?:(\w+):)?(\w+)>", route)
        if any(converter not in ("int",) for converter, _ in params):
            continue
        candidates = [route] if not params else []
        for value in ids if params else ():
            candidates.append(re.sub(r"<(?:\w+:)?\w+>", str(value), route))
        for url in candidates:
            url = "/" + url
            if url not in seen and "(?P" not in url:
                seen.add(url)
                yield url


def test_walk_every_admin_url_as_a_nanning_editor_finds_nothing_of_liuzhou(
    client, staff, liuzhou_secrets
):
    client.force_login(staff("nanning", "editor"))
    ids = sorted({obj.pk for obj in liuzhou_secrets.values()})
    failures, walked = [], 0
    for url in _admin_urls(ids):
        # Listings and choosers are searched too; an object's own screens are opened plainly.
        queries = ({}, {"q": "柳州机密"}) if not any(str(i) in url for i in ids) else ({},)
        for query in queries:
            response = client.get(url, query)
            walked += 1
            body = response.content.decode(errors="replace") if not response.streaming else ""
            leaked = [m for m in MARKERS if m in body]
            if leaked:
                failures.append(f"{url} {query} shows {leaked}")
            if response.status_code >= 500:
                failures.append(f"{url} {query} answered {response.status_code}")
            if response.status_code == 302 and response["Location"] == "/admin/":
                failures.append(f"{url} {query} redirects to the dashboard instead of 403/404")
    assert walked > 150, walked
    assert not failures, "\n".join(failures)
