"""``{% csp_nonce_attribute %}``: ` nonce="…"` for an inline script of the admin (security.admin_csp)."""

from django import template

from security import admin_csp

register = template.Library()


@register.simple_tag
def csp_nonce_attribute():
    return admin_csp.nonce_attribute()
