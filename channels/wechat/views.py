"""The public door of the WeChat message callback, ``/wechat/<code>/`` (logic in ``callback``)."""

from __future__ import annotations

import logging

from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from backend_bridge.web import client_ip

from . import callback
from .accounts import AccountNotConfigured, get_account

logger = logging.getLogger(__name__)

#: A WeChat message is a few kilobytes; anything far larger is not from WeChat.
BODY_MAX_BYTES = 64 * 1024


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def message_callback(request, code: str):
    try:
        account = get_account(code)
    except AccountNotConfigured:
        raise Http404("未配置该公众号") from None
    query = callback.CallbackQuery.from_querydict(request.GET)
    try:
        if request.method == "GET":
            body = callback.handle_get(account, query)
        else:
            if len(request.body) > BODY_MAX_BYTES:
                return HttpResponseBadRequest("消息过大", content_type="text/plain; charset=utf-8")
            body = callback.handle_post(account, query, request.body)
    except callback.SignatureError as error:
        logger.warning(
            "WeChat %s: callback refused from %s: %s", account.code, client_ip(request), error
        )
        return HttpResponseForbidden("签名校验失败", content_type="text/plain; charset=utf-8")
    except callback.MessageError as error:
        logger.warning(
            "WeChat %s: unreadable callback from %s: %s", account.code, client_ip(request), error
        )
        return HttpResponseBadRequest("消息格式错误", content_type="text/plain; charset=utf-8")
    content_type = "application/xml; charset=utf-8" if body.startswith("<") else "text/plain"
    return HttpResponse(body, content_type=content_type)
