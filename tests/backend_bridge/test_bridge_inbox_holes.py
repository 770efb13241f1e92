"""Small holes of the admin inbox closed: tampered buttons are refused with a 4xx (not a 500)
and never reach another portal's data; a filtered list stays filtered from page to page."""

import uuid

import pytest
from django.utils import timezone

from backend_bridge.models import OutboxItem, Submission
from backend_bridge.services import outbox

pytestmark = pytest.mark.django_db


def test_retrying_an_unknown_or_another_portals_item_is_refused(client, submit, simulator, staff):
    simulator.fail_next(2)
    submit(portal_code="liuzhou")
    outbox.run_once()
    theirs = OutboxItem.objects.get()
    waiting_until = theirs.next_attempt_at
    client.force_login(staff("nanning", "handler"))
    assert client.post("/admin/bridge/outbox/retry/", {"item": "abc"}).status_code == 404
    assert client.post("/admin/bridge/outbox/retry/", {"item": theirs.pk}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.next_attempt_at == waiting_until  # not made due by someone else's staff
    assert "柳州" not in client.get("/admin/bridge/outbox/?all=1").content.decode()


def test_an_unknown_action_on_a_case_is_a_400_in_chinese(client, submit, settings, staff):
    settings.CASE_SYSTEM_URL = ""
    case = submit().submission
    client.force_login(staff("nanning", "handler"))
    response = client.post(f"/admin/bridge/{case.pk}/", {"action": "delete"})
    assert response.status_code == 400 and "未知的操作" in response.content.decode()


def test_the_pages_of_a_filtered_list_keep_the_filter(client, submit, settings, staff):
    settings.CASE_SYSTEM_URL = ""
    case = submit().submission
    # 35 more petitions of the same portal, copied (the form's SMS and screening are not the point).
    copies = []
    for _ in range(35):
        copy = Submission.objects.get(pk=case.pk)
        copy.pk = None
        copy.reference = uuid.uuid4()
        copy.query_code_index = uuid.uuid4().hex
        copy.created_at = timezone.now()
        copies.append(copy)
    Submission.objects.bulk_create(copies)
    client.force_login(staff("nanning", "intake"))
    html = client.get(
        "/admin/bridge/", {"kind": "petition", "status": "submitted"}
    ).content.decode()
    assert "kind=petition&amp;status=submitted&amp;p=2" in html
