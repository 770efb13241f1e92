"""The one call site of ``sensitive_words`` for citizens' texts: hits are flagged, never rejected."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ScreenResult:
    needs_moderation: bool = False
    hits: list[dict] = field(default_factory=list)


def screen(text: str, portal_code: str | None) -> ScreenResult:
    try:
        from sensitive_words.services import screen_text
    except ImportError:  # the module is optional for the bridge
        return ScreenResult()
    screening = screen_text(text, portal_code)
    hits = [
        {
            "word": h.word,
            "category": getattr(h, "category", ""),
            "level": getattr(h, "level", ""),
            "start": getattr(h, "start", None),
            "end": getattr(h, "end", None),
        }
        for h in screening.hits
    ]
    return ScreenResult(needs_moderation=bool(screening.needs_moderation), hits=hits)
