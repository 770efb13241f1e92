"""Plain text of pages for search snippets, segmentation and scanning."""

import html
import re

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def strip_html(value: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value or ""))).strip()


def stream_text(stream) -> str:
    """All human-readable text of a StreamField value, in order."""
    parts: list[str] = []

    def walk(value):
        if value is None:
            return
        if hasattr(value, "source"):  # RichText
            parts.append(strip_html(value.source))
        elif isinstance(value, str):
            parts.append(strip_html(value))
        elif isinstance(value, dict) or hasattr(value, "items"):
            for key, item in value.items():
                if key == "data" and isinstance(item, list):  # TableBlock rows
                    for row in item:
                        parts.extend(str(cell) for cell in row if cell)
                else:
                    walk(item)
        elif (
            isinstance(value, list | tuple)
            or hasattr(value, "__iter__")
            and not hasattr(value, "file")
        ):
            try:
                for item in value:
                    walk(getattr(item, "value", item))
            except TypeError:
                return

    for child in stream or []:
        walk(child.value)
    return " ".join(p for p in parts if p)
