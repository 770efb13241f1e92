"""Importing dictionaries from TXT, CSV and XLSX (bad lines reported, the rest imported) and export."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from sensitive_words import services
from sensitive_words.models import AllowPhrase, Dictionary, SensitiveWord

pytestmark = pytest.mark.django_db


def xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_txt_words_get_category_other_and_level_review():
    report = services.import_words("甲词\n\n# 注释\n乙词\n".encode(), "txt", "导入")
    assert report.created == 2 and report.errors == []
    assert set(SensitiveWord.objects.values_list("word", "category", "level")) == {
        ("甲词", "其他", "review"),
        ("乙词", "其他", "review"),
    }


def test_csv_bad_lines_are_reported_with_line_numbers_and_the_rest_imported():
    data = (
        "词语,分类,级别,建议写法\n"
        "代开发票,广告,block,\n"
        "某词,不存在的分类,block,\n"
        "另一词,广告,很严重,\n"
        "旧称,表述规范,人工审核,新称\n"
        "代开发票,广告,block,\n"
    ).encode()
    report = services.import_words(data, "csv", "导入")
    assert report.created == 2
    assert [line for line, _ in report.errors] == [3, 4, 6]
    assert "未知分类" in report.errors[0][1]
    assert SensitiveWord.objects.get(word="旧称").suggestion == "新称"


def test_csv_in_gb18030_from_excel_is_read():
    report = services.import_words("词语,分类\n赌博,涉赌\n".encode("gb18030"), "csv", "导入")
    assert report.created == 1
    assert SensitiveWord.objects.get().category == "涉赌"


def test_xlsx_rows_are_imported_and_bad_rows_reported():
    data = xlsx(
        [
            ["词语", "分类", "级别", "建议写法"],
            ["广告词", "广告", "replace", None],
            ["x" * 101, "广告", "block", None],
        ]
    )
    report = services.import_words(data, "xlsx", "导入")
    assert report.created == 1
    assert report.errors[0][0] == 3


def test_unreadable_xlsx_is_an_error_not_a_crash():
    with pytest.raises(ValueError, match="Excel"):
        services.import_words(b"not a workbook", "xlsx", "导入")


def test_import_into_allow_list():
    report = services.import_words("三黄片\n大麻烦\n".encode(), "txt", "导入", allow=True)
    assert report.created == 2
    assert set(AllowPhrase.objects.values_list("phrase", flat=True)) == {"三黄片", "大麻烦"}


def test_reimport_updates_instead_of_duplicating():
    services.import_words("某词,广告,block,\n".encode(), "csv", "导入")
    report = services.import_words("某词,辱骂,replace,\n".encode(), "csv", "导入")
    assert (report.created, report.updated) == (0, 1)
    assert SensitiveWord.objects.get().category == "辱骂"


def test_import_bumps_the_version_once_for_the_whole_file():
    before = services.read_version_from_db()
    services.import_words("一\n二\n三\n".encode(), "txt", "导入")
    assert services.read_version_from_db() == before + 1


def test_imported_words_take_effect_at_once():
    services.import_words("新导入词\n".encode(), "txt", "导入")
    assert [h.word for h in services.check_text("新导入词")] == ["新导入词"]


def test_import_command_reports_bad_lines_and_summary(tmp_path, capsys):
    path = tmp_path / "words.csv"
    path.write_text("好词,广告,block,\n坏词,坏分类,block,\n", encoding="utf-8")
    call_command("import_sensitive_words", str(path), "--dictionary", "命令导入")
    captured = capsys.readouterr()
    assert "第 2 行" in captured.err
    assert "新增 1 条" in captured.out
    assert Dictionary.objects.get(name="命令导入").words.count() == 1


def test_import_command_rejects_unknown_file_type(tmp_path):
    path = tmp_path / "words.doc"
    path.write_bytes(b"x")
    with pytest.raises(CommandError):
        call_command("import_sensitive_words", str(path))


def test_export_round_trips_through_csv_and_xlsx():
    services.import_words("旧称,表述规范,review,新称\n".encode(), "csv", "导出")
    dictionary = Dictionary.objects.get(name="导出")
    assert services.export_words(dictionary, "txt") == "旧称\n".encode()
    assert "旧称,表述规范,review,新称" in services.export_words(dictionary, "csv").decode(
        "utf-8-sig"
    )
    sheet = load_workbook(io.BytesIO(services.export_words(dictionary, "xlsx"))).active
    assert [c.value for c in sheet[2]] == ["旧称", "表述规范", "review", "新称"]
