"""Errors the services raise; front doors turn them into form errors or the API's JSON shape."""

from __future__ import annotations


class BridgeError(Exception):
    """A refusal the citizen can understand: ``code`` for machines, ``message`` in zh-hans.

    ``field_errors`` maps input field names to zh-hans messages (form fields or API fields).
    """

    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field_errors: dict[str, list[str]] | None = None,
        details: dict | None = None,
        status: int | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field_errors = field_errors or {}
        self.details = details or {}
        if status is not None:
            self.status = status

    def as_details(self) -> dict:
        details = dict(self.details)
        if self.field_errors:
            details["fields"] = self.field_errors
        return details


class InvalidInput(BridgeError):
    status = 400

    def __init__(
        self, field_errors: dict[str, list[str]], message: str = "提交的内容有误，请按提示修改"
    ):
        super().__init__("invalid_input", message, field_errors=field_errors)


class NotAllowed(BridgeError):
    status = 409


class LookupFailed(BridgeError):
    status = 403


class LockedOut(BridgeError):
    status = 429
