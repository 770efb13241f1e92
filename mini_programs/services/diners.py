"""The staff list: importing diners from CSV or XLSX (姓名, 手机号, 部门, 工号, 允许代订客餐).

A row is matched to an existing diner by phone and updated, else created; departments are
created by name. Rows with errors are reported by row number and change nothing; the valid
rows of the same file are still imported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from backend_bridge.idcard import validate_mobile

from ..models import Department, Diner
from .errors import MealError

HEADERS = {"姓名": "name", "手机号": "phone", "部门": "department", "工号": "employee_no"}
GUESTS_HEADER = "允许代订客餐"
YES = {"是", "y", "yes", "1", "true", "允许"}
MAX_ROWS = 5000


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _rows(filename: str, data: bytes) -> list[list[str]]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception:  # openpyxl raises many kinds for a damaged file
            raise MealError("bad_file", "无法读取该 XLSX 文件，请确认文件未损坏。", 400) from None
        return [
            ["" if v is None else str(v).strip() for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise MealError("bad_file", "CSV 文件编码无法识别，请保存为 UTF-8。", 400)
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    raise MealError("bad_file", "只支持 .csv 或 .xlsx 文件。", 400)


def import_diners(filename: str, data: bytes) -> ImportReport:
    rows = _rows(filename, data)
    if not rows:
        raise MealError("bad_file", "文件为空。", 400)
    header = rows[0]
    missing = [h for h in ("姓名", "手机号") if h not in header]
    if missing:
        raise MealError("bad_file", f"首行缺少列：{'、'.join(missing)}。", 400)
    if len(rows) > MAX_ROWS + 1:
        raise MealError("bad_file", f"一次最多导入{MAX_ROWS}行。", 400)
    index = {name: header.index(name) for name in [*HEADERS, GUESTS_HEADER] if name in header}
    report = ImportReport()
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        values = {HEADERS.get(h, h): (row[i] if i < len(row) else "") for h, i in index.items()}
        name = values.get("name", "")
        if not name or len(name) > 50:
            report.errors.append(f"第{number}行：姓名为空或过长。")
            continue
        try:
            phone = validate_mobile(values.get("phone", ""))
        except ValidationError as error:
            report.errors.append(f"第{number}行：{error.messages[0]}")
            continue
        with transaction.atomic():
            department = None
            if values.get("department"):
                department, _ = Department.objects.get_or_create(name=values["department"][:100])
            fields = {
                "name": name,
                "department": department,
                "employee_no": values.get("employee_no", "")[:32],
            }
            if GUESTS_HEADER in values:
                fields["guests_allowed"] = values[GUESTS_HEADER].lower() in YES
            # Matched by the number's blind index (numbers are stored encrypted).
            diner = Diner.objects.with_phone(phone).order_by("pk").select_for_update().first()
            created = diner is None
            diner = diner or Diner(phone=phone)
            for attribute, value in fields.items():
                setattr(diner, attribute, value)
            diner.save()
        if created:
            report.created += 1
        else:
            report.updated += 1
    return report
