"""Pure-Python detection engine (no Django): normalization, automaton, rules, PII, hot reload."""

from .core import (
    BLOCK,
    CATEGORIES,
    LEVEL_LABELS,
    LEVELS,
    PRIVACY,
    REPLACE,
    REVIEW,
    SEVERITY,
    AllowEntry,
    Engine,
    Entry,
    Hit,
    Rule,
    mask,
    max_level,
)
from .holder import EngineHolder
from .normalize import DEFAULT_PROFILE, NormalizedText, Profile, normalize, normalize_word
from .pii import find_pii, valid_id_number, valid_luhn

__all__ = [
    "BLOCK",
    "CATEGORIES",
    "DEFAULT_PROFILE",
    "LEVELS",
    "LEVEL_LABELS",
    "PRIVACY",
    "REPLACE",
    "REVIEW",
    "SEVERITY",
    "AllowEntry",
    "Engine",
    "EngineHolder",
    "Entry",
    "Hit",
    "NormalizedText",
    "Profile",
    "Rule",
    "find_pii",
    "mask",
    "max_level",
    "normalize",
    "normalize_word",
    "valid_id_number",
    "valid_luhn",
]
