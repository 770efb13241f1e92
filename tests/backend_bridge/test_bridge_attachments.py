"""Attachments are checked by content: images re-encoded, documents by magic bytes, limits."""

import io
import zipfile

import pytest
from PIL import Image

from backend_bridge.models import Attachment
from backend_bridge.services import attachments
from backend_bridge.services.errors import InvalidInput
from tests.backend_bridge.cfb import build_cfb


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
    ole = attachments.check_file("旧表格.xls", build_cfb({"Workbook": b"\x09\x08" * 40}))
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


# --- hostile documents: what a drill (or a real attacker) sends to the staff's desktops ----------


def _pdf(*objects: bytes) -> bytes:
    body = b"".join(b"%d 0 obj\n%s\nendobj\n" % (n, o) for n, o in enumerate(objects, start=1))
    return b"%PDF-1.7\n" + body + b"trailer<</Root 1 0 R>>\n%%EOF\n"


def _flate_stream(content: bytes) -> bytes:
    import zlib

    packed = zlib.compress(content)
    return b"<</Length %d/Filter/FlateDecode>>stream\n%s\nendstream" % (len(packed), packed)


def _zip(**members: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in members.items():
            archive.writestr(name.replace("__", "/"), data)
    return out.getvalue()


@pytest.mark.parametrize(
    "name,data,fragment",
    [
        (
            "通知.pdf",
            _pdf(b"<</Type/Catalog/OpenAction 2 0 R>>", b"<</S/JavaScript/JS(app.alert(1))>>"),
            "脚本",
        ),
        ("申请.pdf", _pdf(b"<</Type/Catalog/OpenAction<</S/Launch/F(cmd.exe)>>>>"), "自动运行"),
        # The name spelled with #xx escapes, and hidden inside a compressed object stream.
        ("a.pdf", _pdf(b"<</Type/Catalog/OpenAction<</S/Java#53cript/JS(x)>>>>"), "脚本"),
        ("b.pdf", _pdf(b"<</Type/Catalog>>", _flate_stream(b"<</S/JavaScript/JS(x)>>")), "脚本"),
        ("c.pdf", _pdf(b"<</Type/Catalog/Names<</EmbeddedFiles 2 0 R>>>>"), "内嵌文件"),
        ("宏.doc", build_cfb({"WordDocument": b"x", "Macros/VBA/dir": b"attribute"}), "宏"),
        ("宏.xls", build_cfb({"Workbook": b"x", "_VBA_PROJECT_CUR/VBA/dir": b"y"}), "宏"),
        ("包.doc", build_cfb({"WordDocument": b"x", "\x01Ole10Native": b"MZ\x90"}), "内嵌了程序"),
        ("坏.doc", attachments.OLE_MAGIC + b"\x00" * 100, "已损坏"),
        (
            "a.docx",
            _zip(word__embeddings__setup_exe=b"MZ", **{"word/embeddings/x.exe": b"MZ"}),
            "程序",
        ),
        ("b.docx", _zip(**{"../../evil.txt": b"x"}), "路径"),
        ("c.docx", _zip(**{"/etc/cron.d/x": b"x"}), "路径"),
        ("d.docx", _zip(**{"word/embeddings/oleObject1.bin": b"MZ\x90\x00"}), "程序"),
        (
            "e.docx",
            _zip(**{"word/embeddings/oleObject1.bin": build_cfb({"\x01Ole10Native": b"MZ"})}),
            "内嵌了程序",
        ),
    ],
)
def test_documents_that_run_something_are_refused(name, data, fragment):
    with pytest.raises(InvalidInput) as info:
        attachments.check_file(name, data)
    assert fragment in info.value.field_errors["attachments"][0]


def test_ordinary_documents_with_a_harmless_open_action_still_pass():
    view = _pdf(b"<</Type/Catalog/Pages 2 0 R/OpenAction[3 0 R/XYZ 0 792 0]>>", b"<<>>", b"<<>>")
    assert attachments.check_file("扫描件.pdf", view).content_type == "application/pdf"
    embedded = build_cfb({"Workbook": b"x"})
    docx = _zip(**{"word/embeddings/Microsoft_Excel_97.xls": embedded})
    assert attachments.check_file("报告.docx", docx).name == "报告.docx"


@pytest.mark.django_db
def test_a_hostile_pdf_sent_with_a_petition_is_refused_and_nothing_is_stored(
    client, portals, sms_ok, id_number
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from backend_bridge.models import Submission
    from tests.backend_bridge.test_bridge_api import _fields

    hostile = _pdf(b"<</Type/Catalog/OpenAction<</S/JavaScript/JS(this.exportDataObject())>>>>")
    response = client.post(
        "/api/v1/petitions",
        {**_fields(id_number), "attachments": [SimpleUploadedFile("材料.pdf", hostile)]},
        headers={"Host": portals["nanning"].site.hostname},
    )
    assert response.status_code == 400
    assert "出于安全原因不能上传" in response.json()["details"]["fields"]["attachments"][0]
    assert not Submission.objects.exists() and sms_ok == []
