"""Portal pictures come from media_pipeline profiles, with each portal's own watermark."""

import io

import pytest
from django.core.files.images import ImageFile
from django.template import Context, Template
from PIL import Image as PILImage
from wagtail.images import get_image_model

from cms.factories import ArticlePageFactory
from sites.models import PortalSettings

pytestmark = pytest.mark.django_db


def make_image(title, collection, size=(1600, 1000), color=(40, 120, 200), mode="RGB"):
    buffer = io.BytesIO()
    PILImage.new(mode, size, color).save(buffer, "PNG")
    return get_image_model().objects.create(
        title=title,
        collection=collection,
        file=ImageFile(io.BytesIO(buffer.getvalue()), name=f"{title}.png"),
    )


def render(image, profile="portal_article", alt="说明"):
    return Template("{% load portal_media %}{% picture image profile alt=alt %}").render(
        Context({"image": image, "profile": profile, "alt": alt})
    )


def test_picture_offers_webp_widths_with_a_jpeg_fallback(portals):
    html = render(make_image("照片", portals["nanning"].collection))
    assert '<source type="image/webp"' in html
    assert " 480w" in html and " 960w" in html and " 1440w" in html
    fallback = html.split("<img", 1)[1]
    assert ".jpg" in fallback.split(" srcset=")[0] or ".jpeg" in fallback.split(" srcset=")[0]
    assert 'alt="说明"' in html and 'width="1440"' in html


def test_article_cover_uses_the_portal_article_profile(client, portals, column):
    image = make_image("封面", portals["nanning"].collection)
    ArticlePageFactory(parent=column, slug="cover", cover_image=image, cover_alt="封面说明")
    html = client.get("/gzdt/cover/", HTTP_HOST="nanning.localhost").content.decode()
    assert "<picture>" in html and "portal_article" in html and 'alt="封面说明"' in html


def corner_pixel(variant):
    with variant.file.open("rb") as handle:
        picture = PILImage.open(io.BytesIO(handle.read())).convert("RGB")
    return picture.getpixel((picture.width - 60, picture.height - 60))


def white_logo_watermark(portal) -> PortalSettings:
    """Give the portal an opaque white logo as its watermark; return its footer settings."""
    logo = make_image(
        "标志", portal.collection, size=(400, 200), color=(255, 255, 255, 255), mode="RGBA"
    )
    footer = PortalSettings.for_site(portal.site)
    footer.watermark, footer.watermark_opacity = logo, 1.0
    footer.save()
    return footer


def test_each_portal_watermarks_its_own_images_only(portals):
    from media_pipeline.services import variant

    white_logo_watermark(portals["nanning"])
    nanning = variant(
        make_image("南宁照片", portals["nanning"].collection, color=(0, 0, 0)),
        "portal_article",
        fmt="jpeg",
    )
    liuzhou = variant(
        make_image("柳州照片", portals["liuzhou"].collection, color=(0, 0, 0)),
        "portal_article",
        fmt="jpeg",
    )
    assert sum(corner_pixel(nanning)) > 600  # white logo in the bottom-right corner
    assert sum(corner_pixel(liuzhou)) < 60
    assert (
        sum(
            corner_pixel(
                variant(
                    make_image("南宁缩略", portals["nanning"].collection, color=(0, 0, 0)),
                    "app_thumb",
                )
            )
        )
        < 60
    )


def test_removing_the_watermark_takes_effect_at_once(portals):
    from media_pipeline.services import variant

    footer = white_logo_watermark(portals["nanning"])
    image = make_image("南宁照片2", portals["nanning"].collection, color=(0, 0, 0))
    assert sum(corner_pixel(variant(image, "portal_article", fmt="jpeg"))) > 600
    footer.watermark = None
    footer.save()
    assert sum(corner_pixel(variant(image, "portal_article", fmt="jpeg"))) < 60
