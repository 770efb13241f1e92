"""Route of the release check: ``GET /api/app/v1/releases/latest`` (thin over
:mod:`channels.app.releases`)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from . import releases, schemas
from .api import AppError
from .caching import cached_json

router = Router(tags=["版本更新"])


@router.get(
    "/releases/latest",
    response={
        200: schemas.ReleaseCheckOut,
        304: None,
        400: schemas.ErrorOut,
        422: schemas.ErrorOut,
    },
    summary="检查版本更新",
    description="返回该平台对本设备生效的最新版本、是否有更新（update_available）以及是否必须更新"
    "（update_required：当前版本低于最低支持版本）。",
)
def latest(
    request: HttpRequest,
    platform: str = Query(..., max_length=16, description="android、ios 或 harmony"),
    version: str = Query(..., max_length=40, description="APP 自身的版本号，如 2.3.1"),
    device_id: str | None = Query(None, max_length=128, description="设备编号（灰度发布用）"),
):
    try:
        answer = releases.check(platform, version, device_id)
    except releases.ReleaseError as error:
        raise AppError(400, error.code, error.message) from None
    # Releases belong to no portal; an administrator's change is seen within max-age.
    return cached_json(request, answer.as_dict, shared=False)
