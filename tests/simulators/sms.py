"""Loopback simulators of Alibaba Cloud SMS (SendSms 2017-05-25) and Tencent Cloud SMS (SendSms
2021-01-11), checking each request the way the real gateway does.

Both verify the signature from what arrived on the wire (written here independently of the
product's signing code, so a mistake in one is caught by the other), the timestamp window, the
nonce (Aliyun) and the account, then the business fields (phone numbers, signature name,
template and its variables), and answer with the documented JSON. Accepted messages are kept in
``sim.messages`` with the text the template would render.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import re
import time
import uuid
from urllib.parse import parse_qsl, quote, urlsplit

from tests.simulators import Answer, LoopbackSimulator, RecordedRequest

MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class AliyunSmsSimulator(LoopbackSimulator):
    """Alibaba Cloud SMS, RPC style. Accounts: ``access_keys`` {AccessKeyId: secret}; approved
    ``sign_names`` and ``templates`` {TemplateCode: text with ${var}}."""

    name = "aliyun-sms"
    TIMESTAMP_WINDOW = 15 * 60

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.access_keys = {"LTAI-test-key-id": "test-secret-" + uuid.uuid4().hex[:12]}
        self.sign_names = {"广西信访"}
        self.templates = {
            "SMS_100001": "您的验证码为${code}，${minutes}分钟内有效。如非本人操作，请忽略本短信。",
            # The query code after a submission (backend_bridge.services.receipts).
            "SMS_100002": "您提交的事项已登记，查询码为${code}。凭查询码可在网站或公众号查询办理进度，"
            "请妥善保存，勿告知他人。",
        }
        self.error_code = "isv.BUSINESS_LIMIT_CONTROL"
        self.messages: list[dict] = []
        self._nonces: set[str] = set()

    def client_options(self) -> dict:
        key_id, secret = next(iter(self.access_keys.items()))
        return {
            "access_key_id": key_id,
            "access_key_secret": secret,
            "endpoint": self.url + "/",
            "sign_name": next(iter(self.sign_names)),
        }

    @staticmethod
    def _encode(text: str) -> str:
        # RFC 3986 unreserved characters stay; everything else, '/' and space included, is %XX.
        return quote(text, safe="~")

    def expected_signature(self, method: str, params: dict[str, str], secret: str) -> str:
        pairs = sorted((k, v) for k, v in params.items() if k != "Signature")
        canonical = "&".join(self._encode(k) + "=" + self._encode(v) for k, v in pairs)
        to_sign = method + "&" + self._encode("/") + "&" + self._encode(canonical)
        mac = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1)
        return base64.b64encode(mac.digest()).decode()

    def _fail(self, status: int, code: str, message: str) -> Answer:
        return Answer.json(
            status,
            {
                "RequestId": str(uuid.uuid4()).upper(),
                "HostId": "dysmsapi.aliyuncs.com",
                "Code": code,
                "Message": message,
                "Recommend": "https://api.aliyun.com/troubleshoot?q=" + code,
            },
        )

    def handle(self, request: RecordedRequest, behaviour: str) -> Answer:
        query = urlsplit(request.path).query
        if request.method == "POST" and request.body:
            query = request.body.decode()
        params = dict(parse_qsl(query, keep_blank_values=True))
        for name in (
            "AccessKeyId",
            "Action",
            "SignatureMethod",
            "SignatureNonce",
            "SignatureVersion",
            "Signature",
            "Timestamp",
            "Version",
        ):
            if not params.get(name):
                return self._fail(400, f"MissingParameter.{name}", f"{name} is mandatory.")
        secret = self.access_keys.get(params["AccessKeyId"])
        if secret is None:
            return self._fail(
                404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."
            )
        if params["SignatureMethod"] != "HMAC-SHA1" or params["SignatureVersion"] != "1.0":
            return self._fail(400, "InvalidParameter", "Specified signature method is not valid.")
        try:
            stamp = datetime.datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            return self._fail(400, "InvalidTimeStamp.Format", "Specified time stamp is not valid.")
        age = time.time() - stamp.replace(tzinfo=datetime.UTC).timestamp()
        if abs(age) > self.TIMESTAMP_WINDOW:
            return self._fail(
                400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
            )
        expected = self.expected_signature(request.method, params, secret)
        if not hmac.compare_digest(expected, params["Signature"]):
            return self._fail(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation.",
            )
        with self._lock:
            nonce_seen = params["SignatureNonce"] in self._nonces
            self._nonces.add(params["SignatureNonce"])
        if nonce_seen:
            return self._fail(
                400, "SignatureNonceUsed", "Specified signature nonce was used already."
            )
        if params["Action"] != "SendSms" or params["Version"] != "2017-05-25":
            return self._fail(404, "InvalidAction.NotFound", "Specified api is not found.")
        return self._send(params, behaviour)

    def _business(self, code: str, message: str) -> Answer:
        return Answer.json(
            200, {"RequestId": str(uuid.uuid4()).upper(), "Code": code, "Message": message}
        )

    def _send(self, params: dict[str, str], behaviour: str) -> Answer:
        phones = params.get("PhoneNumbers", "").split(",")
        if not all(MAINLAND_MOBILE.match(p) for p in phones):
            return self._business("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if params.get("SignName") not in self.sign_names:
            return self._business("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        template = self.templates.get(params.get("TemplateCode", ""))
        if template is None:
            return self._business("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            variables = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            return self._business("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        if not isinstance(variables, dict) or not all(
            isinstance(v, str) for v in variables.values()
        ):
            return self._business("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        missing = set(re.findall(r"\$\{(\w+)\}", template)) - set(variables)
        if missing:
            return self._business("isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量")
        if behaviour == "error":
            return self._business(self.error_code, "触发号码天级流控")
        text = re.sub(r"\$\{(\w+)\}", lambda m: variables[m.group(1)], template)
        biz_id = f"{int(time.time() * 1000)}^{len(self.messages)}"
        with self._lock:
            for phone in phones:
                self.messages.append(
                    {"phone": phone, "text": f"【{params['SignName']}】{text}", "biz_id": biz_id}
                )
        return Answer.json(
            200,
            {
                "Message": "OK",
                "RequestId": str(uuid.uuid4()).upper(),
                "Code": "OK",
                "BizId": biz_id,
            },
        )


class TencentSmsSimulator(LoopbackSimulator):
    """Tencent Cloud SMS API 3.0. Accounts: ``secrets`` {SecretId: SecretKey}; ``sdk_app_ids``;
    approved ``sign_names`` and ``templates`` {TemplateId: text with {1}, {2} …}."""

    name = "tencent-sms"
    TIMESTAMP_WINDOW = 5 * 60
    AUTH_RE = re.compile(
        r"^TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[\w-]+)"
        r"/tc3_request, SignedHeaders=(?P<headers>[a-z0-9;-]+), Signature=(?P<sig>[0-9a-f]{64})$"
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.secrets = {"AKID-test-" + uuid.uuid4().hex[:8]: "test-key-" + uuid.uuid4().hex[:12]}
        self.sdk_app_ids = {"1400000001"}
        self.sign_names = {"广西信访"}
        self.templates = {"100001": "您的验证码为{1}，{2}分钟内有效。如非本人操作，请忽略本短信。"}
        self.error_code = "LimitExceeded.PhoneNumberDailyLimit"
        self.messages: list[dict] = []

    def client_options(self) -> dict:
        secret_id, secret_key = next(iter(self.secrets.items()))
        return {
            "secret_id": secret_id,
            "secret_key": secret_key,
            "sdk_app_id": next(iter(self.sdk_app_ids)),
            "endpoint": self.url + "/",
            "sign_name": next(iter(self.sign_names)),
        }

    def _error(self, code: str, message: str) -> Answer:
        # API 3.0 answers errors with HTTP 200 and a Response.Error object.
        return Answer.json(
            200,
            {
                "Response": {
                    "Error": {"Code": code, "Message": message},
                    "RequestId": str(uuid.uuid4()),
                }
            },
        )

    def expected_signature(
        self, request: RecordedRequest, date: str, service: str, names: str
    ) -> str:
        path = urlsplit(request.path).path or "/"
        # Header names and values lower-cased and trimmed, one "name:value\n" each.
        header_lines = "".join(
            f"{name}:{request.headers.get(name, '').strip().lower()}\n" for name in names.split(";")
        )
        canonical = "\n".join(
            [
                request.method,
                path,
                urlsplit(request.path).query,
                header_lines,
                names,
                hashlib.sha256(request.body).hexdigest(),
            ]
        )
        timestamp = request.headers.get("x-tc-timestamp", "")
        to_sign = (
            f"TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n"
            + hashlib.sha256(canonical.encode()).hexdigest()
        )
        secret_id = self.AUTH_RE.match(request.headers["authorization"]).group("id")
        key = ("TC3" + self.secrets[secret_id]).encode()
        for part in (date, service, "tc3_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()

    def handle(self, request: RecordedRequest, behaviour: str) -> Answer:
        headers = request.headers
        if request.method != "POST":
            return self._error("InvalidParameter", "only POST is used by this simulator")
        match = self.AUTH_RE.match(headers.get("authorization", ""))
        if not match:
            return self._error("AuthFailure.InvalidAuthorization", "Authorization 格式不正确。")
        if match["id"] not in self.secrets:
            return self._error("AuthFailure.SecretIdNotFound", "密钥不存在。")
        try:
            timestamp = int(headers.get("x-tc-timestamp", ""))
        except ValueError:
            return self._error("InvalidParameter", "X-TC-Timestamp 不正确。")
        if abs(time.time() - timestamp) > self.TIMESTAMP_WINDOW:
            return self._error("AuthFailure.SignatureExpire", "签名过期。")
        date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
        signed = match["headers"].split(";")
        if (
            match["date"] != date
            or match["service"] != "sms"
            or not {"content-type", "host"} <= set(signed)
        ):
            return self._error("AuthFailure.SignatureFailure", "请求签名验证失败。")
        expected = self.expected_signature(
            request, match["date"], match["service"], match["headers"]
        )
        if not hmac.compare_digest(expected, match["sig"]):
            return self._error(
                "AuthFailure.SignatureFailure",
                "The provided credentials could not be validated. Please check your signature is correct.",
            )
        if headers.get("x-tc-action") != "SendSms" or headers.get("x-tc-version") != "2021-01-11":
            return self._error("InvalidAction", "接口不存在。")
        if not headers.get("x-tc-region"):
            return self._error("MissingParameter", "缺少 X-TC-Region。")
        try:
            payload = json.loads(request.body)
        except ValueError:
            return self._error("InvalidParameter", "请求体不是合法的 JSON。")
        return self._send(payload, behaviour)

    def _send(self, payload: dict, behaviour: str) -> Answer:
        if payload.get("SmsSdkAppId") not in self.sdk_app_ids:
            return self._error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId 不存在。")
        if payload.get("SignName") not in self.sign_names:
            return self._error(
                "FailedOperation.SignatureIncorrectOrUnapproved", "签名未审批或格式错误。"
            )
        template = self.templates.get(str(payload.get("TemplateId")))
        if template is None:
            return self._error(
                "FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配。"
            )
        values = payload.get("TemplateParamSet") or []
        if len(set(re.findall(r"\{(\d+)\}", template))) != len(values):
            return self._error(
                "FailedOperation.TemplateParamSetNotMatchApprovedTemplate", "模板变量个数不匹配。"
            )
        statuses = []
        for number in payload.get("PhoneNumberSet") or []:
            local = number[3:] if number.startswith("+86") else number
            status = {
                "SerialNo": "",
                "PhoneNumber": number,
                "Fee": 0,
                "SessionContext": "",
                "IsoCode": "CN",
            }
            if not MAINLAND_MOBILE.match(local):
                status.update(
                    Code="InvalidParameterValue.IncorrectPhoneNumber", Message="手机号格式错误"
                )
            elif behaviour == "error":
                status.update(
                    Code=self.error_code, Message="单个手机号日下发短信条数超过设定的上限"
                )
            else:
                text = re.sub(r"\{(\d+)\}", lambda m: str(values[int(m.group(1)) - 1]), template)
                serial = f"3369:{uuid.uuid4().int % 10**20}"
                status.update(SerialNo=serial, Fee=1, Code="Ok", Message="send success")
                with self._lock:
                    self.messages.append(
                        {
                            "phone": local,
                            "text": f"【{payload['SignName']}】{text}",
                            "serial": serial,
                        }
                    )
            statuses.append(status)
        return Answer.json(
            200, {"Response": {"SendStatusSet": statuses, "RequestId": str(uuid.uuid4())}}
        )
