"""The one error of the mini-program's services: a machine code, a zh-hans message, a status."""

from __future__ import annotations


class MealError(Exception):
    """Why a request was refused. ``status`` is the HTTP status the API answers with."""

    def __init__(self, code: str, message: str, status: int = 400, details: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details or {}

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "details": self.details}
