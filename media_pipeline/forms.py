"""Admin forms: compose a promo video from chosen images and captions; transcode an upload."""

from django import forms
from django.core.validators import FileExtensionValidator
from wagtail.images import get_image_model
from wagtail.images.widgets import AdminImageChooser

from .profiles import VIDEO_PROFILES

VIDEO_PROFILE_CHOICES = [(p.name, f"{p.label}（{p.name}）") for p in VIDEO_PROFILES.values()]
VIDEO_EXTENSIONS = (
    "mp4",
    "mov",
    "m4v",
    "mkv",
    "webm",
    "avi",
    "flv",
    "wmv",
    "ts",
    "mpg",
    "3gp",
    "gif",
)
AUDIO_EXTENSIONS = ("mp3", "m4a", "aac", "wav", "ogg", "flac")


class ComposeForm(forms.Form):
    profile = forms.ChoiceField(
        label="发布渠道规格", choices=VIDEO_PROFILE_CHOICES, initial="wechat_video"
    )
    title = forms.CharField(
        label="片头标题", max_length=60, required=False, help_text="留空则没有片头"
    )
    subtitle = forms.CharField(label="片头副标题", max_length=60, required=False)
    ending = forms.CharField(
        label="片尾文字", max_length=60, required=False, help_text="例如：谢谢观看"
    )
    transition = forms.FloatField(label="转场时长（秒）", min_value=0, max_value=2, initial=0.6)
    music = forms.FileField(
        label="背景音乐（可选）",
        required=False,
        validators=[FileExtensionValidator(AUDIO_EXTENSIONS)],
        help_text="MP3、M4A、WAV、OGG；较短的音乐会循环播放",
    )


class SlideForm(forms.Form):
    image = forms.ModelChoiceField(
        label="图片",
        queryset=get_image_model().objects.all(),
        widget=AdminImageChooser,
        required=False,
    )
    caption = forms.CharField(label="说明文字", max_length=80, required=False)
    duration = forms.FloatField(label="停留秒数", min_value=1, max_value=15, initial=3)


SlideFormSet = forms.formset_factory(SlideForm, extra=6, max_num=60, validate_max=True)


class TranscodeForm(forms.Form):
    title = forms.CharField(label="名称", max_length=200, required=False)
    profile = forms.ChoiceField(
        label="发布渠道规格", choices=VIDEO_PROFILE_CHOICES, initial="portal_video"
    )
    source = forms.FileField(
        label="视频文件",
        validators=[FileExtensionValidator(VIDEO_EXTENSIONS)],
        help_text="常见格式均可（MP4、MOV、MKV、AVI、WMV 等），系统会转为 H.264/AAC MP4 并截取封面",
    )
