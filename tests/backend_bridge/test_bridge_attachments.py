"""Attachments are checked by content: images re-encoded, documents by magic bytes, limits."""

import io
import zipfile

import pytest
from PIL import Image

from backend_bridge.models import Attachment
from backend_bridge.services import attachments
from backend_bridge.services.errors import InvalidInput


def _docx(with_macro=False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if with_macro:
            archive.writestr("word/vbaProject.bin", b"\x00")
    return out.getvalue()


def test_image_is_reencoded_and_renamed_by_its_content(samples):
    trailing = samples.png() + b"PK\x03\x04hidden archive"
    checked = attachments.check_file("photo.exe", trailing)
    assert checked.content_type == "image/jpeg" and checked.name == "photo.jpg"
    assert b"hidden archive" not in checked.content
    assert Image.open(io.BytesIO(checked.content)).size == (40, 30)


def test_pdf_and_office_documents_are_recognised_by_magic_bytes(samples):
    assert attachments.check_file("a.txt", samples.PDF).content_type == "application/pdf"
    assert attachments.check_file("报告.docx", _docx()).name == "报告.docx"
    ole = attachments.check_file("旧表格.xls", attachments.OLE_MAGIC + b"\x00" * 100)
    assert ole.content_type == "application/vnd.ms-excel"


@pytest.mark.parametrize(
    "name,data,fragment",
    [
        ("run.pdf", b"MZ\x90\x00executable", "类型不支持"),
        ("empty.pdf", b"", "空文件"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "已损坏"),
        ("macro.docx", _docx(with_macro=True), "宏"),
        ("page.html", b"<html><script>alert(1)</script>", "类型不支持"),
    ],
)
def test_other_content_is_refused_with_a_chinese_message(name, data, fragment):
    with pytest.raises(InvalidInput) as info:
        attachments.check_file(name, data)
    assert fragment in info.value.field_errors["attachments"][0]


def test_size_and_count_limits(samples, monkeypatch):
    monkeypatch.setattr(attachments, "MAX_FILE_BYTES", 100)
    with pytest.raises(InvalidInput) as info:
        attachments.check_files([("big.pdf", samples.PDF + b"0" * 200)])
    assert "超过" in info.value.field_errors["attachments"][0]
    with pytest.raises(InvalidInput) as info:
        attachments.check_files([("a.pdf", samples.PDF)] * (attachments.MAX_FILES + 1))
    assert "最多" in info.value.field_errors["attachments"][0]


@pytest.mark.django_db
def test_attachments_are_stored_with_the_submission(submit, samples):
    accepted = submit(files=[("现场.png", samples.png()), ("证明.pdf", samples.PDF)])
    stored = list(Attachment.objects.filter(submission=accepted.submission))
    assert [a.original_name for a in stored] == ["现场.jpg", "证明.pdf"]
    assert stored[1].file.read() == samples.PDF
    assert "现场" not in stored[0].file.name  # stored under a random name
