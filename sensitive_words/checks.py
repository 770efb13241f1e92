"""System checks of sensitive_words: settings that would otherwise fail only at first use."""

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def api_keys_are_well_formed(app_configs=None, **kwargs):
    from .api import configured_keys

    try:
        configured_keys()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="sensitive_words.E001")]
    return []
