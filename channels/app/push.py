"""Push notices of status changes to citizens' APP devices: providers, the outbox, the sender.

- **Providers** (``APP_PUSH_PROVIDERS``, dotted paths): each class has a ``code``; a device
  registers its push token with one code (``PUT /api/app/v1/account/push-device``) and that
  provider sends to it. :class:`ConsolePushProvider` (``console``) logs, for development;
  :class:`HuaweiPushProvider` (``huawei``) speaks HUAWEI Push Kit's HTTP API (OAuth 2.0 client
  credentials, then ``POST /v1/{app_id}/messages:send``). Other vendors (Apple, Xiaomi, …) are
  further classes behind the same interface.
- **Writing**: ``backend_bridge.signals.status_changed`` (sent inside the status transaction)
  writes one :class:`~channels.models.PushMessage` per push device of the account the submission
  belongs to, so the notice commits or rolls back with the status.
- **Sending**: the channels worker (``channels_worker``, the delivery task) leases due messages
  with the project's one outbox lease (``lease_rows``) and sends them. Temporary failures wait
  with backoff up to ``APP_PUSH_MAX_ATTEMPTS``; a token the vendor says is invalid turns the
  device off and the message is failed with the reason.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from backend_bridge.services.outbox import lease_rows

from ..models import PushDevice, PushMessage

logger = logging.getLogger(__name__)
State = PushMessage.State


class PushError(Exception):
    """A push did not get through. ``temporary``: worth retrying; ``invalid_token``: the device's
    token is dead (the device is turned off)."""

    def __init__(self, message: str, *, temporary: bool = True, invalid_token: bool = False):
        super().__init__(message)
        self.temporary = temporary
        self.invalid_token = invalid_token


class PushProvider:
    code = ""
    label = ""

    def send(self, token: str, title: str, body: str, data: dict) -> str:
        """Send one notice; returns the vendor's message id. Raises :class:`PushError`."""
        raise NotImplementedError


class ConsolePushProvider(PushProvider):
    """Development: the notice is written to the log, nothing leaves the machine."""

    code = "console"
    label = "控制台（开发用）"

    def send(self, token: str, title: str, body: str, data: dict) -> str:
        logger.warning("APP push (console, not sent): %s… %s — %s %s", token[:8], title, body, data)
        return "console-" + uuid.uuid4().hex[:12]


class HuaweiPushProvider(PushProvider):
    """HUAWEI Push Kit (``PUSH_HUAWEI_*``): an OAuth access token (cached until it expires, in
    the shared cache) and ``messages:send``; answer code 80000000 is success."""

    code = "huawei"
    label = "华为推送服务"
    SUCCESS = "80000000"
    TOKEN_EXPIRED = "80200003"  # noqa: S105 - a vendor answer code, not a secret
    INVALID_TOKENS = ("80300007", "80100000")

    def __init__(self):
        self.app_id = settings.PUSH_HUAWEI_APP_ID
        self.secret = settings.PUSH_HUAWEI_CLIENT_SECRET
        self.oauth_url = settings.PUSH_HUAWEI_OAUTH_URL
        self.api_base = settings.PUSH_HUAWEI_API_BASE.rstrip("/")
        self.timeout = settings.APP_PUSH_TIMEOUT

    @property
    def _cache_key(self) -> str:
        return f"channels:push:huawei:{self.app_id}"

    def _open(self, request) -> tuple[int, dict]:
        if not request.full_url.startswith(("http://", "https://")):
            raise PushError("推送服务地址不是 http(s)", temporary=False)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                answer = json.loads(exc.read() or b"{}")
            except ValueError:
                answer = {}
            return exc.code, answer if isinstance(answer, dict) else {}
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise PushError(f"无法连接推送服务：{getattr(exc, 'reason', exc)}") from exc
        except ValueError as exc:
            raise PushError("推送服务返回的不是 JSON") from exc

    def access_token(self, *, renew: bool = False) -> str:
        if not renew:
            token = cache.get(self._cache_key)
            if token:
                return token
        if not (self.app_id and self.secret):
            raise PushError(
                "未配置 PUSH_HUAWEI_APP_ID / PUSH_HUAWEI_CLIENT_SECRET", temporary=False
            )
        body = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": self.app_id,
                "client_secret": self.secret,
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - checked in _open
            self.oauth_url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        status, answer = self._open(request)
        token = answer.get("access_token")
        if status != 200 or not token:
            # Retried even when refused: wrong credentials corrected later still deliver.
            raise PushError(f"获取推送服务访问令牌失败（HTTP {status}）")
        life = max(60, int(answer.get("expires_in") or 3600) - 300)
        cache.set(self._cache_key, token, timeout=life)
        return token

    def _post(self, payload: dict, token: str) -> tuple[int, dict]:
        request = urllib.request.Request(  # noqa: S310 - checked in _open
            f"{self.api_base}/v1/{urllib.parse.quote(self.app_id, safe='')}/messages:send",
            data=json.dumps(payload, ensure_ascii=False).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {token}",
            },
        )
        return self._open(request)

    def send(self, token: str, title: str, body: str, data: dict) -> str:
        payload = {
            "validate_only": False,
            "message": {
                "data": json.dumps(data, ensure_ascii=False),
                "notification": {"title": title, "body": body},
                "android": {"notification": {"click_action": {"type": 3}}},
                "token": [token],
            },
        }
        status, answer = self._post(payload, self.access_token())
        if str(answer.get("code")) == self.TOKEN_EXPIRED or status == 401:
            status, answer = self._post(payload, self.access_token(renew=True))
        code = str(answer.get("code") or "")
        if status == 200 and code == self.SUCCESS:
            return str(answer.get("requestId") or "")
        message = f"推送服务拒绝（HTTP {status}，{code or '无代码'}：{answer.get('msg', '')}）"
        if code in self.INVALID_TOKENS:
            raise PushError(message, temporary=False, invalid_token=True)
        raise PushError(message, temporary=status >= 500 or status == 429)


def providers() -> dict[str, PushProvider]:
    """The configured providers by code."""
    found = {}
    for path in getattr(settings, "APP_PUSH_PROVIDERS", None) or []:
        provider = import_string(path)()
        found[provider.code] = provider
    return found


def provider_codes() -> set[str]:
    return {import_string(path).code for path in settings.APP_PUSH_PROVIDERS}


# --- writing (on a status change) -------------------------------------------------------------


def on_status_changed(sender, submission, event, **kwargs) -> None:
    """``backend_bridge.signals.status_changed``: one push per device of the submission's
    account, in the status transaction."""
    account_id = (
        type(submission).objects.filter(pk=submission.pk).values_list("app__account", flat=True)
    ).first()
    if not account_id:
        return
    codes = provider_codes()
    title = "信访件办理进度"
    body = f"您的“{submission.title[:30]}”{event.get_status_display()}"
    created = False
    for device in PushDevice.objects.filter(account_id=account_id, active=True):
        if device.provider not in codes:
            continue
        _, new = PushMessage.objects.get_or_create(
            device=device,
            event=event,
            defaults={
                "title": title,
                "body": body[:256],
                "data": {"reference": str(submission.reference), "status": event.status},
            },
        )
        created = created or new
    if created:
        from ..services import kick

        transaction.on_commit(kick)


# --- sending ----------------------------------------------------------------------------------


def _due(now):
    return PushMessage.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        state=State.PENDING,
        next_attempt_at__lte=now,
    )


def claim(batch: int = 20, *, now=None) -> tuple[str, list[int]]:
    from ..services import lease_seconds

    now = now or timezone.now()
    token = uuid.uuid4().hex
    lease = {"lease_token": token, "lease_until": now + timedelta(seconds=lease_seconds())}
    return token, lease_rows(_due(now), batch, lease)


def _finish(message_id: int, token: str, **fields) -> None:
    fields.update(lease_token="", lease_until=None)
    PushMessage.objects.filter(pk=message_id, lease_token=token).update(**fields)


def send(message_id: int, token: str, provider_map: dict | None = None) -> str:
    """Send one leased message; returns its new state (only the lease holder writes)."""
    from ..services import backoff_seconds

    message = PushMessage.objects.select_related("device").get(pk=message_id)
    if message.lease_token != token:
        return message.state
    attempts = message.attempts + 1
    provider = (provider_map if provider_map is not None else providers()).get(
        message.device.provider
    )
    if provider is None or not message.device.active:
        reason = "设备的推送服务未配置或设备已停用"
        _finish(message.pk, token, state=State.FAILED, attempts=attempts, last_error=reason)
        return State.FAILED
    try:
        provider.send(message.device.token, message.title, message.body, message.data)
    except PushError as error:
        if error.invalid_token:
            PushDevice.objects.filter(pk=message.device_id).update(active=False)
        if error.temporary and attempts < settings.APP_PUSH_MAX_ATTEMPTS:
            _finish(
                message.pk,
                token,
                attempts=attempts,
                last_error=str(error),
                next_attempt_at=timezone.now() + timedelta(seconds=backoff_seconds(attempts)),
            )
            return State.PENDING
        _finish(message.pk, token, state=State.FAILED, attempts=attempts, last_error=str(error))
        return State.FAILED
    except Exception as error:  # noqa: BLE001 - a worker survives anything and records it
        logger.exception("APP push %s crashed", message.pk)
        _finish(
            message.pk,
            token,
            attempts=attempts,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=timezone.now() + timedelta(seconds=backoff_seconds(attempts)),
        )
        return State.PENDING
    _finish(
        message.pk,
        token,
        state=State.SENT,
        attempts=attempts,
        last_error="",
        sent_at=timezone.now(),
    )
    return State.SENT


def run_once(batch: int = 20) -> dict:
    """Claim and send one batch; counts per resulting state."""
    token, ids = claim(batch)
    counts = {"claimed": len(ids)}
    provider_map = providers() if ids else {}
    for pk in ids:
        state = send(pk, token, provider_map)
        counts[state] = counts.get(state, 0) + 1
    return counts


def retry(message: PushMessage) -> bool:
    """An administrator's retry of a failed push notice: due again now (False: it was not
    failed, e.g. sent meanwhile)."""
    from ..services import kick

    updated = PushMessage.objects.filter(pk=message.pk, state=State.FAILED).update(
        state=State.PENDING, next_attempt_at=timezone.now(), lease_token="", lease_until=None
    )
    if updated:
        transaction.on_commit(kick)
    return bool(updated)
