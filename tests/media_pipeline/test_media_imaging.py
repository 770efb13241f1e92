"""Image profiles: limits on real-looking inputs, privacy, colour handling and hostile files."""

import dataclasses
import io
import time

import pytest
from media_samples import encode, photo_jpeg, png_bomb
from PIL import Image

from media_pipeline.errors import CorruptMedia, HostileMedia, LimitNotMet, UnsupportedMedia
from media_pipeline.imaging import (
    FocalPoint,
    Limits,
    Watermark,
    check_fits,
    load_image,
    render_image,
)
from media_pipeline.profiles import IMAGE_PROFILES, PROFILES, get_profile

EXPECTED_PROFILES = {
    "portal_article",
    "portal_banner",
    "portal_headline",
    "portal_carousel",
    "topic_banner",
    "app_thumb",
    "app_banner",
    "wechat_cover",
    "wechat_article",
    "wechat_square",
    "wechat_thumb",
    "mp_dish",
    "portal_video",
    "app_video",
    "wechat_video",
}


def test_profile_names_are_exactly_the_agreed_ones():
    assert set(PROFILES) == EXPECTED_PROFILES


def test_wechat_thumb_is_jpeg_under_64kb_and_cover_is_235_to_1():
    thumb, cover = IMAGE_PROFILES["wechat_thumb"], IMAGE_PROFILES["wechat_cover"]
    assert thumb.formats == ("jpeg",) and thumb.max_bytes <= 64 * 1000
    assert cover.width / cover.height == pytest.approx(2.35, abs=0.01)


def test_unknown_profile_names_the_available_ones():
    with pytest.raises(Exception, match="wechat_cover"):
        get_profile("weixin")


@pytest.mark.parametrize("profile_name", sorted(IMAGE_PROFILES))
@pytest.mark.parametrize(
    "input_name",
    [
        "photo_exif_gps",
        "png_alpha",
        "cmyk_jpeg",
        "animated_gif",
        "tall_screenshot",
        "png_16bit",
        "noise",
    ],
)
def test_every_profile_output_meets_its_limits(inputs, profile_name, input_name):
    profile = IMAGE_PROFILES[profile_name]
    for fmt in profile.formats:
        result = render_image(inputs[input_name], profile, fmt=fmt)
        out = Image.open(io.BytesIO(result.data))
        assert out.format.lower() == fmt
        assert out.size == (result.width, result.height)
        assert result.byte_size <= profile.max_bytes
        assert check_fits(profile, out.width, out.height, fmt, result.byte_size) == []


@pytest.mark.parametrize("profile_name", sorted(IMAGE_PROFILES))
def test_variants_carry_no_exif_gps_or_xmp(inputs, profile_name):
    result = render_image(inputs["photo_exif_gps"], IMAGE_PROFILES[profile_name])
    out = Image.open(io.BytesIO(result.data))
    assert len(out.getexif()) == 0
    assert "xmp" not in out.info and "exif" not in out.info
    assert b"GPS" not in result.data and b"TestCam" not in result.data


def test_exif_orientation_is_applied_before_cropping(inputs):
    result = render_image(inputs["photo_rotated"], IMAGE_PROFILES["portal_article"])
    # Stored 1200×900 with orientation 6 is a portrait photo.
    assert result.height > result.width


def test_fixed_profiles_have_exact_size():
    result = render_image(photo_jpeg(), IMAGE_PROFILES["wechat_cover"])
    assert (result.width, result.height) == (900, 383)


def test_focal_point_decides_the_crop():
    im = Image.new("RGB", (2000, 1000), (0, 0, 255))
    im.paste((255, 0, 0), (1800, 400, 1950, 550))
    data = encode(im, "PNG")
    profile = IMAGE_PROFILES["wechat_square"]
    centred = Image.open(io.BytesIO(render_image(data, profile).data)).convert("RGB")
    focused = Image.open(
        io.BytesIO(render_image(data, profile, focal_point=FocalPoint(1875, 475, 150, 150)).data)
    ).convert("RGB")
    assert centred.getpixel((490, 250))[0] < 50
    red = sum(1 for px in focused.getdata() if px[0] > 200 and px[2] < 60)
    assert red > 0.015 * focused.width * focused.height  # the 75×75 px square


def test_portal_article_offers_responsive_widths_and_jpeg_fallback(inputs):
    profile = IMAGE_PROFILES["portal_article"]
    small = render_image(inputs["photo_exif_gps"], profile, width=480, fmt="jpeg")
    assert (small.width, small.format, small.mime_type) == (480, "jpeg", "image/jpeg")
    assert render_image(inputs["photo_exif_gps"], profile).format == "webp"


def test_small_sources_are_never_enlarged_in_free_aspect_profiles():
    result = render_image(photo_jpeg(300, 200), IMAGE_PROFILES["portal_article"])
    assert (result.width, result.height) == (300, 200)


def test_tall_screenshot_is_limited_in_height(inputs):
    result = render_image(inputs["tall_screenshot"], IMAGE_PROFILES["portal_article"])
    assert result.height <= IMAGE_PROFILES["portal_article"].max_height


def test_transparent_png_is_flattened_on_white_for_jpeg(inputs):
    result = render_image(inputs["png_alpha"], IMAGE_PROFILES["app_thumb"])
    out = Image.open(io.BytesIO(result.data))
    assert out.mode == "RGB"
    assert all(c > 240 for c in out.getpixel((2, 2)))


def test_transparent_png_keeps_alpha_in_webp(inputs):
    result = render_image(inputs["png_alpha"], IMAGE_PROFILES["portal_article"])
    assert Image.open(io.BytesIO(result.data)).mode == "RGBA"


def test_cmyk_is_converted_to_rgb_with_the_right_colour(inputs):
    result = render_image(inputs["cmyk_jpeg"], IMAGE_PROFILES["app_thumb"])
    r, g, b = Image.open(io.BytesIO(result.data)).convert("RGB").getpixel((100, 100))
    assert r < 60 and g > 200 and b > 200


def test_cmyk_with_a_mismatched_icc_profile_still_renders(inputs):
    result = render_image(inputs["cmyk_jpeg_bad_icc"], IMAGE_PROFILES["app_thumb"])
    assert result.format == "jpeg"


def test_16bit_grey_keeps_its_tones(inputs):
    result = render_image(inputs["png_16bit"], IMAGE_PROFILES["portal_article"], fmt="jpeg")
    out = Image.open(io.BytesIO(result.data)).convert("L")
    left, right = out.getpixel((5, 100)), out.getpixel((out.width - 5, 100))
    assert left < 30 and right > 220


def test_animated_gif_uses_first_frame_and_says_so(inputs):
    result = render_image(inputs["animated_gif"], IMAGE_PROFILES["app_banner"])
    assert any("动图" in n for n in result.notes)


def test_byte_cap_is_met_by_lowering_quality(inputs):
    profile = dataclasses.replace(IMAGE_PROFILES["app_thumb"], max_bytes=25_000)
    result = render_image(inputs["noise"], profile)
    assert result.byte_size <= 25_000 and result.quality < profile.quality
    assert (result.width, result.height) == (360, 270)


def test_byte_cap_falls_back_to_a_smaller_size_with_a_note(inputs):
    profile = dataclasses.replace(IMAGE_PROFILES["app_thumb"], max_bytes=9_000)
    result = render_image(inputs["noise"], profile)
    assert result.byte_size <= 9_000 and result.shrunk_for_cap
    assert result.width < 360 and result.width / result.height == pytest.approx(360 / 270, rel=0.02)
    assert any("缩小" in n for n in result.notes)


def test_unreachable_byte_cap_gives_a_clear_message(inputs):
    profile = dataclasses.replace(IMAGE_PROFILES["portal_banner"], max_bytes=2_000)
    with pytest.raises(LimitNotMet, match="无法在 2 KB 以内"):
        render_image(inputs["noise"], profile)


def test_watermark_is_applied_only_to_chosen_profiles():
    logo = encode(Image.new("RGBA", (200, 80), (255, 255, 0, 255)), "PNG")
    mark = Watermark.from_config(
        {"logo": logo, "position": "bottom_right", "opacity": 1.0, "profiles": ["portal_banner"]}
    )
    plain = encode(Image.new("RGB", (1920, 600), (0, 0, 128)), "PNG")
    marked = Image.open(
        io.BytesIO(render_image(plain, IMAGE_PROFILES["portal_banner"], watermark=mark).data)
    )
    r, g, b = marked.convert("RGB").getpixel((1920 - 18 - 100, 600 - 18 - 20))
    assert r > 200 and g > 200 and b < 80
    untouched = Image.open(
        io.BytesIO(render_image(plain, IMAGE_PROFILES["topic_banner"], watermark=mark).data)
    )
    assert untouched.convert("RGB").getpixel((1150, 280))[0] < 40


def test_watermark_rejects_bad_position():
    with pytest.raises(Exception, match="水印位置"):
        Watermark(logo=b"x", position="middle")


# --- hostile files -----------------------------------------------------------------------------


def test_decompression_bomb_is_rejected_quickly():
    started = time.monotonic()
    with pytest.raises(HostileMedia, match="像素"):
        render_image(png_bomb(), IMAGE_PROFILES["wechat_cover"])
    assert time.monotonic() - started < 2


def test_pixel_limit_is_configurable(inputs):
    with pytest.raises(HostileMedia):
        load_image(inputs["photo_exif_gps"], limits=Limits(max_pixels=1_000_000))


def test_oversized_file_is_rejected_before_decoding(inputs):
    with pytest.raises(HostileMedia, match="超过图片上限"):
        load_image(inputs["photo_exif_gps"], limits=Limits(max_input_bytes=10_000))


def test_truncated_jpeg_gives_a_clear_error():
    data = photo_jpeg(800, 600)
    with pytest.raises(CorruptMedia, match="不完整|损坏"):
        render_image(data[: len(data) // 2], IMAGE_PROFILES["app_thumb"])


def test_empty_file_is_corrupt():
    with pytest.raises(CorruptMedia):
        render_image(b"", IMAGE_PROFILES["app_thumb"])


def test_html_named_jpg_is_not_an_image():
    with pytest.raises(UnsupportedMedia, match="photo.jpg"):
        render_image(
            b"<html><script>alert(1)</script></html>", IMAGE_PROFILES["app_thumb"], name="photo.jpg"
        )


def test_eps_is_refused_so_ghostscript_never_runs():
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n"
    with pytest.raises(UnsupportedMedia):
        render_image(eps, IMAGE_PROFILES["app_thumb"], name="logo.eps")


def test_png_named_jpg_renders_by_content_with_a_note(inputs):
    result = render_image(inputs["png_alpha"], IMAGE_PROFILES["app_thumb"], name="photo.jpg")
    assert result.format == "jpeg"
    assert any("实际内容为 PNG" in n for n in result.notes)


def test_renders_from_a_path(tmp_path, inputs):
    path = tmp_path / "p.jpg"
    path.write_bytes(inputs["photo_exif_gps"])
    assert render_image(path, IMAGE_PROFILES["mp_dish"]).width == 750
