"""Publishing events of portal pages become deliveries, in the publishing transaction."""

from django.dispatch import Signal
from wagtail.signals import page_published, page_unpublished

from .models import Delivery

#: A delivery reached its end (published, withdrawn or failed for good); the audit log listens.
#: Arguments: ``delivery``, ``state``, ``error`` (the Chinese reason of a failure).
delivery_finished = Signal()


def _published(sender, instance, revision=None, **kwargs):
    from .services import fan_out

    fan_out(
        instance, Delivery.Action.PUBLISH, revision=revision, user=getattr(revision, "user", None)
    )


def _unpublished(sender, instance, **kwargs):
    from .services import fan_out

    fan_out(instance, Delivery.Action.WITHDRAW, user=kwargs.get("user"))


def connect():
    page_published.connect(_published, dispatch_uid="channels_page_published")
    page_unpublished.connect(_unpublished, dispatch_uid="channels_page_unpublished")
