"""The detection engine: dictionaries + allow-list + rules + personal-data detectors -> hits.

An :class:`Engine` is immutable once built. It holds one Aho-Corasick automaton per
normalization profile (dictionary words and allow-list phrases together, scanned with
overlapping matches so that an allowed phrase is seen even when it starts before the word it
contains), the compiled expression rules, and the personal-data detectors. Hot reload replaces
the whole object (see :mod:`sensitive_words.engine.holder`).

The automaton was chosen by measurement (``bench/sensitive_words.py``, figures in
docs/benchmarks.md): daachorse's character-wise double-array automaton is the fastest on Chinese
dictionaries, several times faster than ahocorasick-rs and far faster than pyahocorasick, whose
root node has thousands of distinct first characters that it scans linearly. ahocorasick-rs
remains as the fallback when daachorse is not installed.

Normalization finds disguised words, but it can also make words that are not there. Three guards
decide on the original text: a Latin word or number is no hit inside a longer Latin word or number
(letters next to digits are a boundary, and the noise between English words is no letter); a word
with a doubled character (``谢谢``, ``ass``) needs the doubling in the text although repeats are
collapsed; and a hit that exists only because noise removal joined two sentences, or only through
pinyin initials, is at most a review-level hit whose ``via`` says which normalization made it.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .normalize import DEFAULT_PROFILE, EXPAND, NOISE, Profile, code_points, table_for
from .pii import find_pii
from .pinyin import pinyin_spellings
from .rules import CompiledRule, compile_rule, required_literals

BLOCK = "block"
REVIEW = "review"
REPLACE = "replace"
LEVELS = (BLOCK, REVIEW, REPLACE)
SEVERITY = {BLOCK: 3, REVIEW: 2, REPLACE: 1}
LEVEL_LABELS = {BLOCK: "禁止发布", REVIEW: "人工审核", REPLACE: "自动替换"}
CATEGORIES = ("政治", "涉黄", "涉赌", "暴恐", "辱骂", "广告", "隐私", "表述规范", "其他")
PRIVACY = "隐私"
DEFAULT_CATEGORY = "其他"

_WORD = 0
_ALLOW = 1
_RULE = 2

# How a hit came about, when a normalization that can make words out of unrelated text was needed
# (bit flags; the labels are shown to editors). Hits needing one of DEMOTING are at most REVIEW.
VIA_CROSS_SENTENCE = 1
VIA_PINYIN_INITIALS = 2
VIA_PINYIN = 4
VIA_LABELS = {
    VIA_CROSS_SENTENCE: "跨句连接",
    VIA_PINYIN_INITIALS: "拼音首字母",
    VIA_PINYIN: "拼音全拼",
}
DEMOTING = VIA_CROSS_SENTENCE | VIA_PINYIN_INITIALS
_VIA_RANK = {0: 0, VIA_PINYIN: 1, VIA_PINYIN_INITIALS: 2}  # lower: stronger evidence

# Ends of sentences and paragraphs. Noise removal joins the characters around them, but what
# stands on either side belongs to different sentences. An ASCII full stop counts when a space
# follows it (English prose); alone it is a decimal point or an abbreviation.
_SENTENCE_BREAK = re.compile(r"[。！？；!?;…｡．\n\r\v\f\x85\u2028\u2029]|\.(?=\s)")

_OTHER, _LETTER, _DIGIT = 0, 1, 2

try:
    import daachorse
except ImportError:  # pragma: no cover - exercised only where daachorse is missing
    daachorse = None

AUTOMATON_BACKENDS = ("daachorse", "ahocorasick-rs")
DEFAULT_BACKEND = "daachorse" if daachorse is not None else "ahocorasick-rs"


def compile_automaton(patterns: list[str], backend: str = DEFAULT_BACKEND):
    """A function text -> list of (start, end, pattern index), overlapping, in characters."""
    if backend == "daachorse":
        automaton = daachorse.CharwiseDoubleArrayAhoCorasick(patterns)
        return automaton.find_overlapping
    if backend == "ahocorasick-rs":
        import ahocorasick_rs

        automaton = ahocorasick_rs.AhoCorasick(
            patterns, matchkind=ahocorasick_rs.MatchKind.Standard
        )

        def find(text: str) -> list[tuple[int, int, int]]:
            return [
                (s, e, p) for p, s, e in automaton.find_matches_as_indexes(text, overlapping=True)
            ]

        return find
    raise ValueError(f"unknown automaton backend {backend!r}")


@dataclass(frozen=True, slots=True)
class Entry:
    """One dictionary word. ``site`` empty means every portal."""

    word: str
    category: str = DEFAULT_CATEGORY
    level: str = REVIEW
    suggestion: str = ""
    dictionary: str = ""
    site: str = ""
    profile: Profile = DEFAULT_PROFILE
    pinyin: bool = False


@dataclass(frozen=True, slots=True)
class AllowEntry:
    """An allowed phrase: hits lying inside it are suppressed. Empty scope fields mean 'all'."""

    phrase: str
    dictionary: str = ""
    site: str = ""


@dataclass(frozen=True, slots=True)
class Rule:
    """An expression rule: a regular expression matched on the normalized text of its profile.

    Its literal characters are normalized the same way (see :mod:`sensitive_words.engine.rules`),
    so it is written as people write (``两学一作``, ``WiFi``, ``塌塌实实``). ``suggestion`` may
    refer to groups (``\\1``, ``\\g<name>``) of the match.
    """

    pattern: str
    name: str = ""
    category: str = "表述规范"
    level: str = REVIEW
    suggestion: str = ""
    dictionary: str = ""
    site: str = ""
    profile: Profile = DEFAULT_PROFILE


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    word: str
    matched_text: str
    category: str
    level: str
    suggestion: str = ""
    dictionary: str = ""
    kind: str = "word"  # word | rule | pii
    # The normalizations that made this hit possible when they can join unrelated text
    # ("跨句连接", "拼音首字母") or spell a word in Latin letters ("拼音全拼"); "" for none.
    via: str = ""

    def as_dict(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "word": self.word,
            "matched_text": self.matched_text,
            "category": self.category,
            "level": self.level,
            "suggestion": self.suggestion,
            "dictionary": self.dictionary,
            "kind": self.kind,
            "via": self.via,
        }


def via_label(via: int) -> str:
    """The zh-hans label of a combination of VIA_* flags ("" for none)."""
    return "、".join(label for flag, label in VIA_LABELS.items() if via & flag)


def _ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@lru_cache(maxsize=8192)
def _char_class(ch: str) -> int:
    """Whether ``ch`` is a Latin letter or a digit in any of its forms (ｓ, 𝐬, é, ①), or other.

    Chinese numerals are "other": 六合彩 right after 2024 is a word of its own.
    """
    for c in unicodedata.normalize("NFKD", ch):
        if unicodedata.combining(c):
            continue
        if c.isascii():
            if c.isalpha():
                return _LETTER
            if c.isdigit():
                return _DIGIT
        return _OTHER
    return _OTHER


def _embedded(text: str, start: int, end: int, head: bool, tail: bool) -> bool:
    """Whether the original span continues a Latin word or a number on either side."""
    if head and start > 0:
        kind = _char_class(text[start])
        if kind and _char_class(text[start - 1]) == kind:
            return True
    if tail and end < len(text):
        kind = _char_class(text[end - 1])
        if kind and _char_class(text[end]) == kind:
            return True
    return False


def _edge_span(norm, s: int, e: int, head_need: int, tail_need: int) -> tuple[int, int]:
    """The original span of ``[s, e)`` with its first and last runs cut at noise.

    A collapsed run may reach across a space into the neighbouring word (``piao on`` is one run
    of ``o``); the characters the pattern needs, and those touching them, are the word's own.
    """
    runs, index = norm.runs, norm.index
    if runs is None:
        return norm.span(s, e)
    last = len(index)
    if e - s == 1:  # one run: the first stretch without noise that is long enough
        k0 = int(runs[s])
        k1 = int(runs[s + 1]) if s + 1 < len(runs) else last
        need = max(head_need, tail_need)
        first = k0
        for k in range(k0 + 1, k1 + 1):
            if k == k1 or index[k] - index[k - 1] > 1:
                if k - first >= need:
                    return int(index[first]), int(index[k - 1]) + 1
                first = k
        return norm.span(s, e)
    k0 = int(runs[s])
    k = max(k0, (int(runs[s + 1]) if s + 1 < len(runs) else last) - head_need)
    while k > k0 and index[k] - index[k - 1] <= 1:
        k -= 1
    j0 = int(runs[e - 1])
    j1 = int(runs[e]) if e < len(runs) else last
    j = min(j1 - 1, j0 + tail_need - 1)
    while j < j1 - 1 and index[j + 1] - index[j] <= 1:
        j += 1
    return int(index[k]), int(index[j]) + 1


def _locate(norm, text: str, s: int, e: int, need, head: bool, tail: bool):
    """(start, end, embedded) of a match: its original span, and whether it is no hit because a
    Latin or numeric edge continues a longer Latin word or number.

    Decided on the original text, where spaces still separate words and 六 is not a digit.
    Latin edges report the span cut at noise (see :func:`_edge_span`).
    """
    start, end = norm.span(s, e)
    if not (head or tail):
        return start, end, False
    if norm.runs is not None:
        cut_start, cut_end = _edge_span(norm, s, e, need[0] if need else 1, need[-1] if need else 1)
        if head and _char_class(text[cut_start]):
            start = cut_start
        if tail and _char_class(text[cut_end - 1]):
            end = cut_end
    return start, end, _embedded(text, start, end, head, tail)


def _crosses_sentences(norm, text: str, s: int, e: int, need) -> bool:
    """Whether the match ``[s, e)`` joins characters of different sentences or paragraphs.

    Looked for in the span cut at noise at both ends, so that a run of the word's first or last
    character reaching into the neighbouring sentence (白。白粉) does not count.
    """
    start, end = norm.span(s, e)
    if not _SENTENCE_BREAK.search(text, start, end):
        return False
    if norm.runs is None:
        return True
    start, end = _edge_span(norm, s, e, need[0] if need else 1, need[-1] if need else 1)
    return _SENTENCE_BREAK.search(text, start, end) is not None


def required_literal(pattern: str) -> str | None:
    """The longest literal run every match of ``pattern`` must contain (None if unknown)."""
    literals = required_literals(pattern)
    return literals[0] if literals and len(literals) == 1 else None


def normalize_many(words: Sequence[str], profile: Profile) -> list[str]:
    """Normalize many single-line strings in one vectorised pass (dictionary builds)."""
    return [w for w, _ in normalize_many_with_runs(words, profile)]


def normalize_many_with_runs(
    words: Sequence[str], profile: Profile
) -> list[tuple[str, tuple[int, ...] | None]]:
    """Like :func:`normalize_many`, with the run length of every character of a word that had
    a run collapsed (None when nothing was collapsed): ``ass`` -> ``("as", (1, 2))``."""
    if not words:
        return []
    table = table_for(profile)
    joined = "\n".join(words)
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    word_id = np.cumsum(cps == 10)
    mapped = table.table[cps]
    mapped[cps == 10] = NOISE
    if table.expansions:
        at = np.flatnonzero(mapped == EXPAND)
        if at.size:
            mapped, origin = table._expand(cps, mapped, at)
            word_id = word_id[origin]
    keep = mapped != NOISE
    codes = mapped[keep]
    ids = word_id[keep]
    runs = None
    if profile.repeats and codes.size > 1:
        first = np.ones(codes.size, dtype=bool)
        first[1:] = (codes[1:] != codes[:-1]) | (ids[1:] != ids[:-1])
        if not first.all():
            starts = np.flatnonzero(first)
            runs = np.diff(np.append(starts, codes.size))
            codes, ids = codes[starts], ids[starts]
    text = codes.tobytes().decode("utf-32-le")
    lengths = np.bincount(ids, minlength=len(words))
    doubled: set[int] = set()
    if runs is not None:
        doubled = set(np.unique(ids[runs > 1]).tolist())
        runs = runs.tolist()
    out, pos = [], 0
    for w, n in enumerate(lengths.tolist()):
        need = tuple(runs[pos : pos + n]) if w in doubled else None
        out.append((text[pos : pos + n], need))
        pos += n
    return out


def _runs_cover(norm, text: str, s: int, need: tuple[int, ...]) -> bool:
    """Whether the text's runs of the characters ``[s, s + len(need))`` fit the pattern's.

    A run must be at least as long as the pattern's (``ass`` is not ``as``); a run of digits
    written as digits must be exactly as long (``1100`` is not ``110``).
    """
    runs = norm.runs
    if runs is None:
        return max(need) == 1  # nothing was collapsed in the text
    last = len(norm.index)
    ntext = norm.text
    for j, n in enumerate(need, s):
        length = int(runs[j + 1] if j + 1 < len(runs) else last) - int(runs[j])
        if length < n:
            return False
        if (
            length > n
            and "0" <= ntext[j] <= "9"
            and _char_class(text[int(norm.index[runs[j]])]) == _DIGIT
        ):
            return False
    return True


def _uncollapsed(norm, s: int, e: int) -> str:
    """The normalized characters ``[s, e)`` with their collapsed runs restored."""
    runs, text = norm.runs, norm.text
    if runs is None:
        return text[s:e]
    last = len(norm.index)
    return "".join(
        text[j] * (int(runs[j + 1] if j + 1 < len(runs) else last) - int(runs[j]))
        for j in range(s, e)
    )


@dataclass
class _ProfileIndex:
    profile: Profile
    find: object | None  # text -> [(start, end, pattern index)]
    # per pattern: (kind, index, via, needed run lengths or None) of every source it stands for
    metas: list[tuple[tuple[int, int, int, tuple[int, ...] | None], ...]]
    ascii_edges: list[tuple[bool, bool]]
    rules: list[tuple[CompiledRule, Rule]] = field(default_factory=list)
    unanchored_rules: list[int] = field(default_factory=list)  # rules run on every text


class Engine:
    """An immutable, fully built detector. Build a new one to change anything."""

    def __init__(
        self,
        entries: Iterable[Entry] = (),
        allow: Iterable[AllowEntry] = (),
        rules: Iterable[Rule] = (),
        *,
        pii: bool = True,
        pii_level: str = REPLACE,
        version: int = 0,
        backend: str = DEFAULT_BACKEND,
    ):
        self.entries: list[Entry] = [e for e in entries if e.word and e.word.strip()]
        self.allow: list[AllowEntry] = [a for a in allow if a.phrase and a.phrase.strip()]
        self.rules: list[Rule] = list(rules)
        self.pii = pii
        self.pii_level = pii_level
        self.version = version
        self.invalid_rules: list[tuple[Rule, str]] = []
        profiles = dict.fromkeys(
            [e.profile for e in self.entries] + [r.profile for r in self.rules]
        )
        self.backend = backend
        self._indexes = [self._build(p) for p in profiles]

    def _build(self, profile: Profile) -> _ProfileIndex:
        entry_ids = [i for i, e in enumerate(self.entries) if e.profile == profile]
        sources: list[str] = []
        tags: list[tuple[int, int, int]] = []
        for i in entry_ids:
            entry = self.entries[i]
            sources.append(entry.word)
            tags.append((_WORD, i, 0))
            if entry.pinyin:
                for spelling, short in pinyin_spellings(entry.word).items():
                    sources.append(spelling)
                    tags.append((_WORD, i, VIA_PINYIN_INITIALS if short else VIA_PINYIN))
        if entry_ids:
            for j, a in enumerate(self.allow):
                sources.append(a.phrase)
                tags.append((_ALLOW, j, 0))
        position: dict[str, int] = {}
        patterns: list[str] = []
        metas: list[list[tuple[int, int, int, tuple[int, ...] | None]]] = []

        def slot(pattern: str) -> list:
            k = position.get(pattern)
            if k is None:
                k = position[pattern] = len(patterns)
                patterns.append(pattern)
                metas.append([])
            return metas[k]

        normalized = normalize_many_with_runs([s.replace("\n", " ") for s in sources], profile)
        for (pattern, need), (kind, i, via) in zip(normalized, tags, strict=True):
            if not pattern:
                continue
            if need is None and profile.repeats and any("0" <= c <= "9" for c in pattern):
                need = (1,) * len(pattern)  # numbers must not match inside runs of digits
            bucket = slot(pattern)
            tag = (kind, i, via, need)
            same = [t for t in bucket if t[:2] == tag[:2] and t[3] == need]
            if not same:
                bucket.append(tag)
            elif _VIA_RANK[via] < _VIA_RANK[same[0][2]]:
                # one pattern spelled several ways: keep the spelling that is the stronger evidence
                bucket[bucket.index(same[0])] = tag
        compiled: list[tuple[CompiledRule, Rule]] = []
        unanchored: list[int] = []
        for rule in self.rules:
            if rule.profile != profile:
                continue
            try:
                regex = compile_rule(rule.pattern, profile)
            except re.error as exc:
                self.invalid_rules.append((rule, str(exc)))
                continue
            tag = (_RULE, len(compiled), 0, None)
            compiled.append((regex, rule))
            if regex.literals is None:
                unanchored.append(tag[1])
                continue
            for literal in regex.literals:
                slot(literal).append(tag)
        return _ProfileIndex(
            profile=profile,
            find=compile_automaton(patterns, self.backend) if patterns else None,
            metas=[tuple(m) for m in metas],
            ascii_edges=[(_ascii_alnum(p[0]), _ascii_alnum(p[-1])) for p in patterns],
            rules=compiled,
            unanchored_rules=unanchored,
        )

    # --- scanning ------------------------------------------------------------------------------

    def check(self, text: str, site: str | None = None) -> list[Hit]:
        """All hits in ``text`` for portal ``site`` (None: only dictionaries for every portal)."""
        if not text:
            return []
        site = site or ""
        best: dict[tuple[int, int, str], Hit] = {}
        cps = code_points(text)
        for index in self._indexes:
            self._scan(index, text, cps, site, best)
        if self.pii:
            for p in find_pii(text, cps):
                hit = Hit(
                    p.start,
                    p.end,
                    p.label,
                    text[p.start : p.end],
                    PRIVACY,
                    self.pii_level,
                    "",
                    "",
                    "pii",
                )
                best.setdefault((p.start, p.end, hit.word), hit)
        return sorted(best.values(), key=lambda h: (h.start, -h.end, -SEVERITY[h.level]))

    def _scan(self, index: _ProfileIndex, text: str, cps, site: str, best: dict) -> None:
        norm = table_for(index.profile).normalize(text, cps)
        ntext = norm.text
        # (start, end, entry or rule, word, suggestion, via) in original coordinates
        candidates: list[tuple[int, int, Entry | Rule, str, str, int]] = []
        needs: list[tuple[int, ...] | None] = []  # run lengths each candidate needed
        # (start, end, allowed phrase) in normalized coordinates, and the words to check
        allowed: list[tuple[int, int, AllowEntry]] = []
        spans: list[tuple[int, int]] = []
        rules_to_run = set(index.unanchored_rules)
        joins = index.profile.noise
        if index.find is not None:
            metas, edges, entries, allow = index.metas, index.ascii_edges, self.entries, self.allow
            for s, e, pid in index.find(ntext):
                head, tail = edges[pid]
                located = None  # (need, start, end, embedded) of the last source
                for kind, i, via, need in metas[pid]:
                    if kind == _RULE:
                        rules_to_run.add(i)
                        continue
                    if need is not None and not _runs_cover(norm, text, s, need):
                        continue
                    if located is None or located[0] != need:
                        if head or tail:
                            located = (need, *_locate(norm, text, s, e, need, head, tail))
                        else:
                            located = (need, *norm.span(s, e), False)
                    _, start, end, embedded = located
                    if embedded:
                        continue
                    if kind == _WORD:
                        entry = entries[i]
                        if not entry.site or entry.site == site:
                            candidates.append(
                                (start, end, entry, entry.word, entry.suggestion, via)
                            )
                            spans.append((s, e))
                            needs.append(need)
                    else:
                        a = allow[i]
                        if not a.site or a.site == site:
                            allowed.append((s, e, a))
        for i in sorted(rules_to_run):
            compiled, rule = index.rules[i]
            if rule.site and rule.site != site:
                continue
            for m in compiled.regex.finditer(ntext):
                s, e = m.span()
                if e <= s:
                    continue
                if compiled.exact is not None and (compiled.always_exact or norm.runs is not None):
                    runs = _uncollapsed(norm, s, e)
                    if (compiled.always_exact or len(runs) != e - s) and not (
                        compiled.exact.fullmatch(runs)
                    ):
                        continue  # only matched because runs of characters were collapsed
                start, end, embedded = _locate(norm, text, s, e, None, True, True)
                if embedded:
                    continue
                suggestion = rule.suggestion
                if "\\" in suggestion:
                    with contextlib.suppress(re.error, IndexError):
                        suggestion = m.expand(suggestion)
                candidates.append((start, end, rule, rule.name or m[0], suggestion, 0))
                spans.append((s, e))
                needs.append(None)
        for (s, e), need, (start, end, source, word, suggestion, via) in zip(
            spans, needs, candidates, strict=True
        ):
            if allowed and any(
                a <= s and e <= b and (not al.dictionary or al.dictionary == source.dictionary)
                for a, b, al in allowed
            ):
                continue
            if joins and end - start > e - s and _crosses_sentences(norm, text, s, e, need):
                via |= VIA_CROSS_SENTENCE
            level = source.level
            if via & DEMOTING and SEVERITY[level] > SEVERITY[REVIEW]:
                level = REVIEW
            hit = Hit(
                start,
                end,
                word,
                text[start:end],
                source.category,
                level,
                suggestion,
                source.dictionary,
                "rule" if isinstance(source, Rule) else "word",
                via_label(via) if via else "",
            )
            key = (start, end, word)
            old = best.get(key)
            if (
                old is None
                or SEVERITY[level] > SEVERITY[old.level]
                or (SEVERITY[level] == SEVERITY[old.level] and old.via and not hit.via)
            ):
                best[key] = hit


def mask(text: str, hits: Iterable[Hit], levels: Iterable[str] = (BLOCK, REPLACE)) -> str:
    """``text`` with the characters of every hit at one of ``levels`` replaced by ``*``."""
    levels = set(levels)
    chars = list(text)
    for hit in hits:
        if hit.level in levels:
            for i in range(hit.start, hit.end):
                if not chars[i].isspace():
                    chars[i] = "*"
    return "".join(chars)


def max_level(hits: Iterable[Hit]) -> str | None:
    """The most severe level among ``hits`` (None when there are none)."""
    top = None
    for hit in hits:
        if top is None or SEVERITY[hit.level] > SEVERITY[top]:
            top = hit.level
    return top
