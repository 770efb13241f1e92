"""HTTP API of sensitive_words for other systems: ``POST /api/v1/sensitive-words/check``.

Mounted by the project's one NinjaAPI (``cms/api.py``). Errors use the project's JSON shape
``{"code", "message", "details"}``.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from . import services

router = Router(tags=["敏感词"])

MAX_TEXT_CHARS = 200_000


class CheckIn(Schema):
    text: str = Field(..., description="要检查的文本")
    site: str | None = Field(None, description="门户站点代码；留空只用全站通用词库")


class HitOut(Schema):
    start: int
    end: int
    word: str
    matched_text: str
    category: str
    level: str
    suggestion: str
    dictionary: str
    kind: str


class CheckOut(Schema):
    hits: list[HitOut]
    masked_text: str
    level: str | None = Field(None, description="最严重的命中级别：block / review / replace")
    version: int = Field(..., description="所用词库版本")


class ErrorOut(Schema):
    code: str
    message: str
    details: dict


@router.post("/check", response={200: CheckOut, 413: ErrorOut}, summary="检查文本中的敏感词")
def check(request: HttpRequest, payload: CheckIn):
    if len(payload.text) > MAX_TEXT_CHARS:
        return Status(
            413,
            {
                "code": "text_too_long",
                "message": f"文本过长，单次最多 {MAX_TEXT_CHARS} 个字符",
                "details": {"max_chars": MAX_TEXT_CHARS, "chars": len(payload.text)},
            },
        )
    engine = services.get_engine()
    hits = engine.check(payload.text, site=payload.site)
    return Status(
        200,
        {
            "hits": [h.as_dict() for h in hits],
            "masked_text": services.mask_text(payload.text, hits),
            "level": services.max_level(hits),
            "version": engine.version,
        },
    )
