"""Publishing steps against the simulator: uploads, drafts, submission, status, withdrawal."""

from __future__ import annotations

import pytest

from channels.wechat import publish
from channels.wechat.errors import WeChatContentError, WeChatPermissionError, WeChatTransportError

GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


def article(number: int, cover: str, **extra) -> dict:
    data = {
        "title": f"自治区信访局召开第{number}次工作会议",
        "author": "广西信访局",
        "digest": f"会议部署第{number}阶段工作",
        "content": f'<p>第{number}篇正文。</p><p><img src="http://mmbiz.qpic.cn/x/0"></p>',
        "content_source_url": f"https://gxxf.example.gov.cn/gzdt/{number}/",
        "thumb_media_id": cover,
        "need_open_comment": False,
        "pic_crop_235_1": "0_0_1_0.425",
        "pic_crop_1_1": "0.2_0_0.8_1",
    }
    data.update(extra)
    return data


def test_a_cover_is_uploaded_as_permanent_image_material(wechat_client, wechat_simulator, png):
    data = png(4, 3)
    media_id = publish.upload_cover(wechat_client, "封面-工作会议.png", data)
    upload = wechat_simulator.uploads[-1]
    assert upload.endpoint == "material/add_material" and upload.media_type == "image"
    assert upload.filename == "封面-工作会议.png"
    assert upload.content_type == "image/png"
    assert upload.data == data
    assert wechat_simulator.materials[media_id]["upload"] is upload
    assert "type=image" in wechat_simulator.calls("material/add_material")[0].path


def test_a_body_image_comes_back_as_an_mmbiz_url(wechat_client, wechat_simulator, png):
    data = png(8, 8, (10, 120, 200))
    url = publish.upload_body_image(wechat_client, "figure.png", data)
    assert url.startswith("http://mmbiz.qpic.cn/")
    assert wechat_simulator.uploads[-1].endpoint == "media/uploadimg"
    assert wechat_simulator.uploads[-1].data == data


def test_an_unsuitable_body_image_is_refused_before_any_call(wechat_client, wechat_simulator, png):
    with pytest.raises(WeChatContentError, match="正文图片“动图.gif”须为 JPG、PNG 格式"):
        publish.upload_body_image(wechat_client, "动图.gif", GIF)
    big = png() + b"\x00" * (1024 * 1024)
    with pytest.raises(WeChatContentError, match="超过 1MB"):
        publish.upload_body_image(wechat_client, "big.png", big)
    assert wechat_simulator.calls() == []


def test_a_file_wechat_refuses_is_a_content_error(wechat_client, wechat_simulator, png):
    # The bytes are a PNG but the name says JPG: WeChat goes by both.
    with pytest.raises(WeChatContentError, match="不支持的文件格式") as caught:
        publish.upload_cover(wechat_client, "cover.jpg", png())
    assert caught.value.errcode == 40005 and caught.value.temporary is False


def test_three_articles_are_drafted_published_and_polled_to_their_urls(
    wechat_client, wechat_simulator, png
):
    wechat_simulator.publish_result(0, after_polls=2)
    covers = [
        publish.upload_cover(wechat_client, f"cover{n}.png", png(n + 1, 1)) for n in (1, 2, 3)
    ]
    media_id = publish.add_draft(wechat_client, [article(n, covers[n - 1]) for n in (1, 2, 3)])
    drafted = wechat_simulator.drafts[media_id]["news_item"]
    assert [item["title"] for item in drafted] == [
        "自治区信访局召开第1次工作会议",
        "自治区信访局召开第2次工作会议",
        "自治区信访局召开第3次工作会议",
    ]
    assert drafted[0]["pic_crop_1_1"] == "0.2_0_0.8_1"
    publish_id = publish.submit(wechat_client, media_id)

    polls = [publish.status(wechat_client, publish_id) for _ in range(3)]
    assert [p.pending for p in polls] == [True, True, False]
    assert polls[0].message == "发布中，等待微信处理"
    done = polls[-1]
    assert done.succeeded and done.state == "published" and done.label == "发布成功"
    assert done.article_id
    assert len(done.article_urls) == 3
    assert all(url.startswith("https://mp.weixin.qq.com/s?") for url in done.article_urls)
    assert [a.index for a in done.articles] == [1, 2, 3]
    assert done.message == "发布成功，共 3 篇文章"
    assert done.fail_idx == ()


@pytest.mark.parametrize(
    ("code", "state", "label", "pending", "succeeded", "failed", "removed"),
    [
        (0, "published", "发布成功", False, True, False, False),
        (1, "publishing", "发布中", True, False, False, False),
        (2, "original_check_failed", "原创声明校验未通过", False, False, True, False),
        (3, "failed", "发布失败", False, False, True, False),
        (4, "rejected", "平台审核不通过", False, False, True, False),
        (5, "deleted", "发布成功后已被公众号删除", False, False, False, True),
        (6, "banned", "发布成功后已被微信系统封禁", False, False, False, True),
    ],
)
def test_every_publish_status_is_mapped(
    wechat_client, wechat_simulator, png, code, state, label, pending, succeeded, failed, removed
):
    # Status 1 is what a publication says while it is not done: many polls ahead.
    wechat_simulator.publish_result(code, after_polls=99 if code == 1 else 0)
    cover = publish.upload_cover(wechat_client, "cover.png", png())
    media_id = publish.add_draft(wechat_client, [article(1, cover), article(2, cover)])
    result = publish.status(wechat_client, publish.submit(wechat_client, media_id))
    assert result.code == code
    assert (result.state, result.label) == (state, label)
    assert (result.pending, result.succeeded, result.failed, result.removed) == (
        pending,
        succeeded,
        failed,
        removed,
    )
    if code in (2, 3, 4):
        assert result.fail_idx == (1, 2)
        assert result.message == f"{label}（第 1、2 篇）"
    if code in (0, 5, 6):
        assert result.article_id


def test_a_publication_that_fails_midway_names_the_failed_article(
    wechat_client, wechat_simulator, png
):
    wechat_simulator.publish_result(3, after_polls=1, fail_idx=[2])
    cover = publish.upload_cover(wechat_client, "cover.png", png())
    media_id = publish.add_draft(wechat_client, [article(1, cover), article(2, cover)])
    publish_id = publish.submit(wechat_client, media_id)
    first, second = (
        publish.status(wechat_client, publish_id),
        publish.status(wechat_client, publish_id),
    )
    assert first.pending
    assert second.failed and second.fail_idx == (2,)
    assert second.message == "发布失败（第 2 篇）"
    assert second.article_urls == ()


def test_a_draft_that_fails_the_publication_check_says_so(wechat_client, wechat_simulator, png):
    cover = publish.upload_cover(wechat_client, "cover.png", png())
    media_id = publish.add_draft(wechat_client, [article(1, cover)])
    wechat_simulator.draft_check_fails = True
    with pytest.raises(WeChatContentError, match="草稿未通过发布检查") as caught:
        publish.submit(wechat_client, media_id)
    assert caught.value.temporary is False


def test_an_unauthorised_account_is_a_permission_error(wechat_client, wechat_simulator, png):
    cover = publish.upload_cover(wechat_client, "cover.png", png())
    media_id = publish.add_draft(wechat_client, [article(1, cover)])
    wechat_simulator.error_code = 48001
    wechat_simulator.script_endpoint("freepublish/submit", "error")
    with pytest.raises(WeChatPermissionError, match="接口未授权") as caught:
        publish.submit(wechat_client, media_id)
    assert caught.value.temporary is False


def test_a_cover_wechat_does_not_know_is_a_missing_material(wechat_client, wechat_simulator):
    with pytest.raises(WeChatContentError, match="素材不存在") as caught:
        publish.add_draft(wechat_client, [article(1, "no-such-media-id")])
    assert caught.value.errcode == 40007


def test_articles_an_editor_left_incomplete_are_refused_before_any_call(
    wechat_client, wechat_simulator
):
    with pytest.raises(WeChatContentError, match="第 2 篇文章《.*》缺少封面图片"):
        publish.add_draft(wechat_client, [article(1, "m"), article(2, "")])
    with pytest.raises(WeChatContentError, match="最多 8 篇"):
        publish.add_draft(wechat_client, [article(n, "m") for n in range(9)])
    with pytest.raises(WeChatContentError, match="正文过长"):
        publish.add_draft(wechat_client, [article(1, "m", content="字" * 20000)])
    assert wechat_simulator.calls() == []


def test_a_draft_whose_answer_was_lost_is_found_instead_of_created_twice(
    wechat_client, wechat_simulator, png
):
    cover = publish.upload_cover(wechat_client, "cover.png", png())
    wechat_simulator.script_endpoint("draft/add", "twice")
    with pytest.raises(WeChatTransportError) as caught:
        publish.add_draft(wechat_client, [article(7, cover)])
    assert caught.value.temporary is True
    assert len(wechat_simulator.calls("draft/add")) == 1  # not repeated by the client
    assert len(wechat_simulator.drafts) == 1  # but WeChat did create it
    found = publish.find_draft(wechat_client, "https://gxxf.example.gov.cn/gzdt/7/")
    assert found in wechat_simulator.drafts
    assert publish.find_draft(wechat_client, "https://gxxf.example.gov.cn/gzdt/8/") is None


def test_a_published_article_is_found_and_withdrawn(wechat_client, wechat_simulator, png):
    cover = publish.upload_cover(wechat_client, "cover.png", png())
    media_id = publish.add_draft(wechat_client, [article(1, cover), article(2, cover)])
    done = publish.status(wechat_client, publish.submit(wechat_client, media_id))
    url = "https://gxxf.example.gov.cn/gzdt/2/"
    assert publish.find_publication(wechat_client, url) == done.article_id
    publish.delete_article(wechat_client, done.article_id)
    news = wechat_client.freepublish.getarticle(done.article_id)["news_item"]
    assert [item["is_deleted"] for item in news] == [True, True]
    assert publish.find_publication(wechat_client, url) is None


def test_deleting_an_unknown_article_is_a_content_error(wechat_client, wechat_simulator):
    with pytest.raises(WeChatContentError, match="文章不存在"):
        publish.delete_article(wechat_client, "no-such-article")


def test_a_submission_that_timed_out_is_not_repeated_by_the_client(
    wechat_client, wechat_simulator, png
):
    cover = publish.upload_cover(wechat_client, "cover.png", png())
    media_id = publish.add_draft(wechat_client, [article(1, cover)])
    wechat_simulator.script_endpoint("freepublish/submit", "timeout")
    with pytest.raises(WeChatTransportError) as caught:
        publish.submit(wechat_client, media_id)
    assert caught.value.temporary is True and "超时" in str(caught.value)
    # WeChat went ahead: a second submission would publish the same articles twice, so the
    # decision to repeat is left to the caller, who recorded the intent.
    assert len(wechat_simulator.calls("freepublish/submit")) == 1
    assert len(wechat_simulator.publications) == 1
