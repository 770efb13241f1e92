"""Services of sensitive_words: the one entry point every other part of the system calls.

- ``check_text(text, site)`` / ``screen_text(text, site)``: hits in any text (citizens' messages,
  WeChat titles and digests, API callers); ``mask_text`` for the masked version.
- ``check_page(page)``: every piece of text of a page (title, text fields, rich text, every
  StreamField block, image captions/alt text, document titles) with the field path of each hit.
- ``import_words`` / ``export_words``: TXT, CSV and XLSX dictionaries.
- The engine is rebuilt in every process when the shared dictionary version changes: the version
  lives in :class:`~sensitive_words.models.DictionaryVersion` and is mirrored in the cache for a
  few seconds, so each process reads the database at most once per cache period.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.module_loading import import_string

from .engine import (
    BLOCK,
    LEVEL_LABELS,
    LEVELS,
    REPLACE,
    REVIEW,
    AllowEntry,
    Engine,
    EngineHolder,
    Entry,
    Hit,
    Rule,
    mask,
    max_level,
)

VERSION_CACHE_KEY = "sensitive_words:version"


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- version and engine ---------------------------------------------------------------------


def read_version_from_db() -> int:
    from .models import DictionaryVersion

    row = DictionaryVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return int(row) if row is not None else 1


def current_version() -> int:
    """The shared dictionary version (cache first, the database behind it)."""
    version = cache.get(VERSION_CACHE_KEY)
    if version is None:
        version = read_version_from_db()
        cache.set(VERSION_CACHE_KEY, version, _setting("SENSITIVE_WORDS_VERSION_CACHE_SECONDS", 5))
    return int(version)


def publish_version() -> None:
    """After a committed change: put the new version in the cache for every process to see."""
    cache.set(
        VERSION_CACHE_KEY,
        read_version_from_db(),
        _setting("SENSITIVE_WORDS_VERSION_CACHE_SECONDS", 5),
    )
    _holder.invalidate()


def forget_version() -> None:
    """Drop the cached version so the next check in this process reads the database."""
    cache.delete(VERSION_CACHE_KEY)
    _holder.invalidate()


def build_engine(version: int) -> Engine:
    """A complete engine from the enabled dictionaries in the database."""
    from .models import AllowPhrase, Dictionary, ExpressionRule, SensitiveWord

    dictionaries = {d.pk: d for d in Dictionary.objects.filter(enabled=True)}
    profiles = {pk: d.profile for pk, d in dictionaries.items()}
    entries = [
        Entry(
            word=w.word,
            category=w.category,
            level=w.level,
            suggestion=w.suggestion,
            dictionary=dictionaries[w.dictionary_id].name,
            site=dictionaries[w.dictionary_id].site_code,
            profile=profiles[w.dictionary_id],
            pinyin=w.match_pinyin,
        )
        for w in SensitiveWord.objects.filter(enabled=True, dictionary_id__in=dictionaries).only(
            "word", "category", "level", "suggestion", "dictionary_id", "match_pinyin"
        )
    ]
    allow = []
    for a in AllowPhrase.objects.all():
        if a.dictionary_id is not None and a.dictionary_id not in dictionaries:
            continue
        name = dictionaries[a.dictionary_id].name if a.dictionary_id else ""
        allow.append(AllowEntry(a.phrase, dictionary=name, site=a.site_code))
    rules = [
        Rule(
            pattern=r.pattern,
            name=r.name,
            category=r.category,
            level=r.level,
            suggestion=r.suggestion,
            dictionary=dictionaries[r.dictionary_id].name,
            site=dictionaries[r.dictionary_id].site_code,
            profile=profiles[r.dictionary_id],
        )
        for r in ExpressionRule.objects.filter(enabled=True, dictionary_id__in=dictionaries)
    ]
    return Engine(
        entries,
        allow,
        rules,
        pii=_setting("SENSITIVE_WORDS_DETECT_PII", True),
        pii_level=_setting("SENSITIVE_WORDS_PII_LEVEL", REPLACE),
        version=version,
    )


_holder = EngineHolder(
    build_engine,
    current_version,
    check_interval=_setting("SENSITIVE_WORDS_CHECK_INTERVAL", 1.0),
)


def get_engine() -> Engine:
    """This process's engine, rebuilt first if the shared version moved."""
    return _holder.get()


def reset_engine() -> None:
    """Forget this process's engine and cached version (tests, after restoring a database)."""
    global _holder
    cache.delete(VERSION_CACHE_KEY)
    _holder = EngineHolder(
        build_engine,
        current_version,
        check_interval=_setting("SENSITIVE_WORDS_CHECK_INTERVAL", 1.0),
    )


# --- checking text --------------------------------------------------------------------------


def check_text(text: str, site: str | None = None) -> list[Hit]:
    """Every hit in ``text`` for portal ``site`` (its code; None for group-wide dictionaries)."""
    return get_engine().check(text or "", site=site)


def mask_text(text: str, hits: list[Hit] | None = None, site: str | None = None) -> str:
    """``text`` with block- and replace-level hits (and personal data) replaced by ``*``."""
    if hits is None:
        hits = check_text(text, site)
    return mask(text, hits)


@dataclass
class Screening:
    """Result of screening a citizen's text: flag for moderation, never silently reject."""

    hits: list[Hit]
    masked_text: str

    @property
    def level(self) -> str | None:
        return max_level(self.hits)

    @property
    def needs_moderation(self) -> bool:
        return any(h.level in (BLOCK, REVIEW) for h in self.hits)


def screen_text(text: str, site: str | None = None) -> Screening:
    """Screen a petition, message or suggestion (called by backend_bridge)."""
    hits = check_text(text, site)
    return Screening(hits=hits, masked_text=mask(text, hits))


# --- pages ----------------------------------------------------------------------------------


@dataclass
class TextPart:
    path: str  # e.g. "body[2].paragraph" or "feed_image.title"
    label: str  # zh-hans label shown to editors
    text: str


@dataclass
class PageHit:
    path: str
    label: str
    text: str  # the whole text of that field, for context
    hit: Hit

    @property
    def context(self) -> str:
        return context_of(self.text, self.hit)

    def as_dict(self) -> dict:
        return {
            "field": self.path,
            "field_label": self.label,
            "context": self.context,
            **self.hit.as_dict(),
        }


def html_to_text(source: str) -> str:
    """Visible text of rich text/HTML, as the check API reads it (:mod:`.richtext`)."""
    from .richtext import visible_text

    return visible_text(source or "").text


def context_of(text: str, hit: Hit, width: int = 20) -> str:
    start = max(0, hit.start - width)
    end = min(len(text), hit.end + width)
    return (
        ("…" if start else "")
        + text[start : hit.start]
        + "【"
        + text[hit.start : hit.end]
        + "】"
        + text[hit.end : end]
        + ("…" if end < len(text) else "")
    )


_PAGE_TEXT_FIELDS = {"title": "标题", "seo_title": "SEO 标题", "search_description": "搜索描述"}


def _media_texts(obj, path: str, label: str, out: list[TextPart]) -> bool:
    """Texts of an image or document; True if ``obj`` was one."""
    from wagtail.documents.models import AbstractDocument
    from wagtail.images.models import AbstractImage

    if isinstance(obj, AbstractImage):
        out.append(TextPart(f"{path}.title", f"{label}（图片标题）", obj.title or ""))
        description = getattr(obj, "description", "")
        if description:
            out.append(TextPart(f"{path}.description", f"{label}（图片替代文字）", description))
        return True
    if isinstance(obj, AbstractDocument):
        out.append(TextPart(f"{path}.title", f"{label}（文档标题）", obj.title or ""))
        return True
    return False


def _walk_block(value, block, path: str, label: str, out: list[TextPart]) -> None:
    from wagtail import blocks
    from wagtail.blocks import StreamValue
    from wagtail.rich_text import RichText

    # Labels say where a piece of text is in words an editor knows from the form:
    # "正文 › 第2块「段落」", "正文 › 第3块「图片」 › 说明", never "body[1].paragraph".
    if value is None:
        return
    if isinstance(value, StreamValue) or isinstance(block, blocks.StreamBlock):
        for i, child in enumerate(value):
            child_label = f"{label} › 第{i + 1}块「{child.block.label}」"
            _walk_block(
                child.value, child.block, f"{path}[{i}].{child.block_type}", child_label, out
            )
    elif isinstance(block, blocks.StructBlock):
        for name, child_block in block.child_blocks.items():
            child_label = f"{label} › {child_block.label}"
            _walk_block(value.get(name), child_block, f"{path}.{name}", child_label, out)
    elif isinstance(block, blocks.ListBlock):
        for i, item in enumerate(value):
            _walk_block(item, block.child_block, f"{path}[{i}]", f"{label} › 第{i + 1}项", out)
    elif isinstance(value, RichText):
        out.append(TextPart(path, label, html_to_text(value.source)))
    elif isinstance(block, blocks.RawHTMLBlock):
        out.append(TextPart(path, label, html_to_text(str(value))))
    elif isinstance(block, (blocks.URLBlock, blocks.EmailBlock, blocks.ChoiceBlock)):
        return
    elif isinstance(value, str):
        out.append(TextPart(path, label, value))
    elif _media_texts(value, path, label, out):
        return
    elif isinstance(value, dict) and isinstance(value.get("data"), list):  # TableBlock
        for r, row in enumerate(value["data"]):
            for c, cell in enumerate(row or []):
                if isinstance(cell, str) and cell:
                    out.append(
                        TextPart(
                            f"{path}.data[{r}][{c}]", f"{label} › 第{r + 1}行第{c + 1}列", cell
                        )
                    )
        caption = value.get("table_caption")
        if isinstance(caption, str) and caption:
            out.append(TextPart(f"{path}.table_caption", f"{label} › 表格标题", caption))
    elif hasattr(value, "row_data"):  # TypedTableBlock
        for r, row in enumerate(value.row_data):
            for c, cell in enumerate(row.get("values", [])):
                col_block = value.columns[c]["block"] if c < len(value.columns) else None
                if col_block is not None:
                    _walk_block(
                        cell,
                        col_block,
                        f"{path}.rows[{r}][{c}]",
                        f"{label} › 第{r + 1}行第{c + 1}列",
                        out,
                    )


def _model_texts(obj, prefix: str, out: list[TextPart], skip: set[str]) -> None:
    from django.db import models
    from wagtail.fields import RichTextField, StreamField

    for f in obj._meta.concrete_fields:
        if f.name in skip or f.primary_key:
            continue
        label = str(f.verbose_name)
        path = f"{prefix}{f.name}"
        if isinstance(f, StreamField):
            _walk_block(f.value_from_object(obj), f.stream_block, path, label, out)
        elif isinstance(f, RichTextField):
            out.append(TextPart(path, label, html_to_text(f.value_from_object(obj))))
        elif isinstance(f, models.ForeignKey):
            try:
                related = getattr(obj, f.name)
            except Exception:  # noqa: BLE001 - a dangling reference is no text
                related = None
            if related is not None:
                _media_texts(related, path, label, out)
        elif (
            isinstance(f, (models.CharField, models.TextField))
            and not f.choices
            and not isinstance(f, (models.SlugField, models.URLField, models.EmailField))
        ):
            value = f.value_from_object(obj)
            if value:
                out.append(TextPart(path, label, str(value)))


def extract_page_texts(page) -> list[TextPart]:
    """Every piece of editor-written text of a page, with a path naming where it is."""
    from modelcluster.models import get_all_child_relations
    from wagtail.models import Page

    page = getattr(page, "specific", page)
    out = [
        TextPart(name, label, getattr(page, name, "") or "")
        for name, label in _PAGE_TEXT_FIELDS.items()
        if getattr(page, name, "")
    ]
    base_fields = {f.name for f in Page._meta.concrete_fields}
    _model_texts(page, "", out, skip=base_fields)
    for relation in get_all_child_relations(page):
        accessor = relation.get_accessor_name()
        back = relation.field.name
        try:
            children = list(getattr(page, accessor).all())
        except Exception:  # noqa: BLE001, S112 - a relation we cannot read holds no page text
            continue
        for i, child in enumerate(children):
            _model_texts(child, f"{accessor}[{i}].", out, skip={back, "sort_order"})
    return out


def site_code_for(page) -> str:
    """The portal code of a page's site (overridable by SENSITIVE_WORDS_SITE_CODE_GETTER)."""
    getter = _setting("SENSITIVE_WORDS_SITE_CODE_GETTER", None)
    if getter:
        return import_string(getter)(page) or ""
    try:
        site = page.get_site()
    except Exception:  # noqa: BLE001 - pages outside any site
        return ""
    portal = getattr(site, "portal", None) if site else None
    return getattr(portal, "code", "") or ""


def check_page(page, site: str | None = None) -> list[PageHit]:
    """All hits in all text of ``page`` (the page's portal dictionaries included)."""
    if site is None:
        site = site_code_for(page)
    engine = get_engine()
    found = []
    for part in extract_page_texts(page):
        if part.text:
            for hit in engine.check(part.text, site=site):
                found.append(PageHit(part.path, part.label, part.text, hit))
    return found


# --- import and export ----------------------------------------------------------------------

LEVEL_ALIASES = {
    **{level: level for level in LEVELS},
    **{label: level for level, label in LEVEL_LABELS.items()},
    "禁止": BLOCK,
    "禁用": BLOCK,
    "审核": REVIEW,
    "人工": REVIEW,
    "替换": REPLACE,
}
HEADER_WORDS = {"word", "词语", "敏感词", "词", "phrase", "白名单"}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        text = f"新增 {self.created} 条，更新 {self.updated} 条，错误 {len(self.errors)} 行"
        return text


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _rows(data: bytes, fmt: str):
    """(line number, [cells]) of a TXT, CSV or XLSX file."""
    if fmt == "txt":
        for n, line in enumerate(_decode(data).splitlines(), 1):
            yield n, [line]
    elif fmt == "csv":
        for n, row in enumerate(csv.reader(io.StringIO(_decode(data))), 1):
            yield n, row
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook
            raise ValueError(f"无法读取 Excel 文件：{exc}") from exc
        for n, row in enumerate(book.active.iter_rows(values_only=True), 1):
            yield n, ["" if c is None else str(c) for c in row]
    else:
        raise ValueError(f"不支持的文件格式：{fmt}")


def format_of(filename: str) -> str:
    return Path(filename).suffix.lower().lstrip(".")


def import_words(
    data: bytes,
    fmt: str,
    dictionary_name: str,
    *,
    allow: bool = False,
) -> ImportReport:
    """Import a dictionary file; bad lines are reported with their numbers and skipped.

    TXT: one word a line (category 其他, level review). CSV/XLSX: word, category, level,
    suggestion (a header row is recognised). With ``allow`` the phrases go to the allow-list.
    """
    from .models import batch_changes

    with transaction.atomic(), batch_changes():
        return _import_rows(data, fmt, dictionary_name, allow)


def _import_rows(data: bytes, fmt: str, dictionary_name: str, allow: bool) -> ImportReport:
    from .models import CATEGORY_CHOICES, AllowPhrase, Dictionary, SensitiveWord

    categories = {c for c, _ in CATEGORY_CHOICES}
    report = ImportReport()
    dictionary, _ = Dictionary.objects.get_or_create(name=dictionary_name)
    max_len = SensitiveWord._meta.get_field("word").max_length
    seen: set[str] = set()
    for n, cells in _rows(data, fmt):
        cells = [c.strip() for c in cells]
        word = cells[0] if cells else ""
        if not word or word.startswith("#"):
            continue
        if n == 1 and fmt != "txt" and word.lower() in HEADER_WORDS:
            continue
        if len(word) > max_len:
            report.errors.append((n, f"词语超过 {max_len} 个字符"))
            continue
        if word in seen:
            report.errors.append((n, f"与前面的行重复：{word}"))
            continue
        if allow:
            _, created = AllowPhrase.objects.get_or_create(
                phrase=word, dictionary=dictionary, site_code=""
            )
            seen.add(word)
            report.created += created
            report.updated += not created
            continue
        category = (cells[1] if len(cells) > 1 else "") or "其他"
        level_text = (cells[2] if len(cells) > 2 else "") or REVIEW
        suggestion = cells[3] if len(cells) > 3 else ""
        if category not in categories:
            report.errors.append((n, f"未知分类：{category}"))
            continue
        level = LEVEL_ALIASES.get(level_text.lower(), LEVEL_ALIASES.get(level_text))
        if level is None:
            report.errors.append(
                (
                    n,
                    f"未知级别：{level_text}（应为 block/review/replace 或 禁止发布/人工审核/自动替换）",
                )
            )
            continue
        seen.add(word)
        _, created = SensitiveWord.objects.update_or_create(
            dictionary=dictionary,
            word=word,
            defaults={"category": category, "level": level, "suggestion": suggestion[:200]},
        )
        report.created += created
        report.updated += not created
    return report


def export_words(dictionary, fmt: str) -> bytes:
    """A dictionary as TXT (words only), CSV or XLSX (word, category, level, suggestion)."""
    rows = list(
        dictionary.words.order_by("word").values_list("word", "category", "level", "suggestion")
    )
    if fmt == "txt":
        return "".join(f"{r[0]}\n" for r in rows).encode("utf-8")
    header = ["词语", "分类", "级别", "建议写法"]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8-sig")  # BOM: Excel opens it as UTF-8
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = dictionary.name[:31]
        sheet.append(header)
        for r in rows:
            sheet.append(list(r))
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise ValueError(f"不支持的文件格式：{fmt}")


def seed_defaults() -> dict[str, int]:
    """Load the built-in seed (idempotent): demo words, allow-list and expression rules."""
    from .models import AllowPhrase, Dictionary, ExpressionRule, SensitiveWord, batch_changes
    from .seed import SEED_ALLOW, SEED_DICTIONARIES, SEED_RULES, SEED_WORDS

    counts = {"words": 0, "allow": 0, "rules": 0}
    with transaction.atomic(), batch_changes():
        dictionaries = {}
        for spec in SEED_DICTIONARIES:
            profile = spec["profile"]
            dictionaries[spec["name"]], _ = Dictionary.objects.get_or_create(
                name=spec["name"],
                defaults={
                    "description": spec["description"],
                    "fold_case": profile.case,
                    "fold_width": profile.width,
                    "fold_traditional": profile.traditional,
                    "strip_noise": profile.noise,
                    "collapse_repeats": profile.repeats,
                    "read_numerals": profile.numerals,
                },
            )
        for name, rows in SEED_WORDS.items():
            for word, category, level, suggestion, pinyin in rows:
                _, created = SensitiveWord.objects.get_or_create(
                    dictionary=dictionaries[name],
                    word=word,
                    defaults={
                        "category": category,
                        "level": level,
                        "suggestion": suggestion,
                        "match_pinyin": pinyin,
                    },
                )
                counts["words"] += created
        for phrase, name in SEED_ALLOW:
            _, created = AllowPhrase.objects.get_or_create(
                phrase=phrase, dictionary=dictionaries.get(name), site_code=""
            )
            counts["allow"] += created
        for rule in SEED_RULES:
            _, created = ExpressionRule.objects.get_or_create(
                name=rule["name"],
                dictionary=dictionaries[rule["dictionary"]],
                defaults={
                    "pattern": rule["pattern"],
                    "category": rule["category"],
                    "level": rule["level"],
                    "suggestion": rule["suggestion"],
                },
            )
            counts["rules"] += created
    return counts


# --- scanning existing content --------------------------------------------------------------

REPORT_COLUMNS = [
    ("page_id", "页面ID"),
    ("page_title", "页面标题"),
    ("page_url", "页面地址"),
    ("site", "门户"),
    ("field", "字段"),
    ("word", "命中词"),
    ("matched_text", "原文"),
    ("context", "上下文"),
    ("category", "分类"),
    ("level", "级别"),
    ("suggestion", "建议写法"),
]


def _site_code_of_site(site) -> str:
    portal = getattr(site, "portal", None)
    return getattr(portal, "code", "") or ""


def scan_pages(site: str | None = None, since=None) -> list[dict]:
    """Report rows for every hit in every live page (of one portal, or all)."""
    from wagtail.models import Page, Site

    sites = list(Site.objects.select_related("root_page"))
    if site:
        sites = [s for s in sites if _site_code_of_site(s) == site]
        if not sites:
            raise ValueError(f"找不到门户：{site}")
    rows: list[dict] = []
    seen: set[int] = set()
    for s in sites:
        code = _site_code_of_site(s)
        pages = Page.objects.live().descendant_of(s.root_page, inclusive=True)
        if since is not None:
            pages = pages.filter(last_published_at__gte=since)
        for page in pages.specific().iterator(chunk_size=200):
            if page.pk in seen:
                continue
            seen.add(page.pk)
            try:
                url = page.get_url() or ""
            except Exception:  # noqa: BLE001 - a page without a routable URL still gets reported
                url = ""
            for ph in check_page(page, site=code):
                rows.append(
                    {
                        "page_id": page.pk,
                        "page_title": page.title,
                        "page_url": url,
                        "site": code,
                        "field": f"{ph.label}（{ph.path}）",
                        "word": ph.hit.word,
                        "matched_text": ph.hit.matched_text,
                        "context": ph.context,
                        "category": ph.hit.category,
                        "level": LEVEL_LABELS[ph.hit.level],
                        "suggestion": ph.hit.suggestion,
                    }
                )
    return rows


def write_report(rows: list[dict], fmt: str) -> bytes:
    """The scan report as CSV, XLSX or a standalone HTML page."""
    keys = [k for k, _ in REPORT_COLUMNS]
    header = [label for _, label in REPORT_COLUMNS]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row[k] for k in keys])
        return buffer.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "敏感词扫描"
        sheet.append(header)
        for row in rows:
            sheet.append([row[k] for k in keys])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    if fmt == "html":
        from django.template.loader import render_to_string

        return render_to_string(
            "sensitive_words/scan_report.html",
            {"header": header, "rows": [[row[k] for k in keys] for row in rows]},
        ).encode("utf-8")
    raise ValueError(f"不支持的报告格式：{fmt}")
