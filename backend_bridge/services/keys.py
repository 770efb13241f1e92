"""Key rotation of personal data (密钥轮换): re-encrypt under the current SM4 key and re-compute
the blind indexes under the current index key, in small batches, while the site keeps running.

During a rotation both the old and the new keys are configured (the new one as ``PII_*_KEY``
with a higher ``PII_*_KEY_VERSION``, the old ones in ``PII_*_OLD_KEYS``): every token names its
key version, so rows not yet rotated still decrypt, and lookups try every readable index.
Each batch is a short transaction of single-row updates of the encrypted columns only, so
concurrent status changes of the same submissions are never lost; running it twice is harmless.

Other apps that keep personal data the same way register their tables (``register``, from their
``AppConfig.ready``; the canteen's diners' phone numbers do), so that one ``rotate_keys`` covers
every encrypted column without the bridge importing them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from backend_bridge import crypto
from backend_bridge.models import Submission

PII_FIELDS = ("name", "id_number", "phone")


@dataclass(frozen=True)
class EncryptedTable:
    """A model with SM4 columns (``fields``) and blind indexes (``indexes``: index column →
    (encrypted column it indexes, the index's purpose))."""

    label: str
    model: type
    fields: tuple[str, ...]
    indexes: dict[str, tuple[str, str]]


_TABLES: dict[str, EncryptedTable] = {}


def register(label: str, model, fields, indexes) -> None:
    """Have ``rotate_keys`` re-encrypt ``fields`` and re-compute ``indexes`` of ``model``."""
    _TABLES[model._meta.label_lower] = EncryptedTable(label, model, tuple(fields), dict(indexes))


@dataclass
class TableRotation:
    checked: int = 0
    reencrypted: int = 0
    reindexed: int = 0
    failed: list[int] = field(default_factory=list)


@dataclass
class RotationReport:
    sm4_version: int = 0
    index_version: int = 0
    checked: int = 0
    reencrypted: int = 0
    reindexed: int = 0
    # Query codes are never stored: their indexes keep their key until those cases are gone.
    query_codes_by_old_key: dict[int, int] = field(default_factory=dict)
    failed: list[int] = field(default_factory=list)
    #: The registered tables of other apps, by their label (e.g. 用餐人员).
    tables: dict[str, TableRotation] = field(default_factory=dict)


def _raw_tokens(queryset):
    """The stored ciphertexts themselves (the encrypted field would decrypt them)."""
    return queryset.annotate(
        **{f"raw_{name}": Cast(name, output_field=TextField()) for name in PII_FIELDS}
    )


def rotate(batch_size: int = 500, pause: float = 0.0, dry_run: bool = False) -> RotationReport:
    sm4_version = crypto.key_versions("PII_SM4_KEY")[0]
    index_version = crypto.key_versions("PII_INDEX_KEY")[0]
    report = RotationReport(sm4_version=sm4_version, index_version=index_version)
    last_pk = 0
    while True:
        # Ciphertexts as stored: the encrypted field would decrypt them on load, and one row
        # whose key is missing must be reported, not stop the batch.
        rows = list(
            _raw_tokens(Submission.objects.filter(pk__gt=last_pk).order_by("pk")).values_list(
                "pk", *(f"raw_{name}" for name in PII_FIELDS), "id_index", "phone_index"
            )[:batch_size]
        )
        if not rows:
            break
        last_pk = rows[-1][0]
        with transaction.atomic():
            for pk, *tokens, id_index, phone_index in rows:
                report.checked += 1
                try:
                    _rotate_row(pk, tokens, id_index, phone_index, sm4_version, report, dry_run)
                except crypto.DecryptionError:
                    report.failed.append(pk)
        if pause:
            time.sleep(pause)  # leave the database to the site between batches
    report.query_codes_by_old_key = dict(_query_code_versions(index_version))
    for table in _TABLES.values():
        report.tables[table.label] = _rotate_table(table, sm4_version, batch_size, pause, dry_run)
    return report


def _rotate_table(table: EncryptedTable, sm4_version, batch_size, pause, dry_run):
    result = TableRotation()
    model, names, indexes = table.model, table.fields, list(table.indexes)
    last_pk = 0
    while True:
        raw = model.objects.filter(pk__gt=last_pk).order_by("pk")
        raw = raw.annotate(**{f"raw_{n}": Cast(n, output_field=TextField()) for n in names})
        rows = list(raw.values_list("pk", *(f"raw_{n}" for n in names), *indexes)[:batch_size])
        if not rows:
            break
        last_pk = rows[-1][0]
        with transaction.atomic():
            for pk, *values in rows:
                result.checked += 1
                tokens = dict(zip(names, values[: len(names)], strict=True))
                stored = dict(zip(indexes, values[len(names) :], strict=True))
                try:
                    plain = {n: crypto.decrypt(t) if t else t for n, t in tokens.items()}
                except crypto.DecryptionError:
                    result.failed.append(pk)
                    continue
                updates = {}
                if any(t and crypto.token_key_version(t) != sm4_version for t in tokens.values()):
                    updates.update(plain)  # the encrypted field re-encrypts under the current key
                    result.reencrypted += 1
                fresh = {
                    column: crypto.blind_index(plain[source], purpose) if plain[source] else ""
                    for column, (source, purpose) in table.indexes.items()
                }
                if fresh != stored:
                    updates.update(fresh)
                    result.reindexed += 1
                if updates and not dry_run:
                    model.objects.filter(pk=pk).update(**updates)
        if pause:
            time.sleep(pause)
    return result


def _query_code_versions(current: int):
    from django.db.models import Count

    return (
        Submission.objects.exclude(query_code_key_version=current)
        .values("query_code_key_version")
        .annotate(n=Count("pk"))
        .values_list("query_code_key_version", "n")
        .order_by("query_code_key_version")
    )


def _rotate_row(pk, tokens, id_index, phone_index, sm4_version, report, dry_run):
    plain = {
        name: crypto.decrypt(t) if t else t for name, t in zip(PII_FIELDS, tokens, strict=True)
    }
    stale_tokens = any(t and crypto.token_key_version(t) != sm4_version for t in tokens)
    new_id = crypto.blind_index(plain["id_number"], "id_number") if plain["id_number"] else ""
    new_phone = crypto.blind_index(plain["phone"], "phone") if plain["phone"] else ""
    stale_indexes = (new_id, new_phone) != (id_index, phone_index)
    if not (stale_tokens or stale_indexes):
        return
    updates = {}
    if stale_tokens:
        # Assigning the plaintext re-encrypts it under the current key (EncryptedTextField).
        updates.update(plain)
        report.reencrypted += 1
    if stale_indexes:
        updates.update(id_index=new_id, phone_index=new_phone)
        report.reindexed += 1
    if not dry_run:
        Submission.objects.filter(pk=pk).update(**updates)
