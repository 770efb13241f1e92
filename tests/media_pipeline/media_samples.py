"""Generators of small, real-looking media for the media_pipeline tests (made fresh each run)."""

import io
import struct
import subprocess
import zlib

import numpy as np
from PIL import Image, ImageCms, ImageDraw

from media_pipeline.video import ffmpeg_exe

GPS_LAT = (22.0, 48.0, 59.0)  # Nanning


def _photo_array(width, height, seed=0, noise=0.15):
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, width)[None, :]
    y = np.linspace(0, 1, height)[:, None]
    base = np.stack([x * y, (1 - x) * y + 0 * x, (1 - y) * x + 0 * y], -1) * 255
    base = base * (1 - noise) + rng.random((height, width, 3)) * 255 * noise
    return base.astype("uint8")


def encode(im, fmt, **kw):
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def photo_jpeg(width=1600, height=1200, orientation=1, gps=True, seed=0):
    """A camera-like JPEG with EXIF orientation, GPS and an XMP packet."""
    im = Image.fromarray(_photo_array(width, height, seed))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: GPS_LAT, 3: "E", 4: (108.0, 22.0, 0.0)}
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>22,48N</exif:GPSLatitude></x:xmpmeta>'
    return encode(im, "JPEG", quality=92, exif=exif.tobytes(), xmp=xmp)


def png_alpha(width=900, height=700):
    im = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(im)
    draw.ellipse((100, 100, width - 100, height - 100), fill=(200, 30, 30, 255))
    return encode(im, "PNG")


def cmyk_jpeg(width=1000, height=800, icc=False):
    im = Image.new("CMYK", (width, height), (255, 0, 0, 0))  # pure cyan
    kw = {}
    if icc:
        # An sRGB profile on a CMYK image is wrong on purpose: the pipeline must not crash.
        kw["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encode(im, "JPEG", quality=90, **kw)


def animated_gif(width=400, height=300, frames=6):
    images = []
    for i in range(frames):
        frame = Image.new("RGB", (width, height), (i * 40 % 256, 80, 200 - i * 20))
        ImageDraw.Draw(frame).rectangle((i * 30, 50, i * 30 + 60, 110), fill=(255, 255, 0))
        images.append(frame)
    return encode(images[0], "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)


def tall_screenshot(width=720, height=6000):
    im = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(im)
    for y in range(0, height, 40):
        draw.rectangle((20, y + 10, 20 + (y * 7) % (width - 40), y + 26), fill=(40, 40, 40))
    return encode(im, "PNG")


def png_16bit(width=600, height=400):
    arr = (np.linspace(0, 65535, width)[None, :] * np.ones((height, 1))).astype("uint16")
    return encode(Image.fromarray(arr), "PNG")


def noise_png(width=900, height=700, seed=1):
    rng = np.random.default_rng(seed)
    return encode(Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype="uint8")), "PNG")


def png_bomb(width=60_000, height=60_000):
    """A tiny PNG whose header claims billions of pixels."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 10_000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


INPUTS = {
    "photo_exif_gps": lambda: photo_jpeg(),
    "photo_rotated": lambda: photo_jpeg(1200, 900, orientation=6),
    "png_alpha": png_alpha,
    "cmyk_jpeg": cmyk_jpeg,
    "cmyk_jpeg_bad_icc": lambda: cmyk_jpeg(icc=True),
    "animated_gif": animated_gif,
    "tall_screenshot": tall_screenshot,
    "png_16bit": png_16bit,
    "noise": noise_png,
}


def make_clip(path, *, seconds=2, size="320x240", rate=30, audio=True, extra=()):
    cmd = [ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error", "-f", "lavfi"]
    cmd += ["-i", f"testsrc2=size={size}:rate={rate}"]
    if audio:
        cmd += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
    cmd += ["-t", str(seconds), *extra, str(path)]
    subprocess.run(cmd, check=True, timeout=60)
    return path
