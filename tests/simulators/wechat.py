"""Loopback simulator of the WeChat official-account API (api.weixin.qq.com), for the publishing path.

It speaks WeChat's protocol as documented: paths under ``/cgi-bin/``, ``access_token`` in the
query string, JSON bodies, answers ``{"errcode": …, "errmsg": "… rid: …"}`` on errors and the
documented shapes on success. Endpoints:

- ``stable_token`` (POST JSON): normal mode hands out the current token while it has more than
  five minutes left, else issues a new one; ``force_refresh`` issues a new one and invalidates the
  old (at most ``force_refresh_limit`` a day, then 45009). Wrong appid 40013, secret 40125.
- ``material/add_material`` (multipart ``media``, ``type`` in the query), ``material/del_material``,
  ``media/uploadimg`` (multipart; answers an ``http://mmbiz.qpic.cn/…`` URL): format by signature
  bytes and extension (40005), size (40009).
- ``draft/add|get|update|delete|count|batchget``; the cover must be an uploaded image (40007).
- ``freepublish/submit|get|delete|getarticle|batchget``: a publication answers
  ``publish_status`` 1 for ``publish_polls`` polls, then the configured outcome
  (``publish_result``): 0 with ``article_id`` and one URL per article, or any other status with
  ``fail_idx``.
- ``message/mass/sendall|get|delete`` (群发 of a draft to every follower): ``mass_quota`` sends
  are left (then 45028); a repeated ``clientmsgid`` answers 45065 with the first ``msg_id``;
  ``mass/get`` answers SENDING for ``mass_polls`` polls, then ``mass_outcome``.
- ``menu/create|get|delete`` (``create`` checks WeChat's button counts and name sizes:
  40016, 40018, 40023, 40025), ``user/info``, ``message/custom/send``: enough to see wechatpy's
  own groups arrive here.

- Web authorisation (网页授权) and subscribe messages: ``GET /connect/oauth2/authorize`` plays the
  citizen's WeChat client: it answers a 302 to ``redirect_uri?code=…&state=…`` for the simulated
  user ``oauth_openid`` (``authorize_refused = True``: back without a code;
  ``snapshot_user = True``: a Moments-snapshot visitor, ``is_snapshotuser`` 1);
  ``sns/oauth2/access_token`` exchanges a code once (40029 unknown, 40163 used, 42003 expired
  after ``oauth_code_lifetime`` seconds); ``message/subscribe/bizsend`` checks the template
  (``notice_templates``, 40037), the OpenID (40003), the data (47003) and the citizen's refusal
  (``refuse_notices(openid)``: 43101), and keeps what it sent in ``subscribe_messages``;
  ``ticket/getticket?type=jsapi`` hands out ``jsapi_ticket`` for the JS-SDK.

Every API call checks its token: missing 41001, unknown 40014, invalidated 40001, expired 42001.

Controls, beyond ``LoopbackSimulator``'s (``script``, ``requests``, ``delay``):

- behaviours ``busy`` (-1), ``quota`` (45009), ``invalid_token`` (40001 whatever the token),
  besides ``ok``, ``error`` (``error_code``), ``http_500``, ``timeout`` (processed, then answered
  after ``delay``: past the client's timeout) and ``twice`` (processed, answer lost: a client that
  repeats the call creates a second draft, exactly as WeChat would);
- ``script_endpoint("freepublish/submit", "timeout")`` scripts one endpoint only;
  ``answer_busy(n, endpoint=None)``; ``exhaust_quota(endpoint=None)``/``reset_quota()``;
- ``expire_token()`` (the current token lapses: 42001, and normal mode issues a new one);
  ``revoke_token()`` (refused with 40001 while normal mode still hands it out, as when a token
  was invalidated outside the stable-token scheme: only ``force_refresh`` replaces it);
- ``publish_result(status, after_polls=0, fail_idx=None)`` for publications submitted next;
  ``draft_check_fails = True`` makes ``freepublish/submit`` answer 53503;
- inspection: ``calls("draft/add")``, ``token_requests``, ``token_issues``, ``uploads``,
  ``materials``, ``drafts``, ``publications``, ``articles``.

Account migration (its own block at the end of the class): ``user/get`` (pages of
``followers_page_size``), ``user/info/batchget``, ``user/info/updateremark``, ``tags/get``,
``tags/create`` (45157 for a name in use), ``tags/members/batchtagging``,
``material/get_materialcount``, ``material/batchget_material``, ``material/get_material``,
voice and video ``material/add_material``, ``get_current_selfmenu_info`` (``website_menu``) and
``changeopenid``; ``add_follower``, ``add_tag``, ``add_image_material``, ``add_material_file``;
``migrate_followers_from(old)`` plays the platform's own follower migration; with
``image_base = sim.url`` the simulator serves the image and video files it hands out URLs for.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.simulators import BEHAVIOURS, Answer, LoopbackSimulator, RecordedRequest

WECHAT_BEHAVIOURS = BEHAVIOURS + ("busy", "quota", "invalid_token")

ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40004: "invalid media type",
    40005: "invalid file type",
    40007: "invalid media_id",
    40009: "invalid image size",
    40013: "invalid appid",
    40014: "invalid access_token",
    40097: "invalid args",
    40016: "invalid button size",
    40018: "invalid button name size",
    40023: "invalid sub button size",
    40025: "invalid sub button name size",
    40125: "invalid appsecret",
    41001: "access_token missing",
    41005: "media data missing",
    42001: "access_token expired",
    44003: "empty news data",
    44004: "empty content",
    45002: "content size out of limit",
    45003: "title size out of limit",
    45004: "description size out of limit",
    45008: "article size out of limit",
    45009: "reach max api daily quota limit",
    45028: "has no masssend quota",
    45067: "clientmsgid size out of limit",
    46003: "menu no exist",
    47001: "data format error",
    48001: "api unauthorized",
    53503: "该草稿未通过发布检查",
    53600: "Article ID 无效",
    40003: "invalid openid",
    40029: "invalid code",
    40037: "invalid template_id",
    40163: "code been used",
    41008: "missing code",
    42003: "code expired",
    43101: "user refuse to accept the msg",
    47003: "argument invalid! data.thing1.value invalid",
}

IMAGE_EXTENSIONS = {"jpeg": ("jpg", "jpeg"), "png": ("png",), "gif": ("gif",), "bmp": ("bmp",)}


def _sniff(data: bytes) -> str | None:
    # Written independently of the product's check, so a mistake in one shows in the other.
    signatures = {
        b"\xff\xd8\xff": "jpeg",
        b"\x89PNG\r\n\x1a\n": "png",
        b"GIF87a": "gif",
        b"GIF89a": "gif",
        b"BM": "bmp",
    }
    for signature, kind in signatures.items():
        if data[: len(signature)] == signature:
            return kind
    return None


@dataclass
class Upload:
    """A file that arrived in a multipart request."""

    endpoint: str
    field: str
    filename: str
    content_type: str
    data: bytes
    media_type: str = ""


@dataclass
class Publication:
    publish_id: str
    media_id: str
    articles: list[dict]
    msg_data_id: int
    after_polls: int
    outcome: int
    fail_idx: list[int] | None
    polls: int = 0
    article_id: str = ""
    answers: list[dict] = field(default_factory=list)


def parse_multipart(content_type: str, body: bytes) -> list[tuple[str, str, str, bytes]]:
    """(field name, filename, content type, bytes) of each part of a multipart/form-data body."""
    if not content_type.startswith("multipart/form-data"):
        return []
    boundary = ""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.strip().partition("=")
        if name.lower() == "boundary":
            boundary = value.strip('"')
    if not boundary:
        return []
    parts = []
    for chunk in body.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, _, data = chunk.partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = {}
        for item in headers.get("content-disposition", "").split(";")[1:]:
            key, _, value = item.strip().partition("=")
            disposition[key.lower()] = value.strip('"')
        parts.append(
            (
                disposition.get("name", ""),
                disposition.get("filename", ""),
                headers.get("content-type", ""),
                data,
            )
        )
    return parts


class WeChatSimulator(LoopbackSimulator):
    """The official-account API of one account (``app_id``/``secret``)."""

    name = "wechat"
    NORMAL_MODE_RENEWAL = 300  # seconds before expiry when normal mode issues a new token

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.app_id = "wx" + secrets.token_hex(8)
        self.secret = secrets.token_hex(16)
        self.token_lifetime = 7200
        self.force_refresh_limit = 20
        self.error_code = 48001
        self.draft_check_fails = False
        self.publish_polls = 0
        self._publish_outcome: tuple[int, list[int] | None] = (0, None)
        self.token_requests: list[dict] = []
        self.token_issues = 0
        self.uploads: list[Upload] = []
        self.materials: dict[str, dict] = {}
        self.drafts: dict[str, dict] = {}
        self.publications: dict[str, Publication] = {}
        self.articles: dict[str, dict] = {}
        self.menu: dict | None = None
        self.followers = {"oGXXF-citizen-0001": {"nickname": "", "subscribe": 1}}
        self.custom_messages: list[dict] = []
        # Mass sending (群发): sends left in the current period, and every send by msg_id.
        self.mass_quota = 4
        self.mass_polls = 0
        self.mass_outcome = "SEND_SUCCESS"
        self.mass_sends: dict[str, dict] = {}
        self.oauth_openid = "oGXXF-citizen-0001"
        self.oauth_code_lifetime = 300
        self.authorize_refused = False
        self.snapshot_user = False
        self._oauth_codes: dict[str, dict] = {}
        self.notice_templates = {"TPL-progress-0001"}
        self.notice_refusals: set[tuple[str, str | None]] = set()
        self.subscribe_messages: list[dict] = []
        self.jsapi_ticket = "sim_jsapi_" + secrets.token_urlsafe(24)
        self._tokens: dict[str, dict] = {}
        self._current_token: str | None = None
        self._forced_today = 0
        self._quota_exhausted: set[str] = set()
        self._endpoint_scripts: dict[str, deque[str]] = {}
        self._local = threading.local()
        self._state = threading.RLock()
        self._serial = 2247483000
        self.biz = "MzI" + secrets.token_hex(6).upper() + "=="
        # --- account migration (users, tags, material lists, changeopenid) ---------------------
        #: Where the body-image and material URLs point; set it to ``self.url`` to have the
        #: simulator serve the files there, as WeChat's image servers do.
        self.image_base = "http://mmbiz.qpic.cn"
        self.followers_page_size = 10000  # user/get hands out at most this many per page
        self.tags: dict[int, str] = {2: "星标组"}  # WeChat's built-in tag
        self._next_tag_id = 100
        #: from_appid -> {old OpenID: new OpenID}, filled by ``migrate_followers_from``.
        self.migrated_openids: dict[str, dict[str, str]] = {}
        #: A menu set on the platform's website (``selfmenu_info`` shape), which ``menu/get``
        #: does not show.
        self.website_menu: dict | None = None
        # --- end account migration --------------------------------------------------------------

    # --- configuration and control --------------------------------------------------------------
    def account_entry(self, code: str = "gxxf", name: str = "广西信访", kind: str = "service"):
        """An entry of ``WECHAT_ACCOUNTS`` for this simulated account."""
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        return {
            "code": code,
            "name": name,
            "kind": kind,
            "app_id": self.app_id,
            "secret": self.secret,
            "token": "sim" + secrets.token_hex(8),
            "aes_key": "".join(secrets.choice(alphabet) for _ in range(43)),
        }

    def script(self, *behaviours: str) -> None:
        self._check(behaviours)
        with self._lock:
            self._script.extend(behaviours)

    def script_endpoint(self, endpoint: str, *behaviours: str) -> None:
        """Answer the next calls of one endpoint ("draft/add", "stable_token") like this."""
        self._check(behaviours)
        with self._lock:
            self._endpoint_scripts.setdefault(endpoint, deque()).extend(behaviours)

    @staticmethod
    def _check(behaviours):
        for behaviour in behaviours:
            if behaviour not in WECHAT_BEHAVIOURS:
                raise ValueError(f"unknown behaviour {behaviour!r}; one of {WECHAT_BEHAVIOURS}")

    def answer_busy(self, times: int = 1, endpoint: str | None = None) -> None:
        if endpoint:
            self.script_endpoint(endpoint, *["busy"] * times)
        else:
            self.script(*["busy"] * times)

    def exhaust_quota(self, endpoint: str | None = None) -> None:
        """From now on the endpoint (every API endpoint if None) answers 45009."""
        with self._state:
            self._quota_exhausted.add(endpoint or "*")

    def reset_quota(self) -> None:
        with self._state:
            self._quota_exhausted.clear()
            self._forced_today = 0

    def expire_token(self) -> None:
        with self._state:
            if self._current_token:
                self._tokens[self._current_token]["expires_at"] = time.time() - 1

    def revoke_token(self) -> None:
        with self._state:
            if self._current_token:
                self._tokens[self._current_token]["revoked"] = True

    @property
    def current_token(self) -> str | None:
        return self._current_token

    def publish_result(
        self, status: int, *, after_polls: int = 0, fail_idx: list[int] | None = None
    ) -> None:
        """Publications submitted from now on answer ``publish_status`` 1 for ``after_polls``
        polls, then ``status`` (with ``fail_idx``; by default every article for 2, 3 and 4)."""
        with self._state:
            self.publish_polls = after_polls
            self._publish_outcome = (status, fail_idx)

    def follow(self, openid: str) -> None:
        """A citizen who follows the account (and may be sent messages)."""
        with self._state:
            self.followers[openid] = {"nickname": "", "subscribe": 1}

    def refuse_notices(self, openid: str, template_id: str | None = None) -> None:
        """The citizen refused (or revoked) the template (every template if None): 43101."""
        with self._state:
            self.notice_refusals.add((openid, template_id))

    def expire_oauth_codes(self) -> None:
        with self._state:
            for entry in self._oauth_codes.values():
                entry["expires_at"] = time.time() - 1

    @staticmethod
    def endpoint_of(path: str) -> str:
        """``cgi-bin`` endpoints by their short name (``draft/add``); others keep their prefix
        (``sns/oauth2/access_token``, ``sns/jscode2session``, ``wxa/...``)."""
        return urlsplit(path).path.removeprefix("/cgi-bin/").strip("/")

    def calls(self, endpoint: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            requests = list(self.requests)
        if endpoint is None:
            return requests
        return [r for r in requests if self.endpoint_of(r.path) == endpoint]

    # --- behaviour per endpoint -----------------------------------------------------------------
    def _respond(self, handler, body: bytes) -> None:
        endpoint = self.endpoint_of(handler.path)
        with self._lock:
            queue = self._endpoint_scripts.get(endpoint)
            self._local.forced = queue.popleft() if queue else None
        super()._respond(handler, body)

    def _next_behaviour(self) -> str:
        forced = getattr(self._local, "forced", None)
        if forced:
            self._local.forced = None
            return forced
        return super()._next_behaviour()

    # --- answers --------------------------------------------------------------------------------
    @staticmethod
    def _rid() -> str:
        return "-".join(secrets.token_hex(4) for _ in range(3))

    def _error(self, errcode: int, errmsg: str | None = None) -> Answer:
        message = errmsg or ERRMSG.get(errcode, "error")
        return Answer.json(200, {"errcode": errcode, "errmsg": f"{message} rid: {self._rid()}"})

    @staticmethod
    def _ok(**data) -> Answer:
        return Answer.json(200, {"errcode": 0, "errmsg": "ok", **data})

    def _next_id(self) -> int:
        with self._state:
            self._serial += 1
            return self._serial

    def handle(self, request: RecordedRequest, behaviour: str) -> Answer:
        split = urlsplit(request.path)
        endpoint = self.endpoint_of(request.path)
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        if split.path.startswith("/mmbiz_") and request.method == "GET":
            return self._image_file(request)  # account migration: the image server
        if split.path == "/connect/oauth2/authorize":
            return self._authorize(request, query)
        if not split.path.startswith(("/cgi-bin/", "/sns/", "/wxa/")):
            return Answer(404, b"<html><body>404 Not Found</body></html>", "text/html")
        if behaviour == "busy":
            return self._error(-1)
        if behaviour == "error":
            return self._error(self.error_code)
        if endpoint == "stable_token":
            if behaviour == "quota" or "stable_token" in self._quota_exhausted:
                return self._error(45009)
            return self._stable_token(request)
        if behaviour == "invalid_token":
            return self._error(40001)
        if not endpoint.startswith(self.APP_SECRET_ENDPOINTS):
            refused = self._check_token(query.get("access_token"))
            if refused:
                return refused
        if behaviour == "quota" or {"*", endpoint} & self._quota_exhausted:
            return self._error(45009)
        route = self.ROUTES.get(endpoint)
        if route is None:
            return Answer(404, b"<html><body>404 Not Found</body></html>", "text/html")
        method, function = route
        if request.method != method:
            return self._error(43002 if method == "POST" else 43001, f"require {method} method")
        if method == "POST" and not request.headers.get("content-type", "").startswith(
            "multipart/"
        ):
            try:
                payload = json.loads(request.body or b"{}")
            except ValueError:
                return self._error(47001)
            if not isinstance(payload, dict):
                return self._error(47001)
        else:
            payload = {}
        with self._state:
            return function(self, request, query, payload)

    # --- tokens ---------------------------------------------------------------------------------
    def _issue_token(self) -> str:
        token = f"SIM_{self.token_issues + 1}_" + secrets.token_urlsafe(24)
        self._tokens[token] = {"expires_at": time.time() + self.token_lifetime, "revoked": False}
        self._current_token = token
        self.token_issues += 1
        return token

    def _stable_token(self, request: RecordedRequest) -> Answer:
        if request.method != "POST":
            return self._error(43002, "require POST method")
        try:
            body = json.loads(request.body)
        except ValueError:
            return self._error(47001)
        if body.get("grant_type") != "client_credential":
            return self._error(40002)
        if body.get("appid") != self.app_id:
            return self._error(40013)
        if body.get("secret") != self.secret:
            return self._error(40125)
        force = body.get("force_refresh") is True
        with self._state:
            self.token_requests.append({"force_refresh": force})
            now = time.time()
            current = self._tokens.get(self._current_token or "")
            if force:
                if self._forced_today >= self.force_refresh_limit:
                    return self._error(45009)
                self._forced_today += 1
                if current:
                    current["revoked"] = True
                token = self._issue_token()
            elif current and current["expires_at"] - now > self.NORMAL_MODE_RENEWAL:
                token = self._current_token
            else:
                token = self._issue_token()
            expires_in = int(self._tokens[token]["expires_at"] - now)
        return Answer.json(200, {"access_token": token, "expires_in": expires_in})

    def _check_token(self, token: str | None) -> Answer | None:
        if not token:
            return self._error(41001)
        with self._state:
            info = self._tokens.get(token)
            if info is None:
                return self._error(40014)
            if info["revoked"]:
                return self._error(40001)
            if info["expires_at"] <= time.time():
                return self._error(42001)
        return None

    # --- material and media ---------------------------------------------------------------------
    def _receive_image(self, request, endpoint, formats, limit, media_type=""):
        parts = parse_multipart(request.headers.get("content-type", ""), request.body)
        media = next((p for p in parts if p[0] == "media"), None)
        if media is None or not media[3]:
            return None, self._error(41005)
        _, filename, content_type, data = media
        upload = Upload(endpoint, "media", filename, content_type, data, media_type)
        self.uploads.append(upload)
        kind = _sniff(data)
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if kind not in formats or extension not in IMAGE_EXTENSIONS[kind]:
            return None, self._error(40005, f"invalid file type hint: [{extension or 'none'}]")
        if len(data) > limit:
            return None, self._error(40009)
        return (upload, kind), None

    def _mmbiz_url(self, kind: str) -> str:
        return f"{self.image_base}/mmbiz_{kind}/{secrets.token_urlsafe(40)}/0?wx_fmt={kind}"

    def _add_material(self, request, query, payload):
        media_type = query.get("type", "")
        if media_type not in ("image", "voice", "video", "thumb"):
            return self._error(40004)
        if media_type != "image":
            return self._error(40004, "only image material is simulated")
        received, error = self._receive_image(
            request,
            "material/add_material",
            ("jpeg", "png", "gif", "bmp"),
            10 * 1024 * 1024,
            "image",
        )
        if error:
            return error
        upload, kind = received
        media_id = secrets.token_urlsafe(32)
        url = self._mmbiz_url(kind)
        self.materials[media_id] = {"type": "image", "upload": upload, "url": url}
        return Answer.json(200, {"media_id": media_id, "url": url, "item": []})

    def _del_material(self, request, query, payload):
        if self.materials.pop(str(payload.get("media_id")), None) is None:
            return self._error(40007)
        return self._ok()

    def _uploadimg(self, request, query, payload):
        received, error = self._receive_image(
            request, "media/uploadimg", ("jpeg", "png"), 1024 * 1024
        )
        if error:
            return error
        upload, kind = received
        url = self._mmbiz_url(kind)
        self.materials[url] = {"type": "body_image", "upload": upload, "url": url}
        return Answer.json(200, {"url": url})

    # --- drafts ---------------------------------------------------------------------------------
    def _check_article(self, article) -> Answer | None:
        if not isinstance(article, dict) or not str(article.get("title") or "").strip():
            return self._error(44003)
        if not str(article.get("content") or "").strip():
            return self._error(44004)
        cover = self.materials.get(str(article.get("thumb_media_id")))
        if cover is None or cover["type"] != "image":
            return self._error(40007)
        if len(article["title"]) > 64:
            return self._error(45003)
        if len(article.get("digest") or "") > 120:
            return self._error(45004)
        if len(article["content"]) >= 20000 or len(article["content"].encode()) >= 1024 * 1024:
            return self._error(45002)
        return None

    def _news_item(self, article: dict, media_id: str) -> dict:
        cover = self.materials[article["thumb_media_id"]]
        return {
            "title": article["title"],
            "author": article.get("author", ""),
            "digest": article.get("digest") or article["content"][:54],
            "content": article["content"],
            "content_source_url": article.get("content_source_url", ""),
            "thumb_media_id": article["thumb_media_id"],
            "show_cover_pic": 0,
            "need_open_comment": int(article.get("need_open_comment", 0)),
            "only_fans_can_comment": int(article.get("only_fans_can_comment", 0)),
            "pic_crop_235_1": article.get("pic_crop_235_1", ""),
            "pic_crop_1_1": article.get("pic_crop_1_1", ""),
            "url": f"http://mp.weixin.qq.com/s?__biz={self.biz}&tempkey={media_id}",
            "thumb_url": cover["url"],
        }

    def _draft_add(self, request, query, payload):
        articles = payload.get("articles")
        if not isinstance(articles, list) or not articles:
            return self._error(44003)
        if len(articles) > 8:
            return self._error(45008)
        for article in articles:
            refused = self._check_article(article)
            if refused:
                return refused
        media_id = secrets.token_urlsafe(32)
        self.drafts[media_id] = {
            "news_item": [self._news_item(a, media_id) for a in articles],
            "update_time": int(time.time()),
            "serial": self._next_id(),
        }
        return Answer.json(200, {"media_id": media_id})

    def _draft_get(self, request, query, payload):
        draft = self.drafts.get(str(payload.get("media_id")))
        if draft is None:
            return self._error(40007)
        return Answer.json(200, {"news_item": draft["news_item"]})

    def _draft_delete(self, request, query, payload):
        if self.drafts.pop(str(payload.get("media_id")), None) is None:
            return self._error(40007)
        return self._ok()

    def _draft_update(self, request, query, payload):
        media_id = str(payload.get("media_id"))
        draft = self.drafts.get(media_id)
        if draft is None:
            return self._error(40007)
        index = payload.get("index")
        if not isinstance(index, int) or not 0 <= index < len(draft["news_item"]):
            return self._error(40097)
        refused = self._check_article(payload.get("articles"))
        if refused:
            return refused
        draft["news_item"][index] = self._news_item(payload["articles"], media_id)
        draft["update_time"] = int(time.time())
        return self._ok()

    def _draft_count(self, request, query, payload):
        return Answer.json(200, {"total_count": len(self.drafts)})

    @staticmethod
    def _page(payload):
        offset, count = payload.get("offset", 0), payload.get("count", 20)
        if not isinstance(offset, int) or not isinstance(count, int) or not 1 <= count <= 20:
            return None
        return offset, count, bool(payload.get("no_content"))

    @staticmethod
    def _without_content(news: list[dict]) -> list[dict]:
        return [{k: v for k, v in item.items() if k != "content"} for item in news]

    def _draft_batchget(self, request, query, payload):
        page = self._page(payload)
        if page is None:
            return self._error(40097)
        offset, count, no_content = page
        newest = sorted(self.drafts.items(), key=lambda kv: kv[1]["serial"], reverse=True)
        items = []
        for media_id, draft in newest[offset : offset + count]:
            news = self._without_content(draft["news_item"]) if no_content else draft["news_item"]
            items.append(
                {
                    "media_id": media_id,
                    "content": {"news_item": news},
                    "update_time": draft["update_time"],
                }
            )
        return Answer.json(
            200, {"total_count": len(self.drafts), "item_count": len(items), "item": items}
        )

    # --- publishing -----------------------------------------------------------------------------
    def _submit(self, request, query, payload):
        media_id = str(payload.get("media_id"))
        draft = self.drafts.get(media_id)
        if draft is None:
            return self._error(40007)
        if self.draft_check_fails:
            return self._error(53503)
        msg_data_id = self._next_id()
        publish_id = str(msg_data_id + 100_000_000)
        outcome, fail_idx = self._publish_outcome
        self.publications[publish_id] = Publication(
            publish_id=publish_id,
            media_id=media_id,
            articles=[dict(item) for item in draft["news_item"]],
            msg_data_id=msg_data_id,
            after_polls=self.publish_polls,
            outcome=outcome,
            fail_idx=fail_idx,
        )
        return self._ok(publish_id=publish_id, msg_data_id=msg_data_id)

    def _publish_get(self, request, query, payload):
        publication = self.publications.get(str(payload.get("publish_id")))
        if publication is None:
            return self._error(40097)
        publication.polls += 1
        answer = {"publish_id": publication.publish_id}
        if publication.polls <= publication.after_polls:
            answer.update(publish_status=1, fail_idx=[])
        else:
            answer.update(self._final(publication))
        publication.answers.append(answer)
        return Answer.json(200, answer)

    def _final(self, publication: Publication) -> dict:
        status = publication.outcome
        count = len(publication.articles)
        if status in (0, 5, 6):
            if not publication.article_id:
                publication.article_id = secrets.token_urlsafe(30)
                for number, article in enumerate(publication.articles, start=1):
                    article["url"] = (
                        f"https://mp.weixin.qq.com/s?__biz={self.biz}&mid={publication.msg_data_id}"
                        f"&idx={number}&sn={secrets.token_hex(16)}#rd"
                    )
                    article["is_deleted"] = status in (5, 6)
                self.articles[publication.article_id] = {
                    "news_item": publication.articles,
                    "create_time": int(time.time()),
                    "update_time": int(time.time()),
                    "serial": self._next_id(),
                }
                self.drafts.pop(publication.media_id, None)
            answer = {"publish_status": status, "article_id": publication.article_id}
            if status == 0:
                answer["article_detail"] = {
                    "count": count,
                    "item": [
                        {"idx": number, "article_url": article["url"]}
                        for number, article in enumerate(publication.articles, start=1)
                    ],
                }
            answer["fail_idx"] = []
            return answer
        fail_idx = publication.fail_idx
        if fail_idx is None:
            fail_idx = list(range(1, count + 1)) if status in (2, 3, 4) else []
        return {"publish_status": status, "fail_idx": list(fail_idx)}

    def _publish_delete(self, request, query, payload):
        article = self.articles.get(str(payload.get("article_id")))
        if article is None:
            return self._error(53600)
        index = payload.get("index", 0)
        news = article["news_item"]
        if not isinstance(index, int) or not 0 <= index <= len(news):
            return self._error(40097)
        for number, item in enumerate(news, start=1):
            if index in (0, number):
                item["is_deleted"] = True
        return self._ok()

    def _getarticle(self, request, query, payload):
        article = self.articles.get(str(payload.get("article_id")))
        if article is None:
            return self._error(53600)
        return Answer.json(200, {"news_item": article["news_item"]})

    def _publish_batchget(self, request, query, payload):
        page = self._page(payload)
        if page is None:
            return self._error(40097)
        # A publication finishes on WeChat's side whether or not anyone polls it.
        for publication in list(self.publications.values()):
            if publication.polls >= publication.after_polls:
                self._final(publication)
        offset, count, no_content = page
        visible = [
            (article_id, article)
            for article_id, article in self.articles.items()
            if not all(item.get("is_deleted") for item in article["news_item"])
        ]
        visible.sort(key=lambda kv: kv[1]["serial"], reverse=True)
        items = []
        for article_id, article in visible[offset : offset + count]:
            news = (
                self._without_content(article["news_item"]) if no_content else article["news_item"]
            )
            items.append(
                {
                    "article_id": article_id,
                    "content": {
                        "news_item": news,
                        "create_time": article["create_time"],
                        "update_time": article["update_time"],
                    },
                    "update_time": article["update_time"],
                }
            )
        return Answer.json(
            200, {"total_count": len(visible), "item_count": len(items), "item": items}
        )

    # --- menus, users, messages (routing checks for wechatpy's own groups) ----------------------
    def _menu_create(self, request, query, payload):
        buttons = payload.get("button")
        if not isinstance(buttons, list) or not buttons:
            return self._error(40097)
        # WeChat's documented limits: 1-3 buttons (40016), names of at most 16 bytes (40018),
        # 1-5 sub-buttons (40023) named in at most 60 bytes (40025).
        if len(buttons) > 3:
            return self._error(40016)
        for button in buttons:
            if len(str(button.get("name", "")).encode()) > 16:
                return self._error(40018)
            subs = button.get("sub_button")
            if subs is not None:
                if not 1 <= len(subs) <= 5:
                    return self._error(40023)
                if any(len(str(s.get("name", "")).encode()) > 60 for s in subs):
                    return self._error(40025)
        self.menu = payload
        return self._ok()

    def _menu_get(self, request, query, payload):
        if self.menu is None:
            return self._error(46003)
        return Answer.json(200, {"menu": self.menu})

    def _menu_delete(self, request, query, payload):
        self.menu = None
        return self._ok()

    def _user_info(self, request, query, payload):
        openid = query.get("openid", "")
        follower = self.followers.get(openid)
        if follower is None:
            return self._error(40003)
        return Answer.json(
            200, {"openid": openid, "language": query.get("lang", "zh_CN"), **follower}
        )

    def _custom_send(self, request, query, payload):
        if payload.get("touser") not in self.followers:
            return self._error(40003)
        self.custom_messages.append(payload)
        return self._ok()

    # --- mass sending (群发) -----------------------------------------------------------------------
    def _mass_sendall(self, request, query, payload):
        if not (payload.get("filter") or {}).get("is_to_all"):
            return self._error(40097)
        if payload.get("msgtype") != "mpnews":
            return self._error(40097)
        client_msg_id = str(payload.get("clientmsgid") or "")
        if len(client_msg_id) > 64:
            return self._error(45067)
        for msg_id, sent in self.mass_sends.items():
            if client_msg_id and sent["clientmsgid"] == client_msg_id:
                return Answer.json(
                    200,
                    {"errcode": 45065, "errmsg": "clientmsgid exist rid: x", "msg_id": int(msg_id)},
                )
        media_id = str((payload.get("mpnews") or {}).get("media_id") or "")
        draft = self.drafts.get(media_id)
        if draft is None:
            return self._error(40007)
        if self.mass_quota <= 0:
            return self._error(45028, "has no masssend quota")
        self.mass_quota -= 1
        msg_id = str(self._next_id() + 1_000_000_000)
        self.mass_sends[msg_id] = {
            "clientmsgid": client_msg_id,
            "media_id": media_id,
            "articles": [dict(item) for item in draft["news_item"]],
            "polls": 0,
            "after_polls": self.mass_polls,
            "outcome": self.mass_outcome,
            "deleted": [],
        }
        return self._ok(msg_id=int(msg_id), msg_data_id=int(msg_id) + 1)

    def _mass_get(self, request, query, payload):
        sent = self.mass_sends.get(str(payload.get("msg_id")))
        if sent is None:
            return self._error(40097)
        sent["polls"] += 1
        status = "SENDING" if sent["polls"] <= sent["after_polls"] else sent["outcome"]
        return self._ok(msg_id=int(payload["msg_id"]), msg_status=status)

    def _mass_delete(self, request, query, payload):
        sent = self.mass_sends.get(str(payload.get("msg_id")))
        if sent is None:
            return self._error(40097)
        sent["deleted"].append(int(payload.get("article_idx") or 0))
        return self._ok()

    # --- web authorisation and subscribe messages ---------------------------------------------
    def _authorize(self, request, query) -> Answer:
        """The citizen's WeChat client on the authorize page: straight back to the site."""
        problem = ""
        if request.method != "GET":
            problem = "请在微信客户端打开链接"
        elif query.get("appid") != self.app_id:
            problem = "appid 参数错误"
        elif query.get("response_type") != "code":
            problem = "response_type 参数错误"
        elif query.get("scope") not in ("snsapi_base", "snsapi_userinfo"):
            problem = "scope 参数错误"
        elif not query.get("redirect_uri", "").startswith(("http://", "https://")):
            problem = "redirect_uri 参数错误"
        if problem:
            return Answer(200, f"<html><body>{problem}</body></html>".encode(), "text/html")
        back = {"state": query.get("state", "")}
        with self._state:
            if not self.authorize_refused:
                code = secrets.token_urlsafe(24)
                self._oauth_codes[code] = {
                    "openid": self.oauth_openid,
                    "scope": query["scope"],
                    "expires_at": time.time() + self.oauth_code_lifetime,
                    "used": False,
                }
                back = {"code": code, **back}
        target = query["redirect_uri"]
        target += ("&" if "?" in target else "?") + urlencode(back)
        return Answer(302, b"", "text/html", headers={"Location": target})

    def _oauth_access_token(self, request, query, payload):
        if query.get("appid") != self.app_id:
            return self._error(40013)
        if query.get("secret") != self.secret:
            return self._error(40125)
        if query.get("grant_type") != "authorization_code":
            return self._error(40002)
        code = query.get("code", "")
        if not code:
            return self._error(41008)
        entry = self._oauth_codes.get(code)
        if entry is None:
            return self._error(40029)
        if entry["used"]:
            return self._error(40163)
        if entry["expires_at"] <= time.time():
            return self._error(42003)
        entry["used"] = True
        return Answer.json(
            200,
            {
                "access_token": "SNS_" + secrets.token_urlsafe(24),
                "expires_in": 7200,
                "refresh_token": "SNSR_" + secrets.token_urlsafe(24),
                "openid": entry["openid"],
                "scope": entry["scope"],
                "is_snapshotuser": 1 if self.snapshot_user else 0,
            },
        )

    def _bizsend(self, request, query, payload):
        openid = payload.get("touser")
        template_id = payload.get("template_id")
        if template_id not in self.notice_templates:
            return self._error(40037)
        if not isinstance(openid, str) or not openid.startswith("o"):
            return self._error(40003)
        data = payload.get("data")
        if not isinstance(data, dict) or not data:
            return self._error(47003)
        for key, item in data.items():
            value = item.get("value") if isinstance(item, dict) else None
            limit = 20 if key.startswith("thing") else 5 if key.startswith("phrase") else 32
            if not isinstance(value, str) or not value or len(value) > limit:
                return self._error(47003, f"argument invalid! data.{key}.value invalid")
        if {(openid, template_id), (openid, None)} & self.notice_refusals:
            return self._error(43101)
        self.subscribe_messages.append(payload)
        return self._ok()

    def _getticket(self, request, query, payload):
        if query.get("type") != "jsapi":
            return self._error(40097)
        return self._ok(ticket=self.jsapi_ticket, expires_in=7200)

    #: Endpoints called with ``appid`` and ``secret`` instead of an access token (OAuth, login).
    APP_SECRET_ENDPOINTS = ("sns/oauth2/", "sns/jscode2session")

    ROUTES = {
        "material/add_material": ("POST", _add_material),
        "material/del_material": ("POST", _del_material),
        "media/uploadimg": ("POST", _uploadimg),
        "draft/add": ("POST", _draft_add),
        "draft/get": ("POST", _draft_get),
        "draft/delete": ("POST", _draft_delete),
        "draft/update": ("POST", _draft_update),
        "draft/count": ("GET", _draft_count),
        "draft/batchget": ("POST", _draft_batchget),
        "freepublish/submit": ("POST", _submit),
        "freepublish/get": ("POST", _publish_get),
        "freepublish/delete": ("POST", _publish_delete),
        "freepublish/getarticle": ("POST", _getarticle),
        "freepublish/batchget": ("POST", _publish_batchget),
        "menu/create": ("POST", _menu_create),
        "menu/get": ("GET", _menu_get),
        "menu/delete": ("GET", _menu_delete),
        "user/info": ("GET", _user_info),
        "message/custom/send": ("POST", _custom_send),
        "message/mass/sendall": ("POST", _mass_sendall),
        "message/mass/get": ("POST", _mass_get),
        "message/mass/delete": ("POST", _mass_delete),
        "sns/oauth2/access_token": ("GET", _oauth_access_token),
        "message/subscribe/bizsend": ("POST", _bizsend),
        "ticket/getticket": ("GET", _getticket),
    }

    # --- account migration: users, tags, material lists, changeopenid ---------------------------
    # Shapes and error codes as documented under User_Management and Asset_Management.

    def add_follower(self, openid: str | None = None, *, remark: str = "", tags=()) -> str:
        """A follower of this account (with a remark and tag ids); returns the OpenID."""
        openid = openid or "o" + secrets.token_urlsafe(20)
        with self._state:
            self.followers[openid] = {
                "nickname": "",
                "subscribe": 1,
                "remark": remark,
                "tagid_list": list(tags),
            }
        return openid

    def add_tag(self, name: str) -> int:
        with self._state:
            tag_id = self._next_tag_id
            self._next_tag_id += 1
            self.tags[tag_id] = name
        return tag_id

    def add_image_material(self, name: str, data: bytes) -> str:
        """Permanent image material, as if uploaded on the platform's website."""
        kind = _sniff(data) or "png"
        media_id = secrets.token_urlsafe(32)
        upload = Upload("material/add_material", "media", name, f"image/{kind}", data, "image")
        with self._state:
            self.materials[media_id] = {
                "type": "image",
                "upload": upload,
                "url": self._mmbiz_url(kind),
            }
        return media_id

    def migrate_followers_from(self, old: WeChatSimulator, *, left_behind=()) -> dict[str, str]:
        """The platform's own account migration: ``old``'s followers (but ``left_behind``)
        follow this account under new OpenIDs, without tags or remarks. Returns old -> new."""
        mapping = {}
        with self._state:
            for openid in list(old.followers):
                if openid not in left_behind:
                    mapping[openid] = self.add_follower()
            self.migrated_openids[old.app_id] = mapping
        return mapping

    def _image_file(self, request) -> Answer:
        url = self.image_base + request.path
        for material in list(self.materials.values()):
            if material["url"] == url:
                upload = material["upload"]
                return Answer(200, upload.data, upload.content_type or "image/png")
        return Answer(404, b"<html><body>404 Not Found</body></html>", "text/html")

    def _user_get(self, request, query, payload):
        openids = sorted(o for o, f in self.followers.items() if f.get("subscribe"))
        start = 0
        next_openid = query.get("next_openid", "")
        if next_openid:
            if next_openid not in openids:
                return self._error(40003)
            start = openids.index(next_openid) + 1
        page = openids[start : start + self.followers_page_size]
        answer = {"total": len(openids), "count": len(page)}
        if page:
            answer["data"] = {"openid": page}
        answer["next_openid"] = page[-1] if page else ""
        return Answer.json(200, answer)

    def _user_batchget(self, request, query, payload):
        users = payload.get("user_list")
        if not isinstance(users, list) or not 1 <= len(users) <= 100:
            return self._error(40097)
        infos = []
        for user in users:
            openid = user.get("openid") if isinstance(user, dict) else None
            follower = self.followers.get(openid)
            if follower is None:
                return self._error(40003)
            if not follower.get("subscribe"):
                infos.append({"subscribe": 0, "openid": openid})
                continue
            infos.append(
                {
                    "subscribe": 1,
                    "openid": openid,
                    "language": "zh_CN",
                    "subscribe_time": 1700000000,
                    "remark": follower.get("remark", ""),
                    "groupid": 0,
                    "tagid_list": list(follower.get("tagid_list", [])),
                    "subscribe_scene": "ADD_SCENE_QR_CODE",
                }
            )
        return Answer.json(200, {"user_info_list": infos})

    def _update_remark(self, request, query, payload):
        follower = self.followers.get(payload.get("openid"))
        if follower is None:
            return self._error(40003)
        remark = str(payload.get("remark", ""))
        if len(remark) >= 30:
            return self._error(40097, "remark size out of limit")
        follower["remark"] = remark
        return self._ok()

    def _tags_get(self, request, query, payload):
        tags = [
            {
                "id": tag_id,
                "name": name,
                "count": sum(tag_id in f.get("tagid_list", []) for f in self.followers.values()),
            }
            for tag_id, name in sorted(self.tags.items())
        ]
        return Answer.json(200, {"tags": tags})

    def _tags_create(self, request, query, payload):
        name = str((payload.get("tag") or {}).get("name") or "")
        if not name or len(name) > 30:
            return self._error(45158, "tag name too long")
        if name in self.tags.values():
            return self._error(45157, "invalid tag name")
        if len(self.tags) >= 100:
            return self._error(45056, "too many tags now, no need to add new")
        tag_id = self.add_tag(name)
        return Answer.json(200, {"tag": {"id": tag_id, "name": name}})

    def _batchtagging(self, request, query, payload):
        openids = payload.get("openid_list")
        tag_id = payload.get("tagid")
        if not isinstance(openids, list) or not 1 <= len(openids) <= 50:
            return self._error(40032, "invalid openid list size")
        if tag_id not in self.tags:
            return self._error(45159, "invalid tag id")
        if any(openid not in self.followers for openid in openids):
            return self._error(40003)
        for openid in openids:
            tags = self.followers[openid].setdefault("tagid_list", [])
            if tag_id not in tags:
                if len(tags) >= 20:
                    return self._error(45059, "has too many tags")
                tags.append(tag_id)
        return self._ok()

    def _permanent(self, media_type: str) -> list[tuple[str, dict]]:
        return [(m, v) for m, v in self.materials.items() if v["type"] == media_type]

    def _material_count(self, request, query, payload):
        return Answer.json(
            200,
            {
                "voice_count": len(self._permanent("voice")),
                "video_count": len(self._permanent("video")),
                "image_count": len(self._permanent("image")),
                "news_count": 0,
            },
        )

    def _batchget_material(self, request, query, payload):
        media_type = payload.get("type")
        if media_type not in ("image", "voice", "video", "news"):
            return self._error(40004)
        page = self._page(payload)
        if page is None:
            return self._error(40097)
        offset, count, _ = page
        found = self._permanent(media_type)
        items = [
            {
                "media_id": media_id,
                "name": material["upload"].filename,
                "update_time": 1700000000,
                "url": material["url"],
            }
            for media_id, material in found[offset : offset + count]
        ]
        return Answer.json(
            200, {"total_count": len(found), "item_count": len(items), "item": items}
        )

    def _get_material(self, request, query, payload):
        material = self.materials.get(str(payload.get("media_id")))
        if material is None or material["type"] == "body_image":
            return self._error(40007)
        if material["type"] == "video":
            return Answer.json(
                200,
                {
                    "title": material["title"],
                    "description": material["introduction"],
                    "down_url": material["url"],
                },
            )
        upload = material["upload"]
        return Answer(200, upload.data, upload.content_type or "application/octet-stream")

    def _changeopenid(self, request, query, payload):
        mapping = self.migrated_openids.get(payload.get("from_appid"))
        if mapping is None:
            return self._error(40013)
        openids = payload.get("openid_list")
        if not isinstance(openids, list) or not 1 <= len(openids) <= 100:
            return self._error(40097)
        results = []
        for openid in openids:
            if openid in mapping:
                results.append({"ori_openid": openid, "new_openid": mapping[openid]})
            else:
                results.append({"ori_openid": openid, "err_msg": "ori_openid error"})
        return self._ok(result_list=results)

    def add_material_file(
        self, media_type: str, name: str, data: bytes, content_type: str = "", **video
    ) -> str:
        """Permanent voice or video material (``video``: ``title``, ``introduction``)."""
        media_id = secrets.token_urlsafe(32)
        upload = Upload("material/add_material", "media", name, content_type, data, media_type)
        url = f"{self.image_base}/mmbiz_{media_type}/{secrets.token_urlsafe(20)}"
        with self._state:
            self.materials[media_id] = {"type": media_type, "upload": upload, "url": url, **video}
        return media_id

    # Voice: mp3/wma/wav/amr of at most 2 MB; video: mp4 of at most 10 MB, with a description.
    MEDIA_FILES = {
        "voice": ((b"ID3", b"\xff\xfb", b"#!AMR", b"RIFF"), ("mp3", "amr", "wav", "wma"), 2),
        "video": ((), ("mp4",), 10),
    }

    def _add_material_any(self, request, query, payload):
        media_type = query.get("type", "")
        if media_type not in self.MEDIA_FILES:
            return self._add_material(request, query, payload)
        parts = parse_multipart(request.headers.get("content-type", ""), request.body)
        media = next((p for p in parts if p[0] == "media"), None)
        if media is None or not media[3]:
            return self._error(41005)
        _, filename, content_type, data = media
        signatures, extensions, megabytes = self.MEDIA_FILES[media_type]
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        is_mp4 = data[4:8] == b"ftyp"
        if extension not in extensions or not (data.startswith(signatures) or is_mp4):
            return self._error(40005, f"invalid file type hint: [{extension or 'none'}]")
        if len(data) > megabytes * 1024 * 1024:
            return self._error(40006, "invalid meida size")
        video = {}
        if media_type == "video":
            field = next((p[3] for p in parts if p[0] == "description"), b"")
            try:
                description = json.loads(query.get("description") or field or b"{}")
            except ValueError:
                return self._error(40097)
            if not description.get("title") or not description.get("introduction"):
                return self._error(40097, "video description missing")
            video = {"title": description["title"], "introduction": description["introduction"]}
        media_id = self.add_material_file(media_type, filename, data, content_type, **video)
        self.uploads.append(self.materials[media_id]["upload"])
        return Answer.json(200, {"media_id": media_id, "item": []})

    def _get_current_selfmenu_info(self, request, query, payload):
        """The menu in use: ``website_menu`` (set on the platform's website, in its own
        shape) if any, else the one created through the API."""
        if self.website_menu is not None:
            return Answer.json(200, {"is_menu_open": 1, "selfmenu_info": self.website_menu})
        if self.menu is None:
            return Answer.json(200, {"is_menu_open": 0})
        buttons = []
        for button in self.menu["button"]:
            button = dict(button)
            if "sub_button" in button:
                button["sub_button"] = {"list": button["sub_button"]}
            buttons.append(button)
        return Answer.json(200, {"is_menu_open": 1, "selfmenu_info": {"button": buttons}})

    ROUTES = {
        **ROUTES,
        "material/add_material": ("POST", _add_material_any),
        "get_current_selfmenu_info": ("GET", _get_current_selfmenu_info),
        "user/get": ("GET", _user_get),
        "user/info/batchget": ("POST", _user_batchget),
        "user/info/updateremark": ("POST", _update_remark),
        "tags/get": ("GET", _tags_get),
        "tags/create": ("POST", _tags_create),
        "tags/members/batchtagging": ("POST", _batchtagging),
        "material/get_materialcount": ("GET", _material_count),
        "material/batchget_material": ("POST", _batchget_material),
        "material/get_material": ("POST", _get_material),
        "changeopenid": ("POST", _changeopenid),
    }
    # --- end account migration ------------------------------------------------------------------


# --- mini-program (小程序): login and subscribe messages ------------------------------------------
class MiniProgramSimulator(WeChatSimulator):
    """The server API of one mini-program (AppID): everything of the official-account simulator
    (stable tokens, their checks and the behaviours) plus

    - ``sns/jscode2session`` (GET, ``appid``/``secret``/``js_code``/``grant_type``): a code from
      ``login_code(openid=None, unionid=None)`` is exchanged once for ``openid``,
      ``session_key`` and, when the user has one, ``unionid``; unknown or expired codes (older
      than ``login_code_lifetime`` seconds, or ``expire_login_codes()``) answer 40029, a used
      one 40163; wrong appid 40013, wrong secret 40125;
    - ``message/subscribe/send`` (POST): the mini-program's subscribe message, checked like
      ``bizsend`` (template in ``notice_templates``, OpenID of this AppID, data values,
      the user's refusal 43101); what it sent is in ``mp_messages``.
    """

    name = "wechat-mp"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.login_code_lifetime = 300
        self.notice_templates = {"TPL-mp-reminder", "TPL-mp-cancelled"}
        self.mp_messages: list[dict] = []
        self._login_codes: dict[str, dict] = {}
        self._users: dict[str, str] = {}  # openid -> unionid ("" when none)

    def login_code(self, openid: str | None = None, unionid: str | None = None) -> str:
        """What ``wx.login`` hands the mini-program for the user ``openid`` (a new user if None)."""
        with self._state:
            openid = openid or "oMP" + secrets.token_urlsafe(18)
            if unionid is not None or openid not in self._users:
                self._users[openid] = unionid or ""
            code = secrets.token_urlsafe(24)
            self._login_codes[code] = {
                "openid": openid,
                "expires_at": time.time() + self.login_code_lifetime,
                "used": False,
            }
            return code

    def openid_of(self, code: str) -> str:
        return self._login_codes[code]["openid"]

    def expire_login_codes(self) -> None:
        with self._state:
            for entry in self._login_codes.values():
                entry["expires_at"] = time.time() - 1

    def _jscode2session(self, request, query, payload):
        if query.get("appid") != self.app_id:
            return self._error(40013)
        if query.get("secret") != self.secret:
            return self._error(40125)
        if query.get("grant_type") != "authorization_code":
            return self._error(40002)
        entry = self._login_codes.get(query.get("js_code") or "")
        if entry is None or entry["expires_at"] <= time.time():
            return self._error(40029)
        if entry["used"]:
            return self._error(40163)
        entry["used"] = True
        answer = {"openid": entry["openid"], "session_key": secrets.token_urlsafe(16)}
        if self._users.get(entry["openid"]):
            answer["unionid"] = self._users[entry["openid"]]
        return Answer.json(200, answer)

    def _subscribe_send(self, request, query, payload):
        openid = payload.get("touser")
        if payload.get("template_id") not in self.notice_templates:
            return self._error(40037)
        if openid not in self._users:
            return self._error(40003)
        data = payload.get("data")
        if not isinstance(data, dict) or not data:
            return self._error(47003)
        for key, item in data.items():
            value = item.get("value") if isinstance(item, dict) else None
            limit = 20 if key.startswith("thing") else 5 if key.startswith("phrase") else 32
            if not isinstance(value, str) or not value or len(value) > limit:
                return self._error(47003, f"argument invalid! data.{key}.value invalid")
        if {(openid, payload.get("template_id")), (openid, None)} & self.notice_refusals:
            return self._error(43101)
        self.mp_messages.append(payload)
        return self._ok(msgid=self._next_id())

    ROUTES = {
        **WeChatSimulator.ROUTES,
        "sns/jscode2session": ("GET", _jscode2session),
        "message/subscribe/send": ("POST", _subscribe_send),
    }
