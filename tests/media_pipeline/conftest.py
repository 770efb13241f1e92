"""Fixtures for the media_pipeline tests; the generators live in media_samples."""

import pytest
from media_samples import INPUTS, make_clip


@pytest.fixture(scope="session")
def inputs():
    return {name: make() for name, make in INPUTS.items()}


@pytest.fixture(scope="session")
def clips(tmp_path_factory):
    d = tmp_path_factory.mktemp("clips")
    return {
        "mov_gps": make_clip(
            d / "phone.mov",
            extra=("-metadata", "location=+22.8170+108.3665/", "-c:v", "mpeg4", "-c:a", "aac"),
        ),
        "hd_mkv": make_clip(d / "hd.mkv", seconds=1, size="1920x1080", rate=25),
        "silent_webm": make_clip(d / "silent.webm", seconds=1, audio=False),
    }
