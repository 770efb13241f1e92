"""The custom menu of an official account: edited as a snippet, checked, pushed to the simulator."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, streamfield

from channels.models import WeChatMenu

pytestmark = pytest.mark.django_db

ADD_URL = "wagtailsnippets_channels_wechatmenu:add"


def button(name, sub_buttons=(), **target):
    value = {"name": name, "service": "", "column": "", "url": "", "keyword": "", **target}
    return {
        **value,
        "sub_buttons": {
            "count": str(len(sub_buttons)),
            **{
                str(i): {"value": sub, "deleted": "", "order": str(i), "id": ""}
                for i, sub in enumerate(sub_buttons)
            },
        },
    }


def sub(name, **target):
    return {"name": name, "service": "", "column": "", "url": "", "keyword": "", **target}


def form(*buttons, push=True):
    data = nested_form_data(
        {"account": "gxxf", "buttons": streamfield([("button", b) for b in buttons])}
    )
    if push:
        data["action-push"] = "1"
    return data


@pytest.fixture
def superuser(client, django_user_model, wechat_account):
    user = django_user_model.objects.create_superuser("menu-admin", password="Pw-menu-2026")
    client.force_login(user)
    return user


def test_a_menu_of_services_and_a_column_is_saved_and_pushed(
    client, superuser, column, wechat_simulator
):
    response = client.post(
        reverse(ADD_URL),
        form(
            button(
                "我要信访",
                [
                    sub("网上信访", service="petition"),
                    sub("平陆运河绿色通道", service="canal_petition"),
                    sub("信访件查询评价", service="lookup"),
                ],
            ),
            button("领导留言", service="board"),
            button(
                "更多",
                [
                    sub("工作动态", column=str(column.pk)),
                    sub("人民建议征集", service="suggestions"),
                    sub("办事指南", keyword="指南"),
                ],
            ),
        ),
        follow=True,
    )
    assert response.status_code == 200
    assert "菜单已推送到公众号" in response.content.decode()
    menu = WeChatMenu.objects.get(account="gxxf")
    assert menu.pushed_at is not None
    listing = client.get(reverse("wagtailsnippets_channels_wechatmenu:list"))
    assert "广西信访" in listing.content.decode()

    (call,) = wechat_simulator.calls("menu/create")
    pushed = call.json()["button"]
    assert [b["name"] for b in pushed] == ["我要信访", "领导留言", "更多"]
    # A service account's service entries open its H5 pages (signed in through OAuth there).
    first = pushed[0]["sub_button"]
    assert first[0]["type"] == "view" and first[0]["url"].endswith("/wechat/gxxf/h5/xf/")
    assert first[0]["url"].startswith(("http://", "https://"))
    assert first[1]["url"].endswith("/wechat/gxxf/h5/plyh/")
    assert first[2]["url"].endswith("/wechat/gxxf/h5/cx/")
    assert pushed[1] == {
        "name": "领导留言",
        "type": "view",
        "url": first[0]["url"].removesuffix("xf/") + "ldly/",
    }
    more = pushed[2]["sub_button"]
    assert more[0] == {"name": "工作动态", "type": "view", "url": column.full_url}
    assert more[1]["url"].endswith("/wechat/gxxf/h5/rmjy/")
    assert more[2] == {"name": "办事指南", "type": "click", "key": "指南"}
    assert wechat_simulator.menu == call.json()


def test_a_menu_beyond_wechats_limits_is_refused_in_chinese_and_not_pushed(
    client, superuser, wechat_simulator
):
    too_many_subs = [sub(f"子菜单{i}", service="petition") for i in range(6)]
    response = client.post(
        reverse(ADD_URL),
        form(
            button("信访服务中心入口", service="petition"),  # 24 bytes
            button("查询", too_many_subs),
            button("留言", service="board", keyword="留言"),
            button("第四个", service="lookup"),
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "一级菜单最多 3 个（现有 4 个）" in page
    assert "第 1 个一级菜单：名称“信访服务中心入口”超过 16 字节（现有 24 字节" in page
    assert "第 2 个一级菜单：子菜单最多 5 个（现有 6 个）" in page
    assert "第 3 个一级菜单：请在“服务入口”“栏目”“网址”“关键词”中选填一项（现有 2 项）" in page
    assert not WeChatMenu.objects.exists()
    assert wechat_simulator.calls("menu/create") == []


def test_a_sub_button_name_may_be_longer_than_a_top_level_one(client, superuser, wechat_simulator):
    long_sub = "平陆运河沿线群众诉求绿色通道"  # 14 characters, 42 bytes
    response = client.post(
        reverse(ADD_URL), form(button("我要信访", [sub(long_sub, service="canal_petition")]))
    )
    assert response.status_code == 302
    (call,) = wechat_simulator.calls("menu/create")
    assert call.json()["button"][0]["sub_button"][0]["name"] == long_sub


def test_saving_without_push_sends_nothing_and_a_refusal_by_wechat_is_shown(
    client, superuser, wechat_simulator
):
    response = client.post(
        reverse(ADD_URL), form(button("网上信访", service="petition"), push=False)
    )
    assert response.status_code == 302
    assert wechat_simulator.calls("menu/create") == []

    menu = WeChatMenu.objects.get(account="gxxf")
    edit = reverse("wagtailsnippets_channels_wechatmenu:edit", args=[menu.pk])
    screen = client.get(edit).content.decode()
    assert "保存并推送到公众号" in screen
    wechat_simulator.script_endpoint("menu/create", "error")
    response = client.post(edit, form(button("网上信访", service="petition")), follow=True)
    assert "菜单已保存，但未能推送到公众号" in response.content.decode()
    menu.refresh_from_db()
    assert menu.pushed_at is None


def test_a_menu_click_with_a_key_is_answered_like_that_keyword(client, wechat_account):
    from channels.models import WeChatKeywordReply
    from tests.channels.test_wechat_callback import event_xml, post_plain, reply_of

    WeChatKeywordReply.objects.create(account="gxxf", keyword="指南", reply_text="办事指南如下")
    xml = event_xml("CLICK", "<EventKey><![CDATA[指南]]></EventKey>")
    assert reply_of(post_plain(client, wechat_account, xml))["Content"] == "办事指南如下"


def test_a_subscription_accounts_service_entries_open_the_portal_pages(
    client, superuser, wechat_simulator, settings
):
    import json

    settings.WECHAT_ACCOUNTS = json.dumps(
        [wechat_simulator.account_entry(code="gxxf", name="广西信访订阅号", kind="subscription")]
    )
    response = client.post(
        reverse(ADD_URL),
        form(
            button("我要信访", [sub("网上信访", service="petition"), sub("查询", service="lookup")])
        ),
        follow=True,
    )
    assert "菜单已推送到公众号" in response.content.decode()
    (call,) = wechat_simulator.calls("menu/create")
    subs = call.json()["button"][0]["sub_button"]
    assert subs[0]["url"].endswith("/hdjl/xf/") and subs[1]["url"].endswith("/hdjl/cx/")
    assert "/wechat/" not in subs[0]["url"]


def test_menu_entries_open_the_portals_public_https_address(
    client, superuser, column, wechat_simulator, settings
):
    # Production serves the portals over https on 443, whatever the Site records were seeded with.
    settings.PORTAL_SCHEME, settings.PORTAL_PORT = "https", 443
    response = client.post(
        reverse(ADD_URL),
        form(button("我要信访", service="petition"), button("工作动态", column=str(column.pk))),
        follow=True,
    )
    assert "菜单已推送到公众号" in response.content.decode()
    (call,) = wechat_simulator.calls("menu/create")
    service, news = call.json()["button"]
    default = column.get_site().__class__.objects.get(is_default_site=True)
    assert service["url"] == f"https://{default.hostname}/wechat/gxxf/h5/xf/"
    site = column.get_site()
    assert news["url"] == f"https://{site.hostname}{column.get_url_parts()[2]}"
    assert ":80" not in news["url"] and ":8000" not in news["url"]
