"""Attachment checks by content, never by file name.

Images (JPEG, PNG, GIF, WebP, BMP) are decoded and re-encoded with Pillow, which drops anything
hidden after or inside them (metadata, appended archives, scripts). PDF and Office documents are
recognised by their magic bytes; OOXML files must contain the parts of their kind and no macros.
Everything else is refused with a message in Chinese.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass

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


def _check_ooxml(data: bytes, original: str) -> CheckedFile:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise InvalidInput({FIELD: [f"文件“{original}”已损坏，无法打开。"]}) from exc
    if "[Content_Types].xml" not in names:
        raise InvalidInput({FIELD: [f"文件“{original}”的类型不支持。{ALLOWED_HINT}。"]})
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise InvalidInput(
            {FIELD: [f"文件“{original}”包含宏，出于安全原因不能上传，请另存为不含宏的文档。"]}
        )
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
        return CheckedFile(_safe_name(original_name, "pdf"), data, "application/pdf")
    if head.startswith(ZIP_MAGIC):
        return _check_ooxml(data, original_name)
    if head.startswith(OLE_MAGIC):
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
