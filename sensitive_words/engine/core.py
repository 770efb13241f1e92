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
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .normalize import DEFAULT_PROFILE, EXPAND, NOISE, Profile, code_points, table_for
from .pii import find_pii
from .pinyin import pinyin_variants

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
    """An expression rule: a regular expression over the normalized text of its profile.

    ``suggestion`` may refer to groups (``\\1``, ``\\g<name>``) of the match.
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
        }


def _ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def required_literal(pattern: str) -> str | None:
    """The longest literal run every match of ``pattern`` must contain (None if unknown).

    The automaton looks for it, so a rule's regex only runs on texts that contain its literal.
    """
    from re import _parser

    try:
        parsed = _parser.parse(pattern)
    except re.error:
        return None
    if parsed.state.flags & ~(re.UNICODE | re.DEBUG):
        return None  # IGNORECASE, VERBOSE, ...: the literal may not be what matches
    best, run = "", []
    for op, arg in list(parsed) + [(None, None)]:
        if op is _parser.LITERAL:
            run.append(chr(arg))
            continue
        if len(run) > len(best):
            best = "".join(run)
        run = []
    return best or None


def normalize_many(words: Sequence[str], profile: Profile) -> list[str]:
    """Normalize many single-line strings in one vectorised pass (dictionary builds)."""
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
    if profile.repeats and codes.size > 1:
        first = np.ones(codes.size, dtype=bool)
        first[1:] = (codes[1:] != codes[:-1]) | (ids[1:] != ids[:-1])
        codes, ids = codes[first], ids[first]
    text = codes.tobytes().decode("utf-32-le")
    lengths = np.bincount(ids, minlength=len(words))
    out, pos = [], 0
    for n in lengths.tolist():
        out.append(text[pos : pos + n])
        pos += n
    return out


@dataclass
class _ProfileIndex:
    profile: Profile
    find: object | None  # text -> [(start, end, pattern index)]
    metas: list[tuple[tuple[int, int], ...]]
    ascii_edges: list[tuple[bool, bool]]
    rules: list[tuple[re.Pattern, Rule]] = field(default_factory=list)
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
        tags: list[tuple[int, int]] = []
        for i in entry_ids:
            entry = self.entries[i]
            sources.append(entry.word)
            tags.append((_WORD, i))
            if entry.pinyin:
                for variant in pinyin_variants(entry.word):
                    sources.append(variant)
                    tags.append((_WORD, i))
        if entry_ids:
            for j, a in enumerate(self.allow):
                sources.append(a.phrase)
                tags.append((_ALLOW, j))
        position: dict[str, int] = {}
        patterns: list[str] = []
        metas: list[list[tuple[int, int]]] = []
        for pattern, tag in zip(
            normalize_many([s.replace("\n", " ") for s in sources], profile), tags, strict=True
        ):
            if not pattern:
                continue
            k = position.get(pattern)
            if k is None:
                k = position[pattern] = len(patterns)
                patterns.append(pattern)
                metas.append([])
            if tag not in metas[k]:
                metas[k].append(tag)
        compiled: list[tuple[re.Pattern, Rule]] = []
        unanchored: list[int] = []
        for rule in self.rules:
            if rule.profile != profile:
                continue
            try:
                regex = re.compile(rule.pattern)
            except re.error as exc:
                self.invalid_rules.append((rule, str(exc)))
                continue
            tag = (_RULE, len(compiled))
            compiled.append((regex, rule))
            literal = required_literal(rule.pattern)
            if literal is None:
                unanchored.append(tag[1])
                continue
            k = position.get(literal)
            if k is None:
                k = position[literal] = len(patterns)
                patterns.append(literal)
                metas.append([])
            metas[k].append(tag)
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
        # (start, end, entry or rule, word, suggestion) in normalized coordinates
        candidates: list[tuple[int, int, Entry | Rule, str, str]] = []
        allowed: list[tuple[int, int, AllowEntry]] = []
        rules_to_run = set(index.unanchored_rules)
        if index.find is not None:
            metas, edges, entries, allow = index.metas, index.ascii_edges, self.entries, self.allow
            n = len(ntext)
            for s, e, pid in index.find(ntext):
                head, tail = edges[pid]
                # A Latin or numeric pattern inside a longer Latin word or number is no hit.
                embedded = (head and s > 0 and _ascii_alnum(ntext[s - 1])) or (
                    tail and e < n and _ascii_alnum(ntext[e])
                )
                for kind, i in metas[pid]:
                    if kind == _WORD:
                        entry = entries[i]
                        if not embedded and (not entry.site or entry.site == site):
                            candidates.append((s, e, entry, entry.word, entry.suggestion))
                    elif kind == _ALLOW:
                        a = allow[i]
                        if not embedded and (not a.site or a.site == site):
                            allowed.append((s, e, a))
                    else:
                        rules_to_run.add(i)
        for i in sorted(rules_to_run):
            regex, rule = index.rules[i]
            if rule.site and rule.site != site:
                continue
            for m in regex.finditer(ntext):
                if m.end() > m.start():
                    suggestion = rule.suggestion
                    if "\\" in suggestion:
                        with contextlib.suppress(re.error, IndexError):
                            suggestion = m.expand(suggestion)
                    candidates.append((m.start(), m.end(), rule, rule.name or m[0], suggestion))
        for s, e, source, word, suggestion in candidates:
            if allowed and any(
                a <= s and e <= b and (not al.dictionary or al.dictionary == source.dictionary)
                for a, b, al in allowed
            ):
                continue
            start, end = norm.span(s, e)
            kind = "rule" if isinstance(source, Rule) else "word"
            hit = Hit(
                start,
                end,
                word,
                text[start:end],
                source.category,
                source.level,
                suggestion,
                source.dictionary,
                kind,
            )
            key = (start, end, word)
            old = best.get(key)
            if old is None or SEVERITY[hit.level] > SEVERITY[old.level]:
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
