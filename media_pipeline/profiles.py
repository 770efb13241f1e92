"""The channel profiles: every size, format, byte and duration limit, defined here and only here.

Channels (portal templates, the WeChat publisher, the APP API, the mini-program) ask for a
profile by name; nobody else resizes or re-encodes. Changing a definition changes its
``fingerprint``, which is how stored variants know they are stale (see
``manage.py media_regenerate``).

Where the figures come from
---------------------------
WeChat Official Accounts (公众号) developer docs, 素材管理 → 新增永久素材
(developers.weixin.qq.com/doc/offiaccount/Asset_Management/Adding_Permanent_Assets.html):
  image material 10 MB (bmp/png/jpeg/jpg/gif); video material 10 MB, MP4;
  thumb material 64 KB, JPG only.
  上传图文消息内的图片获取URL (uploadimg): jpg/png, "大小必须在1MB以下".
  草稿箱 draft/add: the cover is a permanent image material; the article list shows it
  cropped 2.35:1 and share cards 1:1 (pic_crop_235_1 / pic_crop_1_1).
We use decimal units for WeChat caps (64 KB = 64,000 bytes, 10 MB = 10,000,000 bytes) so the
file fits whichever way the platform counts, and cap covers at 1 MB (not the 10 MB material
limit) so one file also passes the in-article image limit and loads fast on mobile data.
Portal, APP and mini-program figures are this project's own policy (page weight budgets agreed
with the portals' operators), not platform limits.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from .errors import ProfileNotFound

KB = 1000
MB = 1000 * 1000


@dataclass(frozen=True)
class ImageProfile:
    name: str
    label: str
    channel: str
    #: Output width. With ``height`` set the output is exactly width×height (focal-point crop);
    #: without it the image keeps its aspect ratio and is never enlarged.
    width: int
    height: int | None
    #: Output formats, preferred first; later ones are fallbacks (e.g. JPEG for old browsers).
    formats: tuple[str, ...]
    max_bytes: int
    #: Extra responsive widths (free-aspect profiles only); ``width`` is the largest.
    widths: tuple[int, ...] = ()
    quality: int = 82
    min_quality: int = 40
    #: Free-aspect profiles: tall screenshots are scaled down to this height at most.
    max_height: int | None = None
    #: The byte-cap search may shrink the output down to this fraction of its size.
    min_scale: float = 0.5
    source: str = ""
    kind: str = field(default="image", init=False)

    @property
    def aspect(self) -> float | None:
        return self.width / self.height if self.height else None

    @property
    def all_widths(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.widths) | {self.width}))

    def fingerprint(self) -> str:
        return _fingerprint(self)

    def describe(self) -> str:
        size = f"{self.width}×{self.height}" if self.height else f"宽≤{self.width}（保持比例）"
        if self.widths:
            size += "，响应式宽度 " + "/".join(str(w) for w in self.all_widths)
        fmts = " / ".join(f.upper() for f in self.formats)
        return f"{size}，{fmts}，≤{human_bytes(self.max_bytes)}"


@dataclass(frozen=True)
class VideoProfile:
    name: str
    label: str
    channel: str
    max_width: int
    max_height: int
    video_kbps: int
    audio_kbps: int
    max_fps: int
    max_duration_s: float
    max_bytes: int
    #: Below this video bitrate the picture is not worth publishing: fail instead.
    min_video_kbps: int = 250
    preset: str = "veryfast"
    h264_profile: str = "main"
    source: str = ""
    kind: str = field(default="video", init=False)

    def fingerprint(self) -> str:
        return _fingerprint(self)

    def describe(self) -> str:
        return (
            f"H.264/AAC MP4，≤{self.max_width}×{self.max_height}，视频 {self.video_kbps} kbps，"
            f"音频 {self.audio_kbps} kbps，≤{self.max_fps} fps，时长≤{_human_duration(self.max_duration_s)}，"
            f"≤{human_bytes(self.max_bytes)}"
        )


def _fingerprint(profile) -> str:
    data = json.dumps(asdict(profile), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def human_bytes(n: int) -> str:
    if n >= MB:
        return f"{n / MB:g} MB"
    if n >= KB:
        return f"{n / KB:g} KB"
    return f"{n} B"


def _human_duration(seconds: float) -> str:
    if seconds >= 60:
        return f"{seconds / 60:g} 分钟"
    return f"{seconds:g} 秒"


PORTAL = "门户网站"
APP = "移动客户端（APP）"
WECHAT = "微信公众号"
MINI_PROGRAM = "小程序"

IMAGE_PROFILES: dict[str, ImageProfile] = {
    p.name: p
    for p in [
        ImageProfile(
            name="portal_article",
            label="门户文章配图",
            channel=PORTAL,
            width=1440,
            height=None,
            widths=(480, 960),
            formats=("webp", "jpeg"),
            max_bytes=500 * KB,
            max_height=4000,
            source="本项目页面体积预算",
        ),
        ImageProfile(
            name="portal_banner",
            label="门户首页横幅",
            channel=PORTAL,
            width=1920,
            height=600,
            formats=("jpeg",),
            max_bytes=400 * KB,
            source="本项目页面体积预算",
        ),
        ImageProfile(
            name="portal_headline",
            label="门户首页头条图",
            channel=PORTAL,
            width=960,
            height=540,
            formats=("jpeg",),
            max_bytes=200 * KB,
            source="本项目页面体积预算（焦点裁切 16:9）",
        ),
        ImageProfile(
            name="portal_carousel",
            label="门户首页轮播图",
            channel=PORTAL,
            width=960,
            height=540,
            formats=("jpeg",),
            max_bytes=200 * KB,
            source="本项目页面体积预算（焦点裁切 16:9）",
        ),
        ImageProfile(
            name="topic_banner",
            label="专题页横幅",
            channel=PORTAL,
            width=1200,
            height=300,
            formats=("jpeg",),
            max_bytes=300 * KB,
            source="本项目页面体积预算",
        ),
        ImageProfile(
            name="app_thumb",
            label="APP 列表缩略图",
            channel=APP,
            width=360,
            height=270,
            formats=("jpeg",),
            max_bytes=60 * KB,
            source="APP 接口约定",
        ),
        ImageProfile(
            name="app_banner",
            label="APP 轮播图",
            channel=APP,
            width=1080,
            height=480,
            formats=("jpeg",),
            max_bytes=250 * KB,
            source="APP 接口约定",
        ),
        ImageProfile(
            name="wechat_cover",
            label="公众号图文封面（2.35:1）",
            channel=WECHAT,
            width=900,
            height=383,
            formats=("jpeg",),
            max_bytes=1 * MB,
            source="微信永久图片素材 10MB、图文内图片 1MB；取 1MB",
        ),
        ImageProfile(
            name="wechat_article",
            label="公众号图文内图片",
            channel=WECHAT,
            width=1080,
            height=None,
            formats=("jpeg",),
            max_bytes=1 * MB,
            max_height=4000,
            source="微信图文内图片（media/uploadimg）：JPG/PNG，1MB",
        ),
        ImageProfile(
            name="wechat_square",
            label="公众号分享方图（1:1）",
            channel=WECHAT,
            width=500,
            height=500,
            formats=("jpeg",),
            max_bytes=300 * KB,
            source="微信草稿 pic_crop_1_1；本项目取 300KB",
        ),
        ImageProfile(
            name="wechat_thumb",
            label="公众号缩略图素材（thumb）",
            channel=WECHAT,
            width=300,
            height=300,
            formats=("jpeg",),
            max_bytes=64 * KB,
            min_quality=30,
            source="微信缩略图素材：JPG，64KB",
        ),
        ImageProfile(
            name="mp_dish",
            label="信订餐小程序菜品图",
            channel=MINI_PROGRAM,
            width=750,
            height=750,
            formats=("jpeg",),
            max_bytes=150 * KB,
            source="小程序首屏体积预算",
        ),
    ]
}

VIDEO_PROFILES: dict[str, VideoProfile] = {
    p.name: p
    for p in [
        VideoProfile(
            name="portal_video",
            label="门户网站视频",
            channel=PORTAL,
            max_width=1280,
            max_height=720,
            video_kbps=2000,
            audio_kbps=128,
            max_fps=30,
            max_duration_s=30 * 60,
            max_bytes=500 * MB,
            source="本项目存储与带宽预算",
        ),
        VideoProfile(
            name="app_video",
            label="APP 视频",
            channel=APP,
            max_width=960,
            max_height=540,
            video_kbps=1200,
            audio_kbps=96,
            max_fps=30,
            max_duration_s=10 * 60,
            max_bytes=100 * MB,
            source="APP 接口约定",
        ),
        VideoProfile(
            name="wechat_video",
            label="公众号视频素材",
            channel=WECHAT,
            max_width=854,
            max_height=480,
            video_kbps=1000,
            audio_kbps=64,
            max_fps=25,
            # 10 MB at the 250 kbps floor plus audio is about 4 minutes.
            max_duration_s=4 * 60,
            max_bytes=10 * MB,
            source="微信永久视频素材：MP4，10MB",
        ),
    ]
}

PROFILES: dict[str, ImageProfile | VideoProfile] = {**IMAGE_PROFILES, **VIDEO_PROFILES}


def get_profile(name: str) -> ImageProfile | VideoProfile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ProfileNotFound(
            f"没有名为“{name}”的媒体规格。可用规格：{'、'.join(PROFILES)}", profile=name
        ) from None


def get_image_profile(name: str) -> ImageProfile:
    profile = get_profile(name)
    if not isinstance(profile, ImageProfile):
        raise ProfileNotFound(f"“{name}”是视频规格，不能用于图片。", profile=name)
    return profile


def get_video_profile(name: str) -> VideoProfile:
    profile = get_profile(name)
    if not isinstance(profile, VideoProfile):
        raise ProfileNotFound(f"“{name}”是图片规格，不能用于视频。", profile=name)
    return profile
