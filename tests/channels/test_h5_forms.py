"""The WeChat H5 forms share the portal's citizen-form markup: the error summary linking to
each field, the server's limits, the query code with its copy button and receipt."""

import re

import pytest

from backend_bridge.services.submission import LIMITS
from tests.backend_bridge.test_citizen_forms import _summary_is_complete

pytestmark = pytest.mark.django_db


def test_h5_petition_form_has_the_error_summary_and_the_limits(client, h5_host, h5_accounts):
    response = client.post("/wechat/gxdy/h5/xf/", {}, headers={"Host": h5_host})
    html = response.content.decode()
    assert response.status_code == 400 and "<title>错误：" in html
    page = _summary_is_complete(html, {"petition_type", "title", "content", "name", "sms_code"})
    assert page.by_id["id_content"]["maxlength"] == str(LIMITS["content"])


def test_h5_confirmation_has_the_copy_button_and_the_receipt(
    client, h5_host, h5_accounts, h5_id_number, h5_sms_ok
):
    from tests.channels.test_wechat_h5 import petition_form

    response = client.post(
        "/wechat/gxdy/h5/xf/", petition_form(h5_id_number), headers={"Host": h5_host}
    )
    page = client.get(response["Location"], headers={"Host": h5_host}).content.decode()
    code = re.search(r"data-query-code>([A-Z0-9-]+)<", page).group(1)
    assert 'data-copy="query-code"' in page and "/wechat/gxdy/h5/ok/hz/" in page
    receipt = client.get("/wechat/gxdy/h5/ok/hz/", headers={"Host": h5_host}).content.decode()
    assert code in receipt and "提交回执" in receipt
