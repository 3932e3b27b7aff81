"""The region list the bot ships, and finding a worker's district or village from what they type."""

from __future__ import annotations

import csv
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from domain.regions import Region, RegionDirectory, nik_prefix_to_codes

REGIONS = RegionDirectory.load_shipped()
PROGRAM_REGENCIES = {
    "36.04": "Kabupaten Serang",
    "36.73": "Kota Serang",
    "36.71": "Kota Tangerang",
    "33.75": "Kota Pekalongan",
}
DATA = resources.files("domain") / "data"
ROOT = Path(__file__).resolve().parents[2]
FULL_LIST = ROOT.parent / "shared" / "data" / "wilayah" / "wilayah.csv"


def by_level(level: int) -> list[Region]:
    return [region for region in REGIONS if region.level == level]


def test_shipped_list_has_all_38_provinces_and_514_regencies_and_cities() -> None:
    assert len(by_level(1)) == 38
    assert len(by_level(2)) == 514
    assert REGIONS.has_province("36")
    assert REGIONS.has_regency("36.04")
    assert not REGIONS.has_province("99")
    assert not REGIONS.has_regency("36.99")
    assert not REGIONS.has_regency("36")


def test_program_regencies_have_their_published_names() -> None:
    for code, name in PROGRAM_REGENCIES.items():
        region = REGIONS.get(code)
        assert region is not None
        assert region.name == name


def test_kabupaten_serang_has_its_29_districts_and_their_villages() -> None:
    districts = REGIONS.children("36.04")
    assert len(districts) == 29
    assert all(district.kind == "district" for district in districts)
    assert all(REGIONS.children(district.code) for district in districts)


def test_every_program_region_ships_with_its_districts_and_villages() -> None:
    for code in PROGRAM_REGENCIES:
        districts = REGIONS.children(code)
        assert districts
        for district in districts:
            assert all(village.kind == "village" for village in REGIONS.children(district.code))


def test_regions_outside_the_programs_ship_without_districts() -> None:
    assert REGIONS.get("36.03") is not None  # Kabupaten Tangerang: for the NIK only
    assert REGIONS.children("36.03") == []


def test_children_are_sorted_by_name() -> None:
    for parent in ["", "36", "36.04", "36.04.15", "33.75"]:
        names = [region.name.casefold() for region in REGIONS.children(parent)]
        assert names
        assert names == sorted(names)


def test_children_of_the_empty_code_are_the_provinces() -> None:
    assert {region.code for region in REGIONS.children("")} == {r.code for r in by_level(1)}


@pytest.mark.parametrize(
    "typed", ["cikand", "kec cikande", "Kec. Cikande", "KECAMATAN CIKANDE", "cikamde"]
)
def test_search_finds_cikande_despite_case_prefix_and_typos(typed: str) -> None:
    (best, score), *_ = REGIONS.search("36.04", typed)
    assert best.name == "Cikande"
    assert best.code == "36.04.15"
    assert 80 <= score <= 100


def test_search_finds_a_village_typed_with_desa_in_front() -> None:
    (best, score), *_ = REGIONS.search("36.04.15", "desa cikande permai")
    assert (best.name, score) == ("Cikande Permai", 100)


def test_search_tells_kota_serang_from_kabupaten_serang() -> None:
    assert REGIONS.search("36", "kota serang")[0][0].code == "36.73"
    assert REGIONS.search("36", "kab. serang")[0][0].code == "36.04"
    both = {region.code for region, score in REGIONS.search("36", "serang") if score == 100}
    assert both == {"36.04", "36.73"}


def test_search_ranks_best_first_and_respects_the_limit() -> None:
    results = REGIONS.search("36.04", "ci", limit=3)
    assert len(results) == 3
    scores = [score for _, score in results]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= score <= 100 for score in scores)


def test_search_with_nothing_typed_or_an_unknown_parent_finds_nothing() -> None:
    assert REGIONS.search("36.04", "  ... ") == []
    assert REGIONS.search("99.99", "cikande") == []


def test_region_knows_its_level_parent_and_kind() -> None:
    village = REGIONS.get("36.04.15.2001")
    assert village is not None
    assert (village.level, village.parent, village.kind) == (4, "36.04.15", "village")
    assert not village.is_kelurahan
    province = Region("36", "Banten")
    assert (province.level, province.parent, province.kind) == (1, None, "province")
    assert Region("36.73.01.1001", "x").is_kelurahan
    assert not Region("36.73.01", "x").is_kelurahan


def test_short_names_abbreviate_kabupaten_but_not_kota() -> None:
    assert Region("36.04", "Kabupaten Serang").short_name() == "Kab. Serang"
    assert Region("36.73", "Kota Serang").short_name() == "Kota Serang"
    assert Region("36.04.15", "Cikande").short_name() == "Cikande"


def test_membership_and_size() -> None:
    assert "36.04" in REGIONS
    assert "36.04.01" not in REGIONS  # moved to Kota Serang: an old NIK may still carry it
    assert 3604 not in REGIONS
    assert len(REGIONS) == sum(1 for _ in REGIONS)


def test_nik_prefix_gives_province_regency_and_district_codes() -> None:
    assert nik_prefix_to_codes("360401") == ("36", "36.04", "36.04.01")
    with pytest.raises(ValueError, match="6 digits"):
        nik_prefix_to_codes("36040")


def test_from_rows_refuses_malformed_or_repeated_codes() -> None:
    with pytest.raises(ValueError, match="malformed"):
        RegionDirectory.from_rows([("3604", "Kabupaten Serang")])
    with pytest.raises(ValueError, match="twice"):
        RegionDirectory.from_rows([("36", "Banten"), ("36", "Banten")])


def test_shipped_list_is_small_and_carries_the_mit_notice() -> None:
    assert len((DATA / "wilayah.csv").read_bytes()) < 300_000
    assert "MIT" in (DATA / "LICENSE-wilayah").read_text(encoding="utf-8")
    lines = (DATA / "wilayah.csv").read_text(encoding="utf-8").splitlines()
    assert next(csv.reader(lines)) == ["kode", "nama"]


@pytest.mark.skipif(not FULL_LIST.is_file(), reason="the full Kemendagri list is not here")
def test_subset_tool_reproduces_the_shipped_list(tmp_path: Path) -> None:
    output = tmp_path / "wilayah.csv"
    tool = ROOT / "tools" / "make_region_subset.py"
    subprocess.run(
        [sys.executable, str(tool), str(FULL_LIST), "--output", str(output)],
        check=True,
        capture_output=True,
    )
    assert output.read_bytes() == (DATA / "wilayah.csv").read_bytes()
    assert (tmp_path / "LICENSE-wilayah").read_bytes() == (DATA / "LICENSE-wilayah").read_bytes()
    full = RegionDirectory.from_csv(FULL_LIST)
    assert len(full.children("36.03")) > 0
