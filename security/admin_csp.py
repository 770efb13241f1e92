"""Nonces for the inline scripts that the Wagtail admin still writes.

The admin's policy (settings.CONTENT_SECURITY_POLICY_ADMIN) has no 'unsafe-inline' for scripts:
an inline ``<script>`` runs only with the request's nonce (django-csp's ``request.csp_nonce``).
Wagtail writes a few initialisers inline where no request is at hand: its date and time widgets,
InlinePanel and MultipleChooserPanel (templates overridden under cms/templates/wagtailadmin/)
and every chooser widget outside a StreamField (``BaseChooser.render``, wrapped below). The
middleware keeps the admin request being answered in a context variable so that these renderers
can stamp its nonce; outside the admin there is none and nothing is stamped (public pages are
cached whole and carry no inline script at all).
"""

from __future__ import annotations

import contextvars

from django.utils.html import format_html
from django.utils.safestring import mark_safe

_admin_request = contextvars.ContextVar("admin_csp_request", default=None)


def set_admin_request(request) -> contextvars.Token:
    return _admin_request.set(request)


def reset_admin_request(token: contextvars.Token) -> None:
    _admin_request.reset(token)


def nonce() -> str:
    """The nonce of the admin request being answered ("" outside the admin). Reading it makes
    django-csp put it into that response's header."""
    request = _admin_request.get()
    if request is None or not hasattr(request, "csp_nonce"):
        return ""
    return str(request.csp_nonce)


def nonce_attribute():
    value = nonce()
    return format_html(' nonce="{}"', value) if value else ""


def _chooser_render(self, name, value, attrs=None, renderer=None):
    # Wagtail's BaseChooser.render, with the initialiser carrying the nonce. "<" is written as
    # \u003c: the initialiser is JSON arguments to a constructor, where "<" only occurs inside
    # string literals, so a value holding "</script>" cannot end the element early.
    try:
        id_ = attrs["id"]
    except (KeyError, TypeError) as e:
        raise TypeError("BaseChooser cannot be rendered without an 'id' attribute") from e
    value_data = self.get_value_data(value)
    widget_html = self.render_html(name, value_data, attrs)
    js = self.render_js_init(id_, name, value_data).replace("<", "\\u003c")
    return format_html("{}<script{}>{}</script>", widget_html, nonce_attribute(), mark_safe(js))


def install() -> None:
    """Wrap Wagtail's chooser widgets (called once from SecurityConfig.ready)."""
    from wagtail.admin.widgets.chooser import BaseChooser

    BaseChooser.render = _chooser_render


__all__ = ["install", "nonce", "nonce_attribute"]
