"""{% picture %}: the portal's images come from media_pipeline profiles, never resized here.

Renders a <picture> with a WebP source set and a JPEG fallback (or the profile's one format),
width/height to avoid layout shift, lazy loading, and the editor's alt text.
"""

import logging

from django import template
from django.utils.html import format_html, format_html_join

from media_pipeline.errors import MediaError
from media_pipeline.profiles import get_image_profile
from media_pipeline.services import picture_variants

logger = logging.getLogger(__name__)
register = template.Library()

MIME = {"webp": "image/webp", "jpeg": "image/jpeg", "png": "image/png"}


@register.simple_tag
def picture(image, profile_name, alt="", sizes="(min-width: 1100px) 800px, 100vw", loading="lazy"):
    if not image:
        return ""
    try:
        variants = picture_variants(image, profile_name)
    except MediaError as exc:
        # The page still shows the picture; the editor sees why in the image's variant view.
        logger.warning("image %s does not fit %s: %s", image.pk, profile_name, exc)
        fallback = image.get_rendition("max-1200x1200|format-jpeg")
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="{}" loading="{}">',
            fallback.url,
            fallback.width,
            fallback.height,
            alt,
            loading,
        )
    # The profile lists its formats best first; the last one is what every browser shows.
    formats = get_image_profile(profile_name).formats
    by_format = {fmt: [v for (_w, f), v in sorted(variants.items()) if f == fmt] for fmt in formats}
    fallback_format = formats[-1]
    largest = by_format[fallback_format][-1]
    sources = format_html_join(
        "",
        '<source type="{}" srcset="{}" sizes="{}">',
        (
            (
                MIME.get(fmt, "image/" + fmt),
                ", ".join(f"{v.file.url} {v.width}w" for v in items),
                sizes,
            )
            for fmt, items in by_format.items()
            if fmt != fallback_format
        ),
    )
    return format_html(
        '<picture>{}<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" loading="{}"></picture>',
        sources,
        largest.file.url,
        ", ".join(f"{v.file.url} {v.width}w" for v in by_format[fallback_format]),
        sizes,
        largest.width,
        largest.height,
        alt,
        loading,
    )


@register.simple_tag
def variant_src(image, profile_name, fmt=None):
    """The URL of one variant (e.g. a video poster), or of a plain rendition if it cannot fit."""
    if not image:
        return ""
    from media_pipeline.services import variant_url

    try:
        return variant_url(image, profile_name, fmt=fmt)
    except MediaError:
        return image.get_rendition("max-1200x1200|format-jpeg").url
