"""People's suggestions (人民建议征集): domains, themed campaigns and accepting a suggestion.

A suggestion is a ``Submission`` of kind ``suggestion`` with a domain (领域, required) and
optionally a campaign (主题征集) of the same portal. A campaign is open from its start date to its
end date inclusive (``SuggestionCampaign.is_open``), so it closes itself; a closed or not yet
open campaign refuses new suggestions with a 409 and a zh-hans message. ``today`` can be passed
to every function that depends on the date (tests, and pages rendered for another day).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from backend_bridge.models import (
    Kind,
    PetitionType,
    Source,
    SuggestionCampaign,
    SuggestionDomain,
)

from .errors import InvalidInput, NotAllowed
from .identity import verify_writer
from .submission import Accepted, clean_writer_and_text, store_submission

DEFAULT_DOMAINS = ("经济发展", "民生保障", "社会治理", "生态环境", "文化教育", "其他")


@dataclass
class SuggestionInput:
    """What the citizen typed on the suggestion form (strings as received)."""

    domain: str = ""
    campaign: str = ""
    title: str = ""
    content: str = ""
    name: str = ""
    phone: str = ""
    id_number: str = ""
    sms_code: str = ""


def active_domains() -> QuerySet[SuggestionDomain]:
    return SuggestionDomain.objects.filter(active=True)


def campaigns_for(portal) -> QuerySet[SuggestionCampaign]:
    return SuggestionCampaign.objects.filter(portal=portal)


def open_campaigns(portal, today=None) -> QuerySet[SuggestionCampaign]:
    today = today or timezone.localdate()
    return campaigns_for(portal).filter(start_date__lte=today, end_date__gte=today)


def campaign_refusal(campaign: SuggestionCampaign, today=None) -> str:
    """Why the campaign takes no suggestion today (zh-hans), or "" when it is open."""
    today = today or timezone.localdate()
    if today < campaign.start_date:
        return f"“{campaign.title}”征集将于{campaign.start_date:%Y年%m月%d日}开始，目前尚未开始，暂不接收建议。"
    if today > campaign.end_date:
        return f"“{campaign.title}”征集已于{campaign.end_date:%Y年%m月%d日}结束，不再接收建议。"
    return ""


def submit_suggestion(
    portal, data: SuggestionInput, *, source: str = Source.PORTAL, today=None, ip: str = ""
) -> Accepted:
    """Validate and store a suggestion; the query code back.

    Raises ``InvalidInput`` (field errors) or ``NotAllowed`` (the campaign is closed or not yet
    open, 409) without storing anything.
    """
    cleaned, errors = clean_writer_and_text(data, content_label="建议内容")
    domain = None
    domain_id = str(data.domain or "").strip()
    if domain_id.isdigit():
        domain = active_domains().filter(pk=int(domain_id)).first()
    if domain is None:
        errors["domain"] = ["请选择建议所属领域。"]
    campaign = None
    campaign_id = str(data.campaign or "").strip()
    if campaign_id:
        if campaign_id.isdigit():
            campaign = campaigns_for(portal).filter(pk=int(campaign_id)).first()
        if campaign is None:
            errors["campaign"] = ["找不到该主题征集，请重新选择。"]
    if errors:
        raise InvalidInput(errors)
    if campaign is not None:
        refusal = campaign_refusal(campaign, today)
        if refusal:
            raise NotAllowed(
                "campaign_closed",
                refusal,
                field_errors={"campaign": [refusal]},
                details={"campaign": campaign.pk},
            )
    # The code is spent only once everything else is right, so a typo elsewhere does not cost
    # the citizen a new SMS; the real-name check needs the phone proven first.
    identity = verify_writer(
        cleaned["name"], cleaned["id_number"], cleaned["phone"], data.sms_code, ip=ip
    )
    topic = f"（{campaign.title}）" if campaign else ""
    return store_submission(
        portal,
        {
            "kind": Kind.SUGGESTION,
            "petition_type": PetitionType.SUGGESTION,
            "title": cleaned["title"],
            "content": cleaned["content"],
            "region_code": portal.region_code,
            "region_name": portal.name,
            "domain": domain,
            "campaign": campaign,
        },
        name=cleaned["name"],
        id_number=cleaned["id_number"],
        phone=cleaned["phone"],
        source=source,
        screen_text="\n".join([cleaned["title"], cleaned["content"]]),
        first_note=f"建议已提交{topic}，等待办理。",
        identity_check=identity,
    )


def ensure_domains() -> None:
    """The default domains, created only while there are none: administrators then rename,
    reorder, disable or add domains, and seeding again does not undo their choices."""
    if SuggestionDomain.objects.exists():
        return
    for order, name in enumerate(DEFAULT_DOMAINS):
        SuggestionDomain.objects.get_or_create(name=name, defaults={"sort_order": order * 10})
