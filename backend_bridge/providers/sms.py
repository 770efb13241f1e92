"""SMS providers: the base class, the console provider, Alibaba Cloud and Tencent Cloud SMS.

Chosen by ``settings.SMS_PROVIDER`` (a dotted path) through ``backend_bridge.providers
.get_sms_provider()``. ``send(phone, template_code, params)`` either returns a ``SendResult`` or
raises ``ProviderError``; it never retries by itself, because a timed-out SMS may still have been
delivered and a second one would cost money and confuse the citizen.

- ``ConsoleSmsProvider``: development and tests; logs the rendered text and keeps it in ``sent``.
- ``AliyunSmsProvider``: Alibaba Cloud ``SendSms`` (API 2017-05-25), RPC style, signature
  method HMAC-SHA1 over the canonicalized query (signature version 1.0).
- ``TencentSmsProvider``: Tencent Cloud ``SendSms`` (API 2021-01-11), TC3-HMAC-SHA256.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import ProviderError, http_request, json_object

logger = logging.getLogger(__name__)

# What the console provider prints for the templates the project uses; real gateways hold their
# own copy of each template, registered and approved under its template code.
TEMPLATE_TEXTS = {
    "verification_code": "您的验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略本短信。",
    "query_code": "您提交的事项已登记，查询码为{code}。凭查询码可在网站或公众号查询办理进度，请妥善保存，勿告知他人。",
}


@dataclass
class SendResult:
    """A message the gateway accepted: ``message_id`` is its id there (BizId, SerialNo …)."""

    provider: str
    phone: str
    message_id: str
    raw: dict = field(default_factory=dict)


def _setting(name: str, default=None):
    return getattr(settings, name, default)


def _required(value, setting_name: str) -> str:
    if not value:
        raise ImproperlyConfigured(f"{setting_name} must be set to use this SMS provider")
    return str(value)


class BaseSmsProvider:
    """Subclasses implement ``send``; ``params`` is an ordered mapping of template variables."""

    name = "base"

    def __init__(self, *, sign_name: str | None = None, timeout: float | None = None, **options):
        self.sign_name = sign_name if sign_name is not None else _setting("SMS_SIGN_NAME", "")
        self.timeout = float(timeout if timeout is not None else _setting("SMS_TIMEOUT", 5))
        self.options = options

    def send(self, phone: str, template_code: str, params: dict[str, str]) -> SendResult:
        raise NotImplementedError


class ConsoleSmsProvider(BaseSmsProvider):
    """Development provider: nothing leaves the machine. Messages are logged and appended to the
    class-wide ``sent`` list (one list per process, like ``django.core.mail.outbox``)."""

    name = "console"
    sent: list[dict] = []
    _lock = threading.Lock()

    def send(self, phone: str, template_code: str, params: dict[str, str]) -> SendResult:
        template = TEMPLATE_TEXTS.get(template_code)
        try:
            text = template.format(**params) if template else None
        except (KeyError, IndexError):
            text = None
        if text is None:
            text = f"模板 {template_code}：" + "，".join(f"{k}={v}" for k, v in params.items())
        if self.sign_name:
            text = f"【{self.sign_name}】{text}"
        with self._lock:
            message_id = f"console-{len(self.sent) + 1}"
            self.sent.append(
                {
                    "phone": phone,
                    "template_code": template_code,
                    "params": dict(params),
                    "text": text,
                    "message_id": message_id,
                }
            )
        level = logging.INFO if settings.DEBUG else logging.WARNING
        logger.log(level, "SMS (console provider, not sent) to %s: %s", phone, text)
        return SendResult(self.name, phone, message_id, {"text": text})


# --- Alibaba Cloud -------------------------------------------------------------------------------


def aliyun_percent_encode(value: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud's signature V1 wants it: only A-Z a-z 0-9 - _ . ~ stay;
    a space is %20, never +."""
    return quote(str(value), safe="-_.~")


def aliyun_rpc_signature(method: str, params: dict[str, str], access_key_secret: str) -> str:
    """Signature V1 (HMAC-SHA1) of an RPC request: base64 of HMAC-SHA1 with key ``secret + "&"``
    over ``METHOD&%2F&percentEncode(canonicalized query)``."""
    canonical = "&".join(
        f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}"
        for k, v in sorted(params.items())
        if k != "Signature"
    )
    string_to_sign = (
        f"{method.upper()}&{aliyun_percent_encode('/')}&{aliyun_percent_encode(canonical)}"
    )
    digest = hmac.new(
        (access_key_secret + "&").encode(), string_to_sign.encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


# Codes after which the same request may succeed later (the rest need a fix on our side).
ALIYUN_RETRYABLE = {"isp.SYSTEM_ERROR", "Throttling", "Throttling.User", "ServiceUnavailable"}


class AliyunSmsProvider(BaseSmsProvider):
    """Alibaba Cloud SMS ``SendSms``. Options (default from settings): ``access_key_id``
    (SMS_ALIYUN_ACCESS_KEY_ID), ``access_key_secret`` (SMS_ALIYUN_ACCESS_KEY_SECRET),
    ``endpoint`` (SMS_ALIYUN_ENDPOINT), ``region_id`` (SMS_ALIYUN_REGION_ID), ``sign_name``."""

    name = "aliyun"
    API_VERSION = "2017-05-25"

    def __init__(
        self,
        *,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        endpoint: str | None = None,
        region_id: str | None = None,
        **options,
    ):
        super().__init__(**options)
        self.access_key_id = _required(
            access_key_id or _setting("SMS_ALIYUN_ACCESS_KEY_ID"), "SMS_ALIYUN_ACCESS_KEY_ID"
        )
        self.access_key_secret = _required(
            access_key_secret or _setting("SMS_ALIYUN_ACCESS_KEY_SECRET"),
            "SMS_ALIYUN_ACCESS_KEY_SECRET",
        )
        self.endpoint = (
            endpoint or _setting("SMS_ALIYUN_ENDPOINT") or "https://dysmsapi.aliyuncs.com/"
        )
        self.region_id = region_id or _setting("SMS_ALIYUN_REGION_ID") or "cn-hangzhou"
        _required(self.sign_name, "SMS_SIGN_NAME")

    def build_params(self, phone: str, template_code: str, params: dict[str, str]) -> dict:
        query = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": self.region_id,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": self.API_VERSION,
        }
        query["Signature"] = aliyun_rpc_signature("POST", query, self.access_key_secret)
        return query

    def send(self, phone: str, template_code: str, params: dict[str, str]) -> SendResult:
        query = self.build_params(phone, template_code, params)
        body = "&".join(
            f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}" for k, v in query.items()
        ).encode()
        response = http_request(
            "POST",
            self.endpoint,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Accept": "application/json",
            },
            timeout=self.timeout,
            service="aliyun-sms",
        )
        data = json_object(response, "aliyun-sms")
        code = str(data.get("Code", ""))
        if response.status == 200 and code == "OK":
            return SendResult(self.name, phone, str(data.get("BizId", "")), data)
        raise ProviderError(
            f"aliyun-sms: {code or 'HTTP ' + str(response.status)} {data.get('Message', '')}".strip(),
            code=code,
            status=response.status,
            retryable=response.status >= 500 or code in ALIYUN_RETRYABLE,
        )


# --- Tencent Cloud -------------------------------------------------------------------------------


def tc3_sign(secret_key: str, date: str, service: str, string_to_sign: str) -> str:
    """TC3-HMAC-SHA256: derive the signing key from the date and service, then sign."""

    def _hmac(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    secret_date = _hmac(("TC3" + secret_key).encode(), date)
    secret_service = _hmac(secret_date, service)
    secret_signing = _hmac(secret_service, "tc3_request")
    return hmac.new(secret_signing, string_to_sign.encode(), hashlib.sha256).hexdigest()


TENCENT_RETRYABLE_PREFIXES = (
    "InternalError",
    "RequestLimitExceeded",
    "LimitExceeded.DeliveryFrequencyLimit",
)


class TencentSmsProvider(BaseSmsProvider):
    """Tencent Cloud SMS ``SendSms`` (2021-01-11). Options (default from settings): ``secret_id``
    (SMS_TENCENT_SECRET_ID), ``secret_key`` (SMS_TENCENT_SECRET_KEY), ``sdk_app_id``
    (SMS_TENCENT_SDK_APP_ID), ``endpoint`` (SMS_TENCENT_ENDPOINT), ``region``
    (SMS_TENCENT_REGION), ``sign_name``. Template parameters are sent in ``params`` order."""

    name = "tencent"
    API_VERSION = "2021-01-11"
    SERVICE = "sms"

    def __init__(
        self,
        *,
        secret_id: str | None = None,
        secret_key: str | None = None,
        sdk_app_id: str | None = None,
        endpoint: str | None = None,
        region: str | None = None,
        **options,
    ):
        super().__init__(**options)
        self.secret_id = _required(
            secret_id or _setting("SMS_TENCENT_SECRET_ID"), "SMS_TENCENT_SECRET_ID"
        )
        self.secret_key = _required(
            secret_key or _setting("SMS_TENCENT_SECRET_KEY"), "SMS_TENCENT_SECRET_KEY"
        )
        self.sdk_app_id = _required(
            sdk_app_id or _setting("SMS_TENCENT_SDK_APP_ID"), "SMS_TENCENT_SDK_APP_ID"
        )
        self.endpoint = (
            endpoint or _setting("SMS_TENCENT_ENDPOINT") or "https://sms.tencentcloudapi.com/"
        )
        self.region = region or _setting("SMS_TENCENT_REGION") or "ap-guangzhou"
        _required(self.sign_name, "SMS_SIGN_NAME")

    def build_request(
        self, phone: str, template_code: str, params: dict[str, str], timestamp: int | None = None
    ) -> tuple[bytes, dict[str, str]]:
        payload = json.dumps(
            {
                "PhoneNumberSet": [phone if phone.startswith("+") else "+86" + phone],
                "SmsSdkAppId": self.sdk_app_id,
                "SignName": self.sign_name,
                "TemplateId": template_code,
                "TemplateParamSet": [str(v) for v in params.values()],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        timestamp = int(time.time()) if timestamp is None else timestamp
        date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
        host = urlsplit(self.endpoint).netloc
        content_type = "application/json; charset=utf-8"
        action = "SendSms"
        signed_headers = "content-type;host;x-tc-action"
        canonical_request = "\n".join(
            [
                "POST",
                "/",
                "",
                f"content-type:{content_type}\nhost:{host}\nx-tc-action:{action.lower()}\n",
                signed_headers,
                hashlib.sha256(payload).hexdigest(),
            ]
        )
        scope = f"{date}/{self.SERVICE}/tc3_request"
        string_to_sign = "\n".join(
            [
                "TC3-HMAC-SHA256",
                str(timestamp),
                scope,
                hashlib.sha256(canonical_request.encode()).hexdigest(),
            ]
        )
        signature = tc3_sign(self.secret_key, date, self.SERVICE, string_to_sign)
        headers = {
            "Authorization": (
                f"TC3-HMAC-SHA256 Credential={self.secret_id}/{scope}, "
                f"SignedHeaders={signed_headers}, Signature={signature}"
            ),
            "Content-Type": content_type,
            "Host": host,
            "X-TC-Action": action,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": self.API_VERSION,
            "X-TC-Region": self.region,
            "X-TC-Language": "zh-CN",
        }
        return payload, headers

    def send(self, phone: str, template_code: str, params: dict[str, str]) -> SendResult:
        payload, headers = self.build_request(phone, template_code, params)
        url = self.endpoint if urlsplit(self.endpoint).path else self.endpoint + "/"
        response = http_request(
            "POST", url, body=payload, headers=headers, timeout=self.timeout, service="tencent-sms"
        )
        try:
            data = json.loads(response.body)["Response"]
        except (ValueError, KeyError, TypeError):
            raise ProviderError(
                f"tencent-sms: HTTP {response.status} without a Response object",
                status=response.status,
                retryable=response.status >= 500,
            ) from None
        error = data.get("Error") if isinstance(data, dict) else None
        if error:
            code = str(error.get("Code", ""))
            raise ProviderError(
                f"tencent-sms: {code} {error.get('Message', '')}".strip(),
                code=code,
                status=response.status,
                retryable=code.startswith(TENCENT_RETRYABLE_PREFIXES),
            )
        statuses = data.get("SendStatusSet") or []
        status = statuses[0] if statuses and isinstance(statuses[0], dict) else {}
        code = str(status.get("Code", ""))
        if response.status == 200 and code == "Ok":
            return SendResult(self.name, phone, str(status.get("SerialNo", "")), data)
        raise ProviderError(
            f"tencent-sms: {code or 'HTTP ' + str(response.status)} {status.get('Message', '')}".strip(),
            code=code,
            status=response.status,
            retryable=response.status >= 500 or code.startswith(TENCENT_RETRYABLE_PREFIXES),
        )
