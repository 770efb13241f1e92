"""Moving an official account's content to another account: ``wechat_export`` / ``wechat_import``.

The bureau moves from its old service account (服务号) to the new subscription account (订阅号).
WeChat has no API that moves an account, so the move is done in three steps:

1. :func:`export_account` reads the old account through the API and writes an **archive**, a
   directory (``manifest.json`` with ``format_version``; ``tags.json``; ``followers.jsonl``, one
   follower per line with its tag ids and remark; ``materials.json`` and the files under
   ``materials/``; ``articles.json`` (published articles with their content) and the body images
   under ``images/``; ``menu.json``).
2. Followers move only through the platform's own account migration (公众号迁移, applied for
   on mp.weixin.qq.com); after it they follow the new account under new OpenIDs.
3. :func:`import_account` re-creates the archive in the new account: tags (old id → new id),
   permanent materials re-uploaded (old ``media_id`` → new), every published article as a draft
   (body images re-uploaded with ``media/uploadimg`` and their URLs replaced, the cover taken
   from the re-uploaded material), the menu rebuilt with media buttons mapped, and, when asked
   with ``from_appid`` (only after step 2), the old OpenIDs converted with ``changeopenid``, tags
   and remarks re-applied, and every OpenID that this system keeps (:data:`OPENID_FIELDS`)
   converted too.

Both steps resume after a failure and never do anything twice. The export keeps its progress in
the manifest and skips files already written. The import keeps a **journal** beside the archive
(``<archive>.import-<code>.json``), written atomically after every remote call that creates
something: the intent is written before the call and the result after it, so that a rerun that
finds an intent without a result (the answer was lost: timeout, 502, crash) first looks in the
new account for what that call may have created (a tag by name, a material by its name and
content, a draft by its titles and covers) before creating it. Body images uploaded with ``media/uploadimg``
are the one exception: WeChat lists them nowhere, so a lost one is uploaded again, which leaves
an unused image on WeChat's image server and nothing any follower or editor sees. Menus,
tagging, remarks and the OpenID conversion are idempotent and simply repeated.

Every article is screened with today's sensitive-word dictionaries; hits that would block or
need review are noted in the report (the draft is made: nothing is published by the import).

A temporary failure (timeout, busy, 5xx), bad credentials or an exhausted quota stops the run
(:class:`MigrationInterrupted`): nothing more can succeed now, and a rerun continues. Anything
else WeChat refuses is recorded for that one item, with WeChat's reason in Chinese, and the run
goes on; a rerun tries those items again. Both steps end with a :class:`Report`, printed by the
commands and stored in the manifest or the journal.
"""

from __future__ import annotations

import fcntl
import hashlib
import html
import json
import mimetypes
import os
import re
import sys
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import requests
from django.apps import apps
from django.db import transaction
from django.utils import timezone

from sensitive_words.engine import BLOCK, LEVEL_LABELS, REVIEW
from sensitive_words.services import check_text, html_to_text

from . import publish
from .accounts import AccountNotConfigured, WeChatAccount, get_account
from .client import client_for
from .errors import (
    WeChatCredentialError,
    WeChatError,
    WeChatQuotaError,
)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MATERIAL_TYPES = ("image", "voice", "video")
MATERIAL_LABELS = {"image": "图片", "voice": "语音", "video": "视频"}
BATCHGET_MAX = 100  # user/info/batchget and changeopenid take at most 100 OpenIDs
TAGGING_MAX = 50  # tags/members/batchtagging takes at most 50
IMG_RE = re.compile(r"""(?:src|data-src)\s*=\s*["'](https?://[^"']+)["']""", re.IGNORECASE)
#: What ``menu/create`` accepts (Custom_Menus documentation).
API_MENU_TYPES = frozenset(
    [
        "click",
        "view",
        "miniprogram",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
        "location_select",
        "media_id",
        "view_limited",
        "article_id",
        "article_view_limited",
    ]
)
MENU_FIELDS = ("type", "name", "key", "url", "media_id", "appid", "pagepath", "article_id")
WEBSITE_MENU_TYPES = {
    "text": "文字回复类菜单项只能在公众平台网站上设置",
    "news": "图文消息类菜单项只能在公众平台网站上设置",
    "video": "视频类菜单项只能在公众平台网站上设置",
}
PRINTED_ITEMS = 50  # problems and notes printed by the commands; the files keep them all
CHANGEOPENID_ERRORS = {"ori_openid error": "该粉丝未随账号迁移到新公众号（可能已取消关注）"}


# --- the OpenIDs this system keeps ---------------------------------------------------------------
@dataclass(frozen=True)
class OpenIdField:
    """A model that keeps followers' OpenIDs of one account: ``account_field`` holds the
    account's code, ``openid_field`` the OpenID. ``model`` is a model class or its label."""

    model: str | type
    openid_field: str = "openid"
    account_field: str = "account"

    def model_class(self):
        return apps.get_model(self.model) if isinstance(self.model, str) else self.model


#: Every model field that holds an account's OpenIDs; the import converts them all. Add one line
#: per model, e.g. ``OpenIdField("channels.WeChatNoticeSubscription")``.
OPENID_FIELDS: list[OpenIdField] = [
    OpenIdField("channels.WeChatSubmission"),  # who submitted on the H5 pages
    OpenIdField("channels.WeChatNoticeSubscription"),  # who agreed to 订阅通知 (and its outbox)
]


def convert_stored_openids(old_code: str, new_code: str, mapping: dict[str, str]) -> dict:
    """Move every stored OpenID of account ``old_code`` found in ``mapping`` (old → new) to
    account ``new_code``; returns ``{model label: rows converted}``. Idempotent: a row already
    converted no longer matches, and a row whose new form exists already is dropped as a
    duplicate."""
    converted = {}
    olds = list(mapping)
    for entry in OPENID_FIELDS:
        model = entry.model_class()
        manager = model._default_manager
        count = 0
        for start in range(0, len(olds), 500):  # stay far below SQLite's bound parameters
            with transaction.atomic():
                rows = manager.filter(
                    **{
                        entry.account_field: old_code,
                        f"{entry.openid_field}__in": olds[start : start + 500],
                    }
                )
                for row in rows:
                    new_openid = mapping[getattr(row, entry.openid_field)]
                    twin = {entry.account_field: new_code, entry.openid_field: new_openid}
                    if manager.filter(**twin).exists():
                        row.delete()
                    else:
                        for name, value in twin.items():
                            setattr(row, name, value)
                        row.save(update_fields=list(twin))
                    count += 1
        converted[model._meta.label] = count
    return converted


# --- errors and reports --------------------------------------------------------------------------
class MigrationError(Exception):
    """Bad arguments or a bad archive; ``str()`` is a Chinese sentence for the administrator."""


class MigrationInterrupted(Exception):
    """The run stopped on an error that affects everything after it; rerun to continue."""

    def __init__(self, error: WeChatError, report: Report):
        super().__init__(str(error))
        self.error = error
        self.report = report


def _stops_run(error: WeChatError) -> bool:
    return error.temporary or isinstance(error, WeChatCredentialError | WeChatQuotaError)


@dataclass
class Report:
    """What moved (label → count or text), what could not (what → WeChat's reason) and what
    moved but needs a person's look (``notes``)."""

    title: str
    moved: dict[str, object] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    complete: bool = False
    interrupted: str = ""
    saved_to: str = ""

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "complete": self.complete,
            "interrupted": self.interrupted,
            "moved": self.moved,
            "problems": self.problems,
            "notes": self.notes,
            "written_at": _now(),
        }

    def lines(self, limit: int = PRINTED_ITEMS) -> list[str]:
        """The report for the terminal: at most ``limit`` items of each list (all of them are
        in the file named by ``saved_to``)."""
        lines = [self.title]
        lines += [f"  {label}：{value}" for label, value in self.moved.items()]
        for heading, items in (("未能迁移", self.problems), ("需要注意", self.notes)):
            if items:
                lines.append(f"{heading}（{len(items)} 项）：")
                lines += [f"  - {i['what']}：{i['reason']}" for i in items[:limit]]
                if len(items) > limit:
                    lines.append(f"  ……另有 {len(items) - limit} 项，完整报告见 {self.saved_to}")
        if self.interrupted:
            lines.append(f"已中断：{self.interrupted}。再次运行同一命令即可从中断处继续。")
        elif self.complete:
            lines.append("已完成。")
        return lines


# --- files ---------------------------------------------------------------------------------------
def _now() -> str:
    return timezone.now().isoformat(timespec="seconds")


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` so that a crash leaves either the old or the new file, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # Followers' OpenIDs and remarks are personal data: readable by the owner only.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def _write_json(path: Path, value) -> None:
    _write_atomic(path, json.dumps(value, ensure_ascii=False, indent=1).encode())


def _read_json(path: Path, what: str):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MigrationError(f"导出包缺少文件 {path.name}（{what}），导出包不完整") from None
    except (ValueError, UnicodeDecodeError, OSError):
        raise MigrationError(f"导出包中的 {path.name}（{what}）已损坏，无法读取") from None


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _account(code: str) -> WeChatAccount:
    try:
        return get_account(code)
    except AccountNotConfigured as error:
        raise MigrationError(str(error)) from None


def _image_name(name: str, data: bytes) -> str:
    """``name`` ending in the extension of the image's real format (WeChat checks both)."""
    kind = publish.image_format(data)
    if not kind:
        return name or "image"
    allowed = ("jpg", "jpeg") if kind == "jpeg" else (kind,)
    if name.rpartition(".")[2].lower() in allowed and "." in name:
        return name
    return f"{name or 'image'}.{allowed[0]}"


def _download(client, url: str) -> bytes:
    """A file from WeChat's image or video servers (no access token in these URLs)."""
    try:
        response = client._http.get(url, timeout=client.timeout)
    except requests.RequestException as error:
        # Reported for this file only (a rerun tries again): one dead link stops nothing.
        raise WeChatError(
            errmsg=type(error).__name__, message="无法从微信服务器下载该文件"
        ) from None
    if response.status_code != 200:
        raise WeChatError(
            errmsg=f"HTTP {response.status_code}",
            message=f"无法从微信服务器下载该文件（HTTP {response.status_code}）",
        )
    return response.content


# --- export --------------------------------------------------------------------------------------
class _Export:
    def __init__(self, account: WeChatAccount, archive: Path):
        self.account = account
        self.archive = archive
        self.client = client_for(account)
        self.path = archive / MANIFEST
        if archive.exists() and not archive.is_dir():
            raise MigrationError(f"{archive} 是一个文件，导出包须为目录，请换一个路径")
        if self.path.exists():
            self.manifest = _read_json(self.path, "清单")
            if (
                not isinstance(self.manifest, dict)
                or self.manifest.get("format_version") != FORMAT_VERSION
            ):
                raise MigrationError(
                    f"目录 {archive} 中的导出包不是本系统这一版本写的，请换一个目录"
                )
            if self.manifest.get("account", {}).get("app_id") != account.app_id:
                raise MigrationError(f"目录 {archive} 中已有另一个公众号的导出包，请换一个目录")
        elif archive.exists() and any(archive.iterdir()):
            raise MigrationError(f"目录 {archive} 不是空目录，也不是导出包，请换一个目录")
        else:
            try:
                archive.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as error:
                raise MigrationError(f"无法建立导出包目录 {archive}：{error.strerror}") from None
            self.manifest = {
                "format_version": FORMAT_VERSION,
                "export_id": uuid.uuid4().hex,
                "account": {
                    "code": account.code,
                    "name": account.name,
                    "kind": account.kind,
                    "app_id": account.app_id,
                },
                "started_at": _now(),
                "finished_at": None,
                "complete": False,
                "done": [],
                "counts": {},
                "problems": {},
            }
            self.save()

    def save(self) -> None:
        self.manifest["updated_at"] = _now()
        _write_json(self.path, self.manifest)

    def problem(self, key: str, what: str, error: WeChatError) -> None:
        if _stops_run(error):
            raise error
        self.manifest["problems"][key] = {"what": what, "reason": str(error)}
        self.save()

    def fetched(self, key: str, target: Path, data: bytes) -> None:
        _write_atomic(target, data)
        if self.manifest["problems"].pop(key, None):
            self.save()

    def section(self, name: str, run: Callable[[], int], *, files: bool = False) -> None:
        """Run a section once; one that fetches ``files`` runs on every export, to fetch the
        files an earlier run could not (it skips those it has)."""
        if name in self.manifest["done"] and not files:
            return
        self.manifest["counts"][name] = run()
        if name not in self.manifest["done"]:
            self.manifest["done"].append(name)
        self.save()

    def run(self) -> Report:
        try:
            self.section("tags", self.tags)
            self.section("followers", self.followers)
            self.section("materials", self.materials, files=True)
            self.section("articles", self.articles, files=True)
            self.section("menu", self.menu)
        except WeChatError as error:
            report = self.report(interrupted=str(error))
            raise MigrationInterrupted(error, report) from error
        self.manifest["complete"] = True
        self.manifest["finished_at"] = self.manifest["finished_at"] or _now()
        return self.report()

    def report(self, interrupted: str = "") -> Report:
        counts = self.manifest["counts"]
        labels = {
            "tags": "标签",
            "followers": "粉丝（OpenID、标签、备注）",
            "materials": "永久素材",
            "articles": "已发表文章",
            "menu": "自定义菜单按钮",
        }
        report = Report(
            title=f"导出报告：{self.account}（{self.account.code}）→ {self.archive}",
            moved={labels[k]: counts[k] for k in labels if k in counts},
            problems=list(self.manifest["problems"].values()),
            complete=self.manifest["complete"],
            interrupted=interrupted,
            saved_to=str(self.path),
        )
        self.manifest["report"] = report.as_dict()
        self.save()
        return report

    # sections: each writes its files and returns its count
    def tags(self) -> int:
        tags = self.client.tag.get()
        _write_json(self.archive / "tags.json", tags)
        return len(tags)

    def followers(self) -> int:
        progress = self.manifest.setdefault(
            "followers_progress", {"next_openid": "", "paged": False}
        )
        openids_path = self.archive / "followers-openids.json"
        openids = json.loads(openids_path.read_text()) if openids_path.exists() else []
        while not progress["paged"]:
            page = self.client.user.get_followers(progress["next_openid"] or None)
            got = (page.get("data") or {}).get("openid") or []
            openids = list(dict.fromkeys(openids + got))  # a page fetched again adds nobody twice
            _write_json(openids_path, openids)
            progress["next_openid"] = page.get("next_openid") or ""
            progress["paged"] = not got or not progress["next_openid"]
            self.save()
        lines_path = self.archive / "followers.jsonl"
        if lines_path.exists():  # a line a crash cut short is dropped, not appended to
            data = lines_path.read_bytes()
            if not data.endswith(b"\n"):
                os.truncate(lines_path, data.rfind(b"\n") + 1)
        done = {f["openid"] for f in _read_jsonl(lines_path)}
        todo = [openid for openid in openids if openid not in done]
        with open(lines_path, "a", encoding="utf-8") as lines:
            for start in range(0, len(todo), BATCHGET_MAX):
                for info in self.client.user.get_batch(todo[start : start + BATCHGET_MAX]):
                    if info.get("subscribe"):
                        record = {
                            "openid": info["openid"],
                            "tagid_list": info.get("tagid_list") or [],
                            "remark": info.get("remark") or "",
                        }
                        lines.write(json.dumps(record, ensure_ascii=False) + "\n")
                lines.flush()
                os.fsync(lines.fileno())
        return len(_read_jsonl(lines_path))

    def materials(self) -> int:
        listing_path = self.archive / "materials.json"
        if listing_path.exists():
            listing = _read_json(listing_path, "素材清单")
        else:
            counts = self.client.material.get_count()
            listing = []
            for media_type in MATERIAL_TYPES:
                for item in publish._scan(
                    lambda offset, count, t=media_type: self.client.material.batchget(
                        t, offset, count
                    ),
                    int(counts.get(f"{media_type}_count") or 0),
                ):
                    media_id = str(item["media_id"])
                    listing.append(
                        {
                            "type": media_type,
                            "media_id": media_id,
                            "name": item.get("name") or "",
                            "url": item.get("url") or "",
                            "file": f"materials/{_key(media_id)}",
                        }
                    )
            if counts.get("news_count"):
                self.manifest["problems"]["materials:news"] = {
                    "what": f"旧版永久图文素材 {counts['news_count']} 篇",
                    "reason": "微信已停用永久图文素材，已发表的文章按“已发表文章”迁移",
                }
            _write_json(listing_path, listing)
        for material in listing:
            target = self.archive / material["file"]
            if target.exists():
                continue
            what = f"{MATERIAL_LABELS[material['type']]}素材“{material['name']}”"
            try:
                answer = self.client.material.get(material["media_id"])
                if isinstance(answer, dict):  # video: its title, description and a download URL
                    _write_json(target.with_suffix(".json"), answer)
                    data = _download(self.client, answer.get("down_url") or "")
                else:
                    data = answer.content
            except WeChatError as error:
                self.problem(f"materials:{material['media_id']}", what, error)
                continue
            self.fetched(f"materials:{material['media_id']}", target, data)
        return sum((self.archive / m["file"]).exists() for m in listing)

    def articles(self) -> int:
        path = self.archive / "articles.json"
        if path.exists():
            articles = _read_json(path, "文章")
        else:
            articles = [
                {
                    "article_id": str(item["article_id"]),
                    "update_time": item.get("update_time"),
                    "news_item": [
                        a
                        for a in (item.get("content") or {}).get("news_item") or []
                        if not a.get("is_deleted")
                    ],
                }
                for item in publish._scan(self.client.freepublish.batchget, sys.maxsize)
            ]
            articles = [a for a in articles if a["news_item"]]
            _write_json(path, articles)
        for article in articles:
            for item in article["news_item"]:
                for raw in IMG_RE.findall(item.get("content") or ""):
                    target = self.archive / "images" / _key(raw)
                    if target.exists():
                        continue
                    try:
                        data = _download(self.client, html.unescape(raw))
                    except WeChatError as error:
                        self.problem(f"images:{raw}", f"《{item.get('title')}》的正文图片", error)
                        continue
                    self.fetched(f"images:{raw}", target, data)
        return sum(len(a["news_item"]) for a in articles)

    def menu(self) -> int:
        """The menu created through the API (``menu/get``) or, when there is none, the one
        set on the platform's website (``get_current_selfmenu_info``)."""
        menu = self.client.menu.get()  # None when no menu was created through the API
        if menu is None:
            info = self.client.menu.get_menu_info()
            menu = {"menu": info["selfmenu_info"]} if info.get("is_menu_open") else None
        _write_json(self.archive / "menu.json", menu)
        return len(((menu or {}).get("menu") or {}).get("button") or [])


def _read_jsonl(path: Path) -> list[dict]:
    """The records of a JSON-lines file."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records


@contextmanager
def _exclusive(archive: Path):
    """One export or import per archive at a time: two runs would race on its files."""
    path = archive.with_name(f"{archive.name}.lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a")  # noqa: SIM115 (held open for the lock's lifetime)
    except OSError as error:
        raise MigrationError(f"无法在 {path.parent} 中建立文件：{error.strerror}") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MigrationError(
                f"另一个导出或导入正在使用 {archive}，请等它结束后再运行"
            ) from None
        yield


def export_account(code: str, archive: str | os.PathLike) -> Report:
    """Export account ``code`` into the directory ``archive`` (created, or resumed)."""
    account, archive = _account(code), Path(archive)
    with _exclusive(archive):
        return _Export(account, archive).run()


# --- import --------------------------------------------------------------------------------------
def journal_path(archive: str | os.PathLike, code: str) -> Path:
    archive = Path(archive)
    return archive.with_name(f"{archive.name}.import-{code}.json")


def load_archive(archive: Path) -> dict:
    """The archive's manifest, checked: it is readable, complete and not too new."""
    manifest = _read_json(archive / MANIFEST, "清单")
    version = manifest.get("format_version") if isinstance(manifest, dict) else None
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise MigrationError(
            f"导出包的格式版本为 {version}，本系统只支持到 {FORMAT_VERSION}，请先升级本系统再导入"
        )
    account = manifest.get("account") if isinstance(version, int) else None
    if (
        not isinstance(account, dict)
        or not {"code", "app_id"} <= set(account)
        or not manifest.get("export_id")
    ):
        raise MigrationError(f"{archive / MANIFEST} 不是公众号导出包的清单")
    if not manifest.get("complete"):
        raise MigrationError("导出尚未完成：请先再次运行 wechat_export 完成导出，再导入")
    return manifest


class _Import:
    def __init__(self, account: WeChatAccount, archive: Path, from_appid: str | None):
        self.account = account
        self.archive = archive
        self.manifest = load_archive(archive)
        self.source = self.manifest["account"]
        if self.source["app_id"] == account.app_id:
            raise MigrationError("导入的目标公众号就是导出的公众号，请指定新的公众号")
        if from_appid is not None and from_appid != self.source["app_id"]:
            raise MigrationError(
                f"--from-appid {from_appid} 与导出包的原公众号 AppID {self.source['app_id']} 不一致"
            )
        self.from_appid = from_appid
        self.client = client_for(account)
        self.refused_images: set[str] = set()
        self.path = journal_path(archive, account.code)
        if self.path.exists():
            try:
                self.journal = json.loads(self.path.read_text(encoding="utf-8"))
            except (ValueError, OSError):
                self.journal = None
            if not isinstance(self.journal, dict):
                raise MigrationError(f"导入日志 {self.path} 已损坏，无法继续")
            if self.journal.get("export_id") != self.manifest["export_id"]:
                raise MigrationError(f"导入日志 {self.path} 属于另一个导出包，请移走后再导入")
        else:
            self.journal = {"export_id": self.manifest["export_id"], "started_at": _now()}
        for section in (
            "intents",
            "failed",
            "notes",
            "tags",
            "materials",
            "images",
            "articles",
            "done",
        ):
            self.journal.setdefault(section, {})

    # journal
    def save(self) -> None:
        self.journal["account"] = {"code": self.account.code, "app_id": self.account.app_id}
        self.journal["updated_at"] = _now()
        _write_json(self.path, self.journal)

    def mark(self, key: str, value=True) -> None:
        """Record a step whose repetition would be harmless (tagging, a remark, the menu)."""
        self.journal["done"][key] = value
        self.journal["failed"].pop(key, None)
        self.save()

    def failed(self, key: str, what: str, error: WeChatError | str) -> None:
        if isinstance(error, WeChatError) and _stops_run(error):
            raise error
        self.journal["failed"][key] = {"what": what, "reason": str(error)}
        self.save()

    def note(self, key: str, what: str, reason: str) -> None:
        """Something that moved but needs a person's look before it goes out again."""
        self.journal["notes"][key] = {"what": what, "reason": reason}
        self.save()

    def create_once(self, section: str, key: str, create, find):
        """``create()``'s result, recorded under ``section[key]``, called at most once even
        across crashes: a recorded intent without result makes ``find()`` look first."""
        done = self.journal[section].get(key)
        if done is not None:
            return done
        intent = f"{section}:{key}"
        value = find() if intent in self.journal["intents"] else None
        if value is None:
            self.journal["intents"][intent] = _now()
            self.save()
            value = create()
        self.journal[section][key] = value
        self.journal["intents"].pop(intent, None)
        self.save()
        return value

    def attempt(self, key: str, what: str, step, *args) -> bool:
        """Run ``step(*args)``; a refusal that concerns only this item is recorded as failed."""
        try:
            step(*args)
        except WeChatError as error:
            self.failed(key, what, error)
            return False
        if self.journal["failed"].pop(key, None):
            self.save()
        return True

    def once(self, key: str, what: str, step, *args) -> None:
        """An idempotent step (the menu, a remark, a tagging), done until it has succeeded."""
        if not self.journal["done"].get(key) and self.attempt(key, what, step, *args):
            self.mark(key)

    def run(self) -> Report:
        steps = [
            ("tags", "标签", self.tags),
            ("materials", "永久素材", self.materials),
            ("articles", "文章", self.articles),
            ("menu", "自定义菜单", self.menu),
        ]
        if self.from_appid:
            steps.append(("followers", "粉丝", self.followers))
        try:
            for key, what, step in steps:
                # A refusal outside any one item (48001 for an unverified account's tag list)
                # fails this step only.
                self.attempt(f"step:{key}", f"{what}（整项）", step)
        except WeChatError as error:
            raise MigrationInterrupted(error, self.report(interrupted=str(error))) from error
        return self.report()

    def report(self, interrupted: str = "") -> Report:
        j = self.journal
        moved = {
            "标签": f"{len(j['tags'])} 个",
            "永久素材": f"{len(j['materials'])} 个已重新上传",
            "文章": f"{len(j['articles'])} 篇已存为草稿（需在公众平台检查后发表）",
            "自定义菜单": "已重建" if j["done"].get("menu") else "未重建",
        }
        if self.from_appid:
            stored = j["done"].get("stored_openids") or {}
            moved["粉丝 OpenID"] = f"{len(j.get('openids', {}))} 个已转换"
            moved["粉丝备注"] = f"{sum(k.startswith('remark:') for k in j['done'])} 条已恢复"
            moved["系统保存的 OpenID"] = (
                "、".join(f"{label} {n} 条" for label, n in stored.items()) or "无"
            )
        else:
            moved["粉丝"] = (
                "未处理：粉丝只能通过微信公众平台的账号迁移流程转移；"
                "迁移完成后加 --from-appid 原公众号AppID 再次运行，以转换 OpenID、恢复标签和备注"
            )
        report = Report(
            title=f"导入报告：{self.archive} → {self.account}（{self.account.code}）",
            moved=moved,
            problems=list(j["failed"].values()),
            notes=list(j["notes"].values()),
            complete=not interrupted,
            interrupted=interrupted,
            saved_to=str(self.path),
        )
        j["report"] = report.as_dict()
        self.save()
        return report

    # steps
    def tags(self) -> None:
        existing = None

        def by_name(name):
            nonlocal existing
            if existing is None:
                existing = {t["name"]: t["id"] for t in self.client.tag.get()}
            return existing.get(name)

        for tag in _read_json(self.archive / "tags.json", "标签"):
            old, name = str(tag["id"]), tag["name"]
            if old in self.journal["tags"]:
                continue
            found = by_name(name)  # WeChat's built-in tags and earlier runs' tags exist already
            if found is not None:
                self.journal["tags"][old] = found
                self.journal["failed"].pop(f"tags:{old}", None)
                self.save()
                continue
            self.attempt(
                f"tags:{old}",
                f"标签“{name}”",
                self.create_once,
                "tags",
                old,
                partial(self.create_tag, name),
                partial(by_name, name),
            )

    def materials(self) -> None:
        listing = _read_json(self.archive / "materials.json", "素材清单")
        for material in listing:
            old = material["media_id"]
            what = f"{MATERIAL_LABELS[material['type']]}素材“{material['name']}”"
            source = self.archive / material["file"]
            if old in self.journal["materials"]:
                continue
            if not source.exists():
                self.failed(f"materials:{old}", what, "导出时未能下载该素材")
                continue
            data = source.read_bytes()
            name = (
                _image_name(material["name"], data)
                if material["type"] == "image"
                else (material["name"] or f"{material['type']}.bin")
            )
            self.attempt(
                f"materials:{old}",
                what,
                self.create_once,
                "materials",
                old,
                partial(self.upload_material, material, name, data),
                partial(self.find_material, material["type"], name, data),
            )

    def create_tag(self, name: str) -> int:
        return self.client.tag.create(name)["id"]

    def upload_material(self, material: dict, name: str, data: bytes) -> dict:
        options = {}
        if material["type"] == "video":
            info = _read_json((self.archive / material["file"]).with_suffix(".json"), "视频信息")
            options = {
                "title": info.get("title") or name,
                "introduction": info.get("description") or info.get("title") or name,
            }
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        answer = self.client.material.add(material["type"], (name, data, content_type), **options)
        return {
            "media_id": publish._field(answer, "media_id", "material/add_material"),
            "url": answer.get("url", ""),
        }

    def find_material(self, media_type: str, name: str, data: bytes) -> dict | None:
        """A material of this name and content that no other archive item was mapped to."""
        taken = {m["media_id"] for m in self.journal["materials"].values()}
        total = int(self.client.material.get_count().get(f"{media_type}_count") or 0)
        for item in publish._scan(
            lambda offset, count: self.client.material.batchget(media_type, offset, count), total
        ):
            if item.get("name") != name or item["media_id"] in taken:
                continue
            found = self.client.material.get(item["media_id"])
            if media_type == "video" or getattr(found, "content", None) == data:
                return {"media_id": item["media_id"], "url": item.get("url", "")}
        return None

    def articles(self) -> None:
        # Oldest first, so that the draft box lists them in the order they were published.
        for article in reversed(_read_json(self.archive / "articles.json", "文章")):
            old = article["article_id"]
            if old in self.journal["articles"]:
                continue
            titles = "、".join(f"《{item.get('title')}》" for item in article["news_item"])
            key = f"articles:{old}"
            try:
                drafts = [self.draft_article(item) for item in article["news_item"]]
            except WeChatError as error:
                self.failed(key, f"文章{titles}", error)
                continue
            for number, draft in enumerate(drafts):
                self.screen(f"words:{old}:{number}", draft)
            self.attempt(
                key,
                f"文章{titles}",
                self.create_once,
                "articles",
                old,
                partial(publish.add_draft, self.client, drafts),
                partial(self.find_draft, drafts),
            )

    def screen(self, key: str, draft: dict) -> None:
        """Note the words today's dictionaries would stop or send to review: the draft is
        made all the same (it was published once), but nobody should publish it unread."""
        text = "\n".join(
            (draft["title"], draft["author"], draft["digest"], html_to_text(draft["content"]))
        )
        hits = [hit for hit in check_text(text) if hit.level in (BLOCK, REVIEW)]
        if hits:
            words = "、".join(
                dict.fromkeys(f"“{hit.matched_text}”（{LEVEL_LABELS[hit.level]}）" for hit in hits)
            )
            self.note(key, f"文章《{draft['title']}》", f"含敏感词 {words}，请在草稿中修改后再发表")

    def draft_article(self, item: dict) -> dict:
        """One article for ``draft/add``: body images re-uploaded, cover mapped."""
        cover = self.journal["materials"].get(item.get("thumb_media_id"))
        if cover is None:
            raise WeChatError(message="封面图片素材未能迁移，无法建立草稿")
        content = item.get("content") or ""
        for raw in dict.fromkeys(IMG_RE.findall(content)):
            if raw in self.refused_images:
                continue
            new = self.journal["images"].get(raw) or self.upload_image(raw, item.get("title"))
            if new:
                content = content.replace(raw, html.escape(new))
        return {
            "title": item.get("title") or "",
            "author": item.get("author") or "",
            "digest": item.get("digest") or "",
            "content": content,
            "content_source_url": item.get("content_source_url") or "",
            "thumb_media_id": cover["media_id"],
            "need_open_comment": item.get("need_open_comment") or 0,
            "only_fans_can_comment": item.get("only_fans_can_comment") or 0,
        }

    def upload_image(self, raw: str, title: str) -> str | None:
        source = self.archive / "images" / _key(raw)
        what = f"《{title}》的正文图片 {html.unescape(raw)}"
        if not source.exists():
            self.refused_images.add(raw)
            self.failed(f"images:{raw}", what, "导出时未能下载该图片，正文中保留原地址")
            return None
        data = source.read_bytes()
        try:
            url = publish.upload_body_image(self.client, _image_name("image", data), data)
        except WeChatError as error:
            if _stops_run(error):
                raise
            self.refused_images.add(raw)  # every article of this run keeps the same address
            self.failed(f"images:{raw}", what, f"{error}，正文中保留原地址")
            return None
        self.journal["images"][raw] = url
        self.journal["failed"].pop(f"images:{raw}", None)
        self.save()
        return url

    def find_draft(self, drafts: list[dict]) -> str | None:
        wanted = [(d["title"], d["thumb_media_id"]) for d in drafts]
        for item in publish._scan(self.client.draft.batchget, 100):
            news = (item.get("content") or {}).get("news_item") or []
            if [(n.get("title"), n.get("thumb_media_id")) for n in news] == wanted:
                return str(item["media_id"])
        return None

    def menu(self) -> None:
        if self.journal["done"].get("menu"):
            return
        menu = _read_json(self.archive / "menu.json", "菜单")
        buttons = ((menu or {}).get("menu") or {}).get("button") or []
        if not buttons:
            return
        buttons = [b for b in (self.menu_button(b) for b in buttons) if b]
        self.once("menu", "自定义菜单", self.client.menu.create, {"button": buttons})

    def menu_button(self, button: dict) -> dict | None:
        """``button`` as ``menu/create`` takes it in the new account, or None (reported) when
        it cannot be rebuilt. Takes both ``menu/get``'s shape and ``selfmenu_info``'s, whose
        buttons set on the website (``img``, ``voice``, ``text``, ``news``, ``video``) only
        partly exist in the API."""
        name = button.get("name") or ""
        what, key = f"菜单项“{name}”", f"menu:{name}"
        subs = button.get("sub_button") or []  # menu/get gives leaves an empty list
        subs = subs.get("list", []) if isinstance(subs, dict) else subs
        if subs:
            kept = [b for b in (self.menu_button(s) for s in subs) if b]
            return {"name": name, "sub_button": kept} if kept else None
        if button.get("type") in ("img", "voice"):  # website buttons that send a material
            button = {"type": "media_id", "name": name, "media_id": button.get("value", "")}
        button = {k: v for k, v in button.items() if k in MENU_FIELDS}
        if button.get("type") in ("article_id", "article_view_limited"):
            self.failed(key, what, "它指向原公众号已发表的文章，请在新公众号发表后重新设置该菜单项")
            return None
        if button.get("type") not in API_MENU_TYPES:
            reason = WEBSITE_MENU_TYPES.get(button.get("type"), "菜单项类型无法通过接口建立")
            self.failed(key, what, f"{reason}，请在新公众号的公众平台上手动设置")
            return None
        media_id = button.get("media_id")
        if media_id:
            new = self.journal["materials"].get(media_id)
            if new is None:
                self.failed(key, what, "它指向的素材未能迁移，已从菜单中去掉")
                return None
            button["media_id"] = new["media_id"]
        if self.source["app_id"] in (button.get("url") or ""):
            self.note(
                key,
                what,
                "网址中含有原公众号的 AppID（如网页授权链接），请在菜单中改为新公众号的地址",
            )
        return button

    def followers(self) -> None:
        followers = _read_jsonl(self.archive / "followers.jsonl")
        openids = self.journal.setdefault("openids", {})
        for start in range(0, len(followers), BATCHGET_MAX):
            batch = [f["openid"] for f in followers[start : start + BATCHGET_MAX]]
            key = f"changeopenid:{start}"
            if self.journal["done"].get(key):
                continue
            try:
                results = self.client.user.change_openid(self.from_appid, batch)
            except WeChatError as error:
                self.failed(key, f"第 {start + 1}-{start + len(batch)} 位粉丝的 OpenID 转换", error)
                continue
            for result in results:
                old = result.get("ori_openid")
                if result.get("new_openid"):
                    openids[old] = result["new_openid"]
                    self.journal["failed"].pop(f"openid:{old}", None)
                else:
                    reason = result.get("err_msg") or ""
                    self.journal["failed"][f"openid:{old}"] = {
                        "what": f"粉丝 {old}",
                        "reason": CHANGEOPENID_ERRORS.get(
                            reason, f"微信未能转换该 OpenID：{reason}"
                        ),
                    }
            self.mark(key)
        by_tag: dict[str, list[str]] = {}
        for follower in followers:
            new_openid = openids.get(follower["openid"])
            if new_openid is None:
                continue
            for old_tag in follower.get("tagid_list") or []:
                new_tag = self.journal["tags"].get(str(old_tag))
                if new_tag is not None:
                    by_tag.setdefault(str(new_tag), []).append(new_openid)
            remark = follower.get("remark")
            key = f"remark:{follower['openid']}"
            if remark:
                self.once(
                    key,
                    f"粉丝 {follower['openid']} 的备注“{remark}”",
                    self.client.user.update_remark,
                    new_openid,
                    remark,
                )
        for tag, members in by_tag.items():
            for start in range(0, len(members), TAGGING_MAX):
                batch = members[start : start + TAGGING_MAX]
                self.once(
                    f"tagging:{tag}:{start}",
                    f"为 {len(batch)} 位粉丝打标签（新标签 {tag}）",
                    self.client.tag.tag_user,
                    int(tag),
                    batch,
                )
        converted = convert_stored_openids(self.source["code"], self.account.code, openids)
        earlier = self.journal["done"].get("stored_openids") or {}
        self.mark(
            "stored_openids",
            {label: earlier.get(label, 0) + count for label, count in converted.items()},
        )


def import_account(
    code: str, archive: str | os.PathLike, *, from_appid: str | None = None
) -> Report:
    """Re-create the archive in account ``code``; ``from_appid`` (the old account's AppID)
    once the platform's follower migration is done. Resumes from the journal."""
    account, archive = _account(code), Path(archive)
    if not archive.is_dir():
        raise MigrationError(f"找不到导出包目录 {archive}")
    with _exclusive(archive):
        return _Import(account, archive, from_appid).run()
