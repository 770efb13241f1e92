"""Compose a short promotional video from images, Chinese captions, title cards and music.

Frames (slides with captions, title and ending cards) are drawn with Pillow using the CJK font
bundled in ``media_pipeline/fonts`` (Noto Sans SC Bold, GB2312 subset; ``MEDIA_PIPELINE_CJK_FONT``
points at a fuller font if captions need rarer characters). moviepy then times them, adds
cross-fade transitions and the background music, and writes H.264/AAC MP4 with faststart
through the imageio-ffmpeg binary. The work is bounded by slide count, slide duration and the
profile's duration cap, since moviepy renders in-process and cannot be killed mid-way.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from .errors import LimitNotMet, MediaError, UnsupportedMedia
from .imaging import FocalPoint, crop_box, flatten, load_image
from .profiles import VideoProfile, human_bytes
from .video import (
    ALLOWED_AUDIO_CONTAINERS,
    Progress,
    VideoResult,
    fit_size,
    plan_bitrate,
    probe,
)

BUNDLED_FONT = Path(__file__).resolve().parent / "fonts" / "NotoSansSC-Bold-GB2312.otf"
MAX_SLIDES = 60
MIN_SLIDE_S, MAX_SLIDE_S = 1.0, 15.0
MAX_CAPTION_LINES = 2
TITLE_BG = ((120, 10, 16), (178, 34, 34))  # deep red gradient, the portals' house colour
NO_LINE_START = set("，。、；：？！”’）》】…,.;:?!)")


@dataclass
class Slide:
    image: bytes | str | os.PathLike
    caption: str = ""
    duration: float = 3.0
    focal_point: FocalPoint | None = None
    name: str | None = None


def cjk_font_path() -> Path:
    override = os.environ.get("MEDIA_PIPELINE_CJK_FONT")
    path = Path(override) if override else BUNDLED_FONT
    if not path.exists():
        raise MediaError(f"找不到中文字体文件：{path}。请检查 MEDIA_PIPELINE_CJK_FONT 设置。")
    return path


def unsupported_chars(text: str, font_path: Path) -> list[str]:
    """Characters the bundled GB2312 subset cannot draw (a custom font is trusted)."""
    if font_path != BUNDLED_FONT:
        return []
    bad = []
    for ch in text:
        if ch.isspace() or ch in bad:
            continue
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            bad.append(ch)
    return bad


def wrap_text(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Wrap by pixel width, character by character (CJK has no spaces), keeping Latin words
    whole where possible and never starting a line with closing punctuation."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        tokens: list[str] = []
        word = ""
        for ch in paragraph:
            if ch.isascii() and ch.isalnum():
                word += ch
                continue
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        if word:
            tokens.append(word)
        for token in tokens:
            if font.getlength(line + token) <= max_width or not line or token in NO_LINE_START:
                line += token
            else:
                lines.append(line.rstrip())
                line = token.lstrip()
        lines.append(line.rstrip())
    return lines


def _fit_text(
    text: str, font_path: Path, size: int, max_width: float, max_lines: int
) -> tuple[ImageFont.FreeTypeFont, list[str]] | None:
    for factor in (1.0, 0.85, 0.72):
        font = ImageFont.truetype(str(font_path), max(10, int(size * factor)))
        lines = wrap_text(text, font, max_width)
        if len(lines) <= max_lines:
            return font, lines
    return None


def _picture(slide: Slide, size: tuple[int, int]) -> Image.Image:
    w, h = size
    loaded = load_image(slide.image, name=slide.name, draft_size=(w * 2, h * 2))
    im = flatten(loaded.image)
    scale = im.width / loaded.original_size[0]
    src_aspect = im.width / im.height
    if max(src_aspect / (w / h), (w / h) / src_aspect) > 1.6:
        # Very tall (screenshots) or very wide: show it whole over a blurred fill.
        bg = im.resize(size, Image.BILINEAR, box=crop_box(im.size, w / h, None))
        bg = bg.filter(ImageFilter.GaussianBlur(max(4, w // 40))).point(lambda v: int(v * 0.55))
        fg = ImageOps.contain(im, size, Image.LANCZOS)
        bg.paste(fg, ((w - fg.width) // 2, (h - fg.height) // 2))
        return bg
    return im.resize(size, Image.LANCZOS, box=crop_box(im.size, w / h, slide.focal_point, scale))


def draw_caption(frame: Image.Image, caption: str, font_path: Path, index: int) -> Image.Image:
    w, h = frame.size
    fitted = _fit_text(caption, font_path, max(12, h // 14), w * 0.9, MAX_CAPTION_LINES)
    if fitted is None:
        raise MediaError(
            f"第 {index} 张图片的说明文字过长，请精简到两行以内（约 {int(0.9 * w / (h // 14))} 字一行）。"
        )
    font, lines = fitted
    line_h = int(font.size * 1.35)
    band_h = line_h * len(lines) + font.size // 2
    overlay = Image.new("RGBA", frame.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rectangle((0, h - band_h, w, h), fill=(0, 0, 0, 150))
    y = h - band_h + font.size // 4
    for line in lines:
        tw = font.getlength(line)
        draw.text(((w - tw) / 2, y), line, font=font, fill=(255, 255, 255, 255))
        y += line_h
    return Image.alpha_composite(frame.convert("RGBA"), overlay).convert("RGB")


def title_card(size: tuple[int, int], title: str, subtitle: str, font_path: Path) -> Image.Image:
    w, h = size
    top, bottom = TITLE_BG
    grad = Image.linear_gradient("L").resize(size)
    card = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), grad)
    draw = ImageDraw.Draw(card)
    blocks = []
    fitted = _fit_text(title, font_path, max(14, h // 9), w * 0.86, 3)
    if fitted is None:
        raise MediaError("标题过长，请精简到三行以内。")
    blocks.append((fitted, (255, 255, 255)))
    if subtitle:
        fitted_sub = _fit_text(subtitle, font_path, max(11, h // 18), w * 0.86, 2)
        if fitted_sub is None:
            raise MediaError("副标题过长，请精简到两行以内。")
        blocks.append((fitted_sub, (255, 226, 160)))
    total = sum(int(f.size * 1.35) * len(lines) for (f, lines), _ in blocks) + (h // 30) * (
        len(blocks) - 1
    )
    y = (h - total) / 2
    for (font, lines), colour in blocks:
        for line in lines:
            draw.text(((w - font.getlength(line)) / 2, y), line, font=font, fill=colour)
            y += int(font.size * 1.35)
        y += h // 30
    return card


class _ProgressLogger:
    """Adapts proglog's bar updates (moviepy's logger protocol) to a 0..1 callback."""

    def __new__(cls, progress: Progress | None, share: float):
        from proglog import ProgressBarLogger

        class Logger(ProgressBarLogger):
            def bars_callback(self, bar, attr, value, old_value=None):
                if progress and bar == "frame_index" and attr == "index":
                    total = self.bars[bar].get("total") or 1
                    if value % 5 == 0 or value + 1 >= total:
                        progress(min(0.99, share + (1 - share) * (value + 1) / total))

        return Logger()


def compose_promo(
    slides: Sequence[Slide],
    out: str | os.PathLike,
    profile: VideoProfile,
    *,
    title: str = "",
    subtitle: str = "",
    ending: str = "",
    music: str | os.PathLike | None = None,
    transition: float = 0.6,
    fps: int | None = None,
    size: tuple[int, int] | None = None,
    poster: str | os.PathLike | None = None,
    progress: Progress | None = None,
) -> VideoResult:
    """Render slides (each image + caption) between optional title/ending cards into an MP4."""
    from moviepy import AudioFileClip, ImageClip, concatenate_videoclips, vfx
    from moviepy.audio import fx as afx

    out = Path(out)
    if not slides:
        raise MediaError("请至少选择一张图片。")
    if len(slides) > MAX_SLIDES:
        raise LimitNotMet(f"图片最多 {MAX_SLIDES} 张，当前 {len(slides)} 张。")
    font_path = cjk_font_path()
    texts = [title, subtitle, ending] + [s.caption for s in slides]
    bad = unsupported_chars("".join(texts), font_path)
    if bad:
        raise MediaError(
            f"字幕中有字体不支持的生僻字：{'、'.join(bad[:10])}。请改用常用字，或请运维配置完整字体。"
        )
    for i, s in enumerate(slides, 1):
        if not MIN_SLIDE_S <= s.duration <= MAX_SLIDE_S:
            raise MediaError(f"第 {i} 张图片的时长应在 {MIN_SLIDE_S:g}～{MAX_SLIDE_S:g} 秒之间。")
    card_s = 2.5
    durations = [s.duration for s in slides] + [card_s] * (bool(title) + bool(ending))
    transition = max(0.0, min(transition, min(durations) / 2))
    total = sum(durations) - transition * (len(durations) - 1)
    if total > profile.max_duration_s:
        raise LimitNotMet(
            f"成片时长约 {total:.0f} 秒，超过“{profile.label}”上限 {profile.max_duration_s:.0f} 秒。",
            profile=profile.name,
        )
    if music is not None:
        info = probe(music)
        if info.container not in ALLOWED_AUDIO_CONTAINERS or not info.has_audio:
            raise UnsupportedMedia("背景音乐文件无法识别，请上传 MP3、AAC/M4A、WAV 或 OGG。")
    kbps = plan_bitrate(profile, total, music is not None)
    size = size or fit_size(
        profile.max_width, profile.max_height, profile.max_width, profile.max_height
    )
    fps = fps or min(25, profile.max_fps)

    frames: list[tuple[Image.Image, float]] = []
    if title:
        frames.append((title_card(size, title, subtitle, font_path), card_s))
    for i, slide in enumerate(slides, 1):
        frame = _picture(slide, size)
        if slide.caption.strip():
            frame = draw_caption(frame, slide.caption.strip(), font_path, i)
        frames.append((frame, slide.duration))
        if progress:
            progress(0.2 * i / len(slides))
    if ending:
        frames.append((title_card(size, ending, "", font_path), card_s))

    import numpy as np

    clips = []
    for n, (frame, duration) in enumerate(frames):
        clip = ImageClip(np.asarray(frame)).with_duration(duration)
        if n and transition:
            clip = clip.with_effects([vfx.CrossFadeIn(transition)])
        clips.append(clip)
    video = concatenate_videoclips(
        clips, method="compose", padding=-transition if transition else 0
    )
    video = video.with_effects(
        [vfx.FadeIn(min(0.4, transition or 0.4)), vfx.FadeOut(min(0.6, transition or 0.6))]
    )
    audio = None
    if music is not None:
        audio = AudioFileClip(str(music))
        if audio.duration < video.duration:
            audio = audio.with_effects([afx.AudioLoop(duration=video.duration)])
        else:
            audio = audio.subclipped(0, video.duration)
        audio = audio.with_effects(
            [afx.AudioFadeIn(0.5), afx.AudioFadeOut(min(1.5, video.duration / 3))]
        )
        video = video.with_audio(audio)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            video.write_videofile(
                str(out),
                fps=fps,
                codec="libx264",
                bitrate=f"{kbps}k",
                preset=profile.preset,
                audio=audio is not None,
                audio_codec="aac",
                audio_bitrate=f"{profile.audio_kbps}k",
                temp_audiofile_path=tmp,
                threads=2,
                pixel_format="yuv420p",
                ffmpeg_params=["-movflags", "+faststart", "-profile:v", profile.h264_profile],
                logger=_ProgressLogger(progress, 0.2),
            )
    except OSError as exc:
        raise MediaError(f"视频合成失败：{exc}") from exc
    finally:
        video.close()
        if audio is not None:
            audio.close()
    byte_size = out.stat().st_size
    if byte_size > profile.max_bytes:
        raise LimitNotMet(
            f"合成结果 {human_bytes(byte_size)}，超过“{profile.label}”上限 {human_bytes(profile.max_bytes)}。",
            profile=profile.name,
        )
    poster_path = None
    if poster is not None:
        poster_path = Path(poster)
        frames[0][0].save(poster_path, "JPEG", quality=85)
    info = probe(out)
    if progress:
        progress(1.0)
    return VideoResult(
        path=out,
        poster_path=poster_path,
        duration=info.duration,
        width=info.width,
        height=info.height,
        byte_size=byte_size,
        video_kbps=kbps,
        profile=profile.name,
    )
