"""Expression rules compiled for the normalized text they run on.

The engine matches a rule against the normalized text of its profile (lower case, half width,
simplified, without punctuation, Chinese numerals as digits, repeated characters collapsed), so a
pattern written the way people write (``两学一作``, ``ＷＩＦＩ``, ``《信访条例》``, ``塌塌实实``)
must be normalized the same way before it can match. Only the literal characters of the regex are
normalized, never its syntax: the pattern is parsed with Python's own regex parser, the literals
of the tree are passed through the profile's lookup table, and the tree is written back as a
pattern. Character classes get the normalized forms of their members added (``[A-Z]`` also
matches ``a``–``z``); literals and classes that can only match noise disappear with their
quantifier, since noise is never in the normalized text.

Collapsing repeats loses information the pattern may need: ``塌塌实实`` becomes ``塌实``, which
would also match the text ``塌实``, and ``党的20大`` would match ``党的200大``. So a second regex
(``exact``) is kept: the normalized but uncollapsed pattern in which every character may repeat,
except digits (a number is exact). A match of the collapsed regex whose span had a run collapsed
is a hit only if ``exact`` matches that span with its runs restored.

:func:`required_literals` gives the literals one of which every match must contain; the engine
puts them into its automaton and runs the regex only on texts where one was found.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from re import _constants as C  # noqa: N812
from re import _parser

from .normalize import EXPAND, NOISE, Profile, table_for

_SINGLE = {C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN, C.CATEGORY}
_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT}
_CATEGORY_CODES = {
    C.CATEGORY_DIGIT: r"\d",
    C.CATEGORY_NOT_DIGIT: r"\D",
    C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S",
    C.CATEGORY_WORD: r"\w",
    C.CATEGORY_NOT_WORD: r"\W",
}
_AT_CODES = {
    C.AT_BEGINNING: "^",
    C.AT_BEGINNING_STRING: r"\A",
    C.AT_END: "$",
    C.AT_END_STRING: r"\Z",
    C.AT_BOUNDARY: r"\b",
    C.AT_NON_BOUNDARY: r"\B",
}
_FLAG_LETTERS = (
    (re.IGNORECASE, "i"),
    (re.MULTILINE, "m"),
    (re.DOTALL, "s"),
    (re.ASCII, "a"),
)
# Ranges up to this size get the normalized form of each member added to the class.
_SMALL_RANGE = 512


@dataclass(frozen=True, slots=True)
class CompiledRule:
    regex: re.Pattern  # runs on the normalized text
    exact: re.Pattern | None  # full-matches a span with its collapsed runs restored
    literals: tuple[str, ...] | None  # one of them is in every match (None: run on every text)
    normalized: str  # the pattern ``regex`` was compiled from
    # ``exact`` must confirm every match, not only those whose span had a run collapsed,
    # because collapsing changed the pattern itself (``塌塌实实`` -> ``塌实``)
    always_exact: bool = False


def compile_rule(pattern: str, profile: Profile) -> CompiledRule:
    """The rule ``pattern`` for text normalized with ``profile``; raises ``re.error`` if invalid."""
    raw = re.compile(pattern)
    try:
        parsed = _parser.parse(pattern)
        writer = _Writer(profile, parsed.state)
        tree = writer.normalize(list(parsed))
        flags = writer.flags(parsed.state.flags)
        normalized = flags + writer.write(tree, collapse=profile.repeats)
        regex = re.compile(normalized)
    except (re.error, RecursionError, TypeError, ValueError):
        # A construct the writer cannot express for this profile (e.g. a lookbehind whose width
        # normalization changes): keep the rule as written, which matches plain text only.
        return CompiledRule(raw, None, required_literals(pattern), pattern)
    exact = None
    if profile.repeats:
        with contextlib.suppress(re.error, RecursionError, TypeError, ValueError):
            exact = re.compile(flags + writer.write(tree, collapse=False, plural=True))
    return CompiledRule(
        regex, exact, required_literals(normalized), normalized, writer.collapsed and bool(exact)
    )


class _Writer:
    def __init__(self, profile: Profile, state):
        self.profile = profile
        self.table = table_for(profile)
        self.names = {gid: name for name, gid in state.groupdict.items()}
        self.collapsed = False  # whether writing for collapsed text changed the pattern

    # --- literal normalization on the parse tree ------------------------------------------------

    def fold(self, cp: int) -> str:
        mapped = self.table.table[cp]
        if mapped == NOISE:
            return ""
        if mapped == EXPAND:
            return "".join(map(chr, self.table.expansions[cp].tolist()))
        return chr(int(mapped))

    def normalize(self, items: list) -> list:
        out = []
        for op, av in items:
            if op is C.LITERAL:
                out.extend((C.LITERAL, ord(c)) for c in self.fold(av))
            elif op is C.NOT_LITERAL:
                folded = self.fold(av)
                if not folded:
                    out.append((C.ANY, None))  # "not this noise character": any kept character
                else:
                    out.append((C.NOT_LITERAL, ord(folded[0]) if len(folded) == 1 else av))
            elif op is C.IN:
                node = self.normalize_class(av)
                if node is not None:
                    out.append(node)
            elif op in _REPEATS:
                lo, hi, body = av
                body = self.normalize(list(body))
                if body:
                    out.append((op, (lo, hi, body)))
            elif op is C.SUBPATTERN:
                gid, add, delete, body = av
                body = self.normalize(list(body))
                if body or gid is not None:
                    out.append((op, (gid, add, delete, body)))
            elif op is C.BRANCH:
                out.append((op, (None, [self.normalize(list(b)) for b in av[1]])))
            elif op in (C.ASSERT, C.ASSERT_NOT):
                direction, body = av
                new = self.normalize(list(body))
                if new or not list(body):
                    out.append((op, (direction, new)))
                # An assertion about noise only always holds: noise is never in the text.
            elif op is C.GROUPREF_EXISTS:
                gid, yes, no = av
                out.append(
                    (op, (gid, self.normalize(list(yes)), self.normalize(list(no)) if no else None))
                )
            elif op is C.ATOMIC_GROUP:
                out.append((op, self.normalize(list(av))))
            else:
                out.append((op, av))
        return out

    def normalize_class(self, members) -> tuple | None:
        negate = bool(members) and members[0][0] is C.NEGATE
        kept: list = []
        seen: set = set()

        def add(node):
            if node not in seen:
                seen.add(node)
                kept.append(node)

        for op, av in members:
            if op is C.NEGATE:
                continue
            if op is C.LITERAL:
                folded = self.fold(av)
                if len(folded) == 1:
                    add((C.LITERAL, ord(folded)))
                elif folded:
                    add((C.LITERAL, av))  # expands to several characters: cannot be a member
            elif op is C.RANGE:
                lo, hi = av
                add((op, av))
                if hi - lo <= _SMALL_RANGE:
                    for cp in range(lo, hi + 1):
                        folded = self.fold(cp)
                        if len(folded) == 1 and not lo <= ord(folded) <= hi:
                            add((C.LITERAL, ord(folded)))
            else:
                add((op, av))
        if not kept:
            return (C.ANY, None) if negate else None  # only noise: drops out of the pattern
        return (C.IN, ([(C.NEGATE, None)] if negate else []) + kept)

    # --- writing the tree back as a pattern ------------------------------------------------------

    @staticmethod
    def flags(flags: int) -> str:
        letters = _letters(flags)
        return f"(?{letters})" if letters else ""

    def write(self, items: list, collapse: bool, plural: bool = False) -> str:
        self._collapse, self._plural = collapse, plural
        return self._seq(items, in_assert=False)

    def _seq(self, items: list, in_assert: bool) -> str:
        parts: list[str] = []
        previous = None
        for op, av in items:
            if self._collapse and op is C.LITERAL and previous == (op, av):
                self.collapsed = True  # the text never has the doubled character any more
                continue
            if self._collapse and op in _REPEATS and not in_assert:
                lo, hi, body = av
                if len(body) == 1 and body[0][0] in _SINGLE:
                    # A run of one character is a single character in the collapsed text.
                    if body[0] == previous and lo >= 1:
                        self.collapsed = True
                        av = (0, hi, body)  # "xx+": the run is already there
                    elif lo >= 2:
                        self.collapsed = True
                        av = (1, hi, body)
            parts.append(self._node(op, av, in_assert))
            previous = (op, av) if op is C.LITERAL else None
        return "".join(parts)

    def _node(self, op, av, in_assert: bool) -> str:
        if op in _SINGLE:
            atom = self._single(op, av)
            if self._plural and not in_assert and not _digits_only(op, av):
                return f"(?:{atom})+"
            return atom
        if op in _REPEATS:
            lo, hi, body = av
            inner = self._seq(body, in_assert)
            atom = len(body) == 1 and (body[0][0] in _SINGLE or body[0][0] is C.SUBPATTERN)
            if not atom or inner.endswith(")+"):
                inner = f"(?:{inner})"
            suffix = {C.MAX_REPEAT: "", C.MIN_REPEAT: "?", C.POSSESSIVE_REPEAT: "+"}[op]
            return inner + _quantifier(lo, hi) + suffix
        if op is C.SUBPATTERN:
            gid, add, delete, body = av
            inner = self._seq(body, in_assert)
            on, off = _letters(add), _letters(delete)
            if on or off:
                inner = f"(?{on}{'-' + off if off else ''}:{inner})"
            if gid is None:
                return f"(?:{inner})"
            name = self.names.get(gid)
            return f"(?P<{name}>{inner})" if name else f"({inner})"
        if op is C.BRANCH:
            return "(?:" + "|".join(self._seq(b, in_assert) for b in av[1]) + ")"
        if op in (C.ASSERT, C.ASSERT_NOT):
            if self._plural:
                return (
                    ""  # context was checked by the collapsed regex; ``exact`` sees the span only
                )
            direction, body = av
            head = {(C.ASSERT, 1): "(?=", (C.ASSERT, -1): "(?<=", (C.ASSERT_NOT, 1): "(?!"}
            opener = head.get((op, direction), "(?<!")
            return opener + self._seq(body, in_assert=True) + ")"
        if op is C.AT:
            return _AT_CODES[av]
        if op is C.GROUPREF:
            return f"(?:\\{av})"
        if op is C.GROUPREF_EXISTS:
            gid, yes, no = av
            tail = "|" + self._seq(no, in_assert) if no is not None else ""
            return f"(?({gid}){self._seq(yes, in_assert)}{tail})"
        if op is C.ATOMIC_GROUP:
            return f"(?>{self._seq(av, in_assert)})"
        raise ValueError(f"unsupported regex construct {op}")

    def _single(self, op, av) -> str:
        if op is C.LITERAL:
            return re.escape(chr(av))
        if op is C.NOT_LITERAL:
            return f"[^{re.escape(chr(av))}]"
        if op is C.ANY:
            return "."
        if op is C.CATEGORY:
            return _CATEGORY_CODES[av]
        parts = []
        for member, value in av:
            if member is C.NEGATE:
                parts.append("^")
            elif member is C.LITERAL:
                parts.append(re.escape(chr(value)))
            elif member is C.RANGE:
                parts.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
            else:
                parts.append(_CATEGORY_CODES[value])
        return "[" + "".join(parts) + "]"


def _digits_only(op, av) -> bool:
    """Whether a one-character atom matches only digits: numbers are exact, never a run."""
    if op is C.LITERAL:
        return chr(av).isdigit()
    if op is C.CATEGORY:
        return av is C.CATEGORY_DIGIT
    if op is C.IN:
        return all(
            (m is C.LITERAL and chr(v).isdigit())
            or (m is C.RANGE and chr(v[0]).isdigit() and chr(v[1]).isdigit())
            or (m is C.CATEGORY and v is C.CATEGORY_DIGIT)
            for m, v in av
        )
    return False


def _letters(flags: int) -> str:
    return "".join(letter for flag, letter in _FLAG_LETTERS if flags & flag)


def _quantifier(lo: int, hi: int) -> str:
    if hi == C.MAXREPEAT:
        return {0: "*", 1: "+"}.get(lo, f"{{{lo},}}")
    if (lo, hi) == (0, 1):
        return "?"
    return f"{{{lo}}}" if lo == hi else f"{{{lo},{hi}}}"


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Literals one of which every match of ``pattern`` contains (None if none is known).

    Either the longest literal run of the pattern's top-level sequence, or, when that is shorter,
    one literal per alternative of a top-level alternation (``银监会|保监会``).
    """
    try:
        parsed = _parser.parse(pattern)
    except re.error:
        return None
    if parsed.state.flags & ~(re.UNICODE | re.DEBUG):
        return None  # IGNORECASE, VERBOSE, ...: the literal may not be what matches
    return _sequence_literals(list(parsed))


def _sequence_literals(items: list) -> tuple[str, ...] | None:
    best: tuple[str, ...] | None = None
    score = 0
    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        if len(run) > score:
            best, score = ("".join(run),), len(run)
        run = []
        if op is C.BRANCH:
            alternatives = [_sequence_literals(list(b)) for b in av[1]]
            if all(alternatives):
                literals = tuple(dict.fromkeys(lit for alt in alternatives for lit in alt))
                shortest = min(map(len, literals))
                if shortest > score:
                    best, score = literals, shortest
        elif op is C.SUBPATTERN:
            inner = _sequence_literals(list(av[3]))
            if inner and min(map(len, inner)) > score:
                best, score = inner, min(map(len, inner))
        elif op in _REPEATS and av[0] >= 1:
            inner = _sequence_literals(list(av[2]))
            if inner and min(map(len, inner)) > score:
                best, score = inner, min(map(len, inner))
    return best
