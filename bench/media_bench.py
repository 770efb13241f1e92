"""Benchmark of media_pipeline against bare Pillow and bare ffmpeg for the same outputs.

Run: ``.venv/bin/python bench/media_bench.py`` (about a minute on 2 cores). Prints, per image
profile, the pipeline's time against a bare Pillow open+resize+encode of the same 12 MP photo
at the same size/format/quality, and per video profile the pipeline's transcode (probe, checks,
progress, poster frame included) against the bare ffmpeg command line for the same output.
Target from issue 5: ratio within 1.3.
"""

import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from media_pipeline.imaging import render_image  # noqa: E402
from media_pipeline.profiles import IMAGE_PROFILES, VIDEO_PROFILES  # noqa: E402
from media_pipeline.video import ffmpeg_exe, plan_bitrate, probe, transcode, transcode_args  # noqa: E402

REPEATS = 5


def camera_photo(width=4000, height=3000) -> bytes:
    rng = np.random.default_rng(7)
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    base = np.stack([x * y, (1 - x) * y + 0 * x, (1 - y) * x + 0 * y], -1) * 220
    base += rng.random((height, width, 3), dtype=np.float32) * 35
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 1
    Image.fromarray(base.astype("uint8")).save(buf, "JPEG", quality=90, exif=exif.tobytes())
    return buf.getvalue()


def bare_pillow(data: bytes, profile, fmt: str) -> bytes:
    im = Image.open(io.BytesIO(data)).convert("RGB")
    if profile.height:
        im = ImageOps.fit(im, (profile.width, profile.height), Image.LANCZOS)
    else:
        w = min(profile.width, im.width)
        im = im.resize((w, round(im.height * w / im.width)), Image.LANCZOS)
    buf = io.BytesIO()
    if fmt == "jpeg":
        im.save(buf, "JPEG", quality=profile.quality, optimize=True, progressive=True)
    else:
        im.save(buf, "WEBP", quality=profile.quality, method=4)
    return buf.getvalue()


def timed_pair(ours, bare) -> tuple[float, float]:
    """Median times, alternating the two so that machine noise hits both alike."""
    times: tuple[list, list] = ([], [])
    for _ in range(REPEATS):
        for fn, bucket in ((ours, times[0]), (bare, times[1])):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def bench_images() -> list[tuple[str, float, float]]:
    data = camera_photo()
    rows = []
    for profile in IMAGE_PROFILES.values():
        for fmt in profile.formats:
            ours, bare = timed_pair(
                lambda p=profile, f=fmt: render_image(data, p, fmt=f),
                lambda p=profile, f=fmt: bare_pillow(data, p, f),
            )
            rows.append((f"{profile.name}/{fmt}", ours, bare))
    return rows


def bench_video(tmp: Path) -> list[tuple[str, float, float]]:
    src = tmp / "source.mov"
    subprocess.run(
        [
            ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1280x720:rate=30",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000",
            "-t",
            "10",
            "-c:v",
            "mpeg4",
            "-q:v",
            "3",
            "-c:a",
            "aac",
            str(src),
        ],
        check=True,
    )
    info = probe(src)
    rows = []
    for profile in VIDEO_PROFILES.values():
        out = tmp / f"{profile.name}.mp4"
        args = transcode_args(
            src,
            tmp / f"{profile.name}-bare.mp4",
            info,
            profile,
            plan_bitrate(profile, info.duration, True),
        )
        bare_cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *args]
        ours, bare = timed_pair(
            lambda p=profile, o=out: transcode(
                src, o, p, poster=tmp / "poster.jpg", progress=lambda f: None
            ),
            lambda c=bare_cmd: subprocess.run(c, check=True),
        )
        rows.append((profile.name, ours, bare))
        if profile.name == "wechat_video":
            print(
                "bare ffmpeg command for wechat_video:\n  "
                + " ".join(bare_cmd[1:]).replace(str(tmp), "$TMP")
            )
    return rows


def report(title: str, rows, unit_label: str) -> None:
    print(f"\n{title}")
    print(f"{'profile':<24}{'pipeline':>12}{unit_label:>14}{'ratio':>8}")
    for name, ours, bare in rows:
        print(f"{name:<24}{ours * 1000:>10.0f}ms{bare * 1000:>12.0f}ms{ours / bare:>8.2f}")


def main() -> None:
    started = time.perf_counter()
    report("Images: 4000x3000 JPEG (12 MP) per profile, median of 5", bench_images(), "bare Pillow")
    with tempfile.TemporaryDirectory() as tmp:
        report(
            "Video: 10 s 1280x720 30 fps MPEG-4 + AAC source, median of 5",
            bench_video(Path(tmp)),
            "bare ffmpeg",
        )
    print(f"\ntotal bench time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
