"""Exported registrations as CSV or XLSX, with the columns a BPJS bulk upload needs.

CSV starts with a UTF-8 BOM (Excel reads the names right); in XLSX the NIK, phone and KPJ are
text cells, so a spreadsheet never turns a NIK into 3.6E+15 or drops a phone's leading zero.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from console.labels import occupation_label, region_path, relation_label
from domain.regions import RegionDirectory
from storage.repos.exports import ExportRow

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HEADER = (
    "NIK",
    "NAMA_LENGKAP",
    "TANGGAL_LAHIR",
    "JENIS_KELAMIN",
    "NO_HP",
    "KODE_PEKERJAAN",
    "PEKERJAAN",
    "KODE_WILAYAH",
    "DESA_KELURAHAN",
    "KECAMATAN",
    "KABUPATEN_KOTA",
    "PROVINSI",
    "PENGHASILAN_BULANAN",
    "NAMA_AHLI_WARIS",
    "HUBUNGAN_AHLI_WARIS",
    "PROGRAM",
    "NOMOR_REFERENSI",
    "STATUS",
    "KPJ",
)
TEXT_COLUMNS = frozenset({"NIK", "NO_HP", "KODE_WILAYAH", "KPJ"})
DATE_FORMAT = "DD-MM-YYYY"
_GENDER = {"male": "L", "female": "P"}
_NUMBER_LIKE = re.compile(r"[+-]?[\d .]*")

Cell = str | int | date | None


def national_phone(phone: str) -> str:
    """`+6281234567890` -> `081234567890`, the way Indonesian forms write it."""
    return "0" + phone[3:] if phone.startswith("+62") else phone


def table(rows: Sequence[ExportRow], regions: RegionDirectory) -> list[list[Cell]]:
    """One list of cells per registration, in `HEADER` order."""
    out: list[list[Cell]] = []
    for item in rows:
        row = item.registration
        village, district, regency, province = region_path(regions, row.region)
        out.append(
            [
                item.nik,
                row.full_name,
                row.birth_date,
                _GENDER.get(row.gender, row.gender),
                national_phone(row.phone),
                row.occupation,
                occupation_label(row.occupation, row.occupation_other),
                row.region,
                village,
                district,
                regency,
                province,
                row.monthly_income,
                row.heir_name,
                relation_label(row.heir_relation),
                row.program,
                row.reference,
                row.status,
                row.kpj,
            ]
        )
    return out


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    text = str(value)
    # A cell starting with = + - @ is a formula to a spreadsheet: neutralise worker text.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER_LIKE.fullmatch(text):
        return "'" + text
    return text


def render_csv(cells: Sequence[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in cells:
        writer.writerow([_csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def render_xlsx(cells: Sequence[Sequence[Cell]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Registrasi")
    for index, name in enumerate(HEADER, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(len(name) + 2, 14)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in HEADER:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in cells:
        sheet.append(
            [_xlsx_cell(sheet, name, value) for name, value in zip(HEADER, row, strict=True)]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet: object, column: str, value: Cell) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if column in TEXT_COLUMNS:
            cell.number_format = "@"
    return cell


def render(format: str, rows: Sequence[ExportRow], regions: RegionDirectory) -> bytes:
    """The file's bytes in `format` (`csv` or `xlsx`)."""
    cells = table(rows, regions)
    if format == "csv":
        return render_csv(cells)
    if format == "xlsx":
        return render_xlsx(cells)
    raise ValueError(f"the export format must be csv or xlsx, not {format!r}")
