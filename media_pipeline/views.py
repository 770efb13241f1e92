"""Wagtail admin views: media jobs with progress, promo composition, transcoding, and each
image's channel variants with whether they fit."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.images import get_image_model

from . import services
from .errors import MediaError
from .forms import ComposeForm, SlideFormSet, TranscodeForm
from .models import MediaJob
from .profiles import IMAGE_PROFILES

JOB_PERMISSION = "media_pipeline.add_mediajob"
IMAGE_PERMISSION = "wagtailimages.change_image"
# Collection rights (Wagtail's image permission policy) that open an image's channel variants.
IMAGE_ACTIONS = ["change", "choose"]


def _image_policy():
    from wagtail.permissions import policy_registry

    return policy_registry.get_by_type(get_image_model())


def can_use_images(user) -> bool:
    return user.has_perm(IMAGE_PERMISSION) or _image_policy().user_has_any_permission(
        user, IMAGE_ACTIONS
    )


def visible_images(user):
    """Images in the collections where the user holds a right (per portal, with per-portal
    collections); all of them with the model-wide right."""
    if user.has_perm(IMAGE_PERMISSION):
        return get_image_model().objects.all()
    return _image_policy().instances_user_has_any_permission_for(user, IMAGE_ACTIONS)


def visible_jobs(user):
    """Jobs the user may see: all for superusers; otherwise those whose creators the project's
    ``MEDIA_PIPELINE_JOB_COLLEAGUES`` (dotted path of ``f(user) -> queryset of users``, e.g. the
    staff of the same portal) names, else the creators sharing one of the user's groups."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    jobs = MediaJob.objects.select_related("created_by")
    if user.is_superuser:
        return jobs
    path = getattr(settings, "MEDIA_PIPELINE_JOB_COLLEAGUES", "")
    if path:
        colleagues = Q(created_by__in=import_string(path)(user))
    else:
        colleagues = Q(created_by__groups__in=user.groups.all())
    return jobs.filter(Q(created_by=user) | colleagues).distinct()


class PermissionMixin:
    permission = JOB_PERMISSION

    def dispatch(self, request, *args, **kwargs):
        allowed = (
            can_use_images(request.user)
            if self.permission == IMAGE_PERMISSION
            else request.user.has_perm(self.permission)
        )
        if not allowed:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class JobListView(PermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "media_pipeline/jobs.html"
    page_title = "媒体处理任务"
    header_icon = "media"

    def get_context_data(self, **kwargs):
        jobs = list(visible_jobs(self.request.user)[:100])
        return super().get_context_data(
            jobs=jobs, any_active=any(j.is_active for j in jobs), **kwargs
        )


class JobDetailView(PermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "media_pipeline/job_detail.html"
    header_icon = "media"

    def get_page_title(self):
        return f"任务：{self.job}"

    def dispatch(self, request, *args, pk, **kwargs):
        self.job = get_object_or_404(visible_jobs(request.user), pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(job=self.job, **kwargs)


@require_POST
def retry_job(request, pk):
    if not request.user.has_perm(JOB_PERMISSION):
        raise PermissionDenied
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    try:
        services.retry_job(job)
        messages.success(request, f"已重新排队：{job}")
    except MediaError as exc:
        messages.error(request, exc.message)
    return redirect("media_pipeline:job", pk=pk)


class ComposeView(PermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "media_pipeline/compose.html"
    page_title = "合成宣传片"
    header_icon = "media"

    def get_context_data(self, form=None, slides=None, **kwargs):
        return super().get_context_data(
            form=form or ComposeForm(), slides=slides or SlideFormSet(prefix="slides"), **kwargs
        )

    def post(self, request):
        form = ComposeForm(request.POST, request.FILES)
        slides = SlideFormSet(request.POST, prefix="slides")
        if form.is_valid() and slides.is_valid():
            chosen = [
                {"image_id": s["image"].pk, "caption": s["caption"], "duration": s["duration"]}
                for s in slides.cleaned_data
                if s.get("image")
            ]
            if not chosen:
                form.add_error(None, "请至少选择一张图片。")
            else:
                d = form.cleaned_data
                try:
                    job = services.create_compose_job(
                        chosen,
                        d["profile"],
                        title=d["title"],
                        subtitle=d["subtitle"],
                        ending=d["ending"],
                        music_file=d["music"],
                        transition=d["transition"],
                        user=request.user,
                    )
                except MediaError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, "已提交合成任务，可在本页查看进度。")
                    return redirect("media_pipeline:job", pk=job.pk)
        return self.render_to_response(self.get_context_data(form=form, slides=slides))


class TranscodeView(PermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "media_pipeline/transcode.html"
    page_title = "视频转码"
    header_icon = "media"

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(form=form or TranscodeForm(), **kwargs)

    def post(self, request):
        form = TranscodeForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            job = services.create_transcode_job(
                d["source"], d["profile"], user=request.user, title=d["title"] or d["source"].name
            )
            messages.success(request, "已提交转码任务，可在本页查看进度。")
            return redirect("media_pipeline:job", pk=job.pk)
        return self.render_to_response(self.get_context_data(form=form))


class ImageIndexView(PermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    permission = IMAGE_PERMISSION
    template_name = "media_pipeline/image_index.html"
    page_title = "图片渠道版本"
    header_icon = "image"

    def get_context_data(self, **kwargs):
        q = self.request.GET.get("q", "").strip()
        images = visible_images(self.request.user).order_by("-created_at")
        if q:
            images = images.filter(pk=int(q)) if q.isdigit() else images.filter(title__icontains=q)
        return super().get_context_data(images=images[:60], q=q, **kwargs)


class ImageVariantsView(PermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    permission = IMAGE_PERMISSION
    template_name = "media_pipeline/image_variants.html"
    header_icon = "image"

    def dispatch(self, request, *args, image_id, **kwargs):
        self.image = get_object_or_404(visible_images(request.user), pk=image_id)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"渠道版本：{self.image.title}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            image=self.image, rows=services.fit_report(self.image), **kwargs
        )

    def post(self, request, **kwargs):
        names = request.POST.getlist("profile") or list(IMAGE_PROFILES)
        for name in names:
            try:
                services.variant(self.image, name)
            except MediaError as exc:
                messages.error(request, f"{IMAGE_PROFILES[name].label}：{exc.message}")
        messages.success(request, "已生成所选规格的版本。")
        return redirect(reverse("media_pipeline:image", args=[self.image.pk]))
