"""A loopback S3-compatible object store: the subset of the S3 REST protocol that boto3 uses for
the backups' copies (PutObject, GetObject, HeadObject, ListObjectsV2, DeleteObject, DeleteObjects,
multipart uploads), path-style addressing, in memory.

It can be told to fail: ``outage = True`` answers every request with 503 SlowDown (an outage of
the provider), ``stall_seconds`` holds every answer back that long (a timeout), ``corrupt_uploads``
stores a changed byte (a store that damaged what it received). Signatures are not checked, but
every request must carry an AWS Signature V4 Authorization header.
"""

from __future__ import annotations

import hashlib
import http.server
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from email.utils import formatdate
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape, unescape

NS = "http://s3.amazonaws.com/doc/2006-03-01/"


@dataclass
class StoredObject:
    data: bytes
    etag: str
    metadata: dict[str, str] = field(default_factory=dict)
    modified: float = field(default_factory=time.time)


def _decode_aws_chunked(body: bytes) -> bytes:
    """The body of a streaming upload (``Content-Encoding: aws-chunked``) without its framing."""
    out, rest = bytearray(), body
    while rest:
        header, _, rest = rest.partition(b"\r\n")
        size = int(header.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2 :]
    return bytes(out)


class S3Simulator:
    def __init__(self):
        self.buckets: dict[str, dict[str, StoredObject]] = {}
        self.uploads: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self.outage = False
        self.stall_seconds = 0.0
        self.corrupt_uploads = False
        self._server = None
        self._thread = None

    def create_bucket(self, name: str) -> None:
        self.buckets.setdefault(name, {})

    def keys(self, bucket: str) -> list[str]:
        return sorted(self.buckets.get(bucket, {}))

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> S3Simulator:
        simulator = self

        class Handler(_Handler):
            sim = simulator

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    sim: S3Simulator
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep the test output clean
        pass

    # --- plumbing ---------------------------------------------------------------------------

    def _answer(self, status: int, body: bytes = b"", headers: dict | None = None, head=False):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body and "Content-Type" not in (headers or {}):
            self.send_header("Content-Type", "application/xml")
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _error(self, status: int, code: str, message: str, head=False):
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
            f"<Message>{escape(message)}</Message></Error>"
        ).encode()
        self._answer(status, body if not head else b"", head=head)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if "aws-chunked" in (self.headers.get("Content-Encoding") or ""):
            body = _decode_aws_chunked(body)
        return body

    def _route(self):
        parts = urlsplit(self.path)
        path = unquote(parts.path).lstrip("/")
        bucket, _, key = path.partition("/")
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        return bucket, key, query

    def _handle(self, method: str):
        bucket, key, query = self._route()
        self.sim.requests.append((method, self.path))
        if self.sim.stall_seconds:
            time.sleep(self.sim.stall_seconds)
        body = self._body() if method in ("PUT", "POST") else b""
        head = method == "HEAD"
        if not (self.headers.get("Authorization") or "").startswith("AWS4-HMAC-SHA256"):
            return self._error(403, "AccessDenied", "Missing signature", head)
        if self.sim.outage:
            return self._error(503, "SlowDown", "Service unavailable", head)
        if bucket not in self.sim.buckets:
            return self._error(404, "NoSuchBucket", bucket, head)
        objects = self.sim.buckets[bucket]
        if method == "GET" and not key:
            return self._list(objects, query)
        if method == "POST" and "delete" in query:
            return self._delete_many(objects, body)
        if method == "POST" and "uploads" in query:
            upload_id = uuid.uuid4().hex
            self.sim.uploads[upload_id] = {"key": key, "parts": {}, "meta": self._metadata()}
            return self._answer(
                200,
                f"<InitiateMultipartUploadResult><Bucket>{bucket}</Bucket><Key>{escape(key)}"
                f"</Key><UploadId>{upload_id}</UploadId></InitiateMultipartUploadResult>".encode(),
            )
        if method == "PUT" and "uploadId" in query:
            upload = self.sim.uploads.get(query["uploadId"])
            if upload is None:
                return self._error(404, "NoSuchUpload", query["uploadId"])
            upload["parts"][int(query["partNumber"])] = body
            return self._answer(200, headers={"ETag": f'"{hashlib.md5(body).hexdigest()}"'})  # noqa: S324
        if method == "POST" and "uploadId" in query:
            upload = self.sim.uploads.pop(query["uploadId"], None)
            if upload is None:
                return self._error(404, "NoSuchUpload", query["uploadId"])
            parts = [upload["parts"][n] for n in sorted(upload["parts"])]
            digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()  # noqa: S324
            self._store(objects, key, b"".join(parts), f"{digest}-{len(parts)}", upload["meta"])
            return self._answer(
                200,
                f"<CompleteMultipartUploadResult><Key>{escape(key)}</Key>"
                f'<ETag>"{digest}-{len(parts)}"</ETag></CompleteMultipartUploadResult>'.encode(),
            )
        if method == "DELETE" and "uploadId" in query:
            self.sim.uploads.pop(query["uploadId"], None)
            return self._answer(204)
        if method == "PUT":
            self._store(objects, key, body, hashlib.md5(body).hexdigest(), self._metadata())  # noqa: S324
            return self._answer(200, headers={"ETag": f'"{objects[key].etag}"'})
        if method in ("GET", "HEAD"):
            stored = objects.get(key)
            if stored is None:
                return self._error(404, "NoSuchKey", key, head)
            headers = {
                "ETag": f'"{stored.etag}"',
                "Content-Length": str(len(stored.data)),
                "Content-Type": "binary/octet-stream",
                "Last-Modified": formatdate(stored.modified, usegmt=True),
                **{f"x-amz-meta-{k}": v for k, v in stored.metadata.items()},
            }
            wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range") or "")
            if wanted:  # ranged GETs: boto3 downloads large objects in parts
                first = int(wanted.group(1))
                last = int(wanted.group(2) or len(stored.data) - 1)
                last = min(last, len(stored.data) - 1)
                part = stored.data[first : last + 1]
                headers["Content-Length"] = str(len(part))
                headers["Content-Range"] = f"bytes {first}-{last}/{len(stored.data)}"
                return self._answer(206, part, headers, head=head)
            return self._answer(200, stored.data, headers, head=head)
        if method == "DELETE":
            objects.pop(key, None)
            return self._answer(204)
        return self._error(405, "MethodNotAllowed", method)

    def _metadata(self) -> dict[str, str]:
        return {
            name[len("x-amz-meta-") :]: value
            for name, value in self.headers.items()
            if name.lower().startswith("x-amz-meta-")
        }

    def _store(self, objects, key, data, etag, metadata):
        if self.sim.corrupt_uploads and data:
            # Damaged on the way in: the store's ETag is that of what it received.
            data = bytes([data[0] ^ 0xFF]) + data[1:]
            if "-" not in etag:
                etag = hashlib.md5(data).hexdigest()  # noqa: S324
        objects[key] = StoredObject(data, etag, {k.lower(): v for k, v in metadata.items()})

    def _list(self, objects, query):
        prefix = query.get("prefix", "")
        delimiter = query.get("delimiter", "")
        contents, common = [], set()
        for key in sorted(objects):
            if not key.startswith(prefix):
                continue
            rest = key[len(prefix) :]
            if delimiter and delimiter in rest:
                common.add(prefix + rest.split(delimiter)[0] + delimiter)
                continue
            stored = objects[key]
            contents.append(
                f"<Contents><Key>{escape(key)}</Key><Size>{len(stored.data)}</Size>"
                f'<ETag>"{stored.etag}"</ETag><LastModified>'
                f"{time.strftime('%Y-%m-%dT%H:%M:%S.000Z', time.gmtime(stored.modified))}"
                "</LastModified><StorageClass>STANDARD</StorageClass></Contents>"
            )
        prefixes = "".join(
            f"<CommonPrefixes><Prefix>{escape(p)}</Prefix></CommonPrefixes>" for p in sorted(common)
        )
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="{NS}">'
            f"<Name>{escape(self._route()[0])}</Name><Prefix>{escape(prefix)}</Prefix>"
            f"<KeyCount>{len(contents) + len(common)}</KeyCount><MaxKeys>1000</MaxKeys>"
            f"<IsTruncated>false</IsTruncated>{''.join(contents)}{prefixes}</ListBucketResult>"
        )
        return self._answer(200, body.encode())

    def _delete_many(self, objects, body):
        deleted = []
        for raw in re.findall(r"<Key>(.*?)</Key>", body.decode()):
            key = unescape(raw)
            objects.pop(key, None)
            deleted.append(f"<Deleted><Key>{escape(key)}</Key></Deleted>")
        return self._answer(200, f"<DeleteResult>{''.join(deleted)}</DeleteResult>".encode())

    def _serve(self, method: str):
        try:
            self._handle(method)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            self.close_connection = True

    def do_GET(self):
        self._serve("GET")

    def do_HEAD(self):
        self._serve("HEAD")

    def do_PUT(self):
        self._serve("PUT")

    def do_POST(self):
        self._serve("POST")

    def do_DELETE(self):
        self._serve("DELETE")
