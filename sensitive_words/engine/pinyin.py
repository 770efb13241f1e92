"""Pinyin spellings of chosen dictionary words: whole pinyin, initials, and mixtures (zg人).

Evaders write a word in pinyin or its initials, often mixed with characters. Rather than
converting every text to pinyin (which would destroy spans and flood the automaton with false
positives), the variants of the few words marked for pinyin are added to the automaton as extra
patterns of the same entry.
"""

from __future__ import annotations

from itertools import product

from pypinyin import Style, lazy_pinyin

# 4 choices per character keep a 5-character word at 1,024 variants; longer words only get the
# whole-word spellings.
MAX_VARIANTS = 1024


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0002ebef"


def pinyin_variants(word: str, max_variants: int = MAX_VARIANTS) -> list[str]:
    """Spellings of ``word`` where any Chinese character may be its pinyin or initial."""
    full = lazy_pinyin(word, style=Style.NORMAL, errors=lambda s: list(s))
    first = lazy_pinyin(word, style=Style.FIRST_LETTER, errors=lambda s: list(s))
    initials = lazy_pinyin(word, style=Style.INITIALS, strict=False, errors=lambda s: list(s))
    if not (len(full) == len(first) == len(initials) == len(word)):
        # pypinyin grouped non-Han runs differently; fall back to whole-word spellings.
        return sorted({"".join(full), "".join(first)} - {word})
    options = []
    for ch, f, a, i in zip(word, full, first, initials, strict=True):
        if _is_han(ch):
            options.append(tuple(dict.fromkeys(x for x in (ch, f, a, i) if x)))
        else:
            options.append((ch,))
    count = 1
    for opt in options:
        count *= len(opt)
    if count > max_variants:
        whole = {
            "".join(full),
            "".join(first),
            "".join(i or a for i, a in zip(initials, first, strict=True)),
        }
        return sorted(whole - {word})
    return sorted({"".join(combo) for combo in product(*options)} - {word})
