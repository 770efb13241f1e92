"""The media pipeline's tools for a portal's editors: only their portal's images and jobs."""

import io

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

from media_pipeline.models import MediaJob

pytestmark = pytest.mark.django_db


def _image(title, collection):
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), (10, 90, 200)).save(buffer, "PNG")
    return get_image_model().objects.create(
        title=title, collection=collection, file=ImageFile(buffer, name=f"{title}.png")
    )


def test_editor_sees_only_own_portals_images_and_variants(client, staff, portals):
    own = _image("南宁媒体图", portals["nanning"].collection)
    other = _image("柳州媒体图", portals["liuzhou"].collection)
    client.force_login(staff("nanning", "editor"))
    listing = client.get("/admin/media-pipeline/images/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "南宁媒体图" in html and "柳州媒体图" not in html
    assert client.get(f"/admin/media-pipeline/images/{own.pk}/").status_code == 200
    assert client.get(f"/admin/media-pipeline/images/{other.pk}/").status_code == 404


def test_editor_sees_only_own_portals_jobs(client, staff):
    colleague = staff("nanning", "reviewer")
    stranger = staff("liuzhou", "editor")
    mine = MediaJob.objects.create(
        kind="compose", profile="wechat_video", title="南宁宣传片", created_by=colleague
    )
    theirs = MediaJob.objects.create(
        kind="compose", profile="wechat_video", title="柳州宣传片", created_by=stranger
    )
    client.force_login(staff("nanning", "editor"))
    html = client.get("/admin/media-pipeline/jobs/").content.decode()
    assert "南宁宣传片" in html and "柳州宣传片" not in html
    assert client.get(f"/admin/media-pipeline/jobs/{mine.pk}/").status_code == 200
    assert client.get(f"/admin/media-pipeline/jobs/{theirs.pk}/").status_code == 404
