"""The admin's rich-text editor widget (Draftail) with input it cannot parse handled, not a 500.

Draftail's browser script posts the editor's content as contentstate JSON; Wagtail converts it to
the stored HTML through the features' allow-list. A request that carries something else in that
field (HTML typed into the request by hand, truncated or mis-shaped JSON) made the converter
raise and the page editor answer 500. Here such input is read as HTML and passed through the same
allow-list (HTML → contentstate → HTML), so nothing the features do not allow is stored, and what
cannot be read at all is kept as escaped text: the editor's input is never lost and never runs.
"""

from __future__ import annotations

import json
import logging

from django.utils.html import escape
from wagtail.admin.rich_text import DraftailRichTextArea

logger = logging.getLogger(__name__)


class SafeDraftailRichTextArea(DraftailRichTextArea):
    def value_from_datadict(self, data, files, name):
        raw = data.get(name)
        if raw is None:
            return None
        try:
            parsed = json.loads(raw)
            if not isinstance(parsed, dict) or not isinstance(parsed.get("blocks"), list):
                raise ValueError("not contentstate")
            return self.converter.to_database_format(raw)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError):
            logger.warning("rich text field %s: input is not Draftail's contentstate", name)
        try:
            # Through the features' allow-list, as if the editor had pasted it.
            return self.converter.to_database_format(self.converter.from_database_format(raw))
        except Exception:  # noqa: BLE001 - Wagtail's HTML reader asserts on unbalanced tags
            return f"<p>{escape(raw)}</p>"
