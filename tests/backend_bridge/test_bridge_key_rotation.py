"""Key versions and rotate_keys: old and new keys readable during the rotation, lookups and
duplicate detection working throughout, everything under the new keys afterwards."""

import io
import secrets

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from backend_bridge import crypto
from backend_bridge.models import Submission
from backend_bridge.services.lookup import lookup
from backend_bridge.services.submission import find_duplicate

pytestmark = pytest.mark.django_db


def _raw(pk):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, id_number, phone, id_index FROM backend_bridge_submission WHERE id = %s",
            [pk],
        )
        return cursor.fetchone()


@pytest.fixture
def new_keys(settings):
    """Switch to version 2 of both keys, version 1 kept readable; returns the old keys."""
    old_sm4, old_index = settings.PII_SM4_KEY, settings.PII_INDEX_KEY

    def switch():
        settings.PII_SM4_OLD_KEYS = [f"1:{old_sm4}"]
        settings.PII_INDEX_OLD_KEYS = [f"1:{old_index}"]
        settings.PII_SM4_KEY, settings.PII_SM4_KEY_VERSION = secrets.token_hex(16), 2
        settings.PII_INDEX_KEY, settings.PII_INDEX_KEY_VERSION = secrets.token_hex(16), 2

    return switch


def test_tokens_name_their_key_version_and_old_tokens_stay_readable(settings, new_keys):
    old = crypto.encrypt("张三丰")
    legacy = crypto.TOKEN_PREFIX + old.split(":", 2)[2]  # written before versions existed
    assert crypto.token_key_version(old) == 1 and crypto.token_key_version(legacy) == 1
    new_keys()
    new = crypto.encrypt("张三丰")
    assert crypto.token_key_version(new) == 2
    assert crypto.decrypt(old) == crypto.decrypt(legacy) == crypto.decrypt(new) == "张三丰"
    settings.PII_SM4_OLD_KEYS = []  # the old key retired too early
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(old)


def test_rotation_reencrypts_and_reindexes_while_lookups_keep_working(
    submit, id_number, new_keys, settings
):
    before = submit()
    pk = before.submission.pk
    assert crypto.token_key_version(_raw(pk)[0]) == 1
    new_keys()
    # During the rotation (nothing rotated yet): the citizen's lookup and duplicates still work.
    assert lookup(before.query_code, id_tail=id_number[-6:]).submission.pk == pk
    during = submit(content=Submission.objects.get(pk=pk).content)
    assert during.submission.duplicate_of_id == pk

    out = io.StringIO()
    call_command("rotate_keys", "--batch-size", "1", stdout=out)
    assert "重新加密 1 件" in out.getvalue() and "重建索引 1 件" in out.getvalue()
    assert "仍有 1 件的查询码索引使用索引密钥 v1" in out.getvalue()
    name, id_token, phone, id_index = _raw(pk)
    assert {crypto.token_key_version(t) for t in (name, id_token, phone)} == {2}
    assert id_index == crypto.blind_index(id_number, "id_number")  # under key 2
    rotated = Submission.objects.get(pk=pk)
    assert (rotated.name, rotated.id_number, rotated.phone) == ("张三丰", id_number, "13800138000")
    assert find_duplicate(
        crypto.blind_index(id_number, "id_number"), rotated.content, rotated.created_at
    )
    assert lookup(before.query_code, id_tail=id_number[-6:]).submission.pk == pk

    again = io.StringIO()
    call_command("rotate_keys", stdout=again)  # idempotent: nothing left to do
    assert "重新加密 0 件" in again.getvalue()


def test_dry_run_changes_nothing(submit, new_keys):
    pk = submit().submission.pk
    new_keys()
    call_command("rotate_keys", "--dry-run", stdout=io.StringIO())
    assert crypto.token_key_version(_raw(pk)[0]) == 1


def test_rows_whose_key_is_missing_are_reported_not_lost(submit, settings, new_keys):
    pk = submit().submission.pk
    new_keys()
    settings.PII_SM4_OLD_KEYS = []
    with pytest.raises(CommandError, match="无法解密"):
        call_command("rotate_keys", stdout=io.StringIO())
    assert crypto.token_key_version(_raw(pk)[0]) == 1
