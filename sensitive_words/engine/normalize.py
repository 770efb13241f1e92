"""Text normalization with span mapping: the canonical form the automaton scans.

Every normalization is a per-character function, so the whole pipeline compiles into one lookup
table per profile (a numpy array indexed by code point). Normalizing a text is then a handful of
vectorised passes: map every code point, drop noise, collapse repeats; two integer arrays keep,
for every normalized character, where it started and ended in the original text. Dictionary
words go through exactly the same pipeline, so a hit in the normalized text is a hit of the word,
and its span in the original text is ``starts[s]`` … ``ends[e - 1]``.

The few characters whose compatibility form is longer than one character after noise removal
(``ﬁ``, ``㍿``, ``¼``) are expanded on a slow path that only runs when a text contains one.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass

import numpy as np

# Sentinels stored in the lookup table (never valid code points).
NOISE = np.uint32(0xFFFFFFFF)
EXPAND = np.uint32(0xFFFFFFFE)
_TABLE_SIZE = 0x110000

# Chinese numerals read as digits (only with ``numerals`` on). Traditional forms are listed too
# so that the mapping works when traditional-to-simplified conversion is off.
CHINESE_NUMERALS = {
    "零": "0",
    "〇": "0",
    "一": "1",
    "壹": "1",
    "二": "2",
    "贰": "2",
    "貳": "2",
    "两": "2",
    "兩": "2",
    "三": "3",
    "叁": "3",
    "叄": "3",
    "參": "3",
    "四": "4",
    "肆": "4",
    "五": "5",
    "伍": "5",
    "六": "6",
    "陆": "6",
    "陸": "6",
    "七": "7",
    "柒": "7",
    "八": "8",
    "捌": "8",
    "九": "9",
    "玖": "9",
}

# Unicode general categories treated as noise between the characters of a word: punctuation,
# symbols (emoji included), separators (whitespace), control/format characters (line breaks,
# zero-width characters), private use, and combining marks (variation selectors, keycaps).
_NOISE_CATEGORIES = frozenset(
    {"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp"}
    | {"Cc", "Cf", "Cs", "Co", "Mn", "Me", "Mc"}
)
# Ranges scanned when building tables; everything outside is unassigned or plain ideographs
# (CJK extensions B+ have no compatibility forms) and maps to itself, except the planes below.
_SCANNED_RANGES = ((0x0, 0x30000), (0xE0000, 0xE1000))
_PRIVATE_USE_PLANES = ((0xF0000, 0x110000),)


@dataclass(frozen=True, slots=True)
class Profile:
    """Which normalizations apply; each dictionary chooses its own (all but pinyin on by default)."""

    case: bool = True
    width: bool = True  # NFKC: full/half width, enclosed/stylised forms, radicals; Latin accents
    traditional: bool = True  # traditional -> simplified (OpenCC t2s, per character)
    noise: bool = True  # drop punctuation, symbols, whitespace, zero-width characters, emoji
    repeats: bool = True  # collapse runs of one character (赌赌博博 -> 赌博)
    numerals: bool = True  # Chinese numerals read as digits (一/壹 -> 1)

    @property
    def key(self) -> str:
        return "".join(
            flag
            for flag, on in zip(
                "cwtnrd",
                (self.case, self.width, self.traditional, self.noise, self.repeats, self.numerals),
                strict=True,
            )
            if on
        )


DEFAULT_PROFILE = Profile()


class NormalizedText:
    """A normalized text and, per normalized character, where it came from in the original.

    ``index[k]`` is the original position of the k-th character kept after noise removal;
    ``runs[i]`` (when repeats were collapsed) is the k of the first character of the run that
    became normalized character i. Spans are computed on demand: only hits need them.
    """

    __slots__ = ("text", "index", "runs")

    def __init__(self, text: str, index: np.ndarray, runs: np.ndarray | None = None):
        self.text = text
        self.index = index
        self.runs = runs

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalized half-open span back to the original text (whole runs included)."""
        index, runs = self.index, self.runs
        if runs is None:
            return int(index[start]), int(index[end - 1]) + 1
        last = runs[end] - 1 if end < len(runs) else len(index) - 1
        return int(index[runs[start]]), int(index[last]) + 1

    @property
    def starts(self) -> np.ndarray:
        """Original start of every normalized character."""
        return self.index if self.runs is None else self.index[self.runs]

    @property
    def ends(self) -> np.ndarray:
        """Original end (exclusive) of every normalized character."""
        if self.runs is None:
            return self.index + 1
        lasts = np.empty_like(self.runs)
        lasts[:-1] = self.runs[1:] - 1
        if lasts.size:
            lasts[-1] = len(self.index) - 1
        return self.index[lasts] + 1


# --- static Unicode data, computed once per process -------------------------------------------

_lock = threading.Lock()
_unicode_candidates: dict[str, object] | None = None
_t2s: dict[str, str] | None = None
_tables: dict[Profile, _ProfileTable] = {}


def _iter_scanned():
    for lo, hi in _SCANNED_RANGES:
        yield from range(lo, hi)


def _unicode_data() -> dict[str, object]:
    """Code points that any normalization may change, grouped by reason."""
    global _unicode_candidates
    if _unicode_candidates is None:
        changed_by_width = []
        changed_by_case = []
        noise = []
        for cp in _iter_scanned():
            ch = chr(cp)
            if unicodedata.category(ch) in _NOISE_CATEGORIES:
                noise.append(cp)
            if unicodedata.decomposition(ch):
                changed_by_width.append(cp)
            if ch.lower() != ch:
                changed_by_case.append(cp)
        _unicode_candidates = {
            "width": changed_by_width,
            "case": changed_by_case,
            "noise": noise,
        }
    return _unicode_candidates


def _t2s_map() -> dict[str, str]:
    """Single-character traditional -> simplified map taken from OpenCC's t2s conversion."""
    global _t2s
    if _t2s is None:
        import opencc

        ranges = [(0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0)]
        chars = [chr(cp) for lo, hi in ranges for cp in range(lo, hi)]
        # One call over newline-separated characters: phrases never span a line break.
        converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
        mapping = {}
        if len(converted) == len(chars):
            for src, dst in zip(chars, converted, strict=True):
                if src != dst and len(dst) == 1:
                    mapping[src] = dst
        _t2s = mapping
    return _t2s


def _is_noise(ch: str) -> bool:
    return unicodedata.category(ch) in _NOISE_CATEGORIES


def fold_char(ch: str, profile: Profile) -> str:
    """Normalize one character (reference implementation used to build the tables)."""
    s = ch
    if profile.width:
        s = unicodedata.normalize("NFKC", s)
        folded = []
        for c in s:
            if not c.isascii() and c.isalpha():
                base = "".join(
                    d for d in unicodedata.normalize("NFKD", c) if not unicodedata.combining(d)
                )
                if base.isascii() and base:
                    c = base
            folded.append(c)
        s = "".join(folded)
    if profile.case:
        s = s.lower()
    if profile.traditional:
        t2s = _t2s_map()
        s = "".join(t2s.get(c, c) for c in s)
    if profile.numerals:
        s = "".join(CHINESE_NUMERALS.get(c, c) for c in s)
    if profile.noise:
        s = "".join(c for c in s if not _is_noise(c))
    return s


class _ProfileTable:
    """The compiled lookup table of one profile."""

    __slots__ = ("profile", "table", "expansions")

    def __init__(self, profile: Profile):
        self.profile = profile
        table = np.arange(_TABLE_SIZE, dtype=np.uint32)
        expansions: dict[int, np.ndarray] = {}
        data = _unicode_data()
        candidates: set[int] = set()
        if profile.width:
            candidates.update(data["width"])
            # Accented Latin letters have canonical decompositions, already in "width".
        if profile.case:
            candidates.update(data["case"])
        if profile.traditional:
            candidates.update(ord(c) for c in _t2s_map())
        if profile.numerals:
            candidates.update(ord(c) for c in CHINESE_NUMERALS)
        if profile.noise:
            candidates.update(data["noise"])
            for lo, hi in _PRIVATE_USE_PLANES:
                table[lo:hi] = NOISE
        for cp in candidates:
            ch = chr(cp)
            folded = fold_char(ch, profile)
            if folded == ch:
                continue
            if not folded:
                table[cp] = NOISE
            elif len(folded) == 1:
                table[cp] = ord(folded)
            else:
                table[cp] = EXPAND
                expansions[cp] = np.array([ord(c) for c in folded], dtype=np.uint32)
        self.table = table
        self.expansions = expansions

    def normalize(self, text: str, cps: np.ndarray | None = None) -> NormalizedText:
        """Normalize ``text``; ``cps`` are its code points when the caller already has them."""
        if cps is None:
            cps = code_points(text)
        mapped = self.table[cps]
        origin: np.ndarray | None = None
        if self.expansions:
            expand_at = np.flatnonzero(mapped == EXPAND)
            if expand_at.size:
                mapped, origin = self._expand(cps, mapped, expand_at)
        if self.profile.noise:
            keep = np.flatnonzero(mapped != NOISE)
            codes = mapped[keep]
            index = keep if origin is None else origin[keep]
        else:
            codes = mapped
            index = np.arange(len(mapped)) if origin is None else origin
        if self.profile.repeats and codes.size > 1:
            first = np.empty(codes.size, dtype=bool)
            first[0] = True
            np.not_equal(codes[1:], codes[:-1], out=first[1:])
            runs = np.flatnonzero(first)
            if runs.size != codes.size:
                return NormalizedText(codes[runs].tobytes().decode("utf-32-le"), index, runs)
        return NormalizedText(codes.tobytes().decode("utf-32-le"), index)

    def _expand(self, cps, mapped, expand_at):
        counts = np.ones(mapped.size, dtype=np.int64)
        pieces = [self.expansions[int(cps[i])] for i in expand_at]
        counts[expand_at] = [len(p) for p in pieces]
        origin = np.repeat(np.arange(mapped.size), counts)
        out = np.repeat(mapped, counts)
        offsets = np.cumsum(counts) - counts
        for i, piece in zip(expand_at, pieces, strict=True):
            out[offsets[i] : offsets[i] + len(piece)] = piece
        return out, origin


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as a uint32 array (a view on one UTF-32 encoding)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def table_for(profile: Profile) -> _ProfileTable:
    """The compiled table of a profile (built once per process; Unicode data never changes)."""
    table = _tables.get(profile)
    if table is None:
        with _lock:
            table = _tables.get(profile)
            if table is None:
                table = _tables[profile] = _ProfileTable(profile)
    return table


def normalize(text: str, profile: Profile = DEFAULT_PROFILE) -> NormalizedText:
    """Normalize ``text`` and keep the mapping back to it."""
    return table_for(profile).normalize(text)


def normalize_word(word: str, profile: Profile = DEFAULT_PROFILE) -> str:
    """The canonical form of a dictionary word (or allow-list phrase)."""
    return table_for(profile).normalize(word).text
