"""Helpers of the APP content tests: the APP channel configured, publishing as the admin does,
the worker run, and reading the APP API as the APP does."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.management import call_command
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from cms.factories import ArticlePageFactory

API = "/api/app/v1"
APP_CHANNEL = {"class": "channels.app.channel.AppChannel", "code": "app", "label": "广西信访APP"}


def configure_app_channel(settings):
    from channels import base, services

    settings.CHANNELS = [APP_CHANNEL]
    base.forget_channels()
    services.sync_targets()


def work():
    """The operator's worker, once (delivers what publishing wrote into the outbox)."""
    call_command("channels_worker", "--once")


def publish_article(column, title="APP稿件", *, body=None, **fields):
    """A new article published the way every path to live ends (a live revision)."""
    page = ArticlePageFactory(parent=column, title=title, live=False, **fields)
    if body is not None:
        page.body = body
    revision = page.save_revision()
    revision.publish()
    return page


def get(client, path, **params):
    return client.get(f"{API}{path}", params)


def make_image(title, collection, size=(1600, 1000)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (40, 120, 200)).save(buffer, "PNG")
    return get_image_model().objects.create(
        title=title,
        collection=collection,
        file=ImageFile(io.BytesIO(buffer.getvalue()), name=f"{title}.png"),
    )


def make_document(title, collection, name="guide.pdf"):
    return get_document_model().objects.create(
        title=title,
        collection=collection,
        file=ContentFile(
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", name=name
        ),
    )
