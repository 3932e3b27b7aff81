"""Exports for BPJS bulk upload: CSV that Excel opens, XLSX whose NIK stays text, all audited."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.exporting import export_to_file
from storage.models import AuditLog
from tests.integration.api_harness import (
    Api,
    api_fixture,  # noqa: F401 - the `api` fixture
)

NIK = "3604015505900999"

REASON = "Unggah massal ke BPJS"


async def _approved(api: Api, token: str, **fields: object) -> int:
    registration = await api.registration(**fields)
    await api.post(f"/registrations/{registration}/approve", token)
    return registration


async def test_the_csv_export_has_a_bom_the_columns_and_the_full_nik(api: Api) -> None:
    admin = await api.official()
    await _approved(api, admin, nik=NIK, full_name="Siti Nur'aini", phone="+6281234567890")

    response = await api.get("/registrations/export", admin, format="csv", reason=REASON)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["NIK"] == NIK
    assert row["NAMA_LENGKAP"] == "Siti Nur'aini"
    assert row["TANGGAL_LAHIR"] == "15-05-1990"
    assert row["JENIS_KELAMIN"] == "P"
    assert row["NO_HP"] == "081234567890"
    assert row["KODE_WILAYAH"] == "36.04.01.2001"
    assert row["KABUPATEN_KOTA"] == "Kabupaten Serang"
    assert row["HUBUNGAN_AHLI_WARIS"] == "Anak"
    assert row["STATUS"] == "approved"
    assert row["NOMOR_REFERENSI"].startswith("LND-")


async def test_the_export_holds_approved_registrations_unless_asked_otherwise(api: Api) -> None:
    admin = await api.official()
    await _approved(api, admin)
    await api.registration()

    approved = await api.get("/registrations/export", admin, format="csv", reason=REASON)
    everything = await api.get(
        "/registrations/export", admin, format="csv", reason=REASON, status="all"
    )

    assert len(approved.content.decode("utf-8-sig").splitlines()) == 2
    assert len(everything.content.decode("utf-8-sig").splitlines()) == 3


async def test_the_xlsx_export_keeps_the_nik_and_phone_as_text(api: Api) -> None:
    admin = await api.official()
    await _approved(api, admin, nik=NIK, phone="+6281234567890")

    response = await api.get("/registrations/export", admin, format="xlsx", reason=REASON)

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    values = dict(zip(header, sheet[2], strict=True))
    assert values["NIK"].value == NIK
    assert values["NIK"].data_type == "s"
    assert values["NO_HP"].value == "081234567890"
    assert values["TANGGAL_LAHIR"].value.date() == date(1990, 5, 15)
    assert values["PENGHASILAN_BULANAN"].value == 1_500_000


async def test_a_name_that_looks_like_a_formula_stays_text(api: Api) -> None:
    admin = await api.official()
    await _approved(api, admin, heir_name="=HYPERLINK(1)")

    as_csv = await api.get("/registrations/export", admin, format="csv", reason=REASON)
    as_xlsx = await api.get("/registrations/export", admin, format="xlsx", reason=REASON)

    row = next(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert row["NAMA_AHLI_WARIS"] == "'=HYPERLINK(1)"
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    cell = sheet.cell(row=2, column=[c.value for c in sheet[1]].index("NAMA_AHLI_WARIS") + 1)
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")


async def test_every_export_is_audited_with_the_ids_it_contained(api: Api) -> None:
    admin = await api.official()
    registration = await _approved(api, admin, nik=NIK)

    await api.get("/registrations/export", admin, format="xlsx", reason=REASON)

    (entry,) = await api.audit("registrations.exported")
    assert entry.actor.startswith("official:")
    assert entry.detail is not None
    assert (entry.detail["format"], entry.detail["count"]) == ("xlsx", 1)
    assert entry.detail["ids"] == [registration]
    assert NIK not in str(entry.detail)


async def test_an_unknown_export_format_is_refused(api: Api) -> None:
    admin = await api.official()

    response = await api.get("/registrations/export", admin, format="pdf", reason=REASON)

    assert response.status_code == 422


async def test_the_export_command_writes_a_private_file_and_audits_it(
    api: Api, tmp_path: Path
) -> None:
    admin = await api.official()
    await _approved(api, admin, nik=NIK)
    output = tmp_path / "bpjs.xlsx"

    count = await export_to_file(api.services.settings, "approved", "xlsx", output, REASON)

    assert count == 1
    assert output.stat().st_mode & 0o077 == 0
    sheet = load_workbook(output).active
    assert sheet is not None
    assert sheet.cell(row=2, column=1).value == NIK
    entries: list[AuditLog] = await api.audit("registrations.exported")
    assert [entry.actor.split(":")[0] for entry in entries] == ["cli"]
    assert entries[0].detail is not None and entries[0].detail["reason"] == REASON


async def test_the_export_command_refuses_to_run_without_a_reason(api: Api, tmp_path: Path) -> None:
    output = tmp_path / "bpjs.csv"

    with pytest.raises(ValueError, match="--reason"):
        await export_to_file(api.services.settings, "approved", "csv", output, " ")

    assert not output.exists()
    assert await api.audit("registrations.exported") == []
