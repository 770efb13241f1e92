"""The mini-program API's OpenAPI document as kept in the repository (docs/mp-openapi.json):
the same document ``/api/mp/v1/openapi.json`` serves, written with stable formatting so that a
stale copy shows as a diff (``manage.py mp_openapi`` rewrites it; a test compares them)."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

DOCUMENT = Path(settings.BASE_DIR) / "docs" / "mp-openapi.json"


def render() -> str:
    from .api import mp_api

    schema = mp_api.get_openapi_schema()
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
