"""Django/Wagtail integration: stored variants, jobs as tasks, admin views, commands."""

import ast
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from media_samples import encode, photo_jpeg
from PIL import Image
from wagtail.images import get_image_model

from media_pipeline import services
from media_pipeline.errors import MediaError
from media_pipeline.models import ImageVariant, MediaJob
from media_pipeline.video import ffmpeg_exe

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings.MEDIA_ROOT


def make_image(data=None, name="photo.jpg", **kwargs):
    data = data or photo_jpeg(1200, 900)
    return get_image_model().objects.create(
        title=name, file=ImageFile(io.BytesIO(data), name=name), **kwargs
    )


def test_variant_is_rendered_once_and_reused():
    image = make_image()
    first = services.variant(image, "wechat_cover")
    again = services.variant(image, "wechat_cover")
    assert first.pk == again.pk and first.file.name == again.file.name
    assert (first.width, first.height, first.format) == (900, 383, "jpeg")
    assert first.byte_size == first.file.size <= 1_000_000


def test_changing_the_focal_point_makes_the_variant_stale():
    image = make_image()
    first = services.variant(image, "wechat_square")
    image.focal_point_x, image.focal_point_y = 100, 100
    image.focal_point_width = image.focal_point_height = 50
    image.save()
    second = services.variant(image, "wechat_square")
    assert second.pk == first.pk and second.spec != first.spec
    assert ImageVariant.objects.filter(image=image).count() == 1


def test_responsive_widths_and_fallback_are_separate_variants():
    image = make_image(photo_jpeg(1600, 1000))
    webp = services.variant(image, "portal_article", width=960)
    jpeg = services.variant(image, "portal_article", width=960, fmt="jpeg")
    assert (webp.format, jpeg.format, webp.width) == ("webp", "jpeg", 960)


def test_watermark_passed_as_data_changes_the_variant():
    image = make_image()
    logo = encode(Image.new("RGBA", (100, 40), (255, 255, 0, 255)), "PNG")
    plain = services.variant(image, "portal_banner")
    marked = services.variant(image, "portal_banner", watermark={"logo": logo, "opacity": 0.5})
    assert marked.spec != plain.spec


def test_watermark_resolver_setting_is_used(settings):
    settings.MEDIA_PIPELINE_WATERMARK_RESOLVER = "tests_media_resolver.resolve"
    image = make_image()
    import types

    module = types.ModuleType("tests_media_resolver")
    logo = encode(Image.new("RGBA", (60, 20), (0, 255, 0, 255)), "PNG")
    module.resolve = lambda image, profile: {"logo": logo, "profiles": ["topic_banner"]}
    sys.modules["tests_media_resolver"] = module
    try:
        assert services.resolve_watermark(image, "topic_banner") is not None
        assert services.resolve_watermark(image, "app_thumb") is None
        assert services.resolve_watermark(image, "topic_banner", watermark=False) is None
    finally:
        del sys.modules["tests_media_resolver"]


def test_fit_report_shows_each_profile_and_the_original():
    image = make_image(photo_jpeg(2000, 1500))
    services.variant(image, "wechat_thumb")
    rows = {r["profile"].name: r for r in services.fit_report(image)}
    assert rows["wechat_thumb"]["fits"] and rows["wechat_thumb"]["current"]
    assert rows["wechat_cover"]["variant"] is None
    assert any("尺寸" in p or "宽高比" in p for p in rows["wechat_cover"]["original_problems"])


def test_broken_image_file_gives_media_error():
    image = make_image()
    with image.file.open("wb") as fh:
        fh.write(b"not an image")
    image.file_hash = "changed"
    image.save()
    with pytest.raises(MediaError):
        services.variant(image, "app_thumb")


def test_regenerate_command_is_resumable_and_skips_current(capsys):
    images = [make_image(name=f"p{i}.jpg") for i in range(3)]
    call_command("media_regenerate", "app_thumb", "--after-id", str(images[0].pk))
    assert not ImageVariant.objects.filter(image=images[0]).exists()
    assert ImageVariant.objects.filter(profile="app_thumb").count() == 2
    before = {v.pk: v.file.name for v in ImageVariant.objects.all()}
    call_command("media_regenerate", "app_thumb")
    after = {v.pk: v.file.name for v in ImageVariant.objects.all()}
    assert ImageVariant.objects.count() == 3 and all(after[k] == v for k, v in before.items())


def test_regenerate_unknown_profile_fails_clearly():
    with pytest.raises(CommandError, match="没有名为"):
        call_command("media_regenerate", "nope")


# --- jobs --------------------------------------------------------------------------------------


def _clip(tmp_path, seconds=1):
    path = tmp_path / "clip.mp4"
    subprocess.run(
        [
            ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=160x120:rate=15",
            "-t",
            str(seconds),
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path


def test_transcode_job_runs_as_a_task_and_records_the_result(
    tmp_path, django_capture_on_commit_callbacks
):
    data = _clip(tmp_path).read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        job = services.create_transcode_job(
            ContentFile(data, name="clip.mp4"), "wechat_video", title="测试"
        )
    job.refresh_from_db()
    assert job.status == MediaJob.Status.SUCCEEDED, job.message
    assert job.progress == 100 and job.output.name.endswith(".mp4") and job.poster
    assert job.result["width"] == 160 and job.task_id


def test_failed_job_says_why_and_can_be_retried(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.create_transcode_job(
            ContentFile(b"garbage" * 100, name="x.mp4"), "app_video"
        )
    job.refresh_from_db()
    assert job.status == MediaJob.Status.FAILED and "不是可识别" in job.message
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_job(job)
    job.refresh_from_db()
    assert job.status == MediaJob.Status.FAILED and job.attempts == 1


def test_retryable_errors_are_retried_automatically(
    monkeypatch, django_capture_on_commit_callbacks
):
    from media_pipeline.errors import ProcessingTimeout

    calls = []

    def flaky(job, tmp, progress):
        calls.append(1)
        raise ProcessingTimeout("处理超时")

    monkeypatch.setattr(services, "_do", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.create_transcode_job(ContentFile(b"x", name="x.mp4"), "app_video")
    job.refresh_from_db()
    assert len(calls) == 3 and job.status == MediaJob.Status.FAILED and job.attempts == 3


def test_running_job_with_a_live_lease_is_not_claimed_twice():
    job = MediaJob.objects.create(kind="transcode", profile="app_video")
    assert services._claim(job.pk) is not None
    assert services._claim(job.pk) is None


def test_compose_job_from_wagtail_images(django_capture_on_commit_callbacks):
    a, b = make_image(name="a.jpg"), make_image(photo_jpeg(800, 600, seed=3), name="b.jpg")
    slides = [
        {"image_id": a.pk, "caption": "信访宣传", "duration": 1},
        {"image_id": b.pk, "caption": "", "duration": 1},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        job = services.create_compose_job(slides, "app_video", title="阳光信访", transition=0.3)
        # Small and fast for the test; the admin never sets these.
        MediaJob.objects.filter(pk=job.pk).update(
            params={**job.params, "size": [160, 90], "fps": 5}
        )
    job.refresh_from_db()
    assert job.status == MediaJob.Status.SUCCEEDED, job.message
    assert job.result["width"] == 160


# --- admin -------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "mp-admin", "a@example.com", "pw-123456789Aa!"
    )
    client.force_login(user)
    return client


def test_admin_pages_render(admin_client):
    image = make_image()
    job = MediaJob.objects.create(
        kind="transcode", profile="app_video", status="failed", message="原因"
    )
    for url in [
        reverse("media_pipeline:jobs"),
        reverse("media_pipeline:job", args=[job.pk]),
        reverse("media_pipeline:compose"),
        reverse("media_pipeline:transcode"),
        reverse("media_pipeline:images"),
        reverse("media_pipeline:image", args=[image.pk]),
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url


def test_admin_generates_variants_and_shows_fit(admin_client):
    image = make_image()
    url = reverse("media_pipeline:image", args=[image.pk])
    admin_client.post(url, {"profile": ["wechat_thumb", "app_thumb"]})
    assert ImageVariant.objects.filter(image=image).count() == 2
    assert "✔ 符合" in admin_client.get(url).content.decode()


def test_admin_compose_form_creates_a_job(admin_client, monkeypatch):
    monkeypatch.setattr(services, "enqueue_job", lambda job: None)
    image = make_image()
    data = {
        "profile": "wechat_video",
        "title": "标题",
        "transition": "0.5",
        "slides-TOTAL_FORMS": "2",
        "slides-INITIAL_FORMS": "0",
        "slides-0-image": str(image.pk),
        "slides-0-caption": "说明",
        "slides-0-duration": "3",
        "slides-1-image": "",
        "slides-1-caption": "",
        "slides-1-duration": "3",
    }
    response = admin_client.post(reverse("media_pipeline:compose"), data)
    job = MediaJob.objects.get()
    assert response.status_code == 302 and job.params["slides"][0]["caption"] == "说明"


def test_admin_compose_without_images_rerenders_with_error(admin_client):
    data = {
        "profile": "wechat_video",
        "transition": "0.5",
        "slides-TOTAL_FORMS": "1",
        "slides-INITIAL_FORMS": "0",
        "slides-0-duration": "3",
    }
    response = admin_client.post(reverse("media_pipeline:compose"), data)
    assert response.status_code == 200 and "至少选择一张图片" in response.content.decode()


def test_admin_views_need_permission(client, django_user_model):
    user = django_user_model.objects.create_user("mp-editor", password="pw-123456789Aa!")
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(reverse("media_pipeline:jobs")).status_code in (302, 403)


# --- commands ----------------------------------------------------------------------------------


def test_media_profiles_lists_every_profile(capsys):
    call_command("media_profiles")
    out = capsys.readouterr().out
    assert "wechat_thumb" in out and "64 KB" in out and "wechat_video" in out


def test_media_render_image_and_video(tmp_path):
    src = tmp_path / "in.jpg"
    src.write_bytes(photo_jpeg(1000, 800))
    call_command(
        "media_render", str(src), "--profile", "wechat_thumb", "--out", str(tmp_path / "t.jpg")
    )
    assert Image.open(tmp_path / "t.jpg").size == (300, 300)
    clip = _clip(tmp_path)
    call_command(
        "media_render",
        str(clip),
        "--profile",
        "app_video",
        "--out",
        str(tmp_path / "v.mp4"),
        "--poster",
        str(tmp_path / "v.jpg"),
    )
    assert (tmp_path / "v.mp4").stat().st_size > 0 and (tmp_path / "v.jpg").exists()


def test_media_render_fails_non_zero_with_a_chinese_message(tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_text("<html></html>")
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "media_render",
            str(bad),
            "--profile",
            "wechat_cover",
            "--out",
            str(tmp_path / "o.jpg"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cms.test_settings"},
    )
    assert result.returncode != 0
    assert "不是可识别的图片" in result.stderr


def test_media_render_rejects_unknown_profile(tmp_path):
    src = tmp_path / "in.jpg"
    src.write_bytes(photo_jpeg(300, 200))
    with pytest.raises(CommandError, match="没有名为“nope”"):
        call_command(
            "media_render", str(src), "--profile", "nope", "--out", str(tmp_path / "o.jpg")
        )


# --- architecture ------------------------------------------------------------------------------


def test_media_pipeline_stays_a_leaf():
    forbidden = {"cms", "sites", "channels", "mini_programs", "backend_bridge", "sensitive_words"}
    root = Path(__file__).resolve().parents[2] / "media_pipeline"
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path.name} imports {name}"
