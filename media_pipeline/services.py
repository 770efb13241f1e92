"""What the rest of the project calls: channel variants of Wagtail images, and media jobs.

Channels ask ``variant(image, "wechat_cover")`` and never resize on their own. A variant is
rendered once, stored, and reused until its inputs change (profile definition, the image file,
its focal point, the watermark), which ``spec_for`` captures in a fingerprint.

Watermarks are per portal, and portals live in another app, so they come in as data: pass
``watermark={...}`` (see ``imaging.Watermark.from_config``), or set
``MEDIA_PIPELINE_WATERMARK_RESOLVER`` to a dotted path of ``f(image, profile_name) -> dict | None``
(the Django way, like EMAIL_BACKEND); this module never imports the project's apps.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from wagtail.images import get_image_model

from .errors import MediaError
from .imaging import FocalPoint, Limits, Watermark, check_fits, render_image
from .models import ImageVariant, MediaJob
from .profiles import IMAGE_PROFILES, ImageProfile, get_image_profile, get_video_profile

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=30)
NO_WATERMARK = False


def _limits() -> Limits:
    return Limits(
        max_input_bytes=getattr(settings, "WAGTAILIMAGES_MAX_UPLOAD_SIZE", 50_000_000) * 2,
        max_pixels=getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", 64_000_000),
    )


def resolve_watermark(image, profile_name: str, watermark=None) -> Watermark | None:
    """An explicit watermark (or False for none) wins; else the configured resolver's."""
    if watermark is False:
        return None
    if watermark is None:
        path = getattr(settings, "MEDIA_PIPELINE_WATERMARK_RESOLVER", "")
        if not path:
            return None
        watermark = import_string(path)(image, profile_name)
    mark = Watermark.from_config(watermark)
    return mark if mark and mark.applies_to(profile_name) else None


def focal_point_of(image) -> FocalPoint | None:
    if image.focal_point_x is None or image.focal_point_y is None:
        return None
    return FocalPoint(
        image.focal_point_x,
        image.focal_point_y,
        image.focal_point_width or 0,
        image.focal_point_height or 0,
    )


def _slot(profile: ImageProfile, width: int | None, fmt: str | None) -> tuple[int, str]:
    fmt = (fmt or profile.formats[0]).lower().replace("jpg", "jpeg")
    if fmt not in profile.formats:
        raise MediaError(f"规格“{profile.label}”不提供 {fmt.upper()} 格式。")
    if profile.height or width is None:
        return profile.width, fmt
    if width not in profile.all_widths:
        raise MediaError(f"规格“{profile.label}”没有 {width} 宽度。")
    return width, fmt


def spec_for(image, profile: ImageProfile, watermark: Watermark | None) -> str:
    source = image.file_hash or f"{image.file.name}:{image.file_size}"
    parts = [
        profile.fingerprint(),
        source,
        repr(
            (
                image.focal_point_x,
                image.focal_point_y,
                image.focal_point_width,
                image.focal_point_height,
            )
        ),
        watermark.fingerprint() if watermark else "-",
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _read_image_file(image) -> bytes:
    with image.open_file() as fh:
        return fh.read()


def variant(
    image, profile_name: str, *, width: int | None = None, fmt: str | None = None, watermark=None
) -> ImageVariant:
    """The stored variant of a Wagtail image for a profile, rendering it if missing or stale.

    Raises ``MediaError`` (zh-hans ``message``) when the image cannot be made to fit.
    """
    profile = get_image_profile(profile_name)
    width_slot, fmt = _slot(profile, width, fmt)
    mark = resolve_watermark(image, profile.name, watermark)
    spec = spec_for(image, profile, mark)
    existing = ImageVariant.objects.filter(
        image=image, profile=profile.name, width_slot=width_slot, format=fmt
    ).first()
    if existing and existing.spec == spec:
        return existing
    rendered = render_image(
        _read_image_file(image),
        profile,
        width=None if profile.height else width_slot,
        fmt=fmt,
        focal_point=focal_point_of(image),
        watermark=mark,
        name=Path(image.file.name).name,
        limits=_limits(),
    )
    stem = Path(image.file.name).stem[:60]
    filename = f"{stem}.{profile.name}.{width_slot}.{spec[:8]}.{rendered.extension}"
    fields = {
        "spec": spec,
        "width": rendered.width,
        "height": rendered.height,
        "byte_size": rendered.byte_size,
        "quality": rendered.quality,
        "notes": rendered.notes,
    }
    old_file = existing.file.name if existing else None
    target = existing or ImageVariant(
        image=image, profile=profile.name, width_slot=width_slot, format=fmt
    )
    for key, value in fields.items():
        setattr(target, key, value)
    target.file.save(filename, ContentFile(rendered.data), save=False)
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        # Another worker rendered the same slot at the same time: theirs is as good as ours.
        target.file.delete(save=False)
        return ImageVariant.objects.get(
            image=image, profile=profile.name, width_slot=width_slot, format=fmt
        )
    if old_file and old_file != target.file.name:
        target.file.storage.delete(old_file)
    return target


def picture_variants(
    image, profile_name: str, *, watermark=None
) -> dict[tuple[int, str], ImageVariant]:
    """Every width x format slot of a profile for one image, as ``{(width, format): variant}``,
    for a responsive <picture>. Current variants are read in one query; missing or stale slots
    are rendered. Raises ``MediaError`` like ``variant``."""
    profile = get_image_profile(profile_name)
    mark = resolve_watermark(image, profile.name, watermark)
    spec = spec_for(image, profile, mark)
    widths = (profile.width,) if profile.height else profile.all_widths
    stored = {
        (v.width_slot, v.format): v
        for v in ImageVariant.objects.filter(image=image, profile=profile.name, spec=spec)
    }
    result = {}
    for width in widths:
        for fmt in profile.formats:
            current = stored.get((width, fmt))
            result[(width, fmt)] = current or variant(
                image,
                profile.name,
                width=None if profile.height else width,
                fmt=fmt,
                watermark=mark or False,
            )
    return result


def variant_url(image, profile_name: str, **kwargs) -> str:
    return variant(image, profile_name, **kwargs).file.url


def fit_report(image, watermark=None) -> list[dict]:
    """For each image profile: the stored variant (if any), whether it is current and whether
    it fits the channel, plus whether the original itself would. Renders nothing."""
    stored = {
        (v.profile, v.width_slot, v.format): v for v in ImageVariant.objects.filter(image=image)
    }
    original_fmt = (Path(image.file.name).suffix.lstrip(".") or "?").lower()
    rows = []
    for profile in IMAGE_PROFILES.values():
        mark = resolve_watermark(image, profile.name, watermark)
        spec = spec_for(image, profile, mark)
        slot = (profile.name, profile.width, profile.formats[0])
        v = stored.get(slot)
        problems = check_fits(profile, v.width, v.height, v.format, v.byte_size) if v else []
        rows.append(
            {
                "profile": profile,
                "variant": v,
                "current": bool(v and v.spec == spec),
                "fits": bool(v) and not problems,
                "problems": problems,
                "original_problems": check_fits(
                    profile, image.width, image.height, original_fmt, image.file_size or 0
                ),
            }
        )
    return rows


def regenerate(profile_name: str, *, after_id: int = 0, limit: int | None = None, report=None):
    """Re-render ``profile_name`` for every image with id > ``after_id`` whose stored variant
    is missing or stale. Idempotent, so an interrupted run can simply be started again
    (``after_id`` skips what is known to be done). Yields (image_id, outcome) pairs."""
    profile = get_image_profile(profile_name)
    Image = get_image_model()
    qs = Image.objects.filter(id__gt=after_id).order_by("id")
    if limit:
        qs = qs[:limit]
    slots = [
        (w, f)
        for f in profile.formats
        for w in (profile.all_widths if not profile.height else (profile.width,))
    ]
    for image in qs.iterator(chunk_size=200):
        outcome = "ok"
        try:
            for width, fmt in slots:
                variant(image, profile.name, width=None if profile.height else width, fmt=fmt)
        except MediaError as exc:
            outcome = exc.message
        except OSError as exc:  # a missing file in storage must not stop the run
            outcome = f"读取原图失败：{exc}"
        yield image.id, outcome


# ---------------------------------------------------------------------------------------------
# Jobs


def create_transcode_job(source_file, profile_name: str, *, user=None, title: str = "") -> MediaJob:
    get_video_profile(profile_name)
    job = MediaJob(kind=MediaJob.Kind.TRANSCODE, profile=profile_name, title=title, created_by=user)
    job.source.save(Path(source_file.name).name, source_file, save=False)
    job.save()
    enqueue_job(job)
    return job


def create_compose_job(
    slides: list[dict],
    profile_name: str,
    *,
    title: str = "",
    subtitle: str = "",
    ending: str = "",
    music_file=None,
    transition: float = 0.6,
    user=None,
) -> MediaJob:
    """``slides``: [{"image_id": int, "caption": str, "duration": float}, ...]."""
    get_video_profile(profile_name)
    if not slides:
        raise MediaError("请至少选择一张图片。")
    job = MediaJob(
        kind=MediaJob.Kind.COMPOSE,
        profile=profile_name,
        title=title or "宣传片",
        created_by=user,
        params={
            "slides": slides,
            "title": title,
            "subtitle": subtitle,
            "ending": ending,
            "transition": transition,
        },
    )
    if music_file is not None:
        job.music.save(Path(music_file.name).name, music_file, save=False)
    job.save()
    enqueue_job(job)
    return job


def enqueue_job(job: MediaJob) -> None:
    from .tasks import run_media_job

    def send():
        result = run_media_job.enqueue(job.pk)
        MediaJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])

    transaction.on_commit(send)


def retry_job(job: MediaJob) -> MediaJob:
    """Put a failed (or stuck) job back in the queue with a fresh attempt budget."""
    if job.status == MediaJob.Status.SUCCEEDED:
        raise MediaError("任务已完成，无需重试。")
    if (
        job.status == MediaJob.Status.RUNNING
        and job.lease_expires_at
        and job.lease_expires_at > timezone.now()
    ):
        raise MediaError("任务正在处理中，请稍候。")
    MediaJob.objects.filter(pk=job.pk).update(
        status=MediaJob.Status.PENDING,
        progress=0,
        attempts=0,
        message="",
        task_id="",
        lease_expires_at=None,
    )
    job.refresh_from_db()
    enqueue_job(job)
    return job


def _claim(job_id: int) -> MediaJob | None:
    now = timezone.now()
    claimable = Q(status=MediaJob.Status.PENDING) | Q(
        status=MediaJob.Status.RUNNING, lease_expires_at__lt=now
    )
    updated = MediaJob.objects.filter(claimable, pk=job_id, attempts__lt=F("max_attempts")).update(
        status=MediaJob.Status.RUNNING,
        attempts=F("attempts") + 1,
        lease_expires_at=now + LEASE,
        started_at=now,
        progress=0,
    )
    return MediaJob.objects.get(pk=job_id) if updated else None


def run_job(job_id: int) -> str:
    """Claim and run one job (called by the task). Returns the final status."""
    job = _claim(job_id)
    if job is None:
        return "skipped"
    last = {"t": 0.0}

    def progress(fraction: float) -> None:
        now = time.monotonic()
        if now - last["t"] < 1.0 and fraction < 1.0:
            return
        last["t"] = now
        MediaJob.objects.filter(pk=job.pk).update(
            progress=int(fraction * 100), lease_expires_at=timezone.now() + LEASE
        )

    try:
        with tempfile.TemporaryDirectory(prefix="media-job-") as tmp:
            result = _do(job, Path(tmp), progress)
            job.output.save(
                f"job{job.pk}-{job.profile}.mp4", File(result.path.open("rb")), save=False
            )
            if result.poster_path:
                job.poster.save(
                    f"job{job.pk}-{job.profile}.jpg",
                    File(result.poster_path.open("rb")),
                    save=False,
                )
        job.status = MediaJob.Status.SUCCEEDED
        job.progress = 100
        job.message = "；".join(result.notes)
        job.result = {
            "duration": round(result.duration, 2),
            "width": result.width,
            "height": result.height,
            "byte_size": result.byte_size,
            "video_kbps": result.video_kbps,
        }
    except MediaError as exc:
        job.message = exc.message
        if exc.retryable and job.attempts < job.max_attempts:
            job.status = MediaJob.Status.PENDING
            job.message = f"第 {job.attempts} 次尝试失败，将自动重试：{exc.message}"
        else:
            job.status = MediaJob.Status.FAILED
    except Exception:
        logger.exception("media job %s crashed", job.pk)
        job.status = MediaJob.Status.FAILED
        job.message = "处理时发生内部错误，已记录日志。可点击“重试”，如仍失败请联系运维。"
    job.finished_at = timezone.now()
    job.lease_expires_at = None
    job.save()
    if job.status == MediaJob.Status.PENDING:
        enqueue_job(job)
    return job.status


def _do(job: MediaJob, tmp: Path, progress):
    from .compose import Slide, compose_promo
    from .video import transcode

    profile = get_video_profile(job.profile)
    out, poster = tmp / "out.mp4", tmp / "poster.jpg"
    if job.kind == MediaJob.Kind.TRANSCODE:
        src = tmp / ("source" + Path(job.source.name).suffix.lower()[:8])
        with job.source.open("rb") as fh, src.open("wb") as dst:
            for chunk in fh.chunks():
                dst.write(chunk)
        return transcode(src, out, profile, poster=poster, progress=progress)
    params = job.params
    Image = get_image_model()
    images = Image.objects.in_bulk([s["image_id"] for s in params["slides"]])
    slides = []
    for i, s in enumerate(params["slides"], 1):
        image = images.get(s["image_id"])
        if image is None:
            raise MediaError(f"第 {i} 张图片已被删除，请重新选择。")
        slides.append(
            Slide(
                image=_read_image_file(image),
                caption=s.get("caption", ""),
                duration=float(s.get("duration") or 3),
                focal_point=focal_point_of(image),
                name=Path(image.file.name).name,
            )
        )
    music = None
    if job.music:
        music = tmp / ("music" + Path(job.music.name).suffix.lower()[:8])
        with job.music.open("rb") as fh, music.open("wb") as dst:
            for chunk in fh.chunks():
                dst.write(chunk)
    return compose_promo(
        slides,
        out,
        profile,
        title=params.get("title", ""),
        subtitle=params.get("subtitle", ""),
        ending=params.get("ending", ""),
        music=music,
        transition=float(params.get("transition", 0.6)),
        size=tuple(params["size"]) if params.get("size") else None,
        fps=params.get("fps"),
        poster=poster,
        progress=progress,
    )


def sweep_expired_jobs(now=None) -> dict[str, int]:
    """Jobs whose worker died (running, lease expired): queued again while attempts remain,
    otherwise failed with the reason. Run by ``media_sweep`` on a timer; safe on several hosts,
    because each job is taken back with a conditional UPDATE and ``run_job`` claims it again."""
    now = now or timezone.now()
    expired = MediaJob.objects.filter(status=MediaJob.Status.RUNNING, lease_expires_at__lt=now)
    counts = {"requeued": 0, "failed": 0}
    for job in expired.filter(attempts__lt=F("max_attempts")):
        taken = MediaJob.objects.filter(
            pk=job.pk, status=MediaJob.Status.RUNNING, lease_expires_at__lt=now
        ).update(
            status=MediaJob.Status.PENDING,
            lease_expires_at=None,
            task_id="",
            message=f"处理进程中断（第 {job.attempts} 次尝试），已自动重新排队",
        )
        if taken:
            enqueue_job(job)
            counts["requeued"] += 1
    counts["failed"] = expired.filter(attempts__gte=F("max_attempts")).update(
        status=MediaJob.Status.FAILED,
        lease_expires_at=None,
        finished_at=now,
        message="处理进程多次中断，已达最多尝试次数。可点击“重试”，如仍失败请联系运维。",
    )
    if counts["requeued"] or counts["failed"]:
        logger.warning("media jobs swept: %s", counts)
    return counts
