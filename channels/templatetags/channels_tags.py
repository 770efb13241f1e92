"""Template tags of the channels: where a page is out now, for the unpublish confirmation."""

from django import template

from channels import services

register = template.Library()


@register.simple_tag
def channels_showing(page):
    """The channels on which ``page`` is published now, as (code, label) pairs."""
    return services.published_on(page)
