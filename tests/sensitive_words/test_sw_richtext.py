"""sensitive_words.richtext: the visible text of HTML and the way back from it to the source."""

import random
import time

import pytest

from sensitive_words.richtext import MAX_UNCLOSED, visible_text


def spans(source: str) -> list[tuple[str, str]]:
    """Each visible character with the source it came from."""
    visible = visible_text(source)
    return [
        (ch, source[s:e])
        for ch, s, e in zip(visible.text, visible.starts, visible.ends, strict=True)
    ]


def source_of(source: str, visible_part: str) -> str:
    """The source behind the first occurrence of ``visible_part`` in the visible text."""
    visible = visible_text(source)
    start = visible.text.index(visible_part)
    begin, end = visible.source_span(start, start + len(visible_part))
    return source[begin:end]


def test_tags_are_removed_and_inline_markup_joins_its_text():
    assert visible_text("<p>专业代<b>开</b><span class='x'>发票</span></p>").text == "专业代开发票"


def test_block_elements_and_br_start_new_lines():
    assert visible_text("<h2>标题</h2><p>一</p><ul><li>二</li><li>三</li></ul>四<br>五").text == (
        "标题\n一\n二\n三\n四\n五"
    )


def test_consecutive_br_keep_their_empty_line():
    assert visible_text("一<br><br>二").text == "一\n\n二"


def test_entities_are_decoded_and_map_to_the_whole_entity():
    assert spans("&lt;发&#31080;&#x7968;&nbsp;") == [
        ("<", "&lt;"),
        ("发", "发"),
        ("票", "&#31080;"),
        ("票", "&#x7968;"),
        ("\xa0", "&nbsp;"),
    ]


def test_unknown_entities_stay_as_written():
    assert visible_text("&foo; & bar").text == "&foo; & bar"


def test_whitespace_collapses_as_a_browser_shows_it():
    assert visible_text("<p>  一 \n\t 二  </p>\n\n  <p>三</p>").text == "一 二\n三"
    assert spans("一 \n 二")[1] == (" ", " \n ")


def test_preformatted_text_keeps_its_whitespace():
    assert visible_text("<pre>一\n  二</pre>三").text == "一\n  二\n三"


def test_scripts_styles_templates_and_comments_are_dropped():
    source = (
        "<script>var a = '<p>代开</p>';</script><style>p{}</style><template><p>模板</p></template>"
    )
    source += "<!-- 注释 --><?php echo 1 ?><!DOCTYPE html>正文"
    assert visible_text(source).text == "正文"


def test_attributes_are_not_text():
    source = '<img alt="代开发票" src="x.png"><a title="代开" href="#">链接</a>'
    assert visible_text(source).text == "链接"


def test_a_span_of_the_text_maps_to_the_source_with_the_markup_inside():
    source = '<p class="x">专业代<b>开</b>发&#31080;，请联系</p>'
    assert source_of(source, "代开发票") == "代<b>开</b>发&#31080;"
    assert source_of(source, "专") == "专"


def test_a_span_across_a_block_boundary_covers_both_blocks():
    source = "<p>代开</p>\n<p>发票</p>"
    assert source_of(source, "代开\n发票") == "代开</p>\n<p>发票"


def test_offsets_count_characters_of_the_original_string_across_lines():
    source = "<div>\r\n第一行\n<p>第二行</p>\n\n  <p>发&amp;票</p></div>"
    for ch, written in spans(source):
        assert written == ch or ch in " \n" or written.startswith("&")
    assert source_of(source, "发&票") == "发&amp;票"


def test_mask_source_writes_masks_over_the_text_and_keeps_the_tags():
    source = "<p>专业代<b>开</b>发&#31080;</p>"
    visible = visible_text(source)
    assert visible.mask_source("专业****") == "<p>专业*<b>*</b>**</p>"
    assert visible.mask_source(visible.text) == source


def test_mask_source_needs_a_text_of_the_same_length():
    with pytest.raises(ValueError):
        visible_text("<p>一</p>").mask_source("一二")


def test_empty_and_tag_only_sources_have_no_text():
    assert visible_text("").text == ""
    assert visible_text("<p></p><br>").text == ""
    assert visible_text("").source_span(0, 1) == (0, 0)


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("<p>未闭合的段落", "未闭合的段落"),
        ("</p>多余的结束标签", "多余的结束标签"),
        ("a < b > c", "a < b > c"),
        ("<b>粗<i>斜</b>体</i>", "粗斜体"),
        ("文字<", "文字<"),
        ("文字&", "文字&"),
        ("<script>未闭合的脚本", ""),
    ],
)
def test_malformed_html_still_gives_its_text(source, text):
    assert visible_text(source).text == text


@pytest.mark.parametrize("source", ["<![foo[bar]]>代开", "<![CDATA[隐藏]]>代开", "<!x<![if]代开"])
def test_broken_declarations_do_not_hide_the_text_after_them(source):
    # What is left of the declaration itself differs between Python releases' html.parser.
    assert visible_text(source).text.endswith("代开")


def test_random_markup_never_breaks_the_map():
    pieces = ["<", ">", "&", "#", ";", "/", "!", "[", "]", "-", "?", "'", '"', "=", "a", "p"]
    pieces += ["br", "script", "style", "pre", "x41", "amp", "CDATA", "代", "开", " ", "\n", "\r"]
    rnd = random.Random(20260101)
    for _ in range(3000):
        source = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 40)))
        visible = visible_text(source)
        assert len(visible.text) == len(visible.starts) == len(visible.ends)
        for i in range(len(visible.text)):
            assert 0 <= visible.starts[i] <= visible.ends[i] <= len(source)
            if i and (visible.starts[i], visible.ends[i]) != (
                visible.starts[i - 1],
                visible.ends[i - 1],
            ):
                assert visible.starts[i] >= visible.ends[i - 1]
        visible.mask_source("*" * len(visible.text))


@pytest.mark.parametrize(
    "source",
    [
        "<a " * 66_000,  # unclosed start tags: each costs html.parser a scan to the end
        "<a b='>' " * 22_000,
        "<!--" * 50_000,
        "<!--x>" * 33_000,
        "</" * 100_000,
        "<?" * 100_000,
        "<![x[" * 40_000,
        "&#" * 100_000,
        "<" * 200_000,
        "<div>" * 40_000,
    ],
)
def test_hostile_html_is_read_in_linear_time(source):
    started = time.perf_counter()
    visible_text(source)
    assert time.perf_counter() - started < 5


def test_text_after_many_unclosed_constructs_is_still_read():
    source = "<!--x>" * (MAX_UNCLOSED + 5) + "<p>代<b>开</b>发&#31080;</p>"
    assert visible_text(source).text.endswith("代开发票")
    assert source_of(source, "代开发票") == "代<b>开</b>发&#31080;"


def test_a_script_left_open_by_many_unclosed_constructs_still_hides_its_content():
    source = "<script>" + "<!--x>" * (MAX_UNCLOSED + 5) + "代开</script>显示"
    assert visible_text(source).text == "显示"
