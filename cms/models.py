"""Page types of the portals: home, column (栏目), article, topic (专题专栏), and cross-portal sharing."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber, Substr
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from channels.panels import CHANNEL_MODES, channel_panel
from cms.blocks import BodyBlock, HomeBlock
from cms.search import segment
from cms.text import stream_text
from cms.workflow import ReviewStepTask  # noqa: F401 - a model of this app
from sensitive_words import gate
from sensitive_words.admin_forms import GatedPageForm, SensitiveGatePanel

IMAGE_MODEL = "wagtailimages.Image"


class ChannelChoiceMixin(models.Model):
    """Which channels a page goes to beyond the portal (the “发布渠道” panel)."""

    channel_mode = models.CharField(
        "发布渠道", max_length=16, choices=CHANNEL_MODES, default="default"
    )
    channel_targets = ParentalManyToManyField(
        "channels.ChannelTarget", verbose_name="所选渠道", blank=True, related_name="+"
    )

    class Meta:
        abstract = True


class PortalPageMixin:
    """What every page type offers search and templates, and the publication gate under it all.

    Whatever makes a portal page live (三审 completion, direct publication, scheduled publishing,
    revert, copy with publication) ends in ``save()`` with a new live revision, where the
    sensitive-words gate refuses content that may not be published (``sensitive_words.gate``).
    """

    base_form_class = GatedPageForm

    def save(self, *args, **kwargs):
        gate.check_going_live(self, kwargs.get("update_fields"))
        return super().save(*args, **kwargs)

    def plain_text(self) -> str:
        return " ".join(
            part
            for part in (
                getattr(self, "subtitle", ""),
                getattr(self, "summary", ""),
                getattr(self, "intro", ""),
                stream_text(getattr(self, "body", None)),
            )
            if part
        )

    def segmented_text(self) -> str:
        return segment(f"{self.title} {self.plain_text()}")

    @property
    def breadcrumbs(self):
        """Ancestors below the portal home, outermost first."""
        return self.get_ancestors().filter(depth__gt=2)

    @property
    def portal_name(self) -> str:
        site = self.get_site()
        return site.site_name if site else ""


SEGMENTED_SEARCH_FIELDS = [index.SearchField("segmented_text")]


class HomePage(PortalPageMixin, Page):
    """The home page of one portal: the root page of its Wagtail Site."""

    intro = models.TextField("简介", blank=True)
    banner = models.ForeignKey(
        IMAGE_MODEL,
        verbose_name="横幅图片",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    banner_alt = models.CharField("横幅替代文本", max_length=200, blank=True)
    latest_count = models.PositiveSmallIntegerField("每栏目显示条数", default=6)
    carousel_interval = models.PositiveSmallIntegerField(
        "轮播间隔（秒）",
        default=6,
        validators=[MinValueValidator(3), MaxValueValidator(60)],
        help_text="图片自动切换的间隔；关怀模式下和鼠标停留、键盘聚焦时不自动切换",
    )
    notice_column = models.ForeignKey(
        "cms.ColumnPage",
        verbose_name="通知公告栏目",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="首页头条区旁列出该栏目的最新通知；留空使用本站“通知公告”栏目",
    )
    home_blocks = StreamField(
        HomeBlock(),
        verbose_name="首页栏目区块",
        blank=True,
        help_text="选择并排序首页显示的栏目；留空则按栏目顺序显示全部在导航中的栏目",
    )

    content_panels = [
        SensitiveGatePanel(),
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                InlinePanel("carousel_items", label="轮播图片", max_num=8),
                FieldPanel("carousel_interval"),
            ],
            heading="图片轮播",
        ),
        PageChooserPanel("notice_column", "cms.ColumnPage"),
        FieldPanel("home_blocks"),
        FieldPanel("latest_count"),
        MultiFieldPanel([FieldPanel("banner"), FieldPanel("banner_alt")], heading="横幅"),
    ]
    search_fields = Page.search_fields + SEGMENTED_SEARCH_FIELDS
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.ColumnPage", "cms.TopicPage"]
    template = "cms/home_page.html"

    class Meta:
        verbose_name = "门户首页"

    def clean(self):
        super().clean()
        # A home page shows its own portal's columns; other portals' articles arrive by push.
        foreign = [
            block.value["column"].title
            for block in self.home_blocks
            if block.value.get("column") is not None
            and self.pk
            and not block.value["column"].path.startswith(self.path)
        ]
        if foreign:
            raise ValidationError(
                {
                    "home_blocks": "只能选择本门户的栏目："
                    + "、".join(foreign)
                    + " 不属于本门户；其他门户的文章请通过推送与接收审核显示"
                }
            )
        if self.notice_column_id and self.pk and not self.notice_column.path.startswith(self.path):
            raise ValidationError({"notice_column": "只能选择本门户的栏目"})

    def route(self, request, path_components):
        """Find the deepest page on the path in one query instead of one per URL segment, then let
        it route the rest (a routable column's sub-routes), keeping Wagtail's semantics."""
        if not path_components:
            return super().route(request, path_components)
        prefixes = [
            self.url_path + "".join(f"{c}/" for c in path_components[:n])
            for n in range(1, len(path_components) + 1)
        ]
        deepest = (
            Page.objects.filter(url_path__in=prefixes, path__startswith=self.path)
            .order_by("-depth")
            .only("id", "depth", "content_type")
            .first()
        )
        if deepest is None:
            raise Http404
        consumed = deepest.depth - self.depth
        return deepest.specific.route(request, path_components[consumed:])

    def get_context(self, request, *args, **kwargs):
        from cms import home

        context = super().get_context(request, *args, **kwargs)
        context.update(home.home_context(self))
        return context


class HomeCarouselItem(Orderable):
    """One picture of the home page's carousel (图片轮播), curated and ordered by editors."""

    home = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="carousel_items")
    image = models.ForeignKey(
        IMAGE_MODEL, verbose_name="图片", on_delete=models.CASCADE, related_name="+"
    )
    alt = models.CharField("替代文本", max_length=200, help_text="为视障用户朗读的图片说明，必填")
    caption = models.CharField("标题", max_length=60, blank=True)
    link_page = models.ForeignKey(
        Page,
        verbose_name="链接页面",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    link_url = models.CharField(
        "链接地址",
        max_length=255,
        blank=True,
        help_text="站外链接或 /hdjl/ 等站内地址；优先使用链接页面",
    )

    panels = [
        FieldPanel("image"),
        FieldPanel("alt"),
        FieldPanel("caption"),
        PageChooserPanel("link_page"),
        FieldPanel("link_url"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "轮播图片"
        verbose_name_plural = "轮播图片"

    def __str__(self):
        return self.caption or self.alt

    def clean(self):
        super().clean()
        if not (self.alt or "").strip():
            raise ValidationError({"alt": "请填写图片的替代文本"})

    @property
    def url(self) -> str:
        if self.link_page_id:
            return self.link_page.url or ""
        return self.link_url


class ColumnPage(RoutablePageMixin, PortalPageMixin, Page):
    """A column (栏目): a paginated list of its articles, newest first, plus articles shared into it."""

    class StatisticsKind(models.TextChoices):
        """How the national annual report (政府网站工作年度报表) counts the column's articles."""

        ORDINARY = "", "普通栏目"
        OVERVIEW = "overview", "概况类信息"
        NEWS = "news", "政务动态"
        DISCLOSURE = "disclosure", "信息公开目录"
        INTERPRETATION = "interpretation", "解读"
        RESPONSE = "response", "回应关切"
        SERVICE = "service", "办事服务"

    intro = models.TextField("栏目说明", blank=True)
    page_size = models.PositiveSmallIntegerField("每页条数", default=20)
    update_cycle_days = models.PositiveSmallIntegerField(
        "更新周期（天）",
        null=True,
        blank=True,
        help_text="超过该天数未更新的栏目会在网站检查中标为“不更新栏目”",
    )
    statistics_kind = models.CharField(
        "统计类型",
        max_length=16,
        choices=StatisticsKind,
        default=StatisticsKind.ORDINARY,
        blank=True,
        help_text="政府网站工作年度报表按此统计信息发布、解读回应和办事服务的文章数",
    )

    content_panels = [
        SensitiveGatePanel(),
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("page_size"),
        FieldPanel("update_cycle_days"),
        FieldPanel("statistics_kind"),
    ]
    search_fields = Page.search_fields + SEGMENTED_SEARCH_FIELDS
    parent_page_types = ["cms.HomePage", "cms.ColumnPage", "cms.TopicPage"]
    subpage_types = ["cms.ArticlePage", "cms.ColumnPage"]
    template = "cms/column_page.html"

    class Meta:
        verbose_name = "栏目"

    def articles(self):
        """Live articles of this column (children) and those pushed into it and accepted by this
        portal's reviewers (接收审核), newest first."""
        own = Q(path__startswith=self.path, depth=self.depth + 1)
        shared = Q(pk__in=ArticleShare.objects.accepted().filter(column=self).values("article_id"))
        return (
            ArticlePage.objects.live()
            .public()
            .filter(own | shared)
            .select_related("cover_image")
            .order_by("-publish_date", "-pk")
        )

    def sub_columns(self):
        return ColumnPage.objects.child_of(self).live().public().in_menu()

    @path("")
    def listing(self, request):
        paginator = Paginator(self.articles(), self.page_size or 20)
        page = paginator.get_page(request.GET.get("page"))
        # Shared articles are shown under this column's URL; the URL is built from ids, no queries.
        base = self.get_url(request)
        items = [(article, article.url_in_column(self, base)) for article in page.object_list]
        return self.render(request, context_overrides={"items": items, "page_obj": page})

    @path("shared/<int:article_id>/", name="shared_article")
    def shared_article(self, request, article_id):
        accepted = ArticleShare.objects.accepted().filter(column=self, article_id=article_id)
        article = get_object_or_404(
            ArticlePage.objects.live().public().filter(pk__in=accepted.values("article_id")),
            pk=article_id,
        )
        return article.serve_in_column(request, self)


class ArticlePage(PortalPageMixin, Page, ChannelChoiceMixin):  # noqa: DJ008 - Page.__str__
    """An article: title, subtitle, source, author, publish time, cover image and a StreamField body."""

    subtitle = models.CharField("副标题", max_length=255, blank=True)
    source = models.CharField("来源", max_length=100, blank=True)
    author = models.CharField("作者", max_length=100, blank=True)
    publish_date = models.DateTimeField("发布时间", default=timezone.now, db_index=True)
    summary = models.TextField("摘要", blank=True, max_length=500)
    cover_image = models.ForeignKey(
        IMAGE_MODEL,
        verbose_name="封面图",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cover_alt = models.CharField("封面替代文本", max_length=200, blank=True)
    body = StreamField(BodyBlock(), verbose_name="正文", blank=True)
    is_headline = models.BooleanField(
        "设为头条",
        default=False,
        help_text="首页头条区显示最新发布的头条文章及其封面图（按图片焦点裁切）",
    )

    content_panels = [
        SensitiveGatePanel(),
        *Page.content_panels,
        FieldPanel("subtitle"),
        MultiFieldPanel(
            [FieldPanel("source"), FieldPanel("author"), FieldPanel("publish_date")],
            heading="来源与时间",
        ),
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("cover_image"), FieldPanel("cover_alt"), FieldPanel("is_headline")],
            heading="封面与头条",
        ),
        FieldPanel("body"),
        channel_panel(),
    ]
    search_fields = (
        Page.search_fields + SEGMENTED_SEARCH_FIELDS + [index.FilterField("publish_date")]
    )
    parent_page_types = ["cms.ColumnPage", "cms.TopicPage"]
    subpage_types: list[str] = []
    template = "cms/article_page.html"

    class Meta:
        verbose_name = "文章"

    def clean(self):
        super().clean()
        if self.cover_image_id and not self.cover_alt.strip():
            raise ValidationError({"cover_alt": "请填写封面图的替代文本"})

    def url_in_column(self, column: "ColumnPage", column_url: str) -> str:
        """Where this article is read from inside column: its own URL, or the shared route."""
        if self.path.startswith(column.path) and self.depth == column.depth + 1:
            return f"{column_url}{self.slug}/"
        return f"{column_url}shared/{self.pk}/"

    def serve_in_column(self, request, column: "ColumnPage"):
        """Render this article inside another portal's column, with a canonical link to the original."""
        context = self.get_context(request)
        context.update(
            {
                "self": self,
                "page": self,
                "hosting_column": column,
                "canonical_url": self.get_full_url(request),
                "crumbs": [*column.breadcrumbs, column],
            }
        )
        return TemplateResponse(request, self.get_template(request), context)


class ArticleShareQuerySet(models.QuerySet):
    def accepted(self):
        """The pushes that the receiving portal shows."""
        return self.filter(status=ArticleShare.Status.ACCEPTED)


class ArticleShare(models.Model):
    """An article pushed (推送) to a column of another portal: shown there, not copied, once a
    reviewer of that portal has accepted it (接收审核).

    A push is an action with its own row, not part of the article's content: it is kept out of the
    article's revisions, so that publishing a revision never overwrites the receiving portal's
    decision. The screens and rules live in ``cms.sharing``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待接收"
        ACCEPTED = "accepted", "已接收"
        DECLINED = "declined", "已拒绝"

    article = models.ForeignKey(
        ArticlePage, verbose_name="文章", on_delete=models.CASCADE, related_name="shares"
    )
    column = models.ForeignKey(
        ColumnPage,
        verbose_name="目标栏目",
        on_delete=models.CASCADE,
        related_name="shared_articles",
    )
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="推送人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField("推送时间", default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    decline_reason = models.TextField("拒绝理由", blank=True)

    objects = ArticleShareQuerySet.as_manager()

    class Meta:
        verbose_name = "文章推送"
        verbose_name_plural = "文章推送"
        unique_together = [("article", "column")]
        indexes = [models.Index(fields=["column", "status"], name="cms_share_column_status")]

    def __str__(self):
        return f"{self.article.title} → {self.column.title}"


class TopicPage(PortalPageMixin, Page, ChannelChoiceMixin):  # noqa: DJ008 - Page.__str__
    """A topic or special column (专题专栏) with its own banner; its child columns are its sections."""

    intro = models.TextField("专题简介", blank=True)
    banner = models.ForeignKey(
        IMAGE_MODEL,
        verbose_name="专题横幅",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    banner_alt = models.CharField("横幅替代文本", max_length=200, blank=True)
    body = StreamField(BodyBlock(), verbose_name="专题导语", blank=True)
    section_count = models.PositiveSmallIntegerField("每板块显示条数", default=5)
    green_channel = models.BooleanField(
        "显示平陆运河绿色通道入口",
        default=False,
        help_text="在专题页醒目位置链接平陆运河绿色通道信访表单",
    )

    content_panels = [
        SensitiveGatePanel(),
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("banner"), FieldPanel("banner_alt")], heading="横幅"),
        FieldPanel("body"),
        FieldPanel("section_count"),
        FieldPanel("green_channel"),
        channel_panel(),
    ]
    search_fields = Page.search_fields + SEGMENTED_SEARCH_FIELDS
    parent_page_types = ["cms.HomePage", "cms.ColumnPage"]
    subpage_types = ["cms.ColumnPage", "cms.ArticlePage"]
    template = "cms/topic_page.html"

    class Meta:
        verbose_name = "专题专栏"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["column_blocks"] = home_column_blocks(self, self.section_count)
        return context


def home_column_blocks(parent: Page, count: int):
    """The child columns of parent (in the menu), each with its latest `count` articles."""
    columns = list(ColumnPage.objects.child_of(parent).live().public().in_menu())
    return column_blocks([(column, count) for column in columns])


def column_blocks(columns_and_counts):
    """Each (column, count) with its latest `count` articles, own and accepted pushes (接收审核)
    together, in two queries per depth of the columns (one for most portals) whatever the number
    of columns or articles: articles are ranked per column by a window function, once among the
    columns' children and once among the pushes accepted into them, and the rankings are merged
    here."""
    columns_and_counts = [(c, n) for c, n in columns_and_counts if c is not None]
    if not columns_and_counts:
        return []
    columns = [c for c, _ in columns_and_counts]
    most = max(n for _, n in columns_and_counts)
    visible = ArticlePage.objects.live().public()
    by_column: dict[int, list] = {c.pk: [] for c in columns}
    for depth in sorted({c.depth for c in columns}):
        at_depth = [c for c in columns if c.depth == depth]
        column_ids = {c.path: c.pk for c in at_depth}
        column_path_length = depth * Page.steplen
        prefixes = Q()
        for column in at_depth:
            prefixes |= Q(path__startswith=column.path)
        own = (
            visible.filter(prefixes, depth=depth + 1)
            .annotate(column_path=Substr("path", 1, column_path_length))
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("column_path")],
                    order_by=[F("publish_date").desc(), F("pk").desc()],
                )
            )
            .filter(rank__lte=most)
            .order_by("column_path", "rank")
        )
        for article in own:
            if article.column_path in column_ids:
                by_column[column_ids[article.column_path]].append(article)
    shares = (
        ArticleShare.objects.accepted()
        .filter(column__in=[c.pk for c in columns], article__in=visible.values("pk"))
        .select_related("article")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("column_id")],
                order_by=[F("article__publish_date").desc(), F("article_id").desc()],
            )
        )
        .filter(rank__lte=most)
    )
    for share in shares:
        # Read under the receiving column's own route (see ArticlePage.url_in_column).
        share.article.shared_in = share.column_id
        by_column[share.column_id].append(share.article)
    for articles in by_column.values():
        articles.sort(key=lambda a: (a.publish_date, a.pk), reverse=True)
    return [(column, by_column[column.pk][:count]) for column, count in columns_and_counts]
