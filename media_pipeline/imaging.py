"""Image variants with Pillow: safe decoding, orientation, colour, focal crop, watermark, byte caps.

Pure Python, no Django. ``render_image(source, profile)`` is the whole pipeline for one
variant; ``load_image`` + ``render_loaded`` let a caller decode once and render several
profiles. Every failure is a ``MediaError`` with a zh-hans message; hostile input (bombs,
truncated or mislabelled files, odd colour modes, animations, huge screenshots) either renders
correctly or fails with such an error, bounded by ``Limits``.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import os
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from typing import BinaryIO

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from .errors import CorruptMedia, HostileMedia, LimitNotMet, MediaError, UnsupportedMedia
from .profiles import ImageProfile, human_bytes

try:  # HEIC/HEIF photos from phones; pillow-heif comes with Wagtail's image stack.
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - optional
    pass

# Decoders we let near untrusted uploads. Notably absent: EPS (runs Ghostscript), PSD, ICNS,
# SVG-ish and the long tail of exotic plugins nobody publishes from.
ALLOWED_INPUT_FORMATS = ("JPEG", "MPO", "PNG", "GIF", "WEBP", "BMP", "TIFF", "HEIF", "AVIF")
EXTENSION_FORMATS = {
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "jpe": "JPEG",
    "jfif": "JPEG",
    "png": "PNG",
    "gif": "GIF",
    "webp": "WEBP",
    "bmp": "BMP",
    "tif": "TIFF",
    "tiff": "TIFF",
    "heic": "HEIF",
    "heif": "HEIF",
    "avif": "AVIF",
}
MIME_TYPES = {"jpeg": "image/jpeg", "webp": "image/webp", "png": "image/png"}
EXTENSIONS = {"jpeg": "jpg", "webp": "webp", "png": "png"}
WEBP_MAX_SIDE = 16383

logger = logging.getLogger(__name__)
_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class Limits:
    """Safety limits for decoding untrusted images (defaults match WAGTAILIMAGES_MAX_*)."""

    max_input_bytes: int = 50 * 1000 * 1000
    max_pixels: int = 64_000_000
    max_side: int = 30_000


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class FocalPoint:
    """The editor's focal point in pixels of the upright (EXIF-rotated) original.

    Like Wagtail's ``focal_point_x/y``: the centre of a ``width``×``height`` rectangle.
    """

    x: float
    y: float
    width: float = 0
    height: float = 0


@dataclass(frozen=True)
class Watermark:
    """A portal's logo watermark, passed in by callers as data (the app never reads sites).

    ``profiles`` limits it to some profiles (None: all). ``scale`` is the logo width as a
    fraction of the output width; ``margin`` a fraction of the shorter side.
    """

    logo: bytes
    position: str = "bottom_right"
    opacity: float = 0.8
    scale: float = 0.18
    margin: float = 0.03
    profiles: tuple[str, ...] | None = None

    POSITIONS = ("top_left", "top_right", "bottom_left", "bottom_right", "center")

    def __post_init__(self):
        if self.position not in self.POSITIONS:
            raise MediaError(f"水印位置“{self.position}”无效，可选：{'、'.join(self.POSITIONS)}")
        if not 0 < self.opacity <= 1:
            raise MediaError("水印不透明度应在 0 到 1 之间。")
        if not 0 < self.scale <= 1:
            raise MediaError("水印宽度比例应在 0 到 1 之间。")

    @classmethod
    def from_config(cls, config: dict | Watermark | None) -> Watermark | None:
        """Build from a plain dict; ``logo`` may be bytes, a path or a readable file."""
        if config is None or isinstance(config, Watermark):
            return config
        config = dict(config)
        logo = config.pop("logo")
        if isinstance(logo, str | os.PathLike):
            with open(logo, "rb") as fh:
                logo = fh.read()
        elif hasattr(logo, "read"):
            logo = logo.read()
        if "profiles" in config and config["profiles"] is not None:
            config["profiles"] = tuple(config["profiles"])
        return cls(logo=logo, **config)

    def applies_to(self, profile_name: str) -> bool:
        return self.profiles is None or profile_name in self.profiles

    def fingerprint(self) -> str:
        h = hashlib.sha256(self.logo)
        h.update(repr((self.position, self.opacity, self.scale, self.margin)).encode())
        return h.hexdigest()[:16]

    @cached_property
    def image(self) -> Image.Image:
        loaded = load_image(
            self.logo, limits=Limits(max_input_bytes=5_000_000, max_pixels=4_000_000)
        )
        return loaded.image.convert("RGBA")


@dataclass
class LoadedImage:
    """A decoded, upright, RGB/RGBA image plus what we learnt about the source."""

    image: Image.Image
    source_format: str
    #: Upright size of the original before any draft-mode reduction.
    original_size: tuple[int, int]
    animated: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class RenderedImage:
    data: bytes
    format: str
    width: int
    height: int
    quality: int
    profile: str
    source_format: str = ""
    upscaled: bool = False
    #: The byte cap forced the output below the profile's size.
    shrunk_for_cap: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def byte_size(self) -> int:
        return len(self.data)

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


# ---------------------------------------------------------------------------------------------
# Decoding


def _read_source(source: bytes | str | os.PathLike | BinaryIO, limits: Limits) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        try:
            size = os.path.getsize(source)
        except OSError as exc:
            raise MediaError(f"找不到文件：{source}") from exc
        if size > limits.max_input_bytes:
            raise HostileMedia(
                f"文件有 {human_bytes(size)}，超过图片上限 {human_bytes(limits.max_input_bytes)}。"
            )
        with open(source, "rb") as fh:
            data = fh.read()
    else:
        data = source.read(limits.max_input_bytes + 1)
    if len(data) > limits.max_input_bytes:
        raise HostileMedia(f"文件超过图片上限 {human_bytes(limits.max_input_bytes)}。")
    if not data:
        raise CorruptMedia("文件是空的。")
    return data


def _allowed_formats() -> list[str]:
    # Image.open() raises KeyError for a listed format whose plugin is not registered.
    Image.init()
    return [f for f in ALLOWED_INPUT_FORMATS if f in Image.OPEN]


def _open(data: bytes, limits: Limits, name: str | None) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=_allowed_formats())
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise HostileMedia("图片像素数异常巨大（疑似“解压炸弹”文件），已拒绝处理。") from exc
    except UnidentifiedImageError as exc:
        shown = f"（文件名为 {name}）" if name else ""
        raise UnsupportedMedia(
            f"文件内容不是可识别的图片{shown}。支持 JPEG、PNG、GIF、WebP、BMP、TIFF、HEIC。"
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise CorruptMedia(f"图片文件已损坏，无法读取：{exc}") from exc
    width, height = im.size
    if width <= 0 or height <= 0:
        raise CorruptMedia("图片尺寸无效。")
    if width * height > limits.max_pixels or max(width, height) > limits.max_side:
        raise HostileMedia(
            f"图片尺寸 {width}×{height}（{width * height / 1e6:.1f} 百万像素）超过上限 "
            f"{limits.max_pixels / 1e6:.0f} 百万像素、单边 {limits.max_side} 像素，已拒绝处理。"
        )
    return im


def _orientation(im: Image.Image) -> int:
    try:
        return int(im.getexif().get(0x0112, 1) or 1)
    except Exception:  # corrupt EXIF must not stop the picture itself
        return 1


def load_image(
    source: bytes | str | os.PathLike | BinaryIO,
    *,
    name: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    draft_size: tuple[int, int] | None = None,
) -> LoadedImage:
    """Decode untrusted input into an upright RGB/RGBA image.

    ``draft_size`` (upright pixels) lets JPEG decode at a reduced scale when the output is
    much smaller, which is most of the speed of thumbnailing large photos.
    """
    if name is None and isinstance(source, str | os.PathLike):
        name = os.path.basename(os.fspath(source))
    data = _read_source(source, limits)
    im = _open(data, limits, name)
    fmt = im.format or "?"
    notes: list[str] = []
    if name and "." in name:
        claimed = EXTENSION_FORMATS.get(name.rsplit(".", 1)[1].lower())
        if claimed and claimed != fmt and {claimed, fmt} != {"JPEG", "MPO"}:
            notes.append(f"文件名后缀为 {claimed}，实际内容为 {fmt}，已按实际内容处理。")

    animated = getattr(im, "is_animated", False)
    if animated:
        notes.append("动图只取第一帧生成静态版本。")
        im.seek(0)

    orientation = _orientation(im)
    upright_size = im.size if orientation < 5 else im.size[::-1]
    if draft_size and fmt in ("JPEG", "MPO"):
        req = draft_size if orientation < 5 else draft_size[::-1]
        im.draft(None, (max(1, req[0]), max(1, req[1])))

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise HostileMedia("图片像素数异常巨大（疑似“解压炸弹”文件），已拒绝处理。") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        message = str(exc)
        if "truncated" in message or "broken data stream" in message:
            raise CorruptMedia("图片文件不完整（可能上传中断），请重新上传原图。") from exc
        raise CorruptMedia(f"图片文件已损坏，无法解码：{message}") from exc

    if orientation != 1:
        try:
            im = ImageOps.exif_transpose(im)
        except Exception:
            notes.append("EXIF 方向信息损坏，已按原样处理。")
    im = _to_rgb(im)
    return LoadedImage(
        image=im, source_format=fmt, original_size=upright_size, animated=animated, notes=notes
    )


def _to_rgb(im: Image.Image) -> Image.Image:
    """Any Pillow mode → 8-bit sRGB 'RGB', or 'RGBA' when there is real transparency."""
    icc = im.info.get("icc_profile")
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        import numpy as np

        arr = np.asarray(im.convert("I") if mode.startswith("I;16") else im, dtype=np.float64)
        peak = arr.max() if arr.size else 0
        scale = 255.0 / 65535.0 if peak > 255 else (255.0 if mode == "F" and peak <= 1 else 1.0)
        im = Image.fromarray(np.clip(arr * scale, 0, 255).astype(np.uint8))
        mode = "L"
    if mode in ("CMYK", "RGB", "L") and icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            im = ImageCms.profileToProfile(im, src, _SRGB, outputMode="RGB")
            mode = "RGB"
        except Exception:  # a broken or exotic profile: fall back to a plain conversion
            logger.debug("ICC conversion failed; converting without colour management")
    has_alpha = mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        mode == "P" and "transparency" in im.info
    )
    if mode == "P" and "transparency" in im.info:
        has_alpha = True
    if has_alpha:
        im = im.convert("RGBA")
        lo, _hi = im.getchannel("A").getextrema()
        if lo == 255:
            im = im.convert("RGB")
    elif mode != "RGB":
        im = im.convert("RGB")
    return im


# ---------------------------------------------------------------------------------------------
# Geometry


def crop_box(
    size: tuple[int, int], aspect: float, focal: FocalPoint | None, scale: float = 1.0
) -> tuple[int, int, int, int]:
    """The largest box of ``aspect`` inside ``size``, centred on the focal point if possible.

    ``focal`` is in original pixels; ``scale`` maps it onto ``size`` (draft-decoded images).
    """
    w, h = size
    if w / h > aspect:
        cw, ch = h * aspect, float(h)
    else:
        cw, ch = float(w), w / aspect
    if focal is None:
        cx, cy = w / 2, h / 2
    else:
        # Centre on the focal rectangle's centre: when the rectangle is smaller than the crop it
        # is then wholly inside it, and clamping to the image keeps it inside.
        cx, cy = focal.x * scale, focal.y * scale
    left = min(max(cx - cw / 2, 0), w - cw)
    top = min(max(cy - ch / 2, 0), h - ch)
    return (round(left), round(top), round(left + cw), round(top + ch))


def target_size(
    profile: ImageProfile, upright_size: tuple[int, int], width: int | None = None
) -> tuple[int, int, bool]:
    """Output size for a profile, and whether it enlarges the source."""
    sw, sh = upright_size
    if profile.height:
        tw, th = profile.width, profile.height
        crop_w = min(sw, sh * profile.aspect)
        return tw, th, tw > crop_w + 0.5
    tw = min(width or profile.width, sw)
    th = max(1, round(sh * tw / sw))
    limit_h = min(profile.max_height or th, WEBP_MAX_SIDE if "webp" in profile.formats else th)
    if th > limit_h:
        th = limit_h
        tw = max(1, round(sw * th / sh))
    return tw, th, False


# ---------------------------------------------------------------------------------------------
# Watermark and encoding


def apply_watermark(im: Image.Image, watermark: Watermark) -> Image.Image:
    logo = watermark.image
    lw = max(8, round(im.width * watermark.scale))
    lh = max(1, round(logo.height * lw / logo.width))
    logo = logo.resize((lw, lh), Image.LANCZOS)
    if watermark.opacity < 1:
        alpha = logo.getchannel("A").point(lambda a: round(a * watermark.opacity))
        logo.putalpha(alpha)
    m = round(min(im.size) * watermark.margin)
    x = {"left": m, "right": im.width - lw - m}
    y = {"top": m, "bottom": im.height - lh - m}
    if watermark.position == "center":
        pos = ((im.width - lw) // 2, (im.height - lh) // 2)
    else:
        vert, horiz = watermark.position.split("_")
        pos = (x[horiz], y[vert])
    base = im.convert("RGBA")
    base.alpha_composite(logo, dest=(max(0, pos[0]), max(0, pos[1])))
    return base if im.mode == "RGBA" else base.convert("RGB")


def flatten(im: Image.Image, background=(255, 255, 255)) -> Image.Image:
    if im.mode != "RGBA":
        return im
    base = Image.new("RGB", im.size, background)
    base.paste(im, mask=im.getchannel("A"))
    return base


def encode(im: Image.Image, fmt: str, quality: int) -> bytes:
    """Encode with no metadata at all: no EXIF, GPS, XMP or ICC leaves this function."""
    im.info = {}
    buf = io.BytesIO()
    if fmt == "jpeg":
        im.save(buf, "JPEG", quality=quality, optimize=True, progressive=True)
    elif fmt == "webp":
        im.save(buf, "WEBP", quality=quality, method=4)
    elif fmt == "png":
        im.save(buf, "PNG", optimize=False)
    else:
        raise MediaError(f"不支持的输出格式：{fmt}")
    return buf.getvalue()


def _fit_bytes(
    im: Image.Image, fmt: str, profile: ImageProfile
) -> tuple[bytes, int, Image.Image, bool]:
    """Meet the byte cap: default quality, then a quality search, then smaller sizes."""
    cap = profile.max_bytes
    data = encode(im, fmt, profile.quality)
    if len(data) <= cap:
        return data, profile.quality, im, False
    current, scale, hi = im, 1.0, profile.quality - 1
    while True:
        lo, best, smallest = profile.min_quality, None, None
        while lo <= hi:
            mid = (lo + hi) // 2
            candidate = encode(current, fmt, mid)
            if len(candidate) <= cap:
                best, lo = (candidate, mid), mid + 1
            else:
                smallest, hi = len(candidate), mid - 1
        if best:
            return best[0], best[1], current, current is not im
        # Even the lowest quality is too big: shrink by the square root of the overshoot.
        factor = min(0.9, max(0.5, math.sqrt(cap / smallest) * 0.95))
        scale *= factor
        if scale < profile.min_scale - 1e-9:
            raise LimitNotMet(
                f"无法在 {human_bytes(cap)} 以内生成“{profile.label}”：质量降到 "
                f"{profile.min_quality}、尺寸缩小到 {current.width}×{current.height} 后仍有 "
                f"{human_bytes(smallest)}。请换一张细节较少的图片，或联系运维调整规格。",
                profile=profile.name,
            )
        size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
        current = im.resize(size, Image.LANCZOS, reducing_gap=3.0)
        hi = profile.quality


# ---------------------------------------------------------------------------------------------
# The pipeline


def render_loaded(
    loaded: LoadedImage,
    profile: ImageProfile,
    *,
    width: int | None = None,
    fmt: str | None = None,
    focal_point: FocalPoint | None = None,
    watermark: Watermark | None = None,
) -> RenderedImage:
    fmt = (fmt or profile.formats[0]).lower()
    if fmt not in profile.formats:
        raise MediaError(f"规格“{profile.label}”不提供 {fmt.upper()} 格式。")
    if width is not None and not profile.height and width not in profile.all_widths:
        raise MediaError(
            f"规格“{profile.label}”没有 {width} 宽度，可选：{'/'.join(map(str, profile.all_widths))}。"
        )
    im = loaded.image
    tw, th, upscaled = target_size(profile, loaded.original_size, width)
    if profile.height:
        scale = im.width / loaded.original_size[0]
        box = crop_box(im.size, profile.aspect, focal_point, scale)
    else:
        box = (0, 0, im.width, im.height)
    if (box[2] - box[0], box[3] - box[1]) == (tw, th) and box == (0, 0, im.width, im.height):
        out = im.copy()
    else:
        out = im.resize((tw, th), Image.LANCZOS, box=box, reducing_gap=3.0)
    if watermark and watermark.applies_to(profile.name):
        out = apply_watermark(out, watermark)
    if fmt == "jpeg":
        out = flatten(out)
    data, quality, final, shrunk = _fit_bytes(out, fmt, profile)
    notes = list(loaded.notes)
    if upscaled:
        notes.append("原图分辨率低于该规格，已放大，清晰度可能不足。")
    if shrunk:
        notes.append(
            f"为满足 {human_bytes(profile.max_bytes)} 上限，尺寸缩小为 {final.width}×{final.height}。"
        )
    return RenderedImage(
        data=data,
        format=fmt,
        width=final.width,
        height=final.height,
        quality=quality,
        profile=profile.name,
        source_format=loaded.source_format,
        upscaled=upscaled,
        shrunk_for_cap=shrunk,
        notes=notes,
    )


def draft_size_for(
    profile: ImageProfile, size: tuple[int, int], width: int | None = None
) -> tuple[int, int]:
    """The smallest upright size we may decode at and still render ``profile`` sharply."""
    tw, th, _ = target_size(profile, size, width)
    if profile.height:
        crop_w = min(size[0], size[1] * profile.aspect)
        factor = tw / crop_w
    else:
        factor = tw / size[0]
    factor = min(1.0, factor)
    return (math.ceil(size[0] * factor), math.ceil(size[1] * factor))


def probe_image(source, *, name: str | None = None, limits: Limits = DEFAULT_LIMITS) -> dict:
    """Header-only facts about an image: format, upright size, animation. Raises MediaError."""
    data = _read_source(source, limits)
    im = _open(data, limits, name)
    size = im.size if _orientation(im) < 5 else im.size[::-1]
    return {"format": im.format, "size": size, "animated": getattr(im, "is_animated", False)}


def render_image(
    source: bytes | str | os.PathLike | BinaryIO,
    profile: ImageProfile,
    *,
    width: int | None = None,
    fmt: str | None = None,
    focal_point: FocalPoint | None = None,
    watermark: Watermark | None = None,
    name: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> RenderedImage:
    """Render one variant of ``source`` for ``profile``; raises ``MediaError`` with a reason."""
    if name is None and isinstance(source, str | os.PathLike):
        name = os.path.basename(os.fspath(source))
    data = _read_source(source, limits)
    info = probe_image(data, name=name, limits=limits)
    loaded = load_image(
        data, name=name, limits=limits, draft_size=draft_size_for(profile, info["size"], width)
    )
    return render_loaded(
        loaded, profile, width=width, fmt=fmt, focal_point=focal_point, watermark=watermark
    )


def check_fits(
    profile: ImageProfile, width: int, height: int, fmt: str, byte_size: int
) -> list[str]:
    """Why an image of these facts would not be accepted by the profile's channel ([] = fits)."""
    problems = []
    fmt = fmt.lower().replace("jpg", "jpeg")
    if fmt not in profile.formats:
        problems.append(
            f"格式为 {fmt.upper()}，需要 {' 或 '.join(f.upper() for f in profile.formats)}"
        )
    if profile.height:
        if abs(width / height - profile.aspect) > profile.aspect * 0.01:
            problems.append(
                f"宽高比 {width}×{height} 与要求的 {profile.width}×{profile.height} 不符"
            )
        elif width > profile.width or width < profile.width * profile.min_scale - 1:
            problems.append(f"尺寸 {width}×{height}，应为 {profile.width}×{profile.height}")
    else:
        if width > profile.width:
            problems.append(f"宽度 {width} 超过 {profile.width}")
        if profile.max_height and height > profile.max_height:
            problems.append(f"高度 {height} 超过 {profile.max_height}")
    if byte_size > profile.max_bytes:
        problems.append(f"文件 {human_bytes(byte_size)}，超过上限 {human_bytes(profile.max_bytes)}")
    return problems
