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


def pinyin_spellings(word: str, max_variants: int = MAX_VARIANTS) -> dict[str, bool]:
    """Spellings of ``word`` where any Chinese character may be its pinyin or initial.

    Each spelling maps to whether it uses an initial: initials (``zgr``, ``zg人``) are short
    Latin strings that abbreviations and codes also produce, so their hits are weaker evidence
    than whole syllables (``zhongguoren``, ``中guo人``).
    """
    full = lazy_pinyin(word, style=Style.NORMAL, errors=lambda s: list(s))
    first = lazy_pinyin(word, style=Style.FIRST_LETTER, errors=lambda s: list(s))
    initials = lazy_pinyin(word, style=Style.INITIALS, strict=False, errors=lambda s: list(s))
    if not (len(full) == len(first) == len(initials) == len(word)):
        # pypinyin grouped non-Han runs differently; fall back to whole-word spellings.
        found = {"".join(first): True, "".join(full): False}
        found.pop(word, None)
        return found
    options: list[dict[str, bool]] = []
    for ch, f, a, i in zip(word, full, first, initials, strict=True):
        if _is_han(ch):
            choice = {ch: False}
            for spelling, short in ((i, True), (a, True), (f, False)):
                if spelling:
                    choice[spelling] = choice.get(spelling, True) and short
            options.append(choice)
        else:
            options.append({ch: False})
    count = 1
    for opt in options:
        count *= len(opt)
    spellings: dict[str, bool] = {}
    if count > max_variants:
        spellings["".join(i or a for i, a in zip(initials, first, strict=True))] = True
        spellings["".join(first)] = True
        spellings["".join(full)] = False
    else:
        for combo in product(*(opt.items() for opt in options)):
            spelling = "".join(s for s, _ in combo)
            short = any(flag for _, flag in combo)
            spellings[spelling] = spellings.get(spelling, True) and short
    spellings.pop(word, None)
    return spellings


def pinyin_variants(word: str, max_variants: int = MAX_VARIANTS) -> list[str]:
    """The spellings of :func:`pinyin_spellings`, sorted."""
    return sorted(pinyin_spellings(word, max_variants))
