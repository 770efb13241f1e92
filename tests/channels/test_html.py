"""What leaves for a channel is cut to that channel's allow-list, keeping the text."""

from channels.html import sanitize


def test_scripts_frames_and_forms_go_with_their_content():
    html = (
        "<p>通知<script>alert(1)</script></p><iframe src='x'>框架</iframe><form><input>表单</form>"
    )
    assert sanitize(html, "wechat") == "<p>通知</p>"


def test_event_handlers_and_unsafe_styles_are_dropped_safe_styles_kept():
    html = '<p style="color: red; position: fixed; text-align: center" onclick="x()">正文</p>'
    assert sanitize(html, "wechat") == '<p style="color: red; text-align: center;">正文</p>'


def test_wechat_keeps_links_to_wechat_articles_only_and_keeps_the_text_of_others():
    html = (
        '<p><a href="https://mp.weixin.qq.com/s/abc">往期文章</a>，'
        '<a href="https://example.com/">外部网站</a>，<a href="javascript:alert(1)">脚本</a></p>'
    )
    assert sanitize(html, "wechat") == (
        '<p><a href="https://mp.weixin.qq.com/s/abc">往期文章</a>，外部网站，脚本</p>'
    )


def test_extra_link_hosts_admit_the_bureaus_own_sites():
    html = '<a href="https://www.gxxf.gov.cn/zc/1/">政策原文</a>'
    assert sanitize(html, "wechat", link_hosts=frozenset({"gxxf.gov.cn"})) == html


def test_tables_stay_with_their_spans_and_the_app_keeps_srcset():
    assert sanitize('<table><tr><td colspan="2">合计</td></tr></table>', "wechat") == (
        '<table><tbody><tr><td colspan="2">合计</td></tr></tbody></table>'
    )
    img = '<img src="a.jpg" srcset="a.jpg 360w, b.jpg 1080w" alt="现场">'
    assert sanitize(img, "app") == img
    assert sanitize(img, "wechat") == '<img src="a.jpg" alt="现场">'
