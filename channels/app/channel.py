"""The 广西信访APP as a channel of the publication fan-out.

The APP pulls its content (``/api/app/v1/``); delivering to it means writing the page's change
into the APP's sync journal (:mod:`channels.app.journal`), after the worker has re-checked the
revision with the sensitive-words gate like every channel's. The journal is written from the
page's state at delivery time, so that an older delivery retried late never brings back a page
that was withdrawn since (or withdraws one that was published again).

Configured in ``CHANNELS`` as ``{"class": "channels.app.channel.AppChannel", "code": "app",
"label": "广西信访APP"}``; with ``every_column`` (the default) every column's articles and every
topic go to the APP unless a page chooses its channels itself.
"""

from __future__ import annotations

from channels.base import Channel

from . import journal


class AppChannel(Channel):
    code = "app"
    label = "广西信访APP"
    kind = "app"

    def __init__(self, code: str = "", label: str = "", every_column: bool = True, **options):
        super().__init__(code=code, label=label, **options)
        #: Read by ``channels.services.channels_for``: pages in default mode all go here.
        self.every_column = every_column

    def deliver(self, delivery) -> None:
        page = delivery.page.specific
        if not (page.live and _public(page)):
            return  # withdrawn since: the withdrawal's own delivery writes the tombstone
        entry = journal.record(page, live=True, revision=page.live_revision)
        delivery.remote_id = f"{entry.site_code}#{entry.seq}"

    def withdraw(self, delivery) -> None:
        page = delivery.page.specific
        if page.live and _public(page):
            return  # published again since: its publication's delivery keeps it on the APP
        entry = journal.record(page, live=False)
        delivery.remote_id = f"{entry.site_code}#{entry.seq}"


def _public(page) -> bool:
    from wagtail.models import PageViewRestriction

    return not PageViewRestriction.objects.filter(
        page__in=page.get_ancestors(inclusive=True)
    ).exists()
