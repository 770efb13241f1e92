"""Request bodies larger than their door allows are refused before anything reads them.

Citizens' doors (the 互动交流 pages, the JSON APIs, the WeChat callback) take at most
``REQUEST_MAX_BYTES`` (attachments are 30 MB in all); the admin, where editors upload videos,
``REQUEST_MAX_BYTES_ADMIN``. The declared Content-Length is compared first, so a 2 GB upload is
answered with 413 at once instead of being spooled to disk; nginx's ``client_max_body_size``
holds the same line in front (deploy/). A body without a length (chunked) is cut off while it
is read: Django's own ``DATA_UPLOAD_MAX_MEMORY_SIZE`` covers the non-file part.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse

ADMIN_PREFIXES = ("/admin/", "/django-admin/")


def limit_for(path: str) -> int:
    if path.startswith(ADMIN_PREFIXES):
        return settings.REQUEST_MAX_BYTES_ADMIN
    return settings.REQUEST_MAX_BYTES


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse(
                "请求格式错误。", status=400, content_type="text/plain; charset=utf-8"
            )
        limit = limit_for(request.path)
        if length > limit:
            return HttpResponse(
                f"提交的内容过大（上限 {limit // (1024 * 1024)}MB），请减少或压缩附件后重试。",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
