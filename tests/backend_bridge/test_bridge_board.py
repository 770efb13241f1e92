"""The leader message board: messages are submissions; publication only after a reply and a
moderator's approval, never when the writer opted out, with the writer masked; per-portal admin."""

import pytest

from backend_bridge.models import Kind, Leader, OutboxItem, Publication, Submission
from backend_bridge.services import board, outbox
from backend_bridge.services.errors import InvalidInput, NotAllowed
from backend_bridge.services.lookup import lookup
from backend_bridge.services.status import record_event

GOOD_CODE = "246810"  # the code the sms_ok fixture accepts

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaders(portals):
    def make(code="nanning", **fields):
        data = {"name": "陈志强", "title": "局长", "sort_order": 0, "active": True}
        data.update(fields)
        return Leader.objects.create(portal=portals[code], **data)

    return make


@pytest.fixture
def message(portals, leaders, sms_ok):
    """Write a message on the 南宁 portal: message(**overrides) -> Accepted."""

    def write(portal_code="nanning", leader=None, **overrides):
        leader = leader or leaders(portal_code)
        data = {
            "leader": str(leader.pk),
            "title": "建议增开夜间公交线路",
            "content": "五象新区晚上九点以后基本没有公交，希望增开夜班线路方便市民出行。",
            "name": "张三丰",
            "phone": "13800138000",
            "sms_code": GOOD_CODE,
        }
        data.update(overrides)
        return board.submit_message(portals[portal_code], board.MessageInput(**data))

    return write


def _reply(submission, text="已与公交集团协调，下月起开通夜班线路。"):
    record_event(submission, status="replied", origin="inbox", reply=text, note="已答复")
    submission.refresh_from_db()
    return submission


def _moderator(staff):
    return staff("nanning", "intake")


def test_message_is_a_submission_with_leader_and_query_code(message, id_number):
    accepted = message(id_number=id_number)
    submission = accepted.submission
    assert submission.kind == Kind.LEADER_MESSAGE and submission.leader.title == "局长"
    assert submission.publish_consent and submission.publication == Publication.PENDING
    assert submission.outbox_items.get().kind == OutboxItem.Kind.SUBMIT
    assert lookup(accepted.query_code, id_tail=id_number[-6:]).submission == submission


def test_message_without_id_number_is_accepted_and_looked_up_by_phone(message, monkeypatch):
    accepted = message()
    assert accepted.submission.id_number == "" and accepted.submission.id_index == ""
    view = lookup(accepted.query_code, phone="13800138000", sms_code=GOOD_CODE)
    assert view.submission == accepted.submission


def test_missing_leader_and_bad_phone_are_field_errors_and_nothing_is_stored(portals, sms_ok):
    data = board.MessageInput(
        title="标题", content="内容足够长的一段留言文字。", name="张三", phone="123"
    )
    with pytest.raises(InvalidInput) as error:
        board.submit_message(portals["nanning"], data)
    assert set(error.value.field_errors) >= {"leader", "phone"}
    assert "请选择留言对象。" in error.value.field_errors["leader"]
    assert not Submission.objects.filter(kind=Kind.LEADER_MESSAGE).exists()


def test_inactive_or_other_portals_leader_is_refused(message, leaders):
    with pytest.raises(InvalidInput):
        message(leader=leaders(active=False))
    with pytest.raises(InvalidInput):
        message(leader=leaders("liuzhou"))


def test_not_published_before_the_reply(message, staff, portals):
    submission = message().submission
    with pytest.raises(NotAllowed) as error:
        board.decide_publication(_moderator(staff), submission, approve=True)
    assert "尚未答复" in error.value.message
    assert not board.published_messages(portals["nanning"]).exists()


def test_not_published_without_a_moderators_approval(message, portals):
    _reply(message().submission)
    assert not board.published_messages(portals["nanning"]).exists()


def test_published_after_reply_and_approval_with_masked_writer(message, staff, portals, client):
    submission = _reply(message().submission)
    board.decide_publication(_moderator(staff), submission, approve=True)
    assert list(board.published_messages(portals["nanning"])) == [submission]
    assert submission.public_name == "张*"
    html = client.get("/hdjl/ldly/", headers={"Host": portals["nanning"].site.hostname})
    page = html.content.decode()
    assert "建议增开夜间公交线路" in page and "下月起开通夜班线路" in page
    assert "张*" in page and "张三丰" not in page and "13800138000" not in page


def test_never_published_when_the_writer_opted_out(message, staff, portals):
    submission = _reply(message(publish=False).submission)
    assert submission.publication == Publication.NOT_APPLICABLE
    with pytest.raises(NotAllowed) as error:
        board.decide_publication(_moderator(staff), submission, approve=True)
    assert "不公开" in error.value.message
    # Even a stray approval in the database would not show it.
    Submission.objects.filter(pk=submission.pk).update(publication=Publication.APPROVED)
    assert not board.published_messages(portals["nanning"]).exists()


def test_refused_publication_stays_off_the_board(message, staff, portals):
    submission = _reply(message().submission)
    board.decide_publication(_moderator(staff), submission, approve=False)
    assert submission.publication == Publication.REFUSED
    assert not board.published_messages(portals["nanning"]).exists()


def test_other_portals_staff_and_editors_cannot_moderate(message, staff):
    submission = _reply(message().submission)
    for user in (
        staff("liuzhou", "handler"),
        staff("nanning", "editor"),
        staff("nanning", "admin"),
    ):
        with pytest.raises(NotAllowed):
            board.decide_publication(user, submission, approve=True)


def test_moderation_in_the_case_inbox(message, staff, client, settings, portals):
    settings.CASE_SYSTEM_URL = ""
    submission = _reply(message().submission)
    client.force_login(_moderator(staff))
    detail = client.get(f"/admin/bridge/{submission.pk}/").content.decode()
    assert "公开审核" in detail and "同意公开" in detail
    response = client.post(
        f"/admin/bridge/{submission.pk}/", {"action": "publication", "decision": "approve"}
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.publication == Publication.APPROVED
    assert submission.publication_decided_by is not None
    listing = client.get("/admin/bridge/?kind=leader_message").content.decode()
    assert "领导留言" in listing


def test_case_system_receives_kind_and_leader(message):
    submission = message().submission
    payload = outbox.submit_payload(submission)
    assert payload["kind"] == "leader_message"
    assert payload["leader"] == {
        "id": submission.leader.pk,
        "name": submission.leader.name,
        "title": "局长",
    }
    assert payload["publish_consent"] is True and payload["domain"] is None


def test_board_page_lists_active_leaders_only(client, portals, leaders):
    leaders(name="林海涛", title="局长")
    leaders(name="罗文斌", title="副局长", active=False)
    leaders("liuzhou", name="韦丽华", title="局长")
    page = client.get("/hdjl/ldly/", headers={"Host": portals["nanning"].site.hostname})
    html = page.content.decode()
    assert page.status_code == 200 and "林海涛" in html
    assert "罗文斌" not in html and "韦丽华" not in html
    assert "no-store" in page["Cache-Control"]


def test_message_form_rerenders_input_and_errors_with_a_4xx(client, portals, leaders, sms_ok):
    leader = leaders()
    host = portals["nanning"].site.hostname
    form = {
        "leader": str(leader.pk),
        "title": "<b>道路</b>破损",
        "content": "短",
        "name": "王五",
        "phone": "123",
        "sms_code": GOOD_CODE,
    }
    response = client.post("/hdjl/ldly/xx/", form, headers={"Host": host})
    html = response.content.decode()
    assert response.status_code == 400
    assert "&lt;b&gt;道路&lt;/b&gt;破损" in html and "<b>道路</b>" not in html
    assert "至少 10 个字" in html and 'class="bb-errors"' in html
    assert not Submission.objects.exists()


def test_message_form_submits_and_shows_the_query_code(client, portals, leaders, sms_ok):
    leader = leaders()
    host = portals["nanning"].site.hostname
    form = {
        "leader": str(leader.pk),
        "title": "反映小区停车难",
        "content": "小区车位严重不足，晚上车辆乱停，消防通道被占，请有关部门协调解决。",
        "name": "王五",
        "phone": "13700137000",
        "sms_code": GOOD_CODE,
        "keep_private": "on",
    }
    assert "给局长留言" in client.get("/hdjl/ldly/", headers={"Host": host}).content.decode()
    response = client.post("/hdjl/ldly/xx/", form, headers={"Host": host})
    assert response.status_code == 302
    page = client.get(response["Location"], headers={"Host": host}).content.decode()
    assert "您的留言" in page and "data-query-code" in page
    assert Submission.objects.get().publish_consent is False


def test_index_links_to_board_and_suggestions(client, portals):
    html = client.get("/hdjl/", headers={"Host": portals["nanning"].site.hostname}).content
    assert "/hdjl/ldly/" in html.decode() and "/hdjl/rmjy/" in html.decode()


# --- API -----------------------------------------------------------------------------------------


def test_api_leaders_message_and_published_list(client, portals, leaders, sms_ok, staff):
    leader = leaders(name="覃晓东", title="局长")
    leaders("liuzhou", name="莫春燕")
    listed = client.get("/api/v1/leaders?portal=nanning").json()
    assert [entry["name"] for entry in listed] == ["覃晓东"]
    assert listed[0]["title"] == "局长" and listed[0]["photo_url"] is None
    created = client.post(
        "/api/v1/leader-messages",
        {
            "leader": leader.pk,
            "title": "咨询老旧小区改造",
            "content": "我们小区建成三十年了，想了解今年是否列入老旧小区改造计划。",
            "name": "黄国平",
            "phone": "13600136000",
            "sms_code": GOOD_CODE,
            "portal": "nanning",
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["query_code"]
    found = client.post(
        "/api/v1/lookups",
        {
            "query_code": created.json()["query_code"],
            "phone": "13600136000",
            "sms_code": GOOD_CODE,
        },
        content_type="application/json",
    )
    assert found.status_code == 200 and found.json()["kind"] == "leader_message"
    submission = Submission.objects.get(kind=Kind.LEADER_MESSAGE)
    assert submission.source == "api"
    assert client.get("/api/v1/leader-messages?portal=nanning").json() == []
    _reply(submission)
    board.decide_publication(_moderator(staff), submission, approve=True)
    published = client.get("/api/v1/leader-messages?portal=nanning").json()
    assert published[0]["writer"] == "黄*" and published[0]["leader"] == "局长覃晓东"
    assert "13600136000" not in str(published)


def test_api_message_errors_have_the_shape_and_a_zh_message(client, portals, sms_ok):
    response = client.post(
        "/api/v1/leader-messages",
        {
            "leader": 999999,
            "title": "",
            "content": "x",
            "name": "",
            "phone": "1",
            "sms_code": GOOD_CODE,
            "portal": "nanning",
        },
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid_input"
    assert body["message"] == "提交的内容有误，请按提示修改"
    assert {"leader", "title", "name", "phone"} <= set(body["details"]["fields"])
    unknown = client.get("/api/v1/leaders?portal=nowhere")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_portal"


# --- admin: leaders per portal ------------------------------------------------------------------


def test_portal_admins_see_and_edit_only_their_portals_leaders(client, leaders, staff, portals):
    own = leaders(name="梁红梅")
    other = leaders("liuzhou", name="蒙永明")
    client.force_login(staff("nanning", "admin"))
    listing = client.get("/admin/snippets/backend_bridge/leader/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "梁红梅" in html and "蒙永明" not in html
    assert client.get(f"/admin/snippets/backend_bridge/leader/edit/{own.pk}/").status_code == 200
    assert client.get(f"/admin/snippets/backend_bridge/leader/edit/{other.pk}/").status_code == 404
    assert (
        client.get(f"/admin/snippets/backend_bridge/leader/delete/{other.pk}/").status_code == 404
    )
    add = client.get("/admin/snippets/backend_bridge/leader/add/").content.decode()
    assert portals["nanning"].name in add and f">{portals['liuzhou'].name}<" not in add


def test_portal_admin_cannot_create_a_leader_for_another_portal(client, staff, portals):
    client.force_login(staff("nanning", "admin"))
    client.post(
        "/admin/snippets/backend_bridge/leader/add/",
        {
            "portal": portals["liuzhou"].pk,
            "name": "假冒",
            "title": "局长",
            "sort_order": 0,
            "active": "on",
        },
    )
    assert not Leader.objects.filter(name="假冒").exists()
    client.post(
        "/admin/snippets/backend_bridge/leader/add/",
        {
            "portal": portals["nanning"].pk,
            "name": "周建国",
            "title": "副局长",
            "sort_order": 1,
            "active": "on",
        },
    )
    assert Leader.objects.get(name="周建国").portal == portals["nanning"]


def test_superuser_sees_all_portals_leaders(client, leaders, django_user_model):
    leaders(name="梁红梅")
    leaders("liuzhou", name="蒙永明")
    client.force_login(
        django_user_model.objects.create_superuser("root-board", password="Pw-root-board-2026")
    )
    html = client.get("/admin/snippets/backend_bridge/leader/").content.decode()
    assert "梁红梅" in html and "蒙永明" in html


def test_message_reaches_the_case_system_with_kind_and_leader(message, simulator):
    submission = message().submission
    outbox.run_once()
    (case,) = simulator.cases.values()
    assert case["submission"]["kind"] == "leader_message"
    assert case["submission"]["leader"]["id"] == submission.leader.pk
    submission.refresh_from_db()
    assert submission.case_number


def test_lookup_page_of_a_message_shows_its_leader(client, portals, message):
    accepted = message()
    host = portals["nanning"].site.hostname
    response = client.post(
        "/hdjl/cx/",
        {"query_code": accepted.query_code, "phone": "13800138000", "sms_code": GOOD_CODE},
        headers={"Host": host},
    )
    assert response.status_code == 302
    page = client.get(response["Location"], headers={"Host": host}).content.decode()
    assert "领导留言" in page and "局长陈志强" in page and "张三丰" not in page
