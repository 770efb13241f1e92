"""Clients of the core case system (网上信访信息管理系统), chosen by settings like email backends.

``get_client()`` returns the HTTP client of the contract in ``docs/case-system-openapi.yaml`` when
``CASE_SYSTEM_URL`` is set, and the built-in case inbox (the Wagtail admin) otherwise.
"""

from __future__ import annotations

from django.conf import settings

from .base import CaseClient, CaseSystemError, PermanentError, TransientError

__all__ = ["CaseClient", "CaseSystemError", "PermanentError", "TransientError", "get_client"]


def get_client() -> CaseClient:
    if settings.CASE_SYSTEM_URL:
        from .http import HttpCaseClient

        return HttpCaseClient(
            base_url=settings.CASE_SYSTEM_URL,
            api_key=settings.CASE_SYSTEM_KEY,
            secret=settings.CASE_SYSTEM_SECRET,
            timeout=settings.CASE_SYSTEM_TIMEOUT,
        )
    from .inbox import InboxCaseClient

    return InboxCaseClient()


def uses_inbox() -> bool:
    """True when no case system is configured and staff handle cases in the Wagtail admin."""
    return not settings.CASE_SYSTEM_URL
