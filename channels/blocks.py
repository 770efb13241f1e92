"""StreamField blocks of the channels: the buttons of a WeChat official account's custom menu.

A button opens a column of a portal, one of the citizen services (网上信访 …), a web address, or
answers like a keyword reply; a top-level button may instead hold up to five sub-buttons. The
limits WeChat sets are checked by ``channels.wechat.menu`` when the menu is saved.
"""

from wagtail import blocks

SERVICE_CHOICES = [
    ("petition", "网上信访"),
    ("canal_petition", "平陆运河绿色通道"),
    ("lookup", "信访件查询评价"),
    ("board", "领导留言板"),
    ("suggestions", "人民建议征集"),
]


class MenuButtonBlock(blocks.StructBlock):
    name = blocks.CharBlock(
        label="名称",
        help_text="一级菜单不超过 16 字节（5 个汉字），子菜单不超过 60 字节（20 个汉字）。",
    )
    service = blocks.ChoiceBlock(choices=SERVICE_CHOICES, required=False, label="服务入口")
    column = blocks.PageChooserBlock(page_type="cms.ColumnPage", required=False, label="栏目")
    url = blocks.URLBlock(required=False, label="网址")
    keyword = blocks.CharBlock(
        required=False, label="关键词", help_text="点击后按该关键词的“关键词回复”回复。"
    )

    class Meta:
        icon = "link"
        label = "子菜单"
        help_text = "“服务入口”“栏目”“网址”“关键词”四项选填一项。"


class TopMenuButtonBlock(MenuButtonBlock):
    # WeChat's counts (3 top-level, 5 sub-buttons) are checked on save by channels.wechat.menu,
    # which names every problem in one list rather than one block at a time.
    sub_buttons = blocks.ListBlock(MenuButtonBlock(), label="子菜单")

    class Meta:
        icon = "list-ul"
        label = "一级菜单"
        help_text = "有子菜单时，一级菜单只显示名称，不需要选填跳转目标；否则四项选填一项。"


class MenuBlock(blocks.StreamBlock):
    button = TopMenuButtonBlock()
