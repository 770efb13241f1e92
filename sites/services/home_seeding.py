"""Seeding of what the portals' home pages and chrome show: right postal codes and telephone
area codes in the footers, and (demo only) carousel pictures, a 头条 with its picture and the
special columns' banners. Idempotent, like the rest of seed_portals."""

import io

from django.core.files.images import ImageFile

from sites.registry import AREA_CODES, POSTCODES

FONT = "media_pipeline/fonts/NotoSansSC-Bold-GB2312.otf"
CAROUSEL = (
    ("领导干部接访下访现场", (164, 22, 26)),
    ("平陆运河建设群众诉求绿色通道", (27, 94, 32)),
    ("《信访工作条例》宣传月", (11, 79, 156)),
)


def repair_footer(portal, footer) -> None:
    """Footers seeded before the postal codes were right ({region code}000, e.g. 南宁 450000)
    get the city's real postal code and telephone area code; edited values are kept."""
    changed = False
    postcode = POSTCODES.get(portal.code)
    if postcode and footer.postcode in ("", f"{portal.region_code[:3]}000"):
        footer.postcode, changed = postcode, footer.postcode != postcode or changed
    area = AREA_CODES.get(portal.code)
    if area and footer.phone.startswith("0771-56") and not footer.phone.startswith(area):
        footer.phone, changed = area + footer.phone[4:], True
    if changed:
        footer.save()


def _picture(title: str, colour: tuple[int, int, int], size=(1280, 720)) -> bytes:
    """A plain picture with a caption, standing in for the bureau's own photographs."""
    from django.conf import settings
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    for step in range(0, size[1], 8):  # a soft vertical gradient
        shade = tuple(max(0, c - step // 12) for c in colour)
        draw.rectangle([0, step, size[0], step + 8], fill=shade)
    try:
        font = ImageFont.truetype(str(settings.BASE_DIR / FONT), size[1] // 10)
        draw.text((size[0] // 2, size[1] // 2), title, fill="white", font=font, anchor="mm")
    except OSError:
        pass
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _image(portal, title: str, colour, size=(1280, 720)):
    from wagtail.images import get_image_model

    model = get_image_model()
    existing = model.objects.filter(title=title, collection=portal.collection).first()
    if existing:
        return existing
    data = _picture(title, colour, size)
    return model.objects.create(
        title=title,
        collection=portal.collection or model.get_default_collection(),
        file=ImageFile(io.BytesIO(data), name="demo.jpg"),
        file_size=len(data),
    )


def seed_demo_home(portal) -> int:
    """Carousel, 头条 and topic banners of one portal's demo home; returns pages published."""
    from cms.models import ArticlePage, HomeCarouselItem, TopicPage

    home = portal.site.root_page.specific
    published = 0
    if not home.carousel_items.exists():
        targets = {c.slug: c for c in home.get_children().filter(slug__in=("gzdt", "zcfg"))}
        place = portal.city if not portal.is_regional else "全区"
        for order, (title, colour) in enumerate(CAROUSEL):
            caption = f"{place}{title}"
            HomeCarouselItem.objects.create(
                home=home,
                sort_order=order,
                image=_image(portal, caption, colour),
                alt=f"{caption}图片",
                caption=caption,
                link_url="/hdjl/plyh/" if order == 1 else "",
                link_page=None if order == 1 else targets.get("gzdt" if order == 0 else "zcfg"),
            )
        home.save_revision().publish()
        published += 1
    news = home.get_children().filter(slug="gzdt").first()
    if news and not ArticlePage.objects.descendant_of(home).filter(is_headline=True).exists():
        article = ArticlePage.objects.child_of(news).live().order_by("-publish_date").first()
        if article is not None:
            article.is_headline = True
            article.cover_image = _image(portal, article.title[:16], (125, 16, 20))
            article.cover_alt = article.title
            article.save_revision().publish()
            published += 1
    for topic in TopicPage.objects.child_of(home).filter(banner__isnull=True):
        colour = (27, 94, 32) if topic.slug == "plyh" else (164, 22, 26)
        topic.banner = _image(portal, topic.title, colour, size=(1600, 400))
        topic.banner_alt = topic.title
        topic.save_revision().publish()
        published += 1
    return published
