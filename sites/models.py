"""Portal identity (one per Wagtail Site), per-site footer settings, and staff account profiles."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site

from sites.colours import validate_dark_colour


class Portal(models.Model):
    """Which member of the portal group a Wagtail Site is: its code, name and region."""

    site = models.OneToOneField(
        Site, on_delete=models.CASCADE, related_name="portal", verbose_name="站点"
    )
    code = models.SlugField("站点代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    city = models.CharField("地区", max_length=16)
    region_code = models.CharField("行政区划代码", max_length=6)
    is_regional = models.BooleanField("自治区门户", default=False)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    collection = models.ForeignKey(
        "wagtailcore.Collection",
        verbose_name="图片与文档库",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "门户网站"
        verbose_name_plural = "门户网站"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


@register_setting(icon="site")
class PortalSettings(BaseSiteSetting):
    """Footer and identity data that the national government-website rules require on every page."""

    site_identifier = models.CharField("网站标识码", max_length=32, blank=True)
    icp_number = models.CharField(
        "ICP备案号", max_length=64, blank=True, help_text="例如：桂ICP备12345678号"
    )
    police_number = models.CharField(
        "公安机关备案号", max_length=64, blank=True, help_text="例如：桂公网安备 45010302000001号"
    )
    sponsor = models.CharField("主办单位", max_length=128, blank=True)
    organizer = models.CharField("承办单位", max_length=128, blank=True)
    address = models.CharField("联系地址", max_length=255, blank=True)
    phone = models.CharField("联系电话", max_length=64, blank=True)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    watermark = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="水印图标",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="上传透明背景的 PNG 标志；留空则不加水印",
    )
    watermark_position = models.CharField(
        "水印位置",
        max_length=16,
        default="bottom_right",
        choices=[
            ("bottom_right", "右下"),
            ("bottom_left", "左下"),
            ("top_right", "右上"),
            ("top_left", "左上"),
            ("center", "居中"),
        ],
    )
    watermark_opacity = models.FloatField(
        "水印不透明度", default=0.8, validators=[MinValueValidator(0.1), MaxValueValidator(1.0)]
    )
    watermark_profiles = models.CharField(
        "加水印的图片规格",
        max_length=255,
        default="portal_article,portal_banner,topic_banner,wechat_cover",
        help_text="用英文逗号分隔的规格名称，见 manage.py media_profiles",
    )
    government_mark_url = models.URLField(
        "党政机关网站标识链接",
        blank=True,
        help_text="由中央机构编制委员会办公室电子政务中心（conac.cn）颁发的标识核验地址",
    )

    # The header and chrome (标志、配色、党政机关网站标识图片): empty images fall back to the
    # project's default artwork in cms/static/cms/img/.
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="网站标志（Logo）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="页头左侧显示的标志图片，建议透明背景 PNG，高 64 像素以上；留空显示默认徽标",
    )
    logo_alt = models.CharField(
        "标志替代文本", max_length=100, blank=True, help_text="留空则朗读网站名称"
    )
    show_name_with_logo = models.BooleanField(
        "标志旁显示网站名称", default=True, help_text="标志图片已含网站名称时可取消"
    )
    brand_colour = models.CharField(
        "主色",
        max_length=7,
        default="#a4161a",
        validators=[validate_dark_colour],
        help_text="页头底色，格式 #RRGGBB；须足够深，保证白色文字清晰（对比度 ≥ 4.5:1）",
    )
    nav_colour = models.CharField(
        "导航栏颜色",
        max_length=7,
        default="#7d1014",
        validators=[validate_dark_colour],
        help_text="主导航底色，格式 #RRGGBB；同样须保证白色文字清晰",
    )
    government_mark_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="党政机关网站标识图片",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="上传 conac.cn 颁发的标识图片；留空显示默认标识图",
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("logo"),
                FieldPanel("logo_alt"),
                FieldPanel("show_name_with_logo"),
                FieldPanel("brand_colour"),
                FieldPanel("nav_colour"),
            ],
            heading="页头标志与配色",
        ),
        MultiFieldPanel(
            [
                FieldPanel("site_identifier"),
                FieldPanel("icp_number"),
                FieldPanel("police_number"),
                FieldPanel("government_mark_url"),
                FieldPanel("government_mark_image"),
            ],
            heading="备案与标识",
        ),
        MultiFieldPanel(
            [
                FieldPanel("sponsor"),
                FieldPanel("organizer"),
                FieldPanel("address"),
                FieldPanel("phone"),
                FieldPanel("postcode"),
            ],
            heading="主办与联系方式",
        ),
        MultiFieldPanel(
            [
                FieldPanel("watermark"),
                FieldPanel("watermark_position"),
                FieldPanel("watermark_opacity"),
                FieldPanel("watermark_profiles"),
            ],
            heading="图片水印",
        ),
    ]

    class Meta:
        verbose_name = "网站页头页脚与备案信息"

    ICP_FILING_URL = "https://beian.miit.gov.cn/"
    POLICE_FILING_URL = "https://beian.mps.gov.cn/#/query/webSearch"

    @property
    def police_filing_url(self) -> str:
        digits = "".join(ch for ch in self.police_number if ch.isdigit())
        if digits:
            return f"https://beian.mps.gov.cn/#/query/webSearch?code={digits}"
        return self.POLICE_FILING_URL


class AccountProfile(models.Model):
    """What the bureau keeps about a staff account beyond Django's user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account_profile",
        verbose_name="用户",
    )
    phone = models.CharField("手机号", max_length=20, blank=True)
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)
    password_issued_at = models.DateTimeField("临时密码发放时间", null=True, blank=True)

    class Meta:
        verbose_name = "账号资料"
        verbose_name_plural = "账号资料"

    def __str__(self):
        return str(self.user)
