"""Attachment checks by content, never by file name.

Images (JPEG, PNG, GIF, WebP, BMP) are decoded and re-encoded with Pillow, which drops anything
hidden after or inside them (metadata, appended archives, scripts). PDF and Office documents are
recognised by their magic bytes and then inspected, because staff open them on their desktops:

- legacy Office files (OLE) are read with olefile: VBA macro storages and embedded packages
  (``Ole10Native``, how a program is hidden inside a document) are refused;
- PDFs are scanned, including their compressed streams and ``#xx``-escaped names, for actions
  that run something: JavaScript (also as an ``/OpenAction`` or ``/AA``), ``/Launch``, embedded
  files, forms that submit or import data;
- OOXML (zip) files must contain the parts of their kind, no macros, no member with an absolute
  or ``../`` path, no program, no embedded OLE object that fails the OLE check, and must not
  unpack to more than a sane size.

Everything else is refused with a message in Chinese. Attachments are forwarded to the case
system; the portal never serves them back from its own origin.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
import zlib
from dataclasses import dataclass

import olefile
from PIL import Image, UnidentifiedImageError

from .errors import InvalidInput

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 30 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
FIELD = "attachments"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
OOXML_KINDS = {
    "word/": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xl/": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ppt/": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
OLE_EXTENSIONS = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".wps": "application/vnd.ms-works",
    ".et": "application/vnd.ms-excel",
}
# PDF names that make a reader run, open or send something (after #xx escapes are decoded).
PDF_ACTIVE_NAMES = (
    b"/JavaScript",
    b"/JS",
    b"/Launch",
    b"/EmbeddedFile",
    b"/EmbeddedFiles",
    b"/RichMedia",
    b"/SubmitForm",
    b"/ImportData",
    b"/GoToE",
)
PDF_NAME_RE = re.compile(rb"/[^\s/<>\[\]()%{}]+")
PDF_STREAM_RE = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
PDF_MAX_INFLATED = 64 * 1024 * 1024
# Zip members that are programs or scripts, whatever they pretend to be.
PROGRAM_EXTENSIONS = (
    ".exe", ".dll", ".com", ".scr", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".js", ".jse",
    ".wsf", ".hta", ".msi", ".jar", ".lnk", ".cpl", ".sh",
)  # fmt: skip
ZIP_MAX_MEMBERS = 2000
ZIP_MAX_UNPACKED = 200 * 1024 * 1024
ALLOWED_HINT = (
    "仅支持图片（JPG、PNG、GIF、WebP、BMP）、PDF 和 Office 文档（Word、Excel、PowerPoint、WPS）"
)


@dataclass
class CheckedFile:
    name: str  # a safe display name ending in the extension of the detected type
    content: bytes
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _safe_name(original: str, extension: str) -> str:
    stem = os.path.splitext(os.path.basename(original or ""))[0]
    stem = "".join(ch for ch in stem if ch.isalnum() or ch in "-_（）() ")[:80].strip() or "附件"
    return f"{stem}.{extension}"


def _reencode_image(data: bytes, original: str) -> CheckedFile:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise InvalidInput({FIELD: [f"图片“{original}”尺寸过大，请缩小后再上传。"]})
        image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise InvalidInput({FIELD: [f"图片“{original}”已损坏或无法识别，请换一张。"]}) from exc
    out = io.BytesIO()
    if image.mode in ("RGBA", "LA", "P") and image.format in ("PNG", "GIF", "WEBP"):
        image.convert("RGBA").save(out, "PNG", optimize=True)
        return CheckedFile(_safe_name(original, "png"), out.getvalue(), "image/png")
    image.convert("RGB").save(out, "JPEG", quality=88)
    return CheckedFile(_safe_name(original, "jpg"), out.getvalue(), "image/jpeg")


def _refuse(original: str, what: str):
    return InvalidInput({FIELD: [f"文件“{original}”{what}，出于安全原因不能上传。"]})


def _macros(original: str):
    return InvalidInput(
        {FIELD: [f"文件“{original}”包含宏，出于安全原因不能上传，请另存为不含宏的文档。"]}
    )


def _inspect_ole(data: bytes, original: str) -> None:
    """Refuse a legacy Office file with VBA macros or an embedded package (a hidden program)."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            entries = [
                "/".join(entry).lower() for entry in ole.listdir(streams=True, storages=True)
            ]
    except (OSError, ValueError) as exc:  # olefile raises OSError on a broken file
        raise InvalidInput({FIELD: [f"文件“{original}”已损坏，无法打开。"]}) from exc
    parts = {part for entry in entries for part in entry.split("/")}
    if parts & {"macros", "_vba_project_cur", "vba", "_vba_project"}:
        raise _macros(original)
    if "\x01ole10native" in parts:
        raise _refuse(original, "内嵌了程序或其他文件")


def _pdf_streams(data: bytes):
    """The inflated content of a PDF's Flate streams (bounded: a bomb inflates no further)."""
    budget = PDF_MAX_INFLATED
    for match in PDF_STREAM_RE.finditer(data):
        if budget <= 0:
            return
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(match.group(1), budget)
        except zlib.error:
            continue  # not Flate (images, other filters): no names to find there
        budget -= len(chunk)
        yield chunk


def _pdf_names(chunk: bytes) -> set[bytes]:
    names = set()
    for name in PDF_NAME_RE.findall(chunk):
        if b"#" in name:
            name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), name)
        names.add(name)
    return names


def _inspect_pdf(data: bytes, original: str) -> None:
    """Refuse a PDF with anything that runs, launches, embeds or submits (see PDF_ACTIVE_NAMES)."""
    for chunk in (data, *_pdf_streams(data)):
        if _pdf_names(chunk) & set(PDF_ACTIVE_NAMES):
            raise _refuse(original, "包含脚本、自动运行或内嵌文件等内容")


def _check_ooxml(data: bytes, original: str) -> CheckedFile:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = [member.filename for member in members]
            if len(members) > ZIP_MAX_MEMBERS or (
                sum(member.file_size for member in members) > ZIP_MAX_UNPACKED
            ):
                raise _refuse(original, "解压后过大")
            for member in members:
                name = member.filename.replace("\\", "/")
                if name.startswith("/") or ".." in name.split("/") or ":" in name:
                    raise _refuse(original, "包含异常的文件路径")
                lowered = name.lower()
                if lowered.endswith(PROGRAM_EXTENSIONS):
                    raise _refuse(original, "内嵌了程序")
                if lowered.endswith("vbaproject.bin"):
                    raise _macros(original)
                if lowered.endswith(".bin") or "/embeddings/" in lowered:
                    content = archive.read(member)
                    if content.startswith(b"MZ"):
                        raise _refuse(original, "内嵌了程序")
                    if content.startswith(OLE_MAGIC):
                        _inspect_ole(content, original)
    except (zipfile.BadZipFile, ValueError, NotImplementedError, EOFError) as exc:
        raise InvalidInput({FIELD: [f"文件“{original}”已损坏，无法打开。"]}) from exc
    if "[Content_Types].xml" not in names:
        raise InvalidInput({FIELD: [f"文件“{original}”的类型不支持。{ALLOWED_HINT}。"]})
    for prefix, (extension, content_type) in OOXML_KINDS.items():
        if any(n.startswith(prefix) for n in names):
            return CheckedFile(_safe_name(original, extension), data, content_type)
    raise InvalidInput({FIELD: [f"文件“{original}”的类型不支持。{ALLOWED_HINT}。"]})


def check_file(original_name: str, data: bytes) -> CheckedFile:
    """One file's content checked (and images re-encoded); raises ``InvalidInput``."""
    if not data:
        raise InvalidInput({FIELD: [f"文件“{original_name}”是空文件。"]})
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(
            {
                FIELD: [
                    f"文件“{original_name}”超过 {MAX_FILE_BYTES // (1024 * 1024)}MB，请压缩后再上传。"
                ]
            }
        )
    head = data[:16]
    if head.startswith(b"%PDF-"):
        _inspect_pdf(data, original_name)
        return CheckedFile(_safe_name(original_name, "pdf"), data, "application/pdf")
    if head.startswith(ZIP_MAGIC):
        return _check_ooxml(data, original_name)
    if head.startswith(OLE_MAGIC):
        _inspect_ole(data, original_name)
        extension = os.path.splitext(original_name or "")[1].lower()
        content_type = OLE_EXTENSIONS.get(extension, "application/msword")
        extension = extension if extension in OLE_EXTENSIONS else ".doc"
        return CheckedFile(_safe_name(original_name, extension[1:]), data, content_type)
    if (
        head.startswith(b"\xff\xd8\xff")
        or head.startswith(b"\x89PNG\r\n\x1a\n")
        or head[:6] in (b"GIF87a", b"GIF89a")
        or (head.startswith(b"RIFF") and head[8:12] == b"WEBP")
        or head.startswith(b"BM")
    ):
        return _reencode_image(data, original_name)
    raise InvalidInput({FIELD: [f"文件“{original_name}”的类型不支持。{ALLOWED_HINT}。"]})


def check_files(files) -> list[CheckedFile]:
    """Check uploaded files (Django ``UploadedFile`` objects or ``(name, bytes)`` pairs)."""
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise InvalidInput({FIELD: [f"最多上传 {MAX_FILES} 个附件。"]})
    checked, total = [], 0
    for item in files:
        if isinstance(item, tuple):
            name, data = item
        else:
            name = getattr(item, "name", "附件")
            if item.size is not None and item.size > MAX_FILE_BYTES:
                raise InvalidInput(
                    {
                        FIELD: [
                            f"文件“{name}”超过 {MAX_FILE_BYTES // (1024 * 1024)}MB，请压缩后再上传。"
                        ]
                    }
                )
            data = item.read()
        total += len(data)
        if total > MAX_TOTAL_BYTES:
            raise InvalidInput(
                {FIELD: [f"附件合计不能超过 {MAX_TOTAL_BYTES // (1024 * 1024)}MB。"]}
            )
        checked.append(check_file(name, data))
    return checked
