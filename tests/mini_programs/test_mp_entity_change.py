"""The change of owning entity (主体变更) both ways, end to end through the API: the same AppID
with a new entity, filing number and secret; and a new AppID, where every diner's OpenID changes
and diners re-bind (by UnionID, else by SMS or invitation) to the same records and history."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from mini_programs.models import Order, WeChatBinding
from mini_programs.services.accounts import issue_invitation
from tests.mini_programs.conftest import login
from tests.simulators.wechat import MiniProgramSimulator

pytestmark = pytest.mark.django_db


def report() -> str:
    out = io.StringIO()
    call_command("mp_rebind_report", stdout=out)
    return out.getvalue()


def test_same_app_id_new_entity_filing_and_secret_keeps_everyone_bound(
    client, mp, settings, sign_in, make_diner, make_meal
):
    diner = make_diner("黄丽")
    user = sign_in(diner)
    order_id = user.post("/orders", {"meal_id": make_meal().pk}).json()["id"]

    mp.secret = "new-secret-after-the-change"
    settings.WECHAT_MINI_PROGRAM = {
        **settings.WECHAT_MINI_PROGRAM,
        "secret": mp.secret,
        "entity": "广西壮族自治区机关事务管理局",
        "filing_number": "桂ICP备20260001号-3X",
    }
    about = client.get("/api/mp/v1/about").json()
    assert about["entity"] == "广西壮族自治区机关事务管理局"
    assert about["filing_number"] == "桂ICP备20260001号-3X"
    again = login(Client(), mp, user.openid)
    assert again.get("/me").json()["diner"]["name"] == "黄丽"
    assert [o["id"] for o in again.get("/orders").json()] == [order_id]


def test_new_app_id_diners_rebind_to_the_same_records_and_keep_history(
    mp, settings, sign_in, make_diner, make_meal, sms_outbox
):
    with_union = make_diner("韦强")
    without_union = make_diner("覃芳")
    never = make_diner("莫兰")
    meal = make_meal()
    old_users = {
        "韦强": sign_in(with_union, unionid="UNION-weiqiang"),
        "覃芳": sign_in(without_union),
        "莫兰": sign_in(never),
    }
    old_orders = {
        name: user.post("/orders", {"meal_id": meal.pk}).json()["id"]
        for name, user in old_users.items()
    }
    old_app = mp.app_id

    with MiniProgramSimulator() as new:
        settings.WECHAT_API_BASE = new.url
        settings.WECHAT_MINI_PROGRAM = {
            "app_id": new.app_id,
            "secret": new.secret,
            "entity": "广西壮族自治区机关事务管理局",
            "filing_number": "桂ICP备20260001号-3X",
            "previous_app_id": old_app,
        }
        # The old AppID's sessions end with the switch.
        assert old_users["韦强"].get("/me").status_code == 401
        assert "尚未重新绑定 3 人" in report()

        # UnionID (same open-platform account): re-bound at the first login, nothing to do.
        weiqiang = login(Client(), new, unionid="UNION-weiqiang")
        assert weiqiang.openid != old_users["韦强"].openid
        assert weiqiang.get("/me").json()["diner"]["name"] == "韦强"
        assert [o["id"] for o in weiqiang.get("/orders").json()] == [old_orders["韦强"]]

        # No UnionID: binds again by SMS and finds the same record and its history.
        qinfang = login(Client(), new)
        assert qinfang.get("/me").json()["bound"] is False
        from tests.mini_programs.test_mp_binding import request_code

        assert request_code(qinfang, "覃芳", without_union.phone).status_code == 200
        code = sms_outbox[-1]["params"]["code"]
        bound = qinfang.post(
            "/bind/sms", {"name": "覃芳", "phone": without_union.phone, "sms_code": code}
        )
        assert bound.json()["diner"]["id"] == without_union.pk
        assert [o["id"] for o in qinfang.get("/orders").json()] == [old_orders["覃芳"]]

        text = report()
        assert "已重新绑定 2 人，尚未重新绑定 1 人" in text
        assert "未重新绑定\t莫兰" in text

        # The one left gets an invitation code from the canteen.
        molan = login(Client(), new)
        molan.post("/bind/invitation", {"invitation_code": issue_invitation(never).code})
        assert "尚未重新绑定 0 人" in report()

    assert WeChatBinding.objects.filter(app_id=old_app).count() == 3
    assert Order.objects.count() == 3  # nobody's history was copied or lost


def test_switching_back_to_the_old_app_id_still_finds_everyone(mp, settings, sign_in, make_diner):
    diner = make_diner("梁晨")
    user = sign_in(diner)
    old = dict(settings.WECHAT_MINI_PROGRAM)
    with MiniProgramSimulator() as new:
        settings.WECHAT_API_BASE = new.url
        settings.WECHAT_MINI_PROGRAM = {**old, "app_id": new.app_id, "secret": new.secret}
    settings.WECHAT_API_BASE = mp.url
    settings.WECHAT_MINI_PROGRAM = old
    assert login(Client(), mp, user.openid).get("/me").json()["diner"]["name"] == "梁晨"
