"""The built-in case inbox: with no case system configured, the portal group is its own.

Delivering to it only assigns a local case number; staff then handle the submission in the
Wagtail admin (``backend_bridge.wagtail_hooks``), and what they do is the status citizens see.
"""

from __future__ import annotations

from .base import CaseClient


class InboxCaseClient(CaseClient):
    is_inbox = True

    def submit_case(self, payload: dict, idempotency_key: str) -> dict:
        reference = payload["reference"].replace("-", "")
        return {"case_id": "NB" + payload["submitted_at"][:4] + reference[:12].upper()}

    def submit_evaluation(self, case_id: str, payload: dict, idempotency_key: str) -> dict:
        return {"case_id": case_id}

    def submit_follow_up(self, case_id: str, payload: dict, idempotency_key: str) -> dict:
        return {"case_id": case_id}

    def submit_action(self, case_id: str, payload: dict, idempotency_key: str) -> dict:
        return {"case_id": case_id}

    def get_case(self, case_id: str) -> dict | None:
        return None
