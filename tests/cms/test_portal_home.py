"""The portal home page and chrome as citizens and site administrators see them: identity and
colours from the portal's settings, headline, carousel, notices, service entrances, editor-ordered
column blocks, 站群导航, footer, the site map, and the page cache staying right."""

import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image
from wagtail.images import get_image_model

from cms.factories import ArticlePageFactory, ColumnPageFactory
from cms.models import ArticleShare, HomeCarouselItem
from sites.models import PortalSettings

pytestmark = pytest.mark.django_db
NANNING = "nanning.localhost"


def page(client, path, host=NANNING, status=200):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == status
    return response.content.decode()


def picture(portal, title="图片", size=(1600, 900)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 30, 30)).save(buffer, "JPEG")
    return get_image_model().objects.create(
        title=title,
        collection=portal.collection,
        file=ImageFile(io.BytesIO(buffer.getvalue()), name="p.jpg"),
        file_size=len(buffer.getvalue()),
    )


def settings_form(ps: PortalSettings, **changes) -> dict:
    data = {
        "logo": ps.logo_id or "",
        "logo_alt": ps.logo_alt,
        "show_name_with_logo": "on" if ps.show_name_with_logo else "",
        "brand_colour": ps.brand_colour,
        "nav_colour": ps.nav_colour,
        "site_identifier": ps.site_identifier,
        "icp_number": ps.icp_number,
        "police_number": ps.police_number,
        "government_mark_url": ps.government_mark_url,
        "government_mark_image": ps.government_mark_image_id or "",
        "sponsor": ps.sponsor,
        "organizer": ps.organizer,
        "address": ps.address,
        "phone": ps.phone,
        "postcode": ps.postcode,
        "watermark": "",
        "watermark_position": ps.watermark_position,
        "watermark_opacity": ps.watermark_opacity,
        "watermark_profiles": ps.watermark_profiles,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_portal_admin_changes_logo_and_colours_of_their_portal_only(client, portals, staff):
    site = portals["nanning"].site
    admin = staff("nanning", "admin")
    client.force_login(admin)
    logo = picture(portals["nanning"], "南宁标志", (256, 128))
    url = f"/admin/settings/portal_sites/portalsettings/{site.pk}/"
    ps = PortalSettings.for_site(site)
    response = client.post(
        url, settings_form(ps, logo=logo.pk, logo_alt="南宁信访徽标", brand_colour="#003a8c")
    )
    assert response.status_code == 302
    client.logout()
    html = page(client, "/")
    theme = re.search(r'href="(/_util/theme/[^"]+\.css)"', html).group(1)
    assert theme == "/_util/theme/003a8c-7d1014.css"
    css = client.get(theme)
    assert "--brand: #003a8c" in css.content.decode()
    assert css["Content-Type"].startswith("text/css") and "immutable" in css["Cache-Control"]
    assert 'alt="南宁信访徽标"' in html and "cms/img/emblem.svg" not in html
    other = page(client, "/", host="liuzhou.localhost")
    assert "/_util/theme/a4161a-7d1014.css" in other and "南宁信访徽标" not in other
    assert "cms/img/emblem.svg" in other


def test_a_colour_too_light_for_white_text_is_refused_in_chinese_keeping_the_input(
    client, portals, staff
):
    site = portals["nanning"].site
    client.force_login(staff("nanning", "admin"))
    ps = PortalSettings.for_site(site)
    response = client.post(
        f"/admin/settings/portal_sites/portalsettings/{site.pk}/",
        settings_form(ps, brand_colour="#ffd34d", phone="0771-1234567"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "低于无障碍要求的 4.5:1" in html
    assert 'value="0771-1234567"' in html and 'value="#ffd34d"' in html
    assert PortalSettings.for_site(site).brand_colour == "#a4161a"


def test_a_portal_admin_cannot_open_another_portals_settings(client, portals, staff):
    client.force_login(staff("nanning", "admin"))
    other = portals["liuzhou"].site
    response = client.get(f"/admin/settings/portal_sites/portalsettings/{other.pk}/")
    assert response.status_code in (302, 403)
    assert "柳州市信访局" not in response.content.decode()


def test_footer_has_the_right_postal_codes_site_map_and_accessibility_links(client):
    nanning = page(client, "/")
    assert "（邮编：530000）" in nanning
    assert "（邮编：545000）" in page(client, "/", host="liuzhou.localhost")
    assert "（邮编：530000）" in page(client, "/", host="gx.localhost")
    assert '<a href="/wzdt/">网站地图</a>' in nanning
    assert '<a href="/wza/">无障碍说明</a>' in nanning
    assert 'alt="党政机关网站标识"' in nanning and "bszs.conac.cn" in nanning
    assert "联系电话：0772-" in page(client, "/", host="liuzhou.localhost")


def test_regional_portal_links_the_14_cities_and_a_city_links_back_and_to_its_siblings(client):
    regional = page(client, "/", host="gx.localhost")
    group = regional[regional.index('id="portal-group-heading"') :]
    assert group.count('.localhost/">') == 14
    assert 'href="http://chongzuo.localhost/">崇左</a>' in group
    assert "gx.localhost/" not in group
    city = page(client, "/")
    group = city[city.index('id="portal-group-heading"') :]
    assert 'href="http://gx.localhost/">广西壮族自治区信访局</a>' in group
    assert 'href="http://liuzhou.localhost/">柳州</a>' in group
    assert "nanning.localhost/" not in group and group.count('.localhost/">') == 14


def test_group_links_keep_the_port_the_citizen_used(client):
    html = page(client, "/", host="nanning.localhost:8000")
    assert 'href="http://gx.localhost:8000/"' in html


def test_service_entrances_lead_to_the_forms_and_open_campaigns_are_listed(client, portals):
    from backend_bridge.models import SuggestionCampaign

    today = timezone.localdate()
    SuggestionCampaign.objects.create(
        portal=portals["nanning"],
        title="优化营商环境建言",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=9),
    )
    SuggestionCampaign.objects.create(
        portal=portals["nanning"],
        title="已经结束的征集",
        start_date=today - timedelta(days=30),
        end_date=today - timedelta(days=1),
    )
    html = page(client, "/")
    for href, title in (
        ("/hdjl/xf/", "我要信访"),
        ("/hdjl/plyh/", "平陆运河绿色通道"),
        ("/hdjl/cx/", "信访件查询评价"),
        ("/hdjl/ldly/", "领导留言板"),
        ("/hdjl/rmjy/", "人民建议征集"),
    ):
        assert f'href="{href}"' in html and f"<strong>{title}</strong>" in html
    assert "优化营商环境建言" in html and "已经结束的征集" not in html
    assert "优化营商环境建言" not in page(client, "/", host="liuzhou.localhost")


def test_saving_a_campaign_refreshes_the_cached_home(client, portals):
    from backend_bridge.models import SuggestionCampaign

    assert "正在征集" not in page(client, "/")
    today = timezone.localdate()
    SuggestionCampaign.objects.create(
        portal=portals["nanning"], title="乡村振兴金点子", start_date=today, end_date=today
    )
    assert "乡村振兴金点子" in page(client, "/")


def test_headline_shows_the_newest_headline_with_its_cropped_picture(client, column, portals):
    cover = picture(portals["nanning"], "头条图")
    ArticlePageFactory(
        parent=column,
        title="较早的头条",
        is_headline=True,
        cover_image=cover,
        cover_alt="头条图片",
        publish_date=timezone.now() - timedelta(days=2),
    )
    ArticlePageFactory(
        parent=column,
        title="最新头条文章",
        is_headline=True,
        cover_image=cover,
        cover_alt="最新头条图片",
    )
    ArticlePageFactory(parent=column, title="普通文章")
    html = page(client, "/")
    headline = html[html.index('class="headline"') : html.index("</article>")]
    assert "最新头条文章" in headline and 'alt="最新头条图片"' in headline
    assert "portal_headline" in headline and 'width="960" height="540"' in headline


def test_editor_ordered_home_blocks_show_chosen_columns_in_order_with_accepted_pushes(
    client, portals
):
    home = portals["nanning"].site.root_page.specific
    guide = home.get_children().get(slug="xfzn").specific
    news = home.get_children().get(slug="gzdt").specific
    ArticlePageFactory(parent=guide, title="指南文章")
    ArticlePageFactory(parent=news, title="动态文章")
    liuzhou_news = portals["liuzhou"].site.root_page.get_children().get(slug="gzdt")
    shared = ArticlePageFactory(parent=liuzhou_news, title="柳州推送来的文章")
    ArticleShare.objects.create(article=shared, column=news, status=ArticleShare.Status.ACCEPTED)
    home.home_blocks = [
        ("column", {"column": guide, "count": 3}),
        ("column", {"column": news, "count": None}),
    ]
    home.save_revision().publish()
    html = page(client, "/")
    blocks = html[html.index('class="column-grid"') :]
    assert blocks.index(">信访指南<") < blocks.index(">工作动态<")
    assert ">政策法规<" not in blocks
    assert "柳州推送来的文章" in blocks and f"/gzdt/shared/{shared.pk}/" in blocks


def test_home_blocks_refuse_another_portals_column(portals):
    home = portals["nanning"].site.root_page.specific
    foreign = portals["liuzhou"].site.root_page.get_children().get(slug="gzdt").specific
    home.home_blocks = [("column", {"column": foreign, "count": 3})]
    with pytest.raises(ValidationError) as error:
        home.full_clean()
    assert "只能选择本门户的栏目" in str(error.value)


def test_latest_notices_appear_beside_the_headline(client, portals):
    notices = portals["nanning"].site.root_page.get_children().get(slug="tzgg")
    ArticlePageFactory(parent=notices, title="关于春节期间信访接待安排的通知")
    html = page(client, "/")
    area = html[html.index('class="headline-area"') : html.index('class="column-grid"')]
    assert "关于春节期间信访接待安排的通知" in area
    grid = html[html.index('class="column-grid"') :]
    assert ">通知公告<" not in grid


def test_publishing_a_new_carousel_replaces_the_cached_home(client, portals):
    home = portals["nanning"].site.root_page.specific
    first = page(client, "/")
    assert "data-carousel" not in first
    assert client.get("/", HTTP_HOST=NANNING)["X-Page-Cache"] == "hit"
    HomeCarouselItem.objects.create(
        home=home, image=picture(portals["nanning"]), alt="接访现场", caption="领导接访"
    )
    home.carousel_interval = 4
    home.save_revision().publish()
    html = page(client, "/")
    assert "data-carousel" in html and 'data-interval="4"' in html
    assert "领导接访" in html and 'alt="接访现场"' in html


def test_carousel_item_without_alt_text_is_refused(portals):
    item = HomeCarouselItem(home=portals["nanning"].site.root_page.specific, alt=" ")
    with pytest.raises(ValidationError) as error:
        item.clean()
    assert "替代文本" in str(error.value)


def test_phone_menu_is_a_native_disclosure_and_headings_start_at_h1(client):
    html = page(client, "/")
    assert '<details class="menu-phone"' in html and "<summary" in html
    assert html.index("<h1") < html.index("<h2")


def test_site_map_lists_the_portals_columns_and_sections_but_not_hidden_ones(client, portals):
    home = portals["nanning"].site.root_page
    ColumnPageFactory(parent=home, title="未发布栏目", slug="draft", live=False)
    ColumnPageFactory(parent=home, title="不在导航的栏目", slug="hidden", show_in_menus=False)
    html = page(client, "/wzdt/")
    for title in ("工作动态", "通知公告", "政策法规", "信访指南", "平陆运河专题", "工程进展"):
        assert f">{title}</a>" in html
    assert 'href="/plyh/gcjz/"' in html
    assert "未发布栏目" not in html and "不在导航的栏目" not in html
    assert 'href="/hdjl/xf/">我要信访</a>' in html
    assert "<h1>网站地图</h1>" in html
    liuzhou = page(client, "/wzdt/", host="liuzhou.localhost")
    assert "平陆运河专题" not in liuzhou  # 柳州 does not carry the canal topic


def test_accessibility_statement_explains_care_mode(client):
    html = page(client, "/wza/")
    assert "<h1>无障碍说明</h1>" in html and "关怀模式" in html and "0771-" in html


def test_an_editor_finds_the_carousel_and_home_blocks_on_their_home_page_form(
    client, portals, staff
):
    client.force_login(staff("nanning", "admin"))
    home = portals["nanning"].site.root_page
    response = client.get(f"/admin/pages/{home.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("图片轮播", "轮播间隔（秒）", "通知公告栏目", "首页栏目区块"):
        assert label in html, label


def test_publishing_a_headline_replaces_the_cached_home(client, column, portals):
    page(client, "/")
    assert client.get("/", HTTP_HOST=NANNING)["X-Page-Cache"] == "hit"
    article = ArticlePageFactory(parent=column, title="新的头条", live=False)
    article.is_headline = True
    article.cover_image = picture(portals["nanning"])
    article.cover_alt = "新的头条图片"
    article.save_revision().publish()
    html = page(client, "/")
    assert 'alt="新的头条图片"' in html


def test_moving_a_pictures_focal_point_replaces_the_cached_home(client, portals):
    home = portals["nanning"].site.root_page.specific
    image = picture(portals["nanning"])
    HomeCarouselItem.objects.create(home=home, image=image, alt="轮播", caption="标题")
    home.save_revision().publish()
    before = page(client, "/")
    assert client.get("/", HTTP_HOST=NANNING)["X-Page-Cache"] == "hit"
    image.focal_point_x, image.focal_point_y = 1400, 800
    image.focal_point_width = image.focal_point_height = 100
    image.save()
    after = page(client, "/")

    def carousel(html):
        start = html.index("data-carousel ")
        return html[start : html.index("</section>", start)]

    assert "portal_carousel" in carousel(before)
    assert carousel(after) != carousel(before)
