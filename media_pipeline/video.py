"""Video: probe and transcode uploads to H.264/AAC MP4 (faststart) with a poster frame.

Uses the ffmpeg binary shipped by imageio-ffmpeg, so no system ffmpeg is needed. Untrusted
input is bounded: a container allow-list (ffmpeg's HLS/concat demuxers can be abused to read
local files), the input format pinned to what the probe found, file-protocol only, metadata
(including phones' GPS ``location`` tags) dropped, and a wall-clock timeout on every run.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import (
    CorruptMedia,
    HostileMedia,
    LimitNotMet,
    MediaError,
    ProcessingTimeout,
    ToolFailed,
    UnsupportedMedia,
)
from .profiles import VideoProfile, human_bytes

Progress = Callable[[float], None]

#: ffmpeg demuxers we accept for uploads (first name of ffmpeg's "Input #0, <names>" line).
ALLOWED_CONTAINERS = {
    "mov",  # mp4, m4v, mov, 3gp
    "matroska",  # mkv, webm
    "avi",
    "flv",
    "mpegts",
    "mpeg",
    "asf",  # wmv
    "ogg",
    "gif",  # animated GIFs become real video
}
ALLOWED_AUDIO_CONTAINERS = {"mp3", "wav", "ogg", "mov", "flac", "aac", "matroska"}
#: Text formats that make ffmpeg open other files or URLs.
FORBIDDEN_PREFIXES = (b"#EXTM3U", b"ffconcat", b"#EXT", b"<?xml", b"<smil")

DEFAULT_MAX_INPUT_BYTES = 2 * 1000 * 1000 * 1000
#: Container overhead and VBR wobble: aim this far under a byte cap.
BYTE_CAP_HEADROOM = 0.92


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary (``MEDIA_PIPELINE_FFMPEG`` overrides imageio-ffmpeg's)."""
    override = os.environ.get("MEDIA_PIPELINE_FFMPEG")
    if override:
        return override
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@dataclass
class MediaInfo:
    container: str
    duration: float
    width: int = 0
    height: int = 0
    fps: float = 0.0
    video_codec: str = ""
    audio_codec: str = ""
    has_video: bool = False
    has_audio: bool = False
    rotation: int = 0


@dataclass
class VideoResult:
    path: Path
    poster_path: Path | None
    duration: float
    width: int
    height: int
    byte_size: int
    video_kbps: int
    profile: str
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Running ffmpeg


def run_ffmpeg(
    args: list[str],
    *,
    timeout: float,
    duration: float | None = None,
    progress: Progress | None = None,
) -> str:
    """Run ffmpeg with a wall-clock timeout; returns its stderr. Progress is reported from the
    calling thread (callers may write to the database in the callback)."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y"]
    if progress and duration:
        cmd += ["-progress", "pipe:1", "-nostats"]
    cmd += args
    latest = {"t": 0.0}

    def read_progress(stream):
        for raw in stream:
            line = raw.decode("ascii", "replace").strip()
            if line.startswith(("out_time_us=", "out_time_ms=")):
                value = line.split("=", 1)[1]
                if value.isdigit():
                    latest["t"] = int(value) / 1_000_000

    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if progress and duration else subprocess.DEVNULL,
            stderr=err,
        )
        reader = None
        if proc.stdout is not None:
            reader = threading.Thread(target=read_progress, args=(proc.stdout,), daemon=True)
            reader.start()
        deadline = time.monotonic() + timeout
        reported = -1.0
        while True:
            try:
                proc.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() > deadline:
                    proc.kill()
                    proc.wait()
                    raise ProcessingTimeout(
                        f"处理超时（超过 {timeout:.0f} 秒），已中止。可稍后重试，或先剪短视频。"
                    ) from None
                if progress and duration:
                    fraction = min(0.99, latest["t"] / duration)
                    if fraction - reported >= 0.01:
                        reported = fraction
                        progress(fraction)
        if reader is not None:
            reader.join(timeout=2)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-5:])
        if "Invalid data found" in stderr or "moov atom not found" in stderr:
            raise CorruptMedia("视频文件已损坏或不完整，无法读取。请重新上传原始文件。", log=tail)
        raise ToolFailed(f"视频处理程序出错：{tail[-300:]}", log=tail)
    return stderr


_INPUT = re.compile(r"^Input #0, ([^,]+)[^\n]*?, from", re.M)
_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_STREAM = re.compile(r"^\s*Stream #0:\d+.*?: (Video|Audio): (\w+)(.*)$", re.M)
_SIZE = re.compile(r", (\d{2,5})x(\d{2,5})[ ,\n]")
_FPS = re.compile(r"([\d.]+) (?:fps|tbr)")
_ROTATION = re.compile(r"rotation of (-?[\d.]+) degrees")


def _check_input_file(path: Path, max_bytes: int) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise MediaError(f"找不到文件：{path}") from exc
    if size == 0:
        raise CorruptMedia("文件是空的。")
    if size > max_bytes:
        raise HostileMedia(f"文件有 {human_bytes(size)}，超过上限 {human_bytes(max_bytes)}。")
    with open(path, "rb") as fh:
        head = fh.read(64).lstrip()
    if head.startswith(FORBIDDEN_PREFIXES):
        raise UnsupportedMedia("文件是播放列表或脚本，不是视频文件，已拒绝处理。")


def probe(path: str | os.PathLike, *, timeout: float = 30) -> MediaInfo:
    """What ffmpeg sees in a file (container, duration, streams). Raises MediaError."""
    path = Path(path)
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-protocol_whitelist",
        "file",
        "-i",
        str(path),
    ]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise ProcessingTimeout("读取视频信息超时，文件可能已损坏。") from None
    text = done.stderr.decode("utf-8", "replace")
    match = _INPUT.search(text)
    if not match:
        with open(path, "rb") as fh:
            looks_like_mp4 = fh.read(12)[4:8] == b"ftyp"
        if "moov atom not found" in text and looks_like_mp4:
            raise CorruptMedia("视频文件不完整（可能上传中断），请重新上传原始文件。")
        raise UnsupportedMedia("文件内容不是可识别的音视频格式。")
    info = MediaInfo(container=match.group(1).strip(), duration=0.0)
    dur = _DURATION.search(text)
    if dur:
        h, m, s = dur.groups()
        info.duration = int(h) * 3600 + int(m) * 60 + float(s)
    for kind, codec, rest in _STREAM.findall(text):
        if kind == "Video" and not info.has_video:
            if "attached pic" in rest:  # cover art in an audio file is not a video
                continue
            info.has_video, info.video_codec = True, codec
            size = _SIZE.search(rest + "\n")
            if size:
                info.width, info.height = int(size.group(1)), int(size.group(2))
            fps = _FPS.search(rest)
            if fps:
                info.fps = float(fps.group(1))
        elif kind == "Audio" and not info.has_audio:
            info.has_audio, info.audio_codec = True, codec
    rot = _ROTATION.search(text)
    if rot:
        info.rotation = int(round(float(rot.group(1)))) % 360
        if info.rotation in (90, 270):
            info.width, info.height = info.height, info.width
    return info


# ---------------------------------------------------------------------------------------------
# Transcoding


def fit_size(width: int, height: int, max_w: int, max_h: int) -> tuple[int, int]:
    """Fit inside max_w×max_h without enlarging; both sides even (yuv420p needs it)."""
    scale = min(1.0, max_w / width, max_h / height)
    w = max(2, int(width * scale) // 2 * 2)
    h = max(2, int(height * scale) // 2 * 2)
    return w, h


def plan_bitrate(profile: VideoProfile, duration: float, has_audio: bool) -> int:
    """Video kbps that keeps ``duration`` seconds under the profile's byte cap."""
    audio = profile.audio_kbps if has_audio else 0
    budget = profile.max_bytes * 8 * BYTE_CAP_HEADROOM / max(duration, 0.1) / 1000 - audio
    kbps = int(min(profile.video_kbps, budget))
    if kbps < profile.min_video_kbps:
        raise LimitNotMet(
            f"视频时长 {duration:.0f} 秒，在“{profile.label}”的 {human_bytes(profile.max_bytes)} "
            f"上限内画质无法保证（码率将低于 {profile.min_video_kbps} kbps）。请剪短后再试。",
            profile=profile.name,
        )
    return kbps


def check_video_fits(profile: VideoProfile, info: MediaInfo, byte_size: int) -> list[str]:
    """Why a file would not be accepted by the profile's channel ([] = fits)."""
    problems = []
    if info.container != "mov" or info.video_codec != "h264":
        problems.append("需要 H.264 编码的 MP4 文件")
    if info.has_audio and info.audio_codec != "aac":
        problems.append("音频需要 AAC 编码")
    if info.width > profile.max_width or info.height > profile.max_height:
        problems.append(
            f"分辨率 {info.width}×{info.height} 超过 {profile.max_width}×{profile.max_height}"
        )
    if info.duration > profile.max_duration_s:
        problems.append(f"时长 {info.duration:.0f} 秒超过 {profile.max_duration_s:.0f} 秒")
    if byte_size > profile.max_bytes:
        problems.append(f"文件 {human_bytes(byte_size)} 超过 {human_bytes(profile.max_bytes)}")
    return problems


def transcode_args(
    src: Path, out: Path, info: MediaInfo, profile: VideoProfile, video_kbps: int
) -> list[str]:
    """The ffmpeg arguments for one transcode (also used by the benchmark's bare run)."""
    w, h = fit_size(
        info.width or profile.max_width,
        info.height or profile.max_height,
        profile.max_width,
        profile.max_height,
    )
    filters = [f"scale={w}:{h}:flags=bicubic"]
    if info.fps > profile.max_fps + 0.01 or info.container == "gif":
        filters.append(
            f"fps={profile.max_fps if info.fps > profile.max_fps or not info.fps else info.fps:g}"
        )
    filters.append("format=yuv420p")
    args = [
        "-protocol_whitelist",
        "file",
        "-f",
        info.container,
        "-i",
        str(src),
        "-map",
        "0:v:0",
        "-map",
        "0:a:0?",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-sn",
        "-dn",
        "-vf",
        ",".join(filters),
        "-c:v",
        "libx264",
        "-preset",
        profile.preset,
        "-profile:v",
        profile.h264_profile,
        "-b:v",
        f"{video_kbps}k",
        "-maxrate",
        f"{int(video_kbps * 1.5)}k",
        "-bufsize",
        f"{video_kbps * 2}k",
    ]
    if info.has_audio:
        args += ["-c:a", "aac", "-b:a", f"{profile.audio_kbps}k", "-ac", "2", "-ar", "44100"]
    else:
        args += ["-an"]
    args += ["-movflags", "+faststart", "-f", "mp4", str(out)]
    return args


def extract_poster(video: Path, poster: Path, duration: float, timeout: float = 60) -> Path:
    """A JPEG poster frame, a little way in (first frames are often black)."""
    at = min(1.0, duration / 3) if duration else 0
    run_ffmpeg(
        [
            "-ss",
            f"{at:.3f}",
            "-i",
            str(video),
            "-frames:v",
            "1",
            "-q:v",
            "3",
            "-f",
            "image2",
            "-update",
            "1",
            str(poster),
        ],
        timeout=timeout,
    )
    if not poster.exists() or poster.stat().st_size == 0:
        raise ToolFailed("无法从视频中截取封面帧。")
    return poster


def transcode(
    src: str | os.PathLike,
    out: str | os.PathLike,
    profile: VideoProfile,
    *,
    poster: str | os.PathLike | None = None,
    progress: Progress | None = None,
    timeout: float | None = None,
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES,
) -> VideoResult:
    """Transcode ``src`` to an MP4 for ``profile`` and check it against the channel's limits."""
    src, out = Path(src), Path(out)
    _check_input_file(src, max_input_bytes)
    info = probe(src)
    if info.container not in ALLOWED_CONTAINERS:
        raise UnsupportedMedia(
            f"不支持的视频容器格式：{info.container}。请上传 MP4、MOV、MKV、AVI 等常见格式。"
        )
    if not info.has_video:
        raise UnsupportedMedia("文件中没有视频画面。")
    if info.duration <= 0:
        raise CorruptMedia("无法读取视频时长，文件可能不完整。")
    if info.duration > profile.max_duration_s:
        raise LimitNotMet(
            f"视频时长 {info.duration:.0f} 秒，超过“{profile.label}”上限 {profile.max_duration_s:.0f} 秒。",
            profile=profile.name,
        )
    if info.width * info.height > 8192 * 4320:
        raise HostileMedia(f"视频分辨率 {info.width}×{info.height} 过大，已拒绝处理。")
    kbps = plan_bitrate(profile, info.duration, info.has_audio)
    # Generous: veryfast x264 at these sizes runs several times faster than real time.
    timeout = timeout or max(120.0, info.duration * 6)
    notes: list[str] = []
    out.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(3):
        run_ffmpeg(
            transcode_args(src, out, info, profile, kbps),
            timeout=timeout,
            duration=info.duration,
            progress=progress,
        )
        size = out.stat().st_size
        if size <= profile.max_bytes:
            break
        if attempt == 2:
            raise LimitNotMet(
                f"转码后文件 {human_bytes(size)}，仍超过“{profile.label}”上限 {human_bytes(profile.max_bytes)}。",
                profile=profile.name,
            )
        kbps = int(kbps * profile.max_bytes / size * 0.9)
        if kbps < profile.min_video_kbps:
            raise LimitNotMet(
                f"视频在 {human_bytes(profile.max_bytes)} 内画质无法保证，请剪短后再试。",
                profile=profile.name,
            )
        notes.append(f"首次输出超过体积上限，已降低码率到 {kbps} kbps 重新转码。")
    result_info = probe(out)
    poster_path = None
    if poster is not None:
        poster_path = extract_poster(out, Path(poster), result_info.duration)
    if progress:
        progress(1.0)
    return VideoResult(
        path=out,
        poster_path=poster_path,
        duration=result_info.duration,
        width=result_info.width,
        height=result_info.height,
        byte_size=out.stat().st_size,
        video_kbps=kbps,
        profile=profile.name,
        notes=notes,
    )
