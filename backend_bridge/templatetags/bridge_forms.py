"""Template helpers of the citizens' forms: a field's control with the ARIA links to its help,
counter and errors, and the anchor that the error summary links to.

Shared by the portal pages and the WeChat H5 pages (``channels``), so that both get the same
accessible markup from one place.
"""

from django import template
from django.forms.widgets import CheckboxSelectMultiple, RadioSelect

register = template.Library()


@register.filter
def bb_anchor(field) -> str:
    """The id of the element a link to this field should move to: its control, or for a group
    of radio buttons the first one (a group has no single control to label)."""
    if isinstance(field.field.widget, RadioSelect | CheckboxSelectMultiple):
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id


@register.filter
def bb_limit(field):
    """The service's length limit of this field (``LimitedCharField``), or None."""
    return getattr(field.field, "limit", None)


@register.simple_tag
def bb_control(field):
    """The field's widget with ``aria-describedby`` pointing at its help text, its counter and
    its errors, and ``aria-invalid`` when it has errors."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if bb_limit(field):
        described.append(f"{field.auto_id}_count")
    if field.errors:
        described.append(f"{field.auto_id}_errors")
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
