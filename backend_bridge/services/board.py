"""The leader message board (领导留言板): a portal's leaders, messages to them, and the rules of
publication.

A message is a ``Submission`` of kind ``leader_message``: it is screened, encrypted, delivered
through the outbox and looked up like a petition. It appears on the public board only when all
of these hold: the writer agreed to publication, an official reply exists (status 已答复 or
已办结 with a reply text), and a moderator of the portal approved publication. The writer is shown
as 张* (family name and one star); phone and ID number never appear.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from backend_bridge.models import (
    EVALUABLE_STATUSES,
    Kind,
    Leader,
    PetitionType,
    Publication,
    Source,
    Submission,
)

from .errors import InvalidInput, NotAllowed
from .identity import verify_writer
from .submission import Accepted, clean_writer_and_text, store_submission

# Roles of a portal's groups that may approve or refuse publication (besides superusers).
MODERATOR_ROLES = ("intake", "handler")  # handling roles: content roles never see submissions


@dataclass
class MessageInput:
    """What the citizen typed on the message form (strings as received)."""

    leader: str = ""
    title: str = ""
    content: str = ""
    name: str = ""
    phone: str = ""
    id_number: str = ""
    publish: bool = True
    sms_code: str = ""


def leaders_for(portal) -> QuerySet[Leader]:
    """The active leaders a portal lists on its board, in their order."""
    return Leader.objects.filter(portal=portal, active=True).select_related("photo")


def published_messages(portal) -> QuerySet[Submission]:
    """Messages of this portal whose publication rules are all met, newest reply first."""
    return (
        Submission.objects.filter(
            portal=portal,
            kind=Kind.LEADER_MESSAGE,
            publish_consent=True,
            publication=Publication.APPROVED,
            status__in=EVALUABLE_STATUSES,
        )
        .exclude(reply="")
        .select_related("leader")
        .order_by("-replied_at", "-id")
    )


def submit_message(
    portal, data: MessageInput, *, source: str = Source.PORTAL, ip: str = ""
) -> Accepted:
    """Validate and store a message to one of the portal's active leaders; the query code back.

    Raises ``InvalidInput`` (zh-hans field errors) without storing anything.
    """
    cleaned, errors = clean_writer_and_text(data, content_label="留言内容")
    leader = None
    leader_id = str(data.leader or "").strip()
    if leader_id.isdigit():
        leader = leaders_for(portal).filter(pk=int(leader_id)).first()
    if leader is None:
        errors["leader"] = ["请选择留言对象。"]
    if errors:
        raise InvalidInput(errors)
    # The code is spent only once everything else is right, so a typo elsewhere does not cost
    # the citizen a new SMS; the real-name check needs the phone proven first.
    identity = verify_writer(
        cleaned["name"], cleaned["id_number"], cleaned["phone"], data.sms_code, ip=ip
    )
    consent = bool(data.publish)
    return store_submission(
        portal,
        {
            "kind": Kind.LEADER_MESSAGE,
            "petition_type": PetitionType.OTHER,
            "title": cleaned["title"],
            "content": cleaned["content"],
            "region_code": portal.region_code,
            "region_name": portal.name,
            "leader": leader,
            "publish_consent": consent,
            "publication": Publication.PENDING if consent else Publication.NOT_APPLICABLE,
        },
        name=cleaned["name"],
        id_number=cleaned["id_number"],
        phone=cleaned["phone"],
        source=source,
        screen_text="\n".join([cleaned["title"], cleaned["content"]]),
        first_note=f"留言已提交给{leader.title}{leader.name}，等待办理。",
        identity_check=identity,
    )


def can_moderate(user, submission: Submission) -> bool:
    from .inbox import _portal_roles

    if submission.kind != Kind.LEADER_MESSAGE:
        return False
    if user.is_superuser:
        return True
    return bool(set(MODERATOR_ROLES) & _portal_roles(user).get(submission.portal_id, set()))


def publication_blocker(submission: Submission) -> str:
    """Why the message cannot be published now (zh-hans), or "" when it can."""
    if submission.kind != Kind.LEADER_MESSAGE:
        return "只有领导留言可以公开。"
    if not submission.publish_consent:
        return "留言人选择了不公开，不能公开。"
    if submission.status not in EVALUABLE_STATUSES or not submission.reply.strip():
        return "留言尚未答复，答复后才能公开。"
    return ""


def decide_publication(user, submission: Submission, approve: bool) -> Submission:
    """A moderator approves or refuses publication of a replied message."""
    if not can_moderate(user, submission):
        raise NotAllowed("forbidden", "您没有审核本留言公开的权限。", status=403)
    if approve:
        blocker = publication_blocker(submission)
        if blocker:
            raise NotAllowed("not_publishable", blocker)
    elif not submission.publish_consent:
        raise NotAllowed("not_publishable", "留言人选择了不公开，无需审核。")
    submission.publication = Publication.APPROVED if approve else Publication.REFUSED
    submission.publication_decided_at = timezone.now()
    submission.publication_decided_by = user
    submission.save(
        update_fields=[
            "publication",
            "publication_decided_at",
            "publication_decided_by",
            "updated_at",
        ]
    )
    return submission
