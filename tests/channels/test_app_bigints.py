"""Numbers beyond the database's integers are answered 4xx, never 500."""

import pytest

from tests.channels.app_helpers import Device, staff_sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("app_settings", "portals")]
HUGE = 10**30


def test_huge_ids_in_bodies_and_paths(client, staff):
    device = Device(client)
    base = {
        "portal": "nanning",
        "title": "标题标题",
        "content": "内容" * 10,
        "name": "王五",
        "phone": "13800138000",
        "sms_code": "123456",
    }
    for path, body in (
        ("/leader-messages", {**base, "leader": HUGE}),
        ("/suggestions", {**base, "domain": HUGE, "campaign": HUGE}),
    ):
        response = device.post(path, body)
        assert 400 <= response.status_code < 500, (path, response.content)
    staff_device = staff_sign_in(client, staff("nanning", "handler"))
    for path in (f"/staff/submissions/{HUGE}", "/staff/submissions/9223372036854775808"):
        response = staff_device.get(path)
        assert response.status_code == 404, (path, response.content)
    response = staff_device.post(f"/staff/submissions/{HUGE}/notes", {"content": "备注内容"})
    assert response.status_code == 404
    assert staff_device.get("/staff/submissions", page=HUGE).status_code == 200
