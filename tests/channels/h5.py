"""Helpers of the WeChat H5 tests: a petition form, and the citizen's WeChat client following
the web authorisation through the simulator's authorize page."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit

GOOD_CODE = "246810"


def petition_form(id_number, **overrides):
    data = {
        "petition_type": "complaint",
        "title": "村道损毁无人修复",
        "content": "我村通往镇上的村道去年被洪水冲毁，至今无人修复，群众出行非常困难。",
        "region_code": "450700",
        "county": "灵山县",
        "name": "黄志强",
        "id_number": id_number,
        "phone": "13900139000",
        "sms_code": GOOD_CODE,
    }
    data.update(overrides)
    return data


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wechat_client_follows(authorize_url: str) -> str:
    """What the citizen's WeChat does with the authorize URL: fetch it (the fragment stays on
    the client) and return where it is sent back to."""
    url = authorize_url.split("#", 1)[0]
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(url, timeout=5)
    except urllib.error.HTTPError as answer:
        assert answer.code == 302
        return answer.headers["Location"]
    raise AssertionError("the authorize page did not redirect")


def sign_in(client, host, path, simulator, openid="oGXXF-citizen-0001"):
    """Open ``path`` as a citizen whose WeChat signs in with ``openid``; returns the page."""
    simulator.oauth_openid = openid
    response = client.get(path, headers={"Host": host})
    assert response.status_code == 302
    back = wechat_client_follows(response["Location"])
    split = urlsplit(back)
    assert split.netloc == host
    response = client.get(f"{split.path}?{split.query}", headers={"Host": host})
    assert response.status_code == 302 and response["Location"] == path
    return client.get(path, headers={"Host": host})
