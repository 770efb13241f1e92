"""Subscribe messages (订阅通知) to citizens about their WeChat submissions.

- **Configuration**: ``settings.WECHAT_NOTICE_TEMPLATES`` maps an account code to the templates
  the account has chosen on the WeChat platform (订阅通知 → 我的模板)::

      {"gxxf": [{"template_id": "…", "title": "信访件办理进度通知",
                 "statuses": ["accepted", "replied", "closed"],
                 "data": {"thing1": "{title}", "phrase2": "{status}", "time3": "{time}"}}]}

  ``data`` values may use ``{title}``, ``{status}``, ``{time}``, ``{note}`` and ``{unit}``; each
  value is cut to WeChat's limit for its key type (``thing`` 20 characters, ``phrase`` 5 …).
  An account without templates offers no notices. Only service accounts have web OAuth and so
  an OpenID: subscription accounts offer none either.
- **Agreement**: after a submission the page offers the templates with WeChat's open tag
  ``<wx-open-subscribe>`` (JS-SDK configured by :func:`js_config`, signed with the account's
  ``jsapi_ticket``); what the citizen accepted in WeChat's dialog is posted back and kept as
  :class:`~channels.models.WeChatNoticeSubscription`.
- **Sending**: ``backend_bridge.signals.status_changed`` (inside the status transaction) writes
  one :class:`~channels.models.WeChatNotice` per subscription whose template covers the new
  status; the channels worker leases it (the project's ``lease_rows``) and calls
  ``message/subscribe/bizsend``. Busy and unreachable WeChat are retried with backoff; refusals
  (43101 the citizen refused, 40037 bad template …) are recorded as failed with the reason. The
  intent is recorded before the call: a notice whose worker died during the call, or whose call
  timed out, may have reached the citizen and is never sent again (state “结果未知”).
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from backend_bridge.services.outbox import lease_rows, renew_lease

from ..models import WeChatNotice, WeChatNoticeSubscription
from .accounts import AccountNotConfigured, WeChatAccount, get_account
from .client import client_for
from .errors import WeChatError, WeChatTimeoutError

logger = logging.getLogger(__name__)

State = WeChatNotice.State
ENDPOINT = "message/subscribe/bizsend"
PLACEHOLDERS = ("title", "status", "time", "note", "unit")
#: WeChat's limits on a value, by the key's type (the key without its number).
VALUE_LIMITS = {"thing": 20, "phrase": 5, "character_string": 32, "name": 10, "number": 32}
UNKNOWN_REASON = (
    "发送时未得到微信的答复（超时或进程中断），无法确认是否已送达；为避免重复通知，不再重发"
)


@dataclass(frozen=True)
class NoticeTemplate:
    template_id: str
    title: str
    statuses: tuple[str, ...]
    data: dict


def templates_for(account: WeChatAccount) -> list[NoticeTemplate]:
    """The account's configured templates (``ImproperlyConfigured`` names a bad entry)."""
    from backend_bridge.models import Status

    entries = (getattr(settings, "WECHAT_NOTICE_TEMPLATES", None) or {}).get(account.code) or []
    templates = []
    for index, entry in enumerate(entries):
        where = f"WECHAT_NOTICE_TEMPLATES[{account.code!r}][{index}]"
        if not isinstance(entry, dict) or not str(entry.get("template_id") or "").strip():
            raise ImproperlyConfigured(f"{where}: an object with a 'template_id' is required")
        statuses = tuple(entry.get("statuses") or ())
        unknown = [s for s in statuses if s not in Status.values]
        if not statuses or unknown:
            raise ImproperlyConfigured(
                f"{where}: 'statuses' must list some of {', '.join(Status.values)}"
            )
        data = entry.get("data") or {}
        if not isinstance(data, dict) or not data:
            raise ImproperlyConfigured(f"{where}: 'data' must map template keys to values")
        templates.append(
            NoticeTemplate(
                template_id=entry["template_id"].strip(),
                title=str(entry.get("title") or "办理进度通知"),
                statuses=statuses,
                data={str(k): str(v) for k, v in data.items()},
            )
        )
    return templates


def offer(account: WeChatAccount, openid: str) -> list[NoticeTemplate]:
    """The templates to offer a citizen after a submission (none without an OpenID)."""
    if not account.is_service or not openid:
        return []
    try:
        return templates_for(account)
    except ImproperlyConfigured:
        # The citizen's submission is stored: a configuration mistake only hides the offer.
        logger.exception("WeChat %s: WECHAT_NOTICE_TEMPLATES is wrong", account.code)
        return []


def agree(account: WeChatAccount, openid: str, submission, template_ids) -> list[str]:
    """Keep the citizen's agreement to the given templates; returns the titles agreed to."""
    offered = {t.template_id: t for t in offer(account, openid)}
    titles = []
    for template_id in dict.fromkeys(template_ids):
        template = offered.get(template_id)
        if template is None:
            continue
        WeChatNoticeSubscription.objects.get_or_create(
            submission=submission,
            openid=openid,
            template_id=template_id,
            defaults={"account": account.code},
        )
        titles.append(template.title)
    return titles


def js_config(account: WeChatAccount, url: str) -> dict | None:
    """The ``wx.config`` of a page at ``url`` (its fragment is not signed), or None when WeChat
    cannot be reached: the page then offers its plain form only."""
    client = client_for(account)
    try:
        ticket = client.jsapi.get_jsapi_ticket()
    except WeChatError as error:
        logger.warning("WeChat %s: no jsapi_ticket: %r", account.code, error)
        return None
    nonce, timestamp = secrets.token_hex(8), int(time.time())
    return {
        "appId": account.app_id,
        "timestamp": timestamp,
        "nonceStr": nonce,
        "signature": client.jsapi.get_jsapi_signature(nonce, ticket, timestamp, url.split("#")[0]),
    }


# --- writing (on a status change) -------------------------------------------------------------


def _value(key: str, pattern: str, values: dict) -> str:
    text = pattern
    for name in PLACEHOLDERS:
        text = text.replace("{" + name + "}", values[name])
    kind = key.rstrip("0123456789")
    limit = VALUE_LIMITS.get(kind)
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…" if kind == "thing" else text[:limit]
    return text


def render_data(template: NoticeTemplate, submission, event) -> dict:
    """The ``data`` of a bizsend body for this status change."""
    values = {
        "title": submission.title,
        "status": event.get_status_display(),
        "time": timezone.localtime(event.occurred_at).strftime("%Y年%m月%d日 %H:%M"),
        "note": event.note or event.get_status_display(),
        "unit": submission.handling_unit or "信访部门",
    }
    return {key: {"value": _value(key, p, values)} for key, p in template.data.items()}


def page_url(account: WeChatAccount, submission) -> str:
    """Where the notice opens: the account's lookup page on the submission's portal."""
    from sites.services.seeding import portal_base_url

    site = getattr(submission.portal, "site", None)
    base = portal_base_url(site) if site else ""
    return base + reverse("wechat:h5_lookup", kwargs={"code": account.code})


def on_status_changed(sender, submission, event, **kwargs) -> None:
    """``backend_bridge.signals.status_changed``: one outbox row per subscription that covers
    the new status, in the status transaction."""
    created = False
    for subscription in WeChatNoticeSubscription.objects.filter(submission=submission):
        try:
            account = get_account(subscription.account)
            template = {t.template_id: t for t in templates_for(account)}.get(
                subscription.template_id
            )
        except (AccountNotConfigured, ImproperlyConfigured):
            logger.warning("notice for %s: account or templates not configured", subscription)
            continue
        if template is None or event.status not in template.statuses:
            continue
        _, new = WeChatNotice.objects.get_or_create(
            subscription=subscription,
            event=event,
            defaults={
                "data": render_data(template, submission, event),
                "page": page_url(account, submission),
            },
        )
        created = created or new
    if created:
        from ..services import kick

        transaction.on_commit(kick)


# --- sending ----------------------------------------------------------------------------------


def _due(now):
    return WeChatNotice.objects.filter(
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


def _finish(notice: WeChatNotice, token: str, **fields) -> None:
    fields.update(lease_token="", lease_until=None)
    WeChatNotice.objects.filter(pk=notice.pk, lease_token=token).update(**fields)


def send(notice_id: int, token: str) -> str:
    """Send one leased notice; returns its new state. Only the lease holder writes results."""
    from ..services import backoff_seconds, max_attempts

    notice = WeChatNotice.objects.select_related("subscription").get(pk=notice_id)
    if notice.lease_token != token:
        return notice.state
    if notice.sending_since is not None:
        _finish(notice, token, state=State.UNKNOWN, last_error=UNKNOWN_REASON)
        return State.UNKNOWN
    subscription = notice.subscription
    attempts = notice.attempts + 1
    # The intent, before the call: from here on, a crash means "perhaps sent".
    WeChatNotice.objects.filter(pk=notice.pk, lease_token=token).update(
        sending_since=timezone.now(), attempts=attempts
    )
    try:
        client_for(subscription.account).post(
            ENDPOINT,
            data={
                "touser": subscription.openid,
                "template_id": subscription.template_id,
                "page": notice.page,
                "data": notice.data,
            },
        )
    except AccountNotConfigured as error:
        _finish(notice, token, state=State.FAILED, last_error=str(error), sending_since=None)
        return State.FAILED
    except WeChatTimeoutError:
        _finish(notice, token, state=State.UNKNOWN, last_error=UNKNOWN_REASON)
        return State.UNKNOWN
    except WeChatError as error:
        # WeChat answered (or could not be reached at all): the notice was not sent.
        if error.temporary and attempts < max_attempts():
            wait = error.retry_after or backoff_seconds(attempts)
            _finish(
                notice,
                token,
                state=State.PENDING,
                last_error=str(error),
                sending_since=None,
                next_attempt_at=timezone.now() + timedelta(seconds=wait),
            )
            return State.PENDING
        reason = str(error)
        if error.temporary:
            reason += f"（已尝试 {attempts} 次，不再重试）"
        _finish(notice, token, state=State.FAILED, last_error=reason, sending_since=None)
        return State.FAILED
    except Exception:  # noqa: BLE001 - perhaps sent: recorded, never repeated, never a crash
        logger.exception("notice %s crashed while sending", notice.pk)
        _finish(notice, token, state=State.UNKNOWN, last_error=UNKNOWN_REASON)
        return State.UNKNOWN
    _finish(notice, token, state=State.SENT, last_error="", sent_at=timezone.now())
    return State.SENT


def run_once(batch: int = 20) -> dict:
    """Claim and send one batch; counts per resulting state."""
    token, ids = claim(batch)
    counts = {"claimed": len(ids)}
    from ..services import lease_seconds

    for position, pk in enumerate(ids):
        renew_lease(WeChatNotice, token, ids[position:], lease_seconds())
        state = send(pk, token)
        counts[state] = counts.get(state, 0) + 1
    return counts
