"""攻防演练 drill: the attacks a drill team tries, against the project's own server on loopback.

One live server, one pass over every attack (the portals are seeded once; a live server's
database is flushed after each test). Each attack row counts tries, how many were refused
(4xx, escaped, or without effect) and how many left a record in the security audit log; the
table is printed (``pytest -s``) and recorded in docs/security.md. Every try must be refused
and none may answer 5xx.
"""

from __future__ import annotations

import io
import re
import secrets
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
import requests
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)

GOOD_CODE = "246810"
XSS_PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "'><iframe src=javascript:alert(1)>",
)
XSS_RAW = ("<script>alert(1)", "<img src=x onerror", "<svg/onload", "<iframe src=javascript")
SQLI = (
    "' OR '1'='1",
    "1; DROP TABLE backend_bridge_submission;--",
    '" UNION SELECT password FROM auth_user--',
    "%' AND 1=1 --",
)


@dataclass
class Row:
    attack: str
    tries: int = 0
    refused: int = 0
    audited: int | None = None  # None: not a security event of the audit log

    def attempt(self, refused: bool) -> None:
        self.tries += 1
        self.refused += int(bool(refused))


def _audit_count(**filters) -> int:
    from audit.models import AuditRecord

    return AuditRecord.objects.filter(**filters).count()


def _no_xss(body: str) -> bool:
    return not any(raw in body for raw in XSS_RAW)


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    return match.group(1) if match else ""


HOST = {"value": ""}


def _new_session() -> requests.Session:
    """A session speaking to the 南宁 portal's host name (``*.localhost`` is not resolved by
    Python: requests go to the loopback address with the portal's Host header)."""
    session = requests.Session()
    session.headers["Host"] = HOST["value"]
    return session


def _session_for(user, base: str) -> requests.Session:
    """A browser session of ``user`` on the live server (signed in without the login form)."""
    client = Client()
    client.force_login(user)
    session = _new_session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    return session


def _petition(ident: str, **overrides) -> dict:
    data = {
        "petition_type": "complaint",
        "title": "工地夜间施工噪音扰民",
        "content": "西乡塘区某工地每天夜里施工到凌晨两点，噪音很大，附近居民无法休息。",
        "region_code": "450100",
        "county": "西乡塘区",
        "name": "李四",
        "id_number": ident,
        "phone": "13900139000",
        "sms_code": GOOD_CODE,
    }
    data.update(overrides)
    return data


class _Executable(HTMLParser):
    """What in a page could run: script elements other than the site's own files, event-handler
    attributes, javascript:/vbscript:/data: URLs in links and sources, SVG and MathML elements,
    frames and objects. Escaped text (``&lt;script&gt;``) is harmless and not counted."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
    ELEMENTS = {"svg", "math", "iframe", "frame", "object", "embed", "base", "form"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            src = attributes.get("src") or ""
            if not src.startswith(("/static/", "https://res.wx.qq.com/")):
                self.findings.append(f"<script src={src!r}>")
        if tag in self.ELEMENTS and tag != "form":
            self.findings.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.findings.append(f"<{tag} {name}>")
            url = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name in self.URL_ATTRIBUTES and url.startswith(
                ("javascript:", "vbscript:", "data:")
            ):
                self.findings.append(f"<{tag} {name}={value[:40]!r}>")

    handle_startendtag = handle_starttag


FINDINGS: list[str] = []  # what made a try fail, shown with the failing rows


def _executable(html: str, where: str = "") -> list[str]:
    parser = _Executable()
    parser.feed(html or "")
    FINDINGS.extend(f"{where}: {finding}" for finding in parser.findings)
    return parser.findings


def _contentstate(text: str, url: str) -> str:
    """Draftail's value for one paragraph whose first four characters link to ``url``, as an
    editor's browser posts it (the widget's JSON, not HTML)."""
    import json

    return json.dumps(
        {
            "blocks": [
                {
                    "key": "drill",
                    "text": text,
                    "type": "unstyled",
                    "depth": 0,
                    "inlineStyleRanges": [{"offset": 0, "length": 4, "style": "BOLD"}],
                    "entityRanges": [{"offset": 0, "length": 4, "key": 0}],
                    "data": {"onclick": "alert(1)"},
                }
            ],
            "entityMap": {
                "0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": url, "id": 1}}
            },
        }
    )


RICH_TEXT_ATTACKS = (
    ("<script>alert(1)</script>演练富文本", "javascript:alert(1)"),
    ('"><img src=x onerror=alert(1)>演练富文本', "JaVaScRiPt:alert(document.cookie)"),
    (
        "<svg/onload=alert(1)>演练富文本",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    ),
    ("<a href=javascript:alert(1)>x</a>演练富文本", " java\tscript:alert(1)"),
    ("<svg><script>alert(1)</script></svg>演练富文本", 'https://x.example/" onmouseover="alert(1)'),
)


class _EditForm(HTMLParser):
    """The fields of Wagtail's page edit form as the browser would post them (StreamField
    values are added by the caller: the browser's script builds them)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data: dict[str, str] = {}
        self._inside = False
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "page-edit-form":
            self._inside = True
        if not self._inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._inside = False

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def _edit_form_fields(html: str) -> dict[str, str]:
    parser = _EditForm()
    parser.feed(html)
    return {
        k: v.strip("\n") if k in ("summary", "search_description") else v
        for k, v in parser.data.items()
    }


def _pdf_with_javascript() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj\n<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>\n"
        b"endobj\ntrailer\n<</Root 1 0 R>>\n%%EOF\n"
    )


def _docx_with(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr(name, data)
    return buffer.getvalue()


def test_drill(live_server, monkeypatch, settings, capsys):
    from backend_bridge import verification
    from backend_bridge.idcard import build_id_number
    from backend_bridge.services.submission import PetitionInput, submit_petition
    from cms.factories import ArticlePageFactory, paragraph
    from sites.models import Portal
    from sites.services.seeding import seed_portals
    from tests.conftest import make_staff

    seed_portals(demo=False, dictionaries=False)
    settings.CASE_SYSTEM_URL = ""  # the built-in inbox

    def check_code(phone, purpose, code, *, consume=True):
        if code != GOOD_CODE:
            raise verification.VerificationError("code_invalid", "验证码不正确，请重新输入。")

    monkeypatch.setattr(verification, "check_code", check_code)
    port = live_server.url.rsplit(":", 1)[1]
    portals = {p.code: p for p in Portal.objects.all()}

    HOST["value"] = f"nanning.localhost:{port}"

    def url(code: str, path: str) -> str:
        assert code == "nanning"  # every session speaks to the 南宁 portal's host
        return f"{live_server.url}{path}"

    ident = build_id_number("450103", seq=23)
    other_ident = build_id_number("450203", seq=31)
    rows: list[Row] = []
    server_errors: list[str] = []

    def send(session, method, address, **kwargs):
        response = session.request(method, address, allow_redirects=False, timeout=20, **kwargs)
        if response.status_code >= 500:
            server_errors.append(f"{method} {address} -> {response.status_code}")
        return response

    anon = _new_session()

    # --- XSS in every citizen input ---------------------------------------------------------
    row = Row("XSS：群众输入（搜索、表单回显、留言内容在后台显示）")
    for payload in XSS_PAYLOADS:
        row.attempt(
            _no_xss(send(anon, "GET", url("nanning", "/search/"), params={"q": payload}).text)
        )
        form = _new_session()
        token = _csrf(form, url("nanning", "/hdjl/xf/"))
        fields = {**_petition(ident, sms_code="000000"), "title": payload, "name": payload}
        fields["address"] = payload
        echoed = send(
            form,
            "POST",
            url("nanning", "/hdjl/xf/"),
            data={**fields, "csrfmiddlewaretoken": token},
            headers={"Referer": url("nanning", "/hdjl/xf/")},
        )
        row.attempt(echoed.status_code == 400 and _no_xss(echoed.text))
    stored = submit_petition(
        portals["nanning"],
        PetitionInput(
            **{**_petition(ident), "title": XSS_PAYLOADS[0], "content": XSS_PAYLOADS[1] * 3}
        ),
    ).submission
    handler = make_staff("drill-nanning-handler", portals["nanning"], "handler")
    desk = _session_for(handler, live_server.url)
    for path in ("/admin/bridge/", f"/admin/bridge/{stored.pk}/"):
        row.attempt(_no_xss(send(desk, "GET", url("nanning", path)).text))
    rows.append(row)

    # --- XSS in editor input ----------------------------------------------------------------
    row = Row("XSS：编辑输入（标题、摘要在门户页面显示）")
    column = portals["nanning"].site.root_page.get_children().get(slug="gzdt")
    for n, payload in enumerate(XSS_PAYLOADS):
        ArticlePageFactory(
            parent=column,
            slug=f"xss{n}",
            title=payload,
            summary=payload,
            body=paragraph("演练正文。"),  # the factory's default body repeats the title as HTML
        )
        row.attempt(_no_xss(send(anon, "GET", url("nanning", f"/gzdt/xss{n}/")).text))
    row.attempt(_no_xss(send(anon, "GET", url("nanning", "/gzdt/")).text))
    rows.append(row)

    # --- SQL injection ----------------------------------------------------------------------
    row = Row("SQL 注入（搜索、查询码、接口参数）")
    for payload in SQLI:
        row.attempt(
            send(anon, "GET", url("nanning", "/search/"), params={"q": payload}).status_code < 500
        )
        lookup = send(
            anon,
            "POST",
            url("nanning", "/api/v1/lookups"),
            json={"query_code": payload, "id_tail": "123456"},
        )
        row.attempt(400 <= lookup.status_code < 500)
        leaders = send(anon, "GET", url("nanning", "/api/v1/leaders"), params={"portal": payload})
        row.attempt(leaders.status_code < 500 and "password" not in leaders.text)
    rows.append(row)

    # --- CSRF -------------------------------------------------------------------------------
    row = Row("CSRF（无令牌提交表单与后台操作）")
    before = _audit_count(action="page_unpublished")
    for address, data in (
        (url("nanning", "/hdjl/xf/"), _petition(ident)),
        (url("nanning", "/admin/login/"), {"username": handler.username, "password": "x"}),
        (url("nanning", f"/admin/bridge/{stored.pk}/"), {"action": "handle", "status": "closed"}),
        (url("nanning", "/admin/bridge/outbox/retry/"), {}),
    ):
        row.attempt(send(desk, "POST", address, data=data).status_code == 403)
    stored.refresh_from_db()
    assert stored.status != "closed"
    assert _audit_count(action="page_unpublished") == before
    rows.append(row)

    # --- path traversal in downloads --------------------------------------------------------
    row = Row("路径穿越（文档下载、媒体与静态文件）")
    for path in (
        "/documents/1/..%2F..%2Fcms%2Fsettings.py",
        "/documents/../cms/settings.py",
        "/documents/1/%2e%2e/%2e%2e/etc/passwd",
        "/hdjl/..%2F..%2Fcms%2Fsettings.py",
    ):
        response = send(anon, "GET", url("nanning", path))
        row.attempt(response.status_code in (400, 403, 404) and "SECRET_KEY" not in response.text)
    # /static/ and /media/ on a live test server are answered by Django's test handlers, not by
    # the production path (WhiteNoise in the application, nginx or object storage for media):
    # those are tried against the application itself.
    app = Client(HTTP_HOST=HOST["value"])
    for path in (
        "/static/..%2F..%2Fcms%2Fsettings.py",
        "/static/../../cms/settings.py",
        "/media/..%2F..%2Fcms%2Fsettings.py",
    ):
        response = app.get(path)
        row.attempt(
            response.status_code in (400, 403, 404) and b"SECRET_KEY" not in response.content
        )
    rows.append(row)

    # --- open redirects ---------------------------------------------------------------------
    row = Row("开放重定向（next 参数）")
    for target in (
        "http://evil.example/",
        "//evil.example/",
        "https:evil.example",
        "/\\evil.example",
    ):
        response = send(
            anon, "GET", url("nanning", "/care-mode/"), params={"on": "1", "next": target}
        )
        location = response.headers.get("Location", "")
        row.attempt("evil.example" not in location)
        login = send(anon, "GET", url("nanning", "/admin/"), params={"next": target})
        row.attempt("evil.example" not in login.headers.get("Location", "").split("?")[0])
    rows.append(row)

    # --- IDOR on submissions ----------------------------------------------------------------
    row = Row("越权访问信访件（IDOR：他市信访件、查询码）")
    theirs = submit_petition(
        portals["liuzhou"], PetitionInput(**_petition(other_ident, region_code="450200"))
    )
    before = _audit_count(action__in=["admin_access_denied", "submission_access_denied"])
    for method, path, data in (
        ("GET", f"/admin/bridge/{theirs.submission.pk}/", None),
        ("POST", f"/admin/bridge/{theirs.submission.pk}/", {"action": "reveal", "reason": "演练"}),
        (
            "POST",
            f"/admin/bridge/{theirs.submission.pk}/",
            {"action": "handle", "status": "closed"},
        ),
    ):
        # A valid token of the handler's own case page: the refusal must come from the scope.
        token = _csrf(desk, url("nanning", f"/admin/bridge/{stored.pk}/"))
        response = send(
            desk,
            method,
            url("nanning", path),
            data={**(data or {}), "csrfmiddlewaretoken": token} if data else None,
            headers={"Referer": url("nanning", "/admin/bridge/")},
        )
        row.attempt(response.status_code in (403, 404) and other_ident not in response.text)
    editor = make_staff("drill-nanning-editor", portals["nanning"], "editor")
    pages = _session_for(editor, live_server.url)
    response = send(pages, "GET", url("nanning", f"/admin/bridge/{stored.pk}/"))
    row.attempt(response.status_code in (403, 404))  # content roles never handle submissions
    response = send(
        anon,
        "POST",
        url("nanning", "/api/v1/lookups"),
        json={"query_code": theirs.query_code, "id_tail": ident[-6:]},
    )
    row.attempt(response.status_code == 403)
    theirs.submission.refresh_from_db()
    assert theirs.submission.status != "closed"
    row.audited = (
        _audit_count(action__in=["admin_access_denied", "submission_access_denied"]) - before
    )
    rows.append(row)

    # --- IDOR on the canteen mini-program ---------------------------------------------------
    from mini_programs.models import Department, Diner, Meal, MpSession, Order
    from mini_programs.services import ordering as mp_ordering
    from mini_programs.services.accounts import _hash as mp_token_hash

    settings.WECHAT_MINI_PROGRAM = {
        "app_id": "wxdrill000000001",
        "secret": "drill",
        "entity": "广西壮族自治区信访局",
        "filing_number": "桂ICP备00000000号-1X",
    }
    row = Row("越权访问订餐（IDOR：他人订单与账单、限定部门的餐次、遍历订单号、伪造令牌）")
    office, other_office = (
        Department.objects.create(name="办公室"),
        Department.objects.create(name="督查室"),
    )
    me = Diner.objects.create(name="演练甲", phone="13800990001", department=office)
    victim = Diner.objects.create(
        name="演练乙", phone="13800990002", department=other_office, guests_allowed=True
    )
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    tomorrow = timezone.localdate() + timedelta(days=1)
    lunch = Meal.objects.create(
        date=tomorrow,
        kind="lunch",
        price=Decimal("15.00"),
        cutoff_at=timezone.now() + timedelta(hours=3),
        capacity=50,
        guests_allowed=True,
    )
    their_dinner = Meal.objects.create(
        date=tomorrow,
        kind="dinner",
        price=Decimal("15.00"),
        cutoff_at=timezone.now() + timedelta(hours=3),
        capacity=50,
    )
    their_dinner.departments.set([other_office])  # only 督查室 may order it
    their_dinner.save()  # a ParentalManyToManyField is written by the save
    their_order = mp_ordering.place_order(victim, lunch.pk)
    token = secrets.token_urlsafe(32)
    MpSession.objects.create(
        key_hash=mp_token_hash(token),
        app_id="wxdrill000000001",
        openid="drill-openid-1",
        diner=me,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    canteen = _new_session()
    canteen.headers["Authorization"] = f"Bearer {token}"
    mp = "/api/mp/v1"
    before = _audit_count(action="mp_order_access_denied")
    for method, path, body in (
        ("GET", f"{mp}/orders/{their_order.pk}", None),
        ("PATCH", f"{mp}/orders/{their_order.pk}", {"guests": 2}),
        ("POST", f"{mp}/orders/{their_order.pk}/cancel", None),
        *(("GET", f"{mp}/orders/{their_order.pk + n}", None) for n in range(1, 6)),
    ):
        response = send(canteen, method, url("nanning", path), json=body)
        row.attempt(response.status_code == 404 and "演练乙" not in response.text)
    for path in (f"{mp}/orders", f"{mp}/bills/{tomorrow:%Y-%m}"):
        response = send(canteen, "GET", url("nanning", path))
        row.attempt(
            response.status_code == 200
            and f'"id":{their_order.pk}' not in response.text.replace(" ", "")
        )
    response = send(
        canteen, "POST", url("nanning", f"{mp}/orders"), json={"meal_id": their_dinner.pk}
    )
    row.attempt(response.status_code == 403)
    forged = _new_session()
    forged.headers["Authorization"] = "Bearer " + secrets.token_urlsafe(32)
    row.attempt(send(forged, "GET", url("nanning", f"{mp}/orders")).status_code == 401)
    their_order.refresh_from_db()
    assert (their_order.status, their_order.guests) == ("active", 0)
    assert not Order.objects.filter(diner=me).exists()
    row.audited = _audit_count(action="mp_order_access_denied") - before
    rows.append(row)

    # --- IDOR on the APP API ----------------------------------------------------------------
    from django.test import RequestFactory

    from backend_bridge import crypto
    from channels.app import sessions as app_sessions
    from channels.models import AppAccount, AppSession, AppSubmission

    row = Row("越权访问 APP 接口（他人信访件、他市办件、已注销或他机令牌）")

    def app_account(phone):
        return AppAccount.objects.create(
            phone=phone, phone_index=crypto.blind_index(phone, "phone")
        )

    def app_token(device, **owner):
        request = RequestFactory().post("/", HTTP_X_DEVICE_ID=device)
        return app_sessions.issue(request, **owner)[1]["access_token"]

    citizen_a, citizen_b = app_account("13700990001"), app_account("13700990002")
    AppSubmission.objects.create(account=citizen_b, submission=theirs.submission)
    a_token = app_token("drill-device-a", kind=AppSession.Kind.CITIZEN, account=citizen_a)
    citizen = _new_session()
    citizen.headers.update({"Authorization": f"Bearer {a_token}", "X-Device-Id": "drill-device-a"})
    staff_token = app_token("drill-staff-01", kind=AppSession.Kind.STAFF, user=handler)
    staff_app = _new_session()
    staff_app.headers.update(
        {"Authorization": f"Bearer {staff_token}", "X-Device-Id": "drill-staff-01"}
    )
    app = "/api/app/v1"
    reference = theirs.submission.reference
    before = _audit_count(
        action__in=[
            "app_submission_access_denied",
            "submission_access_denied",
            "app_token_refused",
        ]
    )
    for method, path, body in (
        ("GET", f"{app}/account/submissions/{reference}", None),
        (
            "POST",
            f"{app}/account/submissions/{reference}/evaluation",
            {"rating": "dissatisfied", "reason": "演练"},
        ),
        ("POST", f"{app}/account/submissions/{reference}/follow-ups", {"content": "演练追加"}),
    ):
        response = send(citizen, method, url("nanning", path), json=body)
        row.attempt(response.status_code == 404 and other_ident not in response.text)
    listing = send(citizen, "GET", url("nanning", f"{app}/account/submissions"))
    row.attempt(listing.status_code == 200 and str(reference) not in listing.text)
    for method, path, body in (
        ("GET", f"{app}/staff/submissions/{theirs.submission.pk}", None),
        ("POST", f"{app}/staff/submissions/{theirs.submission.pk}/reveal", {"reason": "演练"}),
        ("POST", f"{app}/staff/submissions/{theirs.submission.pk}/accept", {"note": "演练"}),
        ("POST", f"{app}/staff/submissions/{theirs.submission.pk}/close", {"note": "演练"}),
    ):
        response = send(staff_app, method, url("nanning", path), json=body)
        row.attempt(response.status_code == 404 and other_ident not in response.text)
    staff_list = send(staff_app, "GET", url("nanning", f"{app}/staff/submissions"))
    row.attempt(
        staff_list.status_code == 200
        and str(reference) not in staff_list.text
        and "柳州" not in staff_list.text
    )
    # The same token from another device, and a token after its session was signed out.
    copied = _new_session()
    copied.headers.update({"Authorization": f"Bearer {a_token}", "X-Device-Id": "drill-device-x"})
    row.attempt(send(copied, "GET", url("nanning", f"{app}/account/me")).status_code == 401)
    AppSession.objects.filter(account=citizen_a).update(revoked_at=timezone.now())
    row.attempt(send(citizen, "GET", url("nanning", f"{app}/account/me")).status_code == 401)
    theirs.submission.refresh_from_db()
    assert theirs.submission.status != "closed"
    row.audited = (
        _audit_count(
            action__in=[
                "app_submission_access_denied",
                "submission_access_denied",
                "app_token_refused",
            ]
        )
        - before
    )
    rows.append(row)

    # --- XSS through Draftail rich text -----------------------------------------------------
    from wagtail.rich_text import expand_db_html

    from channels.html import sanitize

    row = Row("XSS：富文本正文（编辑在后台编辑表单提交脚本、事件、javascript:/data: 链接、SVG）")
    article = ArticlePageFactory(
        parent=column, slug="xss-rich", title="富文本演练", body=paragraph("演练正文。")
    )
    edit = f"/admin/pages/{article.pk}/edit/"
    for text, link in RICH_TEXT_ATTACKS:
        page = send(pages, "GET", url("nanning", edit))
        fields = _edit_form_fields(page.text)
        fields.update(
            {
                "body-count": "2",
                "body-0-type": "paragraph",
                "body-0-value": _contentstate(text, link),
                "body-0-deleted": "",
                "body-0-order": "0",
                "body-0-id": "",
                # Not the widget's JSON but HTML typed into the request by hand.
                "body-1-type": "paragraph",
                "body-1-value": f'<p>{text}<a href="{link}">x</a></p>',
                "body-1-deleted": "",
                "body-1-order": "1",
                "body-1-id": "",
            }
        )
        saved = send(
            pages,
            "POST",
            url("nanning", edit),
            data=fields,
            headers={"Referer": url("nanning", edit)},
        )
        row.attempt(saved.status_code in (200, 302) and not _executable(saved.text, "编辑表单"))
    article.refresh_from_db()
    revision = article.get_latest_revision()
    revision.publish()
    article.refresh_from_db()
    from channels.app import journal

    # What the task worker's APP delivery does (no worker runs beside the live server).
    journal.record(article.specific, live=True, revision=article.live_revision)
    stored = str(article.specific.body.raw_data)
    published = send(anon, "GET", url("nanning", "/gzdt/xss-rich/"))
    row.attempt(published.status_code == 200 and not _executable(published.text, "门户页面"))
    detail = send(
        anon,
        "GET",
        url("nanning", f"{app}/articles/{article.pk}"),
        params={"site": "nanning"},
    )
    row.attempt(detail.status_code == 200 and not _executable(detail.json().get("html", ""), "APP"))
    body_html = "".join(
        expand_db_html(block.value.source)
        for block in article.specific.body
        if block.block_type == "paragraph"
    )
    row.attempt(not _executable(sanitize(body_html, "wechat"), "微信"))
    found = send(anon, "GET", url("nanning", "/search/"), params={"q": "演练富文本"})
    row.attempt(found.status_code == 200 and not _executable(found.text, "搜索"))
    assert "演练富文本" in stored, "the editor's text was saved (the attack reached the page)"
    rows.append(row)

    # --- brute force on logins and lookup ---------------------------------------------------
    for name, login_path in (
        ("后台登录", "/admin/login/"),
        ("Django 管理登录", "/django-admin/login/"),
    ):
        row = Row(f"暴力破解：{name}")
        before = _audit_count(action__in=["login_failed", "lockout"])
        attacker = _new_session()
        for n in range(8):
            token = _csrf(attacker, url("nanning", login_path))
            response = send(
                attacker,
                "POST",
                url("nanning", login_path),
                data={
                    "username": handler.username,
                    "password": f"guess-{n}",
                    "csrfmiddlewaretoken": token,
                },
                headers={"Referer": url("nanning", login_path), "X-Forwarded-For": f"10.9.8.{n}"},
            )
            row.attempt(response.status_code != 302)
        row.audited = _audit_count(action__in=["login_failed", "lockout"]) - before
        rows.append(row)
    row = Row("暴力破解：工作人员 APP 登录")
    before = _audit_count(action__in=["login_failed", "lockout"])
    phone_app = _new_session()
    phone_app.headers["X-Device-Id"] = "drill-brute-01"
    for n in range(8):
        response = send(
            phone_app,
            "POST",
            url("nanning", "/api/app/v1/staff/sessions"),
            json={"username": handler.username, "password": f"guess-{n}", "otp_token": "000000"},
            headers={"X-Forwarded-For": f"10.9.7.{n}"},
        )
        row.attempt(response.status_code in (401, 403, 429))
    row.audited = _audit_count(action__in=["login_failed", "lockout"]) - before
    rows.append(row)
    row = Row("暴力破解：查询码与身份证后六位")
    before = _audit_count(action="lookup_locked")
    for n in range(8):
        response = send(
            anon,
            "POST",
            url("nanning", "/api/v1/lookups"),
            json={"query_code": theirs.query_code, "id_tail": f"{n:06d}"},
            headers={"X-Forwarded-For": f"10.1.1.{n}"},
        )
        row.attempt(response.status_code in (403, 429))
    row.audited = _audit_count(action="lookup_locked") - before
    rows.append(row)

    # --- SMS bombing with forged proxy headers ----------------------------------------------
    settings.SMS_LIMIT_IP_HOUR = 3  # a small budget so the drill is short
    row = Row("短信轰炸（伪造 X-Forwarded-For，超出每 IP 限额的请求）")
    from backend_bridge.captcha import KEY_PREFIX

    sent = 0
    before = _audit_count(action="sms_rate_limited")
    for n in range(10):
        forged = {"X-Forwarded-For": f"203.0.113.{n}", "X-Real-IP": f"198.51.100.{n}"}
        captcha = send(anon, "POST", url("nanning", "/api/v1/sms/captchas"), headers=forged).json()
        answer = cache.get(f"{KEY_PREFIX}:{captcha['captcha_key']}")["answer"]
        response = send(
            anon,
            "POST",
            url("nanning", "/api/v1/sms/codes"),
            json={
                "phone": f"1380013{n:04d}",
                "purpose": "submit",
                "captcha_key": captcha["captcha_key"],
                "captcha_answer": answer,
            },
            headers=forged,
        )
        if response.status_code == 202 and sent < 3:
            sent += 1  # within the address's budget: not part of the attack
            continue
        row.attempt(response.status_code == 429)
    assert sent == 3
    row.audited = _audit_count(action="sms_rate_limited") - before
    rows.append(row)

    # --- picture captcha flood --------------------------------------------------------------
    settings.CAPTCHA_LIMIT_IP_MINUTE = 5  # a small budget so the drill is short
    row = Row("图形验证码滥发（同一地址连续获取，伪造 X-Forwarded-For）")
    before = _audit_count(action="captcha_rate_limited")
    flood = _new_session()
    answered = 0
    for n in range(12):
        response = send(
            flood,
            "POST",
            url("nanning", "/api/v1/sms/captchas"),
            headers={"X-Forwarded-For": f"198.18.0.{n}"},
        )
        if response.status_code == 201 and answered < 5:
            answered += 1  # within the address's budget
            continue
        row.attempt(response.status_code == 429)
    assert answered <= 5
    row.audited = _audit_count(action="captcha_rate_limited") - before
    rows.append(row)

    # --- oversized and malformed bodies -----------------------------------------------------
    row = Row("超大与畸形请求体")
    settings.REQUEST_MAX_BYTES = 2 * 1024 * 1024  # a small limit so the drill sends little
    big = b"x" * (3 * 1024 * 1024)
    for address, body, kind in (
        ("/api/v1/petitions", big, "multipart/form-data; boundary=zz"),
        ("/api/v1/lookups", b"{not json", "application/json"),
        ("/api/v1/lookups", b'{"query_code": ["a"], "id_tail": {"x": 1}}', "application/json"),
        (
            "/api/v1/petitions",
            b"--zz\r\nContent-Disposition: form-data\r\n\r\n",
            "multipart/form-data; boundary=zz",
        ),
        ("/hdjl/xf/", big, "application/x-www-form-urlencoded"),
        ("/api/v1/bridge/case-status", b'{"events": [{"event_id": []}]}', "application/json"),
        ("/api/v1/bridge/case-status", b"\xff\xfe not json", "application/json"),
        ("/api/mp/v1/login", b'{"code": {"$ne": 1}}', "application/json"),
        ("/api/app/v1/account/login", b'{"phone": [1], "sms_code": null}', "application/json"),
    ):
        try:
            response = send(
                anon, "POST", url("nanning", address), data=body, headers={"Content-Type": kind}
            )
            row.attempt(400 <= response.status_code < 500)
        except requests.ConnectionError:
            row.attempt(True)  # the server closed the connection before reading the body
    rows.append(row)

    # --- hostile attachments ----------------------------------------------------------------
    row = Row("恶意附件（PDF 脚本、Office 宏与程序、zip 路径穿越、伪装扩展名）")
    before_count = theirs.submission.__class__.objects.count()
    for name, data in (
        ("材料.pdf", _pdf_with_javascript()),
        ("报告.docx", _docx_with("../../evil.txt", b"x")),
        ("报告2.docx", _docx_with("word/embeddings/x.exe", b"MZ\x90\x00")),
        ("照片.png", b"MZ\x90\x00" + b"\x00" * 200),
        ("页面.html", b"<html><script>alert(1)</script></html>"),
    ):
        response = send(
            anon,
            "POST",
            url("nanning", "/api/v1/petitions"),
            data=_petition(ident, phone="13700137000"),
            files={"attachments": (name, data)},
        )
        row.attempt(response.status_code == 400)
    assert theirs.submission.__class__.objects.count() == before_count
    rows.append(row)

    # --- the summary table ------------------------------------------------------------------
    lines = ["| 攻击 | 尝试 | 拒绝 | 审计记录 |", "| --- | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(
            f"| {r.attack} | {r.tries} | {r.refused} | {'—' if r.audited is None else r.audited} |"
        )
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert not server_errors, server_errors
    failed = [f"{r.attack}: {r.refused}/{r.tries}" for r in rows if r.refused != r.tries]
    assert not failed, (failed, FINDINGS)
    for r in rows:
        if r.audited is not None:
            assert r.audited >= 1, f"{r.attack} left no audit record"
