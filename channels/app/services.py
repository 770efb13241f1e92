"""What the citizens' APP does beyond the bridge's own services: accounts by phone + SMS code,
the citizen's own submissions, and push devices.

Submitting, looking up, evaluating and following up are ``backend_bridge`` services; this module
only remembers which submissions belong to which account (:class:`~channels.models.AppSubmission`,
written in the transaction that stores the submission) and answers "mine" from that, so a
citizen never reaches another's submission by guessing its reference.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend_bridge import crypto
from backend_bridge.idcard import validate_mobile
from backend_bridge.models import Submission
from backend_bridge.services import phone as phone_service
from backend_bridge.services.errors import InvalidInput, LookupFailed

from ..models import AppAccount, AppSubmission, PushDevice

#: SMS purpose of the APP's sign-in (a code asked for another purpose does not sign in).
LOGIN = "app_login"


def login(phone: str, sms_code: str) -> tuple[AppAccount, bool]:
    """The account of a phone proven by its SMS code, created at the first sign-in:
    (account, created). Raises ``InvalidInput`` on the phone or the code."""
    try:
        normalized = validate_mobile(phone)
    except ValidationError as exc:
        raise InvalidInput({"phone": list(exc.messages)}) from exc
    phone_service.check_code(normalized, LOGIN, sms_code)
    index = crypto.blind_index(normalized, "phone")
    created = False
    account = AppAccount.objects.filter(phone_index=index).first()
    if account is None:
        try:
            with transaction.atomic():
                account = AppAccount.objects.create(phone=normalized, phone_index=index)
                created = True
        except IntegrityError:  # the same phone signed in twice at the same moment
            account = AppAccount.objects.get(phone_index=index)
    if not account.is_active:
        raise LookupFailed("account_disabled", "该账号已停用，请联系信访部门。", status=403)
    AppAccount.objects.filter(pk=account.pk).update(last_login_at=timezone.now())
    return account, created


def link(account: AppAccount | None, submission: Submission) -> None:
    """Remember a submission as the account's (inside the storing transaction)."""
    if account is not None:
        AppSubmission.objects.get_or_create(submission=submission, defaults={"account": account})


def own_submissions(account: AppAccount):
    return (
        Submission.objects.select_related("portal")
        .filter(app__account=account)
        .order_by("-created_at", "-id")
    )


def own(account: AppAccount, reference) -> Submission:
    """The account's submission with this reference; ``LookupFailed`` (404) for anything else,
    whether it does not exist or is someone else's."""
    try:
        reference = uuid.UUID(str(reference))
    except ValueError:
        reference = None
    found = reference and own_submissions(account).filter(reference=reference).first()
    if not found:
        if reference and Submission.objects.filter(reference=reference).exists():
            # Someone else's reference: the same 404, and a record for the audit log.
            from backend_bridge.signals import abuse_refused

            abuse_refused.send(
                None,
                kind="app_submission_access_denied",
                details={"account": account.pk, "reference": str(reference)},
            )
        raise LookupFailed("not_found", "找不到该信访件", status=404)
    return found


def claim(account: AppAccount, submission: Submission) -> bool:
    """Add a submission proven by a lookup (query code + second factor) to the account; False
    when it already belongs to another account (it stays there)."""
    link_row, _ = AppSubmission.objects.get_or_create(
        submission=submission, defaults={"account": account}
    )
    return link_row.account_id == account.pk


def register_push(account: AppAccount, device_id: str, provider: str, token: str) -> PushDevice:
    """Where this device of the account receives push notices (replaces its earlier token)."""
    device, _ = PushDevice.objects.update_or_create(
        account=account,
        device_id=device_id,
        defaults={
            "provider": provider,
            "token": token,
            "active": True,
            "updated_at": timezone.now(),
        },
    )
    return device


def forget_push(account: AppAccount, device_id: str) -> int:
    return PushDevice.objects.filter(account=account, device_id=device_id).delete()[0]
