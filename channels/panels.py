"""The “发布渠道” panel of portal pages: column defaults, a choice of channels, or none."""

from django import forms
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

CHANNEL_MODES = [
    ("default", "按栏目默认渠道"),
    ("custom", "只发往下面勾选的渠道"),
    ("none", "不发往任何渠道（只在门户发布）"),
]


def channel_panel() -> MultiFieldPanel:
    return MultiFieldPanel(
        [
            FieldPanel("channel_mode", widget=forms.RadioSelect),
            FieldPanel("channel_targets", widget=forms.CheckboxSelectMultiple),
        ],
        heading="发布渠道",
        help_text="经三审发布后，文章按这里的选择同步到微信公众号、APP 等渠道。",
    )
