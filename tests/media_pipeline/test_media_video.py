"""Video transcode and promo composition on short generated clips."""

import dataclasses

import pytest
from media_samples import animated_gif, encode, make_clip, photo_jpeg, png_alpha
from PIL import Image

from media_pipeline.compose import Slide, compose_promo
from media_pipeline.errors import (
    CorruptMedia,
    LimitNotMet,
    MediaError,
    ProcessingTimeout,
    UnsupportedMedia,
)
from media_pipeline.profiles import VIDEO_PROFILES
from media_pipeline.video import check_video_fits, probe, run_ffmpeg, transcode


def _is_faststart(path):
    data = path.read_bytes()
    return 0 <= data.find(b"moov") < data.find(b"mdat")


@pytest.mark.parametrize("profile_name", sorted(VIDEO_PROFILES))
def test_transcode_meets_each_video_profile(tmp_path, clips, profile_name):
    profile = VIDEO_PROFILES[profile_name]
    result = transcode(clips["mov_gps"], tmp_path / "out.mp4", profile, poster=tmp_path / "p.jpg")
    info = probe(result.path)
    assert (info.container, info.video_codec, info.audio_codec) == ("mov", "h264", "aac")
    assert result.duration == pytest.approx(2.0, abs=0.15)
    assert check_video_fits(profile, info, result.byte_size) == []
    assert _is_faststart(result.path)
    assert Image.open(result.poster_path).size == (result.width, result.height)


def test_transcode_drops_location_metadata(tmp_path, clips):
    assert b"+22.8170" in clips["mov_gps"].read_bytes()
    result = transcode(clips["mov_gps"], tmp_path / "o.mp4", VIDEO_PROFILES["app_video"])
    assert b"+22.8170" not in result.path.read_bytes()


def test_transcode_scales_hd_down_to_the_profile(tmp_path, clips):
    result = transcode(clips["hd_mkv"], tmp_path / "o.mp4", VIDEO_PROFILES["wechat_video"])
    assert (result.width, result.height) == (852, 480)


def test_transcode_without_audio_track(tmp_path, clips):
    result = transcode(clips["silent_webm"], tmp_path / "o.mp4", VIDEO_PROFILES["portal_video"])
    assert not probe(result.path).has_audio


def test_animated_gif_becomes_a_video(tmp_path):
    gif = tmp_path / "a.gif"
    gif.write_bytes(animated_gif())
    result = transcode(gif, tmp_path / "o.mp4", VIDEO_PROFILES["app_video"])
    assert probe(result.path).video_codec == "h264"


def test_progress_is_reported_up_to_done(tmp_path, clips):
    seen = []
    transcode(
        clips["mov_gps"], tmp_path / "o.mp4", VIDEO_PROFILES["app_video"], progress=seen.append
    )
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_too_long_for_channel_is_refused_before_work(tmp_path, clips):
    profile = dataclasses.replace(VIDEO_PROFILES["wechat_video"], max_duration_s=1)
    with pytest.raises(LimitNotMet, match="超过"):
        transcode(clips["mov_gps"], tmp_path / "o.mp4", profile)


def test_byte_cap_that_would_ruin_quality_is_refused(tmp_path, clips):
    profile = dataclasses.replace(VIDEO_PROFILES["wechat_video"], max_bytes=20_000)
    with pytest.raises(LimitNotMet, match="画质无法保证"):
        transcode(clips["mov_gps"], tmp_path / "o.mp4", profile)


def test_hls_playlist_disguised_as_mp4_is_refused(tmp_path):
    fake = tmp_path / "video.mp4"
    fake.write_bytes(b"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\nfile:///etc/passwd\n")
    with pytest.raises(UnsupportedMedia, match="播放列表"):
        transcode(fake, tmp_path / "o.mp4", VIDEO_PROFILES["app_video"])


def test_image_is_not_a_video(tmp_path):
    fake = tmp_path / "video.mp4"
    fake.write_bytes(b"this is not a video at all" * 100)
    with pytest.raises(UnsupportedMedia):
        transcode(fake, tmp_path / "o.mp4", VIDEO_PROFILES["app_video"])


def test_truncated_mp4_is_reported_as_incomplete(tmp_path):
    full = make_clip(tmp_path / "full.mp4", seconds=1)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(full.read_bytes()[:20_000])
    with pytest.raises((CorruptMedia, UnsupportedMedia)):
        transcode(cut, tmp_path / "o.mp4", VIDEO_PROFILES["app_video"])


def test_ffmpeg_runs_are_killed_at_the_timeout():
    with pytest.raises(ProcessingTimeout, match="超时"):
        run_ffmpeg(
            ["-f", "lavfi", "-i", "testsrc=size=64x64:rate=5", "-f", "null", "-"], timeout=0.6
        )


# --- composition -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def music(tmp_path_factory):
    path = tmp_path_factory.mktemp("music") / "bgm.mp3"
    import subprocess

    from media_pipeline.video import ffmpeg_exe

    subprocess.run(
        [
            ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=330",
            "-t",
            "1.2",
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path


def test_compose_promo_with_cards_captions_transitions_and_music(tmp_path, music):
    slides = [
        Slide(photo_jpeg(800, 600), "南宁市信访局开展“信访宣传月”活动，群众踊跃参与。", 1.2),
        Slide(png_alpha(), "Guangxi 阳光信访 2025", 1.2),
    ]
    seen = []
    result = compose_promo(
        slides,
        tmp_path / "promo.mp4",
        VIDEO_PROFILES["wechat_video"],
        title="阳光信访 便民为民",
        subtitle="广西壮族自治区信访局",
        ending="谢谢观看",
        music=music,
        transition=0.4,
        fps=10,
        size=(192, 108),
        poster=tmp_path / "poster.jpg",
        progress=seen.append,
    )
    info = probe(result.path)
    # 2.5 + 1.2 + 1.2 + 2.5 seconds minus three 0.4 s overlaps.
    assert info.duration == pytest.approx(6.2, abs=0.2)
    assert (info.video_codec, info.audio_codec, info.width) == ("h264", "aac", 192)
    assert _is_faststart(result.path)
    assert result.poster_path.exists() and seen[-1] == 1.0


def test_compose_handles_tall_screenshots_without_audio(tmp_path):
    tall = encode(Image.new("RGB", (300, 2000), (10, 120, 10)), "PNG")
    result = compose_promo(
        [Slide(tall, "", 1.0)],
        tmp_path / "p.mp4",
        VIDEO_PROFILES["app_video"],
        fps=5,
        size=(160, 90),
    )
    assert not probe(result.path).has_audio


def test_compose_refuses_characters_the_font_lacks(tmp_path):
    with pytest.raises(MediaError, match="生僻字"):
        compose_promo(
            [Slide(photo_jpeg(300, 200), "𠀀字", 1.0)],
            tmp_path / "p.mp4",
            VIDEO_PROFILES["app_video"],
        )


def test_compose_refuses_overlong_captions(tmp_path):
    with pytest.raises(MediaError, match="过长"):
        compose_promo(
            [Slide(photo_jpeg(300, 200), "信访" * 200, 1.0)],
            tmp_path / "p.mp4",
            VIDEO_PROFILES["app_video"],
            size=(160, 90),
        )


def test_compose_refuses_films_longer_than_the_channel_allows(tmp_path):
    profile = dataclasses.replace(VIDEO_PROFILES["wechat_video"], max_duration_s=5)
    slides = [Slide(photo_jpeg(300, 200), "", 3.0)] * 3
    with pytest.raises(LimitNotMet):
        compose_promo(slides, tmp_path / "p.mp4", profile)


def test_compose_needs_at_least_one_image(tmp_path):
    with pytest.raises(MediaError, match="至少"):
        compose_promo([], tmp_path / "p.mp4", VIDEO_PROFILES["app_video"])
