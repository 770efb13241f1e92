"""Detectors of personal data in text about to be published: ID numbers, mobiles, cards, e-mail.

Each candidate found by a regular expression is validated (GB 11643 check digit and birth date
for resident ID numbers, Luhn for bank cards) so that ordinary long numbers (document numbers,
dates, amounts) are not reported. Patterns start with a character class so that the regex engine
can skip quickly through Chinese text; boundaries are checked in Python.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

_D = r"[0-9０-９]"
_SEP = r"[ \-－]"
_ID_RE = re.compile(rf"[1-9１-９]{_D}{{16}}[0-9０-９XxＸｘ]")
_MOBILE_RE = re.compile(rf"[1１][3-9３-９]{_D}(?:{_SEP}?{_D}{{4}}){{2}}")
_CARD_RE = re.compile(rf"[3-6３-６]{_D}{{3}}(?:{_SEP}?{_D}{{4}}){{3}}(?:{_SEP}?{_D}{{1,3}})?")
_EMAIL_RE = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+\-]*[@＠][A-Za-z0-9][A-Za-z0-9\-]*(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True, slots=True)
class PiiMatch:
    start: int
    end: int
    kind: str  # id_number | mobile | bank_card | email
    label: str  # zh-hans name shown to people


def _digits(s: str) -> str:
    return "".join(
        str(unicodedata.digit(c)) if c.isdigit() else unicodedata.normalize("NFKC", c).upper()
        for c in s
        if c.isalnum()
    )


def _is_alnum_at(text: str, i: int) -> bool:
    return 0 <= i < len(text) and (text[i].isdigit() or text[i].isascii() and text[i].isalpha())


def valid_id_number(number: str) -> bool:
    """GB 11643-1999: 17 digits, a valid birth date, and the ISO 7064 MOD 11-2 check character."""
    n = _digits(number)
    if len(n) != 18 or not n[:17].isdigit():
        return False
    try:
        birth = datetime.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        return False
    if not datetime.date(1900, 1, 1) <= birth <= datetime.date.today():
        return False
    total = sum(int(d) * w for d, w in zip(n[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == n[17]


def valid_luhn(number: str) -> bool:
    n = _digits(number)
    if not n.isdigit():
        return False
    total = 0
    for i, d in enumerate(reversed(n)):
        v = int(d)
        if i % 2:
            v = v * 2 - 9 if v > 4 else v * 2
        total += v
    return total % 10 == 0


def _may_hold_numbers(text: str, cps: np.ndarray | None) -> bool:
    """Cheap vectorised pre-check: is there a 13-character window with at least 10 digits?

    Every number we look for (11-digit mobiles with two separators, 16-19-digit cards in groups
    of four, 18-character ID numbers) contains such a window; most articles do not.
    """
    if cps is None:
        cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    digit = ((cps >= 0x30) & (cps <= 0x39)) | ((cps >= 0xFF10) & (cps <= 0xFF19))
    if cps.size < 10 or np.count_nonzero(digit) < 10:
        return False
    if cps.size <= 13:
        return True
    sums = np.cumsum(digit, dtype=np.int32)
    return bool((sums[13:] - sums[:-13]).max() >= 10) or bool(sums[12] >= 10)


def find_pii(text: str, cps: np.ndarray | None = None) -> list[PiiMatch]:
    """Every validated piece of personal data in ``text``, in order of position.

    ``cps`` may pass the code points of ``text`` when the caller has them already.
    """
    found: list[PiiMatch] = []
    if not _may_hold_numbers(text, cps):
        if "@" in text or "＠" in text:
            _find_emails(text, found, [])
        return found
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for m in _ID_RE.finditer(text):
        s, e = m.span()
        if not _is_alnum_at(text, s - 1) and not _is_alnum_at(text, e) and valid_id_number(m[0]):
            found.append(PiiMatch(s, e, "id_number", "身份证号"))
            taken.append((s, e))
    for m in _CARD_RE.finditer(text):
        s, e = m.span()
        digits = _digits(m[0])
        if (
            16 <= len(digits) <= 19
            and not _is_alnum_at(text, s - 1)
            and not _is_alnum_at(text, e)
            and free(s, e)
            and valid_luhn(digits)
        ):
            found.append(PiiMatch(s, e, "bank_card", "银行卡号"))
            taken.append((s, e))
    for m in _MOBILE_RE.finditer(text):
        s, e = m.span()
        if _is_alnum_at(text, e) or not free(s, e):
            continue
        if _is_alnum_at(text, s - 1):
            # Accept a +86 / 0086 / 86 country prefix glued to the number.
            prefix = re.search(r"(?:\+|00)?86[ \-]?$", text[max(0, s - 6) : s])
            if not prefix or _is_alnum_at(text, s - len(prefix[0]) - 1):
                continue
        found.append(PiiMatch(s, e, "mobile", "手机号码"))
        taken.append((s, e))
    if "@" in text or "＠" in text:
        _find_emails(text, found, taken)
    found.sort(key=lambda p: p.start)
    return found


def _find_emails(text: str, found: list[PiiMatch], taken: list[tuple[int, int]]) -> None:
    for m in _EMAIL_RE.finditer(text):
        s, e = m.span()
        if all(e <= a or s >= b for a, b in taken):
            found.append(PiiMatch(s, e, "email", "电子邮箱"))
