"""Moving from the old service account to the new subscription account: ``wechat_export`` and
``wechat_import`` between two simulated accounts, through the production client.

Each account is its own WeChat simulator; ``WECHAT_API_BASE`` points at the old one while
exporting and at the new one while importing, as an operator runs the two commands.
"""

from __future__ import annotations

import fcntl
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test.utils import isolate_apps

from channels.wechat import migration, publish
from channels.wechat.client import client_for
from sensitive_words import services as sw_services
from sensitive_words.models import Dictionary, SensitiveWord
from tests.channels.conftest import png_bytes
from tests.simulators.wechat import WeChatSimulator

# The import screens articles with the sensitive-word dictionaries, which live in the database.
pytestmark = pytest.mark.django_db


class Accounts:
    """The old service account ``gxxf`` and the new subscription account ``gxdy``."""

    def __init__(self, old: WeChatSimulator, new: WeChatSimulator, settings, tmp_path):
        self.old, self.new, self.settings = old, new, settings
        self.archive = tmp_path / "gxxf-archive"
        self.journal = tmp_path / "gxxf-archive.import-gxdy.json"
        settings.WECHAT_ACCOUNTS = json.dumps(
            [
                old.account_entry(code="gxxf", name="广西信访", kind="service"),
                new.account_entry(code="gxdy", name="广西信访订阅号", kind="subscription"),
            ],
            ensure_ascii=False,
        )
        settings.WECHAT_TIMEOUT = 1.0
        settings.WECHAT_BUSY_RETRIES = 1
        settings.WECHAT_BUSY_BACKOFF_SECONDS = 0.01

    def run(self, command: str, *args, **options) -> str:
        """Run the command against the simulator of the account it talks to; its output."""
        simulator = self.old if command == "wechat_export" else self.new
        self.settings.WECHAT_API_BASE = simulator.url
        out = StringIO()
        call_command(command, *args, stdout=out, **options)
        return out.getvalue()

    def export(self) -> str:
        return self.run("wechat_export", "--account", "gxxf", str(self.archive))

    def import_(self, *extra: str) -> str:
        return self.run("wechat_import", "--account", "gxdy", *extra, str(self.archive))


@pytest.fixture
def accounts(settings, tmp_path):
    with WeChatSimulator(delay=3.0) as old, WeChatSimulator(delay=3.0) as new:
        old.image_base, new.image_base = old.url, new.url  # they serve their images
        yield Accounts(old, new, settings, tmp_path)


def images_of(simulator: WeChatSimulator, kind: str = "image") -> list[bytes]:
    return sorted(m["upload"].data for m in simulator.materials.values() if m["type"] == kind)


@pytest.fixture
def old_account(accounts):
    """The old account as the bureau runs it: tagged followers with remarks, materials, two
    publications (one of two articles) with body images, and a menu with a material button."""
    old = accounts.old
    old.followers.clear()
    old.followers_page_size = 2  # several user/get pages
    petitioners = old.add_tag("信访人")
    canal = old.add_tag("平陆运河")
    accounts.zhang = old.add_follower(remark="张三（南宁）", tags=[petitioners, 2])
    accounts.li = old.add_follower(tags=[canal])
    accounts.wang = old.add_follower(remark="王五", tags=[petitioners])
    accounts.zhao = old.add_follower()
    red, green = png_bytes(rgb=(200, 0, 0)), png_bytes(rgb=(0, 200, 0))
    blue = png_bytes(rgb=(0, 0, 200))
    cover_a = old.add_image_material("封面一.png", red)
    cover_b = old.add_image_material("封面二", green)  # a name without an extension
    card = old.add_image_material("宣传卡片.png", blue)

    accounts.settings.WECHAT_API_BASE = old.url
    client = client_for("gxxf")
    body_image = publish.upload_body_image(client, "body.png", png_bytes(rgb=(9, 9, 9)))

    def article(title, cover):
        return {
            "title": title,
            "author": "广西信访局",
            "digest": f"{title}摘要",
            "content": f'<p>{title}正文</p><p><img data-src="{body_image}" src="{body_image}"></p>',
            "content_source_url": "https://www.gxxf.gov.cn/news/1/",
            "thumb_media_id": cover,
        }

    for articles in (
        [article("平陆运河绿色通道开通", cover_a)],
        [article("信访工作动态", cover_b), article("领导接访日安排", cover_a)],
    ):
        publish.submit(client, publish.add_draft(client, articles))
    old.menu = {
        "button": [
            {"type": "view", "name": "网上信访", "url": "https://www.gxxf.gov.cn/petition/"},
            {
                "name": "服务",
                "sub_button": [
                    {"type": "media_id", "name": "宣传卡片", "media_id": card, "sub_button": []},
                    {"type": "click", "name": "平陆运河", "key": "canal", "sub_button": []},
                ],
            },
        ]
    }
    accounts.images = sorted([red, green, blue])
    return accounts


def exported(accounts, name):
    return json.loads((accounts.archive / name).read_text(encoding="utf-8"))


# --- export ----------------------------------------------------------------------------------------
def test_export_writes_a_versioned_archive_of_the_whole_account(old_account):
    out = old_account.export()

    manifest = exported(old_account, "manifest.json")
    assert manifest["format_version"] == migration.FORMAT_VERSION
    assert manifest["account"]["code"] == "gxxf"
    assert manifest["account"]["app_id"] == old_account.old.app_id
    assert manifest["complete"] and manifest["started_at"] and manifest["finished_at"]
    assert manifest["counts"] == {
        "tags": 3,
        "followers": 4,
        "materials": 3,
        "articles": 3,
        "menu": 2,
    }
    followers = {
        f["openid"]: f
        for f in map(
            json.loads, (old_account.archive / "followers.jsonl").read_text().split("\n")[:-1]
        )
    }
    assert followers[old_account.zhang]["remark"] == "张三（南宁）"
    assert sorted(followers[old_account.zhang]["tagid_list"]) == [2, 100]
    materials = exported(old_account, "materials.json")
    files = sorted((old_account.archive / m["file"]).read_bytes() for m in materials)
    assert files == old_account.images
    titles = [a["title"] for p in exported(old_account, "articles.json") for a in p["news_item"]]
    assert sorted(titles) == ["信访工作动态", "平陆运河绿色通道开通", "领导接访日安排"]
    assert len(list((old_account.archive / "images").iterdir())) == 1
    assert "导出报告" in out and "粉丝（OpenID、标签、备注）：4" in out and "已完成" in out
    assert len(old_account.old.calls("user/get")) == 3  # pages of 2, then the empty page


def test_an_interrupted_export_resumes_without_fetching_anyone_twice(old_account):
    old_account.old.followers_page_size = 100
    for n in range(150):  # two batchget calls
        old_account.old.add_follower(remark=f"粉丝{n}")
    old_account.old.script_endpoint("user/info/batchget", "ok", "timeout")

    with pytest.raises(CommandError, match="导出已中断.*微信服务器响应超时"):
        old_account.export()
    assert not exported(old_account, "manifest.json")["complete"]
    with open(old_account.archive / "followers.jsonl", "a") as lines:
        lines.write('{"openid": "o-half-writ')  # as if the process died in the middle of a line

    out = old_account.export()
    openids = [
        json.loads(line)["openid"]
        for line in (old_account.archive / "followers.jsonl").read_text().splitlines()
    ]
    assert len(openids) == len(set(openids)) == 154
    assert "已完成" in out
    # Resumed from the second batch: the first hundred were not asked for again.
    assert len(old_account.old.calls("user/info/batchget")) == 3
    assert len(old_account.old.calls("tags/get")) == 1


def test_a_material_that_cannot_be_fetched_is_reported_and_fetched_by_the_next_export(
    old_account,
):
    old_account.old.error_code = 40007
    old_account.old.script_endpoint("material/get_material", "error")

    out = old_account.export()

    manifest = exported(old_account, "manifest.json")
    assert manifest["complete"] and manifest["counts"]["materials"] == 2
    assert "素材不存在（media_id 无效），可能已被删除（微信错误码 40007）" in out
    calls = len(old_account.old.calls("material/get_material"))

    out = old_account.export()

    assert exported(old_account, "manifest.json")["counts"]["materials"] == 3
    assert len(old_account.old.calls("material/get_material")) == calls + 1  # only the missing one
    assert "未能迁移" not in out
    assert len(old_account.old.calls("user/get")) == 3  # the finished sections are not redone


def test_a_material_missing_from_the_archive_is_reported_and_its_menu_button_dropped(
    old_account,
):
    old_account.old.error_code = 40007
    old_account.old.script_endpoint("material/get_material", "ok", "ok", "error")  # the card
    old_account.export()

    out = old_account.import_()

    assert len(images_of(old_account.new)) == 2 and len(old_account.new.drafts) == 2
    assert "图片素材“宣传卡片.png”：导出时未能下载该素材" in out
    assert "菜单项“宣传卡片”：它指向的素材未能迁移，已从菜单中去掉" in out
    assert old_account.new.menu["button"][1]["sub_button"] == [
        {"type": "click", "name": "平陆运河", "key": "canal"}
    ]


# --- import ----------------------------------------------------------------------------------------
def test_import_recreates_tags_materials_articles_and_menu_in_the_new_account(old_account):
    old_account.export()
    new = old_account.new

    out = old_account.import_()

    assert sorted(new.tags.values()) == ["信访人", "平陆运河", "星标组"]
    assert images_of(new) == old_account.images
    names = sorted(m["upload"].filename for m in new.materials.values() if m["type"] == "image")
    assert names == ["宣传卡片.png", "封面一.png", "封面二.png"]
    drafts = sorted(new.drafts.values(), key=lambda d: d["serial"])
    assert [[a["title"] for a in d["news_item"]] for d in drafts] == [  # in publishing order
        ["平陆运河绿色通道开通"],
        ["信访工作动态", "领导接访日安排"],
    ]
    for draft in drafts:
        for article in draft["news_item"]:
            assert old_account.old.url not in article["content"]
            assert f'src="{new.url}/mmbiz_png/' in article["content"]
            assert new.materials[article["thumb_media_id"]]["type"] == "image"
            assert article["author"] == "广西信访局"
    covers = {
        a["title"]: new.materials[a["thumb_media_id"]] for d in drafts for a in d["news_item"]
    }
    assert covers["信访工作动态"]["upload"].filename == "封面二.png"
    assert len(new.calls("media/uploadimg")) == 1  # the one body image, once for all articles
    card = new.menu["button"][1]["sub_button"][0]
    assert card["type"] == "media_id" and new.materials[card["media_id"]]["upload"].filename == (
        "宣传卡片.png"
    )
    assert new.menu["button"][0]["url"] == "https://www.gxxf.gov.cn/petition/"
    assert "文章：2 篇已存为草稿" in out and "自定义菜单：已重建" in out
    assert "粉丝只能通过微信公众平台的账号迁移流程转移" in out
    assert not new.calls("changeopenid")
    journal = json.loads(old_account.journal.read_text(encoding="utf-8"))
    assert journal["report"]["complete"] and not journal["report"]["problems"]


def test_an_import_interrupted_after_wechat_acted_resumes_without_creating_anything_twice(
    old_account,
):
    old_account.export()
    new = old_account.new
    # The second material is uploaded but its answer never arrives; later a draft is created
    # and its answer is lost on the way back (502).
    new.script_endpoint("material/add_material", "ok", "timeout")
    new.script_endpoint("draft/add", "twice")

    with pytest.raises(CommandError, match="导入已中断.*微信服务器响应超时"):
        old_account.import_()
    assert len(images_of(new)) == 2
    journal = json.loads(old_account.journal.read_text(encoding="utf-8"))
    assert len(journal["intents"]) == 1 and not journal["report"]["complete"]

    with pytest.raises(CommandError, match="导入已中断.*微信服务器暂时不可用"):
        old_account.import_()
    assert len(new.drafts) == 1

    out = old_account.import_()

    assert images_of(new) == old_account.images  # three materials, none twice
    assert len(new.drafts) == 2
    assert len(new.calls("tags/create")) == 2
    assert len(new.calls("menu/create")) == 1
    assert "永久素材：3 个已重新上传" in out and "已完成" in out
    assert not json.loads(old_account.journal.read_text(encoding="utf-8"))["intents"]

    again = old_account.import_()  # a finished import run again changes nothing
    assert images_of(new) == old_account.images and len(new.drafts) == 2
    assert len(new.calls("menu/create")) == 1
    assert "文章：2 篇已存为草稿" in again


def test_a_lost_upload_is_recognised_by_its_content_not_by_a_namesake(old_account):
    old_account.export()
    new = old_account.new
    namesake = new.add_image_material("封面一.png", png_bytes(rgb=(1, 2, 3)))
    new.script_endpoint("material/add_material", "timeout")  # 封面一.png, uploaded first

    with pytest.raises(CommandError, match="导入已中断"):
        old_account.import_()
    old_account.import_()

    assert len(images_of(new)) == 4  # the namesake and the three, none twice
    covers = [a["thumb_media_id"] for d in new.drafts.values() for a in d["news_item"]]
    assert namesake not in covers
    first = next(d for d in new.drafts.values() if len(d["news_item"]) == 1)["news_item"][0]
    assert new.materials[first["thumb_media_id"]]["upload"].data == png_bytes(rgb=(200, 0, 0))


def test_a_refused_article_is_reported_in_chinese_and_retried_by_the_next_run(old_account):
    old_account.export()
    new = old_account.new
    new.error_code = 45003
    new.script_endpoint("draft/add", "error")

    out = old_account.import_()

    assert len(new.drafts) == 1
    assert "未能迁移（1 项）" in out and "标题超过长度限制（微信错误码 45003）" in out
    out = old_account.import_()
    assert len(new.drafts) == 2 and "未能迁移" not in out


def test_a_body_image_refused_by_wechat_keeps_its_address_and_is_reported(old_account):
    old_account.export()
    new = old_account.new
    new.error_code = 40009
    new.script_endpoint("media/uploadimg", "error")

    out = old_account.import_()

    assert len(new.drafts) == 2
    contents = [a["content"] for d in new.drafts.values() for a in d["news_item"]]
    assert all(f"{old_account.old.url}/mmbiz_png/" in content for content in contents)
    assert "的正文图片" in out and "图片大小超过限制（微信错误码 40009），正文中保留原地址" in out


def test_a_body_image_that_could_not_be_exported_is_reported_by_both_steps(old_account):
    old = old_account.old
    for key in [k for k, m in old.materials.items() if m["type"] == "body_image"]:
        del old.materials[key]  # gone from WeChat's image server

    out = old_account.export()

    assert "的正文图片：无法从微信服务器下载该文件（HTTP 404）" in out
    out = old_account.import_()
    assert len(old_account.new.drafts) == 2 and not old_account.new.calls("media/uploadimg")
    assert "导出时未能下载该图片，正文中保留原地址" in out


def test_articles_with_words_the_dictionaries_now_refuse_are_drafted_and_noted(old_account):
    old_account.export()
    SensitiveWord.objects.create(
        dictionary=Dictionary.objects.create(name="迁移测试"),
        word="接访日安排",
        category="其他",
        level="block",
    )
    sw_services.reset_engine()
    try:
        out = old_account.import_()
    finally:
        sw_services.reset_engine()

    assert len(old_account.new.drafts) == 2  # drafted: the import publishes nothing
    assert "需要注意（1 项）" in out
    assert (
        "文章《领导接访日安排》：含敏感词 “接访日安排”（禁止发布），请在草稿中修改后再发表" in out
    )
    assert "未能迁移" not in out


def test_a_menu_address_carrying_the_old_appid_is_noted(old_account):
    authorize = (
        "https://open.weixin.qq.com/connect/oauth2/authorize"
        f"?appid={old_account.old.app_id}&scope=snsapi_base#wechat_redirect"
    )
    old_account.old.menu["button"][0]["url"] = authorize
    old_account.export()

    out = old_account.import_()

    assert old_account.new.menu["button"][0]["url"] == authorize
    assert "菜单项“网上信访”：网址中含有原公众号的 AppID" in out and "未能迁移" not in out


def test_an_interface_the_new_account_may_not_use_fails_only_its_own_step(old_account):
    old_account.export()
    new = old_account.new
    new.error_code = 48001  # an unverified subscription account: no tag or menu interfaces
    new.script_endpoint("tags/get", "error")
    new.script_endpoint("menu/create", "error")

    out = old_account.import_()

    assert images_of(new) == old_account.images and len(new.drafts) == 2
    assert (
        "标签（整项）：接口未授权：该公众号没有此接口的权限（如未认证）（微信错误码 48001）" in out
    )
    assert "自定义菜单：接口未授权" in out and "自定义菜单：未重建" in out

    out = old_account.import_()  # once verified

    assert sorted(new.tags.values()) == ["信访人", "平陆运河", "星标组"]
    assert new.menu is not None and "未能迁移" not in out


def test_an_exhausted_quota_stops_the_import_instead_of_failing_every_item(old_account):
    old_account.export()
    old_account.new.exhaust_quota("material/add_material")

    with pytest.raises(CommandError, match="接口调用次数已用完"):
        old_account.import_()
    assert len(old_account.new.calls("material/add_material")) == 1
    assert not old_account.new.calls("draft/add")

    old_account.new.reset_quota()
    old_account.import_()
    assert images_of(old_account.new) == old_account.images


def test_voice_and_video_materials_and_a_menu_set_on_the_website_move_too(accounts):
    old, new = accounts.old, accounts.new
    voice = old.add_material_file("voice", "来访须知.mp3", b"ID3\x03" + b"\x00" * 64)
    video = old.add_material_file(
        "video",
        "接访日.mp4",
        b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64,
        title="领导接访日",
        introduction="每月一次",
    )
    old.website_menu = {
        "button": [
            {"type": "voice", "name": "来访须知", "value": voice},
            {
                "name": "更多",
                "sub_button": {
                    "list": [
                        {"type": "text", "name": "联系我们", "value": "电话 0771-0000000"},
                        {"type": "view", "name": "官网", "url": "https://www.gxxf.gov.cn/"},
                    ]
                },
            },
        ]
    }
    accounts.export()

    out = accounts.import_()

    moved = {m["upload"].filename: m for m in new.materials.values()}
    assert moved["来访须知.mp3"]["upload"].data == old.materials[voice]["upload"].data
    assert moved["接访日.mp4"]["upload"].data == old.materials[video]["upload"].data
    assert (moved["接访日.mp4"]["title"], moved["接访日.mp4"]["introduction"]) == (
        "领导接访日",
        "每月一次",
    )
    assert new.menu["button"] == [
        {"type": "media_id", "name": "来访须知", "media_id": new.menu["button"][0]["media_id"]},
        {
            "name": "更多",
            "sub_button": [{"type": "view", "name": "官网", "url": "https://www.gxxf.gov.cn/"}],
        },
    ]
    assert new.materials[new.menu["button"][0]["media_id"]]["upload"].filename == "来访须知.mp3"
    assert "菜单项“联系我们”：文字回复类菜单项只能在公众平台网站上设置" in out


def test_an_account_without_a_menu_imports_without_one(old_account):
    old_account.old.menu = None
    old_account.export()

    out = old_account.import_()

    assert old_account.new.menu is None and not old_account.new.calls("menu/create")
    assert "自定义菜单：未重建" in out and "未能迁移" not in out


# --- followers after the platform's migration ------------------------------------------------------
def test_followers_moved_by_the_platform_get_their_tags_and_remarks_back(old_account):
    old_account.export()
    old_account.import_()
    new = old_account.new
    mapping = new.migrate_followers_from(old_account.old, left_behind={old_account.wang})

    out = old_account.import_("--from-appid", old_account.old.app_id)

    tag_ids = {name: tag_id for tag_id, name in new.tags.items()}
    zhang = new.followers[mapping[old_account.zhang]]
    assert zhang["remark"] == "张三（南宁）"
    assert sorted(zhang["tagid_list"]) == sorted([tag_ids["信访人"], tag_ids["星标组"]])
    assert new.followers[mapping[old_account.li]]["tagid_list"] == [tag_ids["平陆运河"]]
    assert new.followers[mapping[old_account.zhao]]["tagid_list"] == []
    assert "粉丝 OpenID：3 个已转换" in out and "粉丝备注：1 条已恢复" in out
    assert f"粉丝 {old_account.wang}：该粉丝未随账号迁移到新公众号（可能已取消关注）" in out
    assert json.loads(new.calls("changeopenid")[0].body)["from_appid"] == old_account.old.app_id


def test_an_interrupted_follower_step_resumes_without_converting_or_tagging_again(old_account):
    old_account.export()
    old_account.import_()
    new = old_account.new
    mapping = new.migrate_followers_from(old_account.old)
    new.script_endpoint("tags/members/batchtagging", "ok", "timeout")

    with pytest.raises(CommandError, match="导入已中断"):
        old_account.import_("--from-appid", old_account.old.app_id)
    tagged = len(new.calls("tags/members/batchtagging"))

    out = old_account.import_("--from-appid", old_account.old.app_id)

    assert len(new.calls("changeopenid")) == 1
    assert len(new.calls("user/info/updateremark")) == 2  # 张三 and 王五, once each
    # Three tags: the first is not tagged again, the one whose answer was lost is repeated
    # (tagging twice is harmless), then the third.
    assert tagged == 2 and len(new.calls("tags/members/batchtagging")) == 4
    tag_ids = {name: tag_id for tag_id, name in new.tags.items()}
    assert sorted(new.followers[mapping[old_account.zhang]]["tagid_list"]) == sorted(
        [tag_ids["信访人"], tag_ids["星标组"]]
    )
    assert new.followers[mapping[old_account.li]]["tagid_list"] == [tag_ids["平陆运河"]]
    assert "已完成" in out and "未能迁移" not in out


def test_openids_are_converted_in_batches_of_a_hundred(old_account):
    gone = {old_account.old.add_follower() for _ in range(60)}
    for _ in range(60):
        old_account.old.add_follower()
    old_account.export()
    old_account.new.migrate_followers_from(old_account.old, left_behind=gone)

    out = old_account.import_("--from-appid", old_account.old.app_id)

    sizes = [len(json.loads(c.body)["openid_list"]) for c in old_account.new.calls("changeopenid")]
    assert sizes == [100, 24]
    assert "粉丝 OpenID：64 个已转换" in out and "未能迁移（60 项）" in out
    # The terminal gets the first 50; the journal keeps all 60.
    assert out.count("该粉丝未随账号迁移到新公众号") == 50
    assert f"……另有 10 项，完整报告见 {old_account.journal}" in out
    problems = json.loads(old_account.journal.read_text(encoding="utf-8"))["report"]["problems"]
    assert {p["what"] for p in problems} == {f"粉丝 {openid}" for openid in gone}


@pytest.mark.django_db(transaction=True)  # creates a table
def test_the_openids_this_system_keeps_are_converted_to_the_new_account(old_account, monkeypatch):
    with isolate_apps("channels"):

        class NoticeSubscription(models.Model):
            account = models.CharField(max_length=32)
            openid = models.CharField(max_length=64)

            class Meta:
                app_label = "channels"

            def __str__(self):
                return self.openid

        monkeypatch.setattr(migration, "OPENID_FIELDS", [migration.OpenIdField(NoticeSubscription)])
        with connection.schema_editor() as editor:
            editor.create_model(NoticeSubscription)
        try:
            old_account.export()
            mapping = old_account.new.migrate_followers_from(old_account.old)
            NoticeSubscription.objects.create(account="gxxf", openid=old_account.zhang)
            NoticeSubscription.objects.create(account="gxxf", openid=old_account.li)
            NoticeSubscription.objects.create(account="gxxf", openid=mapping[old_account.li])
            NoticeSubscription.objects.create(account="nanning", openid=old_account.zhao)

            out = old_account.import_("--from-appid", old_account.old.app_id)

            rows = set(NoticeSubscription.objects.values_list("account", "openid"))
            assert rows == {
                ("gxdy", mapping[old_account.zhang]),
                ("gxdy", mapping[old_account.li]),  # the old twin was dropped, not doubled
                ("gxxf", mapping[old_account.li]),
                ("nanning", old_account.zhao),  # another account's subscription is untouched
            }
            assert "系统保存的 OpenID：channels.NoticeSubscription 2 条" in out
            again = old_account.import_("--from-appid", old_account.old.app_id)
            assert set(NoticeSubscription.objects.values_list("account", "openid")) == rows
            assert "系统保存的 OpenID：channels.NoticeSubscription 2 条" in again
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(NoticeSubscription)


# --- bad arguments ---------------------------------------------------------------------------------
def test_an_unknown_account_is_refused_in_chinese(accounts):
    with pytest.raises(CommandError, match="未配置代码为“nosuch”的微信公众号"):
        accounts.run("wechat_export", "--account", "nosuch", str(accounts.archive))
    with pytest.raises(CommandError, match="未配置代码为“nosuch”的微信公众号"):
        accounts.run("wechat_import", "--account", "nosuch", str(accounts.archive))


def test_a_missing_or_corrupt_archive_is_refused_in_chinese(accounts):
    with pytest.raises(CommandError, match="找不到导出包目录"):
        accounts.import_()
    assert not accounts.archive.parent.joinpath("gxxf-archive.lock").exists()  # nothing written
    accounts.archive.mkdir()
    with pytest.raises(CommandError, match="导出包缺少文件 manifest.json"):
        accounts.import_()
    (accounts.archive / "manifest.json").write_text('{"format_version": 1, "acc')
    with pytest.raises(CommandError, match="manifest.json（清单）已损坏"):
        accounts.import_()
    (accounts.archive / "manifest.json").write_text("[1, 2]")
    with pytest.raises(CommandError, match="不是公众号导出包的清单"):
        accounts.import_()


def test_a_corrupt_or_foreign_journal_is_refused_and_kept(old_account):
    old_account.export()
    old_account.journal.write_text('{"export_id": "', encoding="utf-8")
    with pytest.raises(CommandError, match="导入日志 .* 已损坏，无法继续"):
        old_account.import_()
    old_account.journal.write_text('{"export_id": "another"}', encoding="utf-8")
    with pytest.raises(CommandError, match="属于另一个导出包"):
        old_account.import_()
    assert old_account.journal.read_text(encoding="utf-8") == '{"export_id": "another"}'
    assert not old_account.new.requests


def test_an_archive_of_a_newer_format_is_refused(old_account):
    old_account.export()
    path = old_account.archive / "manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "format_version": migration.FORMAT_VERSION + 1}))

    with pytest.raises(CommandError, match="格式版本为 2，本系统只支持到 1"):
        old_account.import_()
    assert not old_account.new.requests  # nothing was sent to the new account


def test_an_unfinished_export_or_a_wrong_from_appid_is_refused(old_account):
    old_account.old.script_endpoint("material/get_materialcount", "timeout")
    with pytest.raises(CommandError):
        old_account.export()
    with pytest.raises(CommandError, match="导出尚未完成"):
        old_account.import_()
    old_account.export()
    with pytest.raises(CommandError, match="与导出包的原公众号 AppID .* 不一致"):
        old_account.import_("--from-appid", "wx0000000000000000")
    with pytest.raises(CommandError, match="目标公众号就是导出的公众号"):
        old_account.run("wechat_import", "--account", "gxxf", str(old_account.archive))


def test_export_refuses_a_path_that_is_not_its_archive(accounts):
    accounts.archive.mkdir()
    (accounts.archive / "notes.txt").write_text("别的文件")
    with pytest.raises(CommandError, match="不是空目录，也不是导出包"):
        accounts.export()
    (accounts.archive / "notes.txt").unlink()
    accounts.archive.rmdir()
    accounts.archive.write_text("一个文件")
    with pytest.raises(CommandError, match="是一个文件，导出包须为目录"):
        accounts.export()
    assert not accounts.old.requests


def test_export_refuses_to_continue_another_accounts_archive(old_account):
    old_account.export()
    with pytest.raises(CommandError, match="已有另一个公众号的导出包"):
        old_account.run("wechat_export", "--account", "gxdy", str(old_account.archive))


def test_a_second_run_on_the_same_archive_at_the_same_time_is_refused(old_account):
    old_account.export()
    with open(old_account.archive.with_name("gxxf-archive.lock"), "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # an import still running
        with pytest.raises(CommandError, match="另一个导出或导入正在使用"):
            old_account.import_()
    assert not old_account.new.requests
    old_account.import_()  # once it has finished
