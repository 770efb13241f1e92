"""StreamField blocks of article and topic bodies.

Every block has a template, a preview value and a description so that editors see what it is for.
Images require alt text (无障碍: content images must have a text alternative).
"""

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label="图片")
    alt = blocks.CharBlock(
        label="替代文本", max_length=200, help_text="为视障用户朗读的图片说明，必填"
    )
    caption = blocks.CharBlock(label="图注", required=False, max_length=200)

    def clean(self, value):
        value = super().clean(value)
        if not (value.get("alt") or "").strip():
            raise blocks.StructBlockValidationError(
                {"alt": ValidationError("请填写图片的替代文本")}
            )
        return value

    class Meta:
        icon = "image"
        label = "图片"
        template = "cms/blocks/image.html"
        description = "正文插图，须填写替代文本（无障碍要求）"
        preview_value = {"alt": "示例图片", "caption": "图注示例"}


class AttachmentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label="附件")
    title = blocks.CharBlock(label="显示名称", required=False, max_length=200)

    class Meta:
        icon = "doc-full"
        label = "附件"
        template = "cms/blocks/attachment.html"
        description = "可下载的附件（PDF、Office、OFD 等）"
        preview_value = {"title": "附件：信访事项办理流程.pdf"}


class VideoBlock(blocks.StructBlock):
    video = DocumentChooserBlock(label="视频文件", help_text="MP4（H.264/AAC）")
    poster = ImageChooserBlock(label="封面图", required=False)
    title = blocks.CharBlock(label="视频标题", max_length=200)
    transcript = blocks.TextBlock(
        label="文字稿", required=False, help_text="供听障用户阅读的视频文字内容"
    )

    class Meta:
        icon = "media"
        label = "视频"
        template = "cms/blocks/video.html"
        description = "HTML5 视频，带标题与文字稿"
        preview_value = {"title": "视频示例"}


class TableWithCaptionBlock(blocks.StructBlock):
    caption = blocks.CharBlock(label="表格标题", max_length=200)
    table = TableBlock(label="表格", table_options={"startRows": 3, "startCols": 3})

    class Meta:
        icon = "table"
        label = "表格"
        template = "cms/blocks/table.html"
        description = "带标题的数据表格，首行为表头"
        preview_value = {"caption": "示例表格"}


RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label="正文",
        features=RICH_TEXT_FEATURES,
        template="cms/blocks/paragraph.html",
        description="正文段落",
        preview_value="<p>各级信访部门坚持以人民为中心的发展思想。</p>",
    )
    image = ImageBlock()
    table = TableWithCaptionBlock()
    attachment = AttachmentBlock()
    video = VideoBlock()


class HomeColumnBlock(blocks.StructBlock):
    """A column shown on the home page with its latest articles (accepted pushes included)."""

    column = blocks.PageChooserBlock(label="栏目", page_type="cms.ColumnPage")
    count = blocks.IntegerBlock(
        label="显示条数", required=False, min_value=1, max_value=20, help_text="留空使用页面设置"
    )

    class Meta:
        icon = "list-ul"
        label = "栏目区块"
        # Rendered by the home page template with the articles it fetched for all blocks at once.
        template = "cms/blocks/home_column.html"
        description = "在首页显示一个栏目的最新文章，含其他门户推送并已接收的文章"
        preview_value = {"count": 6}


class HomeBlock(blocks.StreamBlock):
    column = HomeColumnBlock()

    class Meta:
        block_counts = {}
