"""People's suggestions: domain required, campaigns open and close themselves by date, closed
campaigns refuse with a zh message (input kept), API operations, per-portal campaigns in the
admin, seeding."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from backend_bridge.models import Kind, Submission, SuggestionCampaign, SuggestionDomain
from backend_bridge.services import outbox, suggestions
from backend_bridge.services.errors import InvalidInput, NotAllowed

pytestmark = pytest.mark.django_db

GOOD_CODE = "246810"  # the code the sms_ok fixture accepts
TODAY = date(2026, 6, 15)


@pytest.fixture
def domain():
    return SuggestionDomain.objects.get(name="生态环境")


@pytest.fixture
def campaign(portals):
    def make(code="qinzhou", start=TODAY - timedelta(days=10), end=TODAY + timedelta(days=10)):
        return SuggestionCampaign.objects.create(
            portal=portals[code],
            title="平陆运河沿线生态保护建议",
            intro="<p>欢迎建言献策。</p>",
            start_date=start,
            end_date=end,
        )

    return make


def _input(domain, **overrides):
    data = {
        "domain": str(domain.pk) if domain else "",
        "title": "沿线增设生态监测点",
        "content": "建议在运河沿线增设水质和噪声监测点，数据向社会公开，接受群众监督。",
        "name": "韦建国",
        "phone": "13500135000",
        "sms_code": GOOD_CODE,
    }
    data.update(overrides)
    return suggestions.SuggestionInput(**data)


def test_default_domains_are_seeded():
    names = list(suggestions.active_domains().values_list("name", flat=True))
    assert names == ["经济发展", "民生保障", "社会治理", "生态环境", "文化教育", "其他"]


def test_seeding_domains_again_keeps_the_administrators_changes():
    SuggestionDomain.objects.filter(name="其他").delete()
    suggestions.ensure_domains()
    assert not SuggestionDomain.objects.filter(name="其他").exists()


def test_suggestion_is_a_submission_with_domain(portals, domain, sms_ok):
    accepted = suggestions.submit_suggestion(portals["nanning"], _input(domain), today=TODAY)
    submission = accepted.submission
    assert submission.kind == Kind.SUGGESTION and submission.domain == domain
    assert submission.campaign is None and submission.petition_type == "suggestion"
    assert accepted.query_code and submission.outbox_items.count() == 1


def test_domain_is_required(portals, sms_ok):
    with pytest.raises(InvalidInput) as error:
        suggestions.submit_suggestion(portals["nanning"], _input(None), today=TODAY)
    assert error.value.field_errors["domain"] == ["请选择建议所属领域。"]


def test_disabled_domain_is_refused(portals, domain, sms_ok):
    domain.active = False
    domain.save()
    with pytest.raises(InvalidInput):
        suggestions.submit_suggestion(portals["nanning"], _input(domain), today=TODAY)


def test_campaign_is_open_from_start_to_end_date_inclusive(campaign):
    c = campaign(start=date(2026, 6, 1), end=date(2026, 6, 30))
    assert not c.is_open(date(2026, 5, 31))
    assert c.is_open(date(2026, 6, 1)) and c.is_open(date(2026, 6, 30))
    assert not c.is_open(date(2026, 7, 1))
    assert c.state_label(date(2026, 5, 31)) == "未开始"
    assert c.state_label(date(2026, 7, 1)) == "已结束"


def test_open_campaigns_close_themselves(portals, campaign):
    c = campaign(start=date(2026, 6, 1), end=date(2026, 6, 30))
    assert list(suggestions.open_campaigns(portals["qinzhou"], date(2026, 6, 30))) == [c]
    assert not suggestions.open_campaigns(portals["qinzhou"], date(2026, 7, 1)).exists()


def test_suggestion_within_an_open_campaign(portals, domain, campaign, sms_ok):
    c = campaign()
    accepted = suggestions.submit_suggestion(
        portals["qinzhou"], _input(domain, campaign=str(c.pk)), today=TODAY
    )
    assert accepted.submission.campaign == c
    payload = outbox.submit_payload(accepted.submission)
    assert payload["kind"] == "suggestion"
    assert payload["domain"] == {"id": domain.pk, "name": "生态环境"}
    assert payload["campaign"] == {"id": c.pk, "title": c.title} and payload["leader"] is None


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (TODAY + timedelta(days=1), TODAY + timedelta(days=30), "尚未开始"),
        (TODAY - timedelta(days=30), TODAY - timedelta(days=1), "已于"),
    ],
)
def test_closed_or_not_yet_open_campaign_refuses(
    portals, domain, campaign, sms_ok, start, end, words
):
    c = campaign(start=start, end=end)
    with pytest.raises(NotAllowed) as error:
        suggestions.submit_suggestion(
            portals["qinzhou"], _input(domain, campaign=str(c.pk)), today=TODAY
        )
    assert error.value.status == 409 and error.value.code == "campaign_closed"
    assert words in error.value.message and "campaign" in error.value.field_errors
    assert not sms_ok  # refused before the SMS code is spent
    assert not Submission.objects.filter(kind=Kind.SUGGESTION).exists()


def test_another_portals_campaign_is_refused(portals, domain, campaign, sms_ok):
    c = campaign("qinzhou")
    with pytest.raises(InvalidInput) as error:
        suggestions.submit_suggestion(
            portals["nanning"], _input(domain, campaign=str(c.pk)), today=TODAY
        )
    assert "campaign" in error.value.field_errors


# --- pages ---------------------------------------------------------------------------------------


def _today_campaign(campaign, open_=True):
    today = timezone.localdate()
    if open_:
        return campaign(start=today - timedelta(days=1), end=today + timedelta(days=1))
    return campaign(start=today - timedelta(days=10), end=today - timedelta(days=1))


def test_suggestion_pages_list_campaigns_and_show_the_intro(client, portals, campaign):
    c = _today_campaign(campaign)
    host = portals["qinzhou"].site.hostname
    listing = client.get("/hdjl/rmjy/", headers={"Host": host}).content.decode()
    assert c.title in listing and "征集中" in listing and "生态环境" in listing
    detail = client.get(f"/hdjl/rmjy/zt/{c.pk}/", headers={"Host": host})
    assert detail.status_code == 200 and "欢迎建言献策" in detail.content.decode()
    assert "参与本次征集" in detail.content.decode()
    other = client.get(f"/hdjl/rmjy/zt/{c.pk}/", headers={"Host": portals["nanning"].site.hostname})
    assert other.status_code == 404


def test_closed_campaign_form_post_is_a_409_keeping_the_input(
    client, portals, domain, campaign, sms_ok
):
    c = _today_campaign(campaign, open_=False)
    host = portals["qinzhou"].site.hostname
    detail = client.get(f"/hdjl/rmjy/zt/{c.pk}/", headers={"Host": host}).content.decode()
    assert "已结束" in detail and "参与本次征集" not in detail
    form = {
        "domain": str(domain.pk),
        "campaign": str(c.pk),
        "title": "我的建议标题",
        "content": "这是一条内容足够长的建议，希望能够被采纳。",
        "name": "覃春燕",
        "phone": "13500135000",
        "sms_code": GOOD_CODE,
    }
    response = client.post("/hdjl/rmjy/jy/", form, headers={"Host": host})
    html = response.content.decode()
    assert response.status_code == 409
    assert "不再接收建议" in html and "我的建议标题" in html and "这是一条内容足够长的建议" in html
    assert not Submission.objects.exists()


def test_suggestion_form_without_domain_rerenders_with_the_error(client, portals, sms_ok):
    host = portals["nanning"].site.hostname
    response = client.post(
        "/hdjl/rmjy/jy/",
        {"title": "路灯", "content": "建议在江边步道增设路灯，晚上散步太黑了。", "name": "李"},
        headers={"Host": host},
    )
    assert response.status_code == 400
    assert "请选择建议所属领域。" in response.content.decode()


def test_suggestion_form_submits_within_an_open_campaign(client, portals, domain, campaign, sms_ok):
    c = _today_campaign(campaign)
    host = portals["qinzhou"].site.hostname
    page = client.get(f"/hdjl/rmjy/jy/?campaign={c.pk}", headers={"Host": host}).content.decode()
    assert f'value="{c.pk}" selected' in page
    response = client.post(
        "/hdjl/rmjy/jy/",
        {
            "domain": str(domain.pk),
            "campaign": str(c.pk),
            "title": "沿线绿化",
            "content": "建议运河两岸多种本地树种，既护坡又美观。",
            "name": "莫永明",
            "phone": "13500135000",
            "sms_code": GOOD_CODE,
        },
        headers={"Host": host},
    )
    assert response.status_code == 302
    assert Submission.objects.get().campaign == c


# --- API -----------------------------------------------------------------------------------------


def test_api_domains_open_campaigns_and_suggestion(client, portals, domain, campaign, sms_ok):
    c = _today_campaign(campaign)
    _today_campaign(campaign, open_=False)
    names = [d["name"] for d in client.get("/api/v1/suggestion-domains").json()]
    assert "生态环境" in names
    listed = client.get("/api/v1/suggestion-campaigns?portal=qinzhou").json()
    assert [entry["id"] for entry in listed] == [c.pk]
    created = client.post(
        "/api/v1/suggestions",
        {
            "domain": domain.pk,
            "campaign": c.pk,
            "title": "航道安全",
            "content": "建议在船闸附近设置明显的安全警示和救生设施。",
            "name": "林志强",
            "phone": "13500135000",
            "sms_code": GOOD_CODE,
            "portal": "qinzhou",
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["query_code"]
    assert Submission.objects.get().source == "api"


def test_api_closed_campaign_is_a_409_in_the_error_shape(client, portals, domain, campaign, sms_ok):
    c = _today_campaign(campaign, open_=False)
    response = client.post(
        "/api/v1/suggestions",
        {
            "domain": domain.pk,
            "campaign": c.pk,
            "title": "航道安全",
            "content": "建议在船闸附近设置明显的安全警示和救生设施。",
            "name": "林志强",
            "phone": "13500135000",
            "sms_code": GOOD_CODE,
            "portal": "qinzhou",
        },
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 409 and body["code"] == "campaign_closed"
    assert "不再接收建议" in body["message"] and set(body) == {"code", "message", "details"}


def test_api_missing_domain_is_a_4xx_in_the_error_shape(client, portals):
    response = client.post("/api/v1/suggestions", {"title": "x"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"


def test_openapi_lists_the_board_and_suggestion_operations(client):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    paths = document.json()["paths"]
    for path in (
        "/api/v1/leaders",
        "/api/v1/leader-messages",
        "/api/v1/suggestion-domains",
        "/api/v1/suggestion-campaigns",
        "/api/v1/suggestions",
    ):
        assert path in paths
    assert {"get", "post"} <= set(paths["/api/v1/leader-messages"])


# --- admin and seeding ---------------------------------------------------------------------------


def test_portal_staff_see_only_their_portals_campaigns(client, staff, campaign):
    own = campaign("nanning")
    other = campaign("qinzhou")
    other.title = "钦州的征集"
    other.save()
    client.force_login(staff("nanning", "admin"))
    html = client.get("/admin/snippets/backend_bridge/suggestioncampaign/").content.decode()
    assert own.title in html and "钦州的征集" not in html
    url = f"/admin/snippets/backend_bridge/suggestioncampaign/edit/{other.pk}/"
    assert client.get(url).status_code == 404


def test_campaign_end_before_start_is_refused_in_the_admin(client, staff, portals):
    client.force_login(staff("nanning", "admin"))
    response = client.post(
        "/admin/snippets/backend_bridge/suggestioncampaign/add/",
        {
            "portal": portals["nanning"].pk,
            "title": "日期颠倒的征集",
            "intro": json.dumps({"blocks": [], "entityMap": {}}),  # Draftail's empty document
            "start_date": "2026-06-30",
            "end_date": "2026-06-01",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "截止日期不能早于开始日期" in response.content.decode()
    assert not SuggestionCampaign.objects.filter(title="日期颠倒的征集").exists()


def test_demo_seeding_adds_leaders_and_the_canal_campaign_idempotently(portals):
    from backend_bridge.models import Leader
    from backend_bridge.services.seeding import CANAL_CAMPAIGN, seed_board_and_suggestions

    everything = list(portals.values())
    seed_board_and_suggestions(everything, demo=True)
    seed_board_and_suggestions(everything, demo=True)
    assert Leader.objects.filter(portal=portals["nanning"]).count() == 3
    assert Leader.objects.filter(portal=portals["nanning"], title="局长").count() == 1
    campaigns = SuggestionCampaign.objects.filter(title=CANAL_CAMPAIGN)
    assert sorted(c.portal.code for c in campaigns) == ["gx", "qinzhou"]
    assert all(c.is_open() for c in campaigns)
