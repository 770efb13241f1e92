"""Signals of the bridge, for apps that act on citizens' submissions without the bridge knowing
them (``channels`` sends WeChat subscribe messages on ``status_changed``)."""

from django.dispatch import Signal

#: A submission's current status changed. Sent inside the transaction that recorded it, so that
#: a receiver's outbox row commits (or rolls back) with the change.
#: Arguments: ``submission`` (updated), ``event`` (the ``StatusEvent``), ``previous`` (status).
status_changed = Signal()

#: Someone saw a submission's personal data unmasked (the audit log listens).
#: Arguments: ``user``, ``submission``, ``fields`` (comma-separated), ``reason``, ``ip``.
pii_revealed = Signal()

#: A citizen-side limit refused a request (lookup locked after failures, SMS codes over a limit):
#: the audit log records these as refused abuse. Arguments: ``kind``, ``ip``, ``details``.
abuse_refused = Signal()

#: Staff exported data of the bridge (the evaluations' XLSX): the audit log records it as an
#: export. Arguments: ``user``, ``action`` (e.g. ``evaluation_export``), ``what`` (in Chinese),
#: ``count``, ``filters``, ``portal`` (code of the portal filtered on, or "").
data_exported = Signal()
