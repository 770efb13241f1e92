"""The interface every case-system client implements, and its errors."""

from __future__ import annotations


class CaseSystemError(Exception):
    """Delivery did not succeed; the outbox keeps the item and retries it later."""


class TransientError(CaseSystemError):
    """Network failure, timeout, 5xx, 429: the same request may well succeed later."""


class PermanentError(CaseSystemError):
    """The case system refused the request (4xx): retried too, but staff must look at it."""


class CaseClient:
    """Operations of the case-system contract. Every write carries an idempotency key: the case
    system answers a repeated key with the first answer and never creates a second case."""

    is_inbox = False

    def submit_case(self, payload: dict, idempotency_key: str) -> dict:
        """→ ``{"case_id": str, "status": str, ...}``"""
        raise NotImplementedError

    def submit_evaluation(self, case_id: str, payload: dict, idempotency_key: str) -> dict:
        raise NotImplementedError

    def submit_follow_up(self, case_id: str, payload: dict, idempotency_key: str) -> dict:
        raise NotImplementedError

    def submit_action(self, case_id: str, payload: dict, idempotency_key: str) -> dict:
        """A staff member's step or note (``CaseAction``) → ``{"case_id", "event_id"?}``."""
        raise NotImplementedError

    def get_case(self, case_id: str) -> dict | None:
        """→ the case's status document (see the contract), or None when nothing can be pulled."""
        raise NotImplementedError
