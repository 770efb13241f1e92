"""Visible text of HTML with a map back to the source, so hits found in the text point into the HTML.

``visible_text(html)`` returns a :class:`VisibleText`: the text a reader sees (tags removed,
entities decoded, scripts, styles and templates dropped, whitespace collapsed as a browser does,
block elements and ``<br>`` on their own lines) and, for every character of it, the span of the
source it came from. :meth:`VisibleText.source_span` turns a span of the text (a hit) into a span
of the HTML, so an editor can highlight the hit where the author typed it, even when tags or
entities sit inside the word (``代<b>开</b>发&#31080;``). :meth:`VisibleText.mask_source` writes a
masked text back into the HTML, keeping every tag.

The standard library's ``html.parser`` reads the HTML; it accepts any malformed markup. Two of
its habits are kept in check here, because the input may be hostile: it raises on a few broken
declarations (the ``<`` is then kept as text and parsing goes on after it), and each markup
construct that is never closed (``<a `` with no ``>``, ``<!--`` with no ``-->``) costs it a scan
to the end of the input, which a long run of them makes quadratic. Such constructs are therefore
handled here, one scan each, and after :data:`MAX_UNCLOSED` of them the rest of the input is
read by a simple linear scanner instead. When in doubt, text is shown rather than hidden: a
checker must not miss words behind broken markup.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from dataclasses import dataclass
from html.parser import HTMLParser

# Elements that start a new line in the visible text (their start and end tags alike).
BLOCK_ELEMENTS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
# Elements whose content is never shown; the first two hold raw text, not markup.
DROPPED_ELEMENTS = frozenset({"script", "style", "template"})
RAW_TEXT_ELEMENTS = frozenset({"script", "style"})
# Elements whose whitespace is shown as typed.
PREFORMATTED_ELEMENTS = frozenset({"pre", "textarea", "listing"})
# Unclosed constructs handled with html.parser before the simple scanner reads the rest.
MAX_UNCLOSED = 32

_HTML_SPACE = " \t\n\r\f"
_RUNS = re.compile(r"[ \t\n\r\f]+|[^ \t\n\r\f]+")
_NESTING_LIMIT = 1000  # deeper dropped nesting is counted, not stacked
# The simple scanner's tokens: a tag-like construct without '<' inside, a character reference,
# text, or a lone '<' / '&'. Every character is looked at a bounded number of times.
_SIMPLE_TOKENS = re.compile(
    r"(?P<tag><(?P<close>/)?(?P<name>[a-zA-Z][^\s/<>]*)?[^<>]*>)"
    r"|(?P<ref>&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][-.a-zA-Z0-9]*);?)"
    r"|(?P<text>[^<&]+)"
    r"|[<&]"
)


@dataclass
class VisibleText:
    """The visible text of ``source`` and, per character of ``text``, where it came from.

    ``starts[i]``/``ends[i]`` delimit the source of ``text[i]``: one character, a whole entity
    (``&amp;``), a run of whitespace shown as one space, or an empty span at the tag that caused a
    line break.
    """

    source: str
    text: str
    starts: list[int]
    ends: list[int]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``source`` behind ``text[start:end]`` (tags inside the span included)."""
        if not self.text:
            return 0, 0
        start = min(max(start, 0), len(self.text) - 1)
        end = min(max(end, start + 1), len(self.text))
        return self.starts[start], max(self.ends[end - 1], self.starts[start])

    def mask_source(self, masked_text: str) -> str:
        """``source`` with each character that differs in ``masked_text`` (as long as ``text``,
        e.g. from ``services.mask_text``) written over its source; tags stay as they are."""
        if len(masked_text) != len(self.text):
            raise ValueError("masked_text must be as long as text")
        pieces: list[str] = []
        done = 0
        for i, (old, new) in enumerate(zip(self.text, masked_text, strict=True)):
            start, end = self.starts[i], self.ends[i]
            if old == new or start == end or start < done:
                continue
            pieces.append(self.source[done:start])
            pieces.append(new)
            done = end
        pieces.append(self.source[done:])
        return "".join(pieces)


class _Builder:
    """The visible text of one source being built, whichever reader reads the markup."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.synthetic: list[bool] = []
        self.pending_space: tuple[int, int] | None = None
        self.dropped: list[str] = []  # open script/style/template elements, innermost last
        self.dropped_overflow = 0
        self.preformatted = 0

    @property
    def dropping(self) -> bool:
        return bool(self.dropped) or self.dropped_overflow > 0

    @property
    def raw_text_element(self) -> str | None:
        """The open script or style element whose raw text comes next, if any."""
        if self.dropped and not self.dropped_overflow and self.dropped[-1] in RAW_TEXT_ELEMENTS:
            return self.dropped[-1]
        return None

    # --- what the readers report ----------------------------------------------------------------

    def open_tag(self, tag: str, at: int, self_closing: bool = False) -> None:
        if tag in DROPPED_ELEMENTS and not self_closing:
            if len(self.dropped) < _NESTING_LIMIT:
                self.dropped.append(tag)
            else:
                self.dropped_overflow += 1
            return
        if self.dropping:
            return
        if tag == "br":
            self._line_break(at, always=True)
        elif tag in BLOCK_ELEMENTS:
            self._line_break(at)
        if tag in PREFORMATTED_ELEMENTS and not self_closing:
            self.preformatted += 1

    def close_tag(self, tag: str, at: int) -> None:
        if tag in DROPPED_ELEMENTS:
            if self.dropped_overflow:
                self.dropped_overflow -= 1
            elif tag in self.dropped:
                while self.dropped.pop() != tag:
                    pass
            return
        if self.dropping:
            return
        if tag in PREFORMATTED_ELEMENTS and self.preformatted:
            self.preformatted -= 1
        if tag == "br":  # browsers read </br> as <br>
            self._line_break(at, always=True)
        elif tag in BLOCK_ELEMENTS:
            self._line_break(at)

    def data(self, data: str, start: int) -> None:
        """Text exactly as it stands in the source from ``start`` on."""
        if self.dropping or not data:
            return
        if self.preformatted:
            for i, ch in enumerate(data):
                self._emit(ch, start + i, start + i + 1)
            return
        for run in _RUNS.finditer(data):
            run_start = start + run.start()
            if run.group()[0] in _HTML_SPACE:
                self._space(run_start, start + run.end())
            else:
                for i, ch in enumerate(run.group()):
                    self._emit(ch, run_start + i, run_start + i + 1)

    def reference(self, start: int, end: int) -> None:
        """A character or entity reference written at ``source[start:end]``."""
        if self.dropping:
            return
        written = self.source[start:end]
        decoded = html.unescape(written)
        if decoded == written:  # not a known reference after all (``&foo``): plain text
            self.data(written, start)
        elif all(ch in _HTML_SPACE for ch in decoded) and not self.preformatted:
            self._space(start, end)
        else:
            for ch in decoded:
                self._emit(ch, start, end)

    # --- building ---------------------------------------------------------------------------

    def _emit(self, ch: str, start: int, end: int) -> None:
        if self.pending_space is not None:
            space_start, space_end = self.pending_space
            self.pending_space = None
            if self.chars and self.chars[-1] != "\n":
                self._append(" ", space_start, space_end)
        self._append(ch, start, end)

    def _append(self, ch: str, start: int, end: int, synthetic: bool = False) -> None:
        self.chars.append(ch)
        self.starts.append(start)
        self.ends.append(end)
        self.synthetic.append(synthetic)

    def _space(self, start: int, end: int) -> None:
        if self.pending_space is None:
            self.pending_space = (start, end)

    def _line_break(self, at: int, always: bool = False) -> None:
        self.pending_space = None
        if always or (self.chars and self.chars[-1] != "\n"):
            self._append("\n", at, at, synthetic=True)

    def result(self) -> VisibleText:
        while self.synthetic and self.synthetic[-1]:  # no line breaks after the last text
            for column in (self.chars, self.starts, self.ends, self.synthetic):
                column.pop()
        return VisibleText(self.source, "".join(self.chars), self.starts, self.ends)


class _Parser(HTMLParser):
    """Reads the source from ``base`` on with html.parser and reports to a :class:`_Builder`."""

    def __init__(self, builder: _Builder, base: int, line_starts: list[int]) -> None:
        super().__init__(convert_charrefs=False)
        self.builder = builder
        self.base = base
        self.line_starts = line_starts
        # The parser counts lines from ``base``; this is the index of the line holding ``base``.
        self.base_line = bisect_right(line_starts, base) - 1
        if builder.raw_text_element:
            self.set_cdata_mode(builder.raw_text_element)

    def source_offset(self) -> int:
        """Offset in the whole source of the construct being handled."""
        line, column = self.getpos()
        if line == 1:
            return self.base + column
        return self.line_starts[self.base_line + line - 1] + column

    def handle_starttag(self, tag: str, attrs) -> None:
        self.builder.open_tag(tag, self.source_offset())

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.builder.open_tag(tag, self.source_offset(), self_closing=True)

    def handle_endtag(self, tag: str) -> None:
        self.builder.close_tag(tag, self.source_offset())

    def handle_data(self, data: str) -> None:
        self.builder.data(data, self.source_offset())

    def handle_entityref(self, name: str) -> None:
        self._reference("&" + name)

    def handle_charref(self, name: str) -> None:
        self._reference("&#" + name)

    def _reference(self, written: str) -> None:
        start = self.source_offset()
        end = start + len(written)
        # The parser takes the ';' after the name when there is one, and no other character.
        if self.builder.source[end : end + 1] == ";":
            end += 1
        self.builder.reference(start, end)

    # Comments, declarations and processing instructions are not shown (the default handlers
    # ignore them too; named here so that nobody wonders).
    def handle_comment(self, data: str) -> None:
        pass

    def handle_decl(self, decl: str) -> None:
        pass

    def handle_pi(self, data: str) -> None:
        pass

    def unknown_decl(self, data: str) -> None:
        pass


def _unclosed_end(source: str, at: int) -> int:
    """Where html.parser's ``close()`` ends an unclosed construct at ``at`` that it shows as
    text: after the next '>', else before the next '<', else after the one character."""
    if source.startswith("<", at):
        gt = source.find(">", at + 1)
        if gt >= 0:
            return gt + 1
        lt = source.find("<", at + 1)
        if lt >= 0:
            return lt
    return at + 1


def _simple_scan(builder: _Builder, source: str, pos: int) -> None:
    """Read ``source[pos:]`` in linear time: tags without '<' inside, references and text."""
    for token in _SIMPLE_TOKENS.finditer(source, pos):
        start = token.start()
        if token.group("tag"):
            name = (token.group("name") or "").lower()
            if not name:
                continue  # comments, declarations, processing instructions
            if token.group("close"):
                builder.close_tag(name, start)
            elif builder.raw_text_element is None:
                builder.open_tag(name, start, self_closing=token.group().endswith("/>"))
        elif token.group("ref") and builder.raw_text_element is None:
            builder.reference(start, token.end())
        else:
            builder.data(token.group(), start)


def visible_text(source: str) -> VisibleText:
    """The visible text of HTML ``source`` with the source span of each of its characters."""
    source = source or ""
    line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
    builder = _Builder(source)
    pos = 0
    unclosed = 0
    while pos < len(source):
        if unclosed >= MAX_UNCLOSED:
            _simple_scan(builder, source, pos)
            break
        parser = _Parser(builder, pos, line_starts)
        try:
            # Fed at once and never closed: it stops before the first construct it cannot finish.
            parser.feed(source[pos:])
        except Exception:  # html.parser raises AssertionError on some malformed declarations
            failed_at = max(parser.source_offset(), pos)
            builder.data(source[failed_at], failed_at)
            pos = failed_at + 1
            unclosed += 1
            continue
        if not parser.rawdata:
            break
        stopped_at = len(source) - len(parser.rawdata)
        if parser.cdata_elem:
            break  # a script or style element that is never closed: the rest is its content
        unclosed += 1
        pos = max(_unclosed_end(source, stopped_at), stopped_at + 1)
        builder.data(source[stopped_at:pos], stopped_at)
    return builder.result()
