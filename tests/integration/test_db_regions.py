"""The Kemendagri region list: the real file imports quickly; a bad file says where it is wrong."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlmodel import select

from storage.infra.db import Database
from storage.models import Region
from storage.repos.regions import count_regions, import_regions, load_regions, read_region_csv

WILAYAH = Path(__file__).parents[3] / "shared/data/wilayah/wilayah.csv"


async def test_full_region_list_imports(db: Database) -> None:
    if not WILAYAH.exists():
        pytest.skip(f"the region list is not at {WILAYAH}")
    started = time.perf_counter()

    imported = await import_regions(db, read_region_csv(WILAYAH))

    assert time.perf_counter() - started < 60
    assert imported == await count_regions(db) == 91_599
    async with db.session() as session:
        provinces = (await session.exec(select(Region).where(Region.level == 1))).all()
        regencies = (await session.exec(select(Region).where(Region.level == 2))).all()
        serang = await session.get(Region, "36.04")
    assert (len(provinces), len(regencies)) == (38, 514)
    assert serang is not None
    assert (serang.name, serang.level, serang.parent) == ("Kabupaten Serang", 2, "36")


async def test_levels_and_parents_follow_the_code(db: Database) -> None:
    await import_regions(
        db, [("36", "Banten"), ("36.04", "Kabupaten Serang"), ("36.04.01.2001", "Desa Contoh")]
    )

    async with db.session() as session:
        rows = (await session.exec(select(Region).order_by(Region.code))).all()

    assert [(r.code, r.level, r.parent) for r in rows] == [
        ("36", 1, None),
        ("36.04", 2, "36"),
        ("36.04.01.2001", 4, "36.04.01"),
    ]


async def test_importing_again_updates_names_without_duplicates(db: Database) -> None:
    await import_regions(db, [("36", "Banten"), ("36.73", "Kota Serang")])

    await import_regions(db, [("36.73", "Kota Serang (baru)")])

    assert await load_regions(db) == [("36", "Banten"), ("36.73", "Kota Serang (baru)")]


async def test_an_import_with_a_bad_code_changes_nothing(db: Database) -> None:
    with pytest.raises(ValueError, match="3604"):
        await import_regions(db, [("36", "Banten"), ("3604", "Kabupaten Serang")])

    assert await count_regions(db) == 0


def test_a_bad_code_in_the_file_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "wilayah.csv"
    path.write_text("kode,nama\n36,Banten\n36.4,Kabupaten Serang\n", encoding="utf-8")

    with pytest.raises(ValueError, match=r"line 3: '36\.4' is not a Kemendagri code"):
        list(read_region_csv(path))


def test_a_file_without_the_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wilayah.csv"
    path.write_text("36,Banten\n", encoding="utf-8")

    with pytest.raises(ValueError, match="line 1: the header must be 'kode,nama'"):
        list(read_region_csv(path))


def test_a_row_without_a_name_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "wilayah.csv"
    path.write_text("kode,nama\n36,Banten\n36.04,\n", encoding="utf-8")

    with pytest.raises(ValueError, match=r"line 3: the region 36\.04 has no name"):
        list(read_region_csv(path))


def test_a_file_with_a_byte_order_mark_reads_like_any_other(tmp_path: Path) -> None:
    path = tmp_path / "wilayah.csv"
    path.write_text("\ufeffkode,nama\n36,Banten\n", encoding="utf-8")

    assert list(read_region_csv(path)) == [("36", "Banten")]
