"""Program files: the shipped examples, and what a wrong file is told."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from domain.errors import FlowDefinitionError
from domain.programs import ProgramSet, describe, load_program, load_programs
from domain.rules import load_rules

RULES = load_rules()
ON = date(2026, 6, 1)


@pytest.fixture(scope="module")
def shipped() -> ProgramSet:
    return load_programs()


# ---------------------------------------------------------------- the shipped examples


def test_every_shipped_program_loads(shipped: ProgramSet) -> None:
    assert [p.id for p in shipped] == [
        "kabupaten-serang-2025",
        "kota-pekalongan",
        "kota-serang-2026",
        "kota-tangerang",
    ]


def test_kabupaten_serang_quotas_mismatch_is_reported_with_both_numbers(
    shipped: ProgramSet,
) -> None:
    expected = "quotas add up to 21,434 but the announced total is 21,234"
    program = shipped.get("kabupaten-serang-2025")
    assert program is not None
    assert any(expected in warning for warning in shipped.warnings)
    assert any(
        w.startswith("programs/kabupaten-serang-2025.yaml: occupations: ") for w in shipped.warnings
    )
    assert expected in describe(program)


def test_kabupaten_serang_keeps_the_published_quotas_and_total(shipped: ProgramSet) -> None:
    program = shipped.get("kabupaten-serang-2025")
    assert program is not None
    assert program.occupations == {
        "nelayan": 200,
        "guru_ngaji": 770,
        "anggota_bpd": 2428,
        "usaha_produktif": 1110,
        "balawista": 83,
        "kader_posyandu": 7690,
        "petani": 2016,
        "rt_rw": 7137,
    }
    assert (program.total, program.quota_sum) == (21_234, 21_434)
    assert program.regions == ("36.04",)
    assert "Peraturan Bupati Serang Nomor 59 Tahun 2025" in " ".join(program.legal_basis)


def test_kota_serang_asks_for_a_kota_serang_ktp_and_a_work_letter(shipped: ProgramSet) -> None:
    program = shipped.get("kota-serang-2026")
    assert program is not None
    e = program.eligibility
    assert e.requires_ktp_in_region
    assert e.requires_domicile_in_region
    assert any("kelurahan" in document for document in e.required_documents)
    assert set(e.excludes) == {"asn", "tni", "polri"}


def test_kota_serang_funds_honorary_mosque_and_election_workers(shipped: ProgramSet) -> None:
    program = shipped.get("kota-serang-2026")
    assert program is not None
    assert {"tenaga_honorer", "marbot", "petugas_pemilu", "ojek"} <= program.funded_occupations
    quota = program.quota_for("marbot")
    assert quota is not None
    assert quota.estimate
    assert quota.limit == 12_000
    assert program.quota_for("tenaga_honorer") == quota


def test_kota_tangerang_is_run_by_the_dinas_sosial_for_jkk_and_jkm(shipped: ProgramSet) -> None:
    program = shipped.get("kota-tangerang")
    assert program is not None
    assert program.regions == ("36.71",)
    assert "Dinas Sosial" in program.operator.office
    assert program.pays == ("jkk", "jkm")
    assert {"buruh_harian", "sopir", "ojek", "pedagang"} == program.funded_occupations


def test_kota_pekalongan_targets_500_under_perwal_19_2023(shipped: ProgramSet) -> None:
    program = shipped.get("kota-pekalongan")
    assert program is not None
    assert program.regions == ("33.75",)
    assert program.total == program.quota_sum == 500
    assert "Peraturan Wali Kota Pekalongan Nomor 19 Tahun 2023" in program.legal_basis
    assert "423" in program.notes


def test_shipped_programs_pay_16800_a_month_per_worker(shipped: ProgramSet) -> None:
    assert {program.monthly_cost(RULES) for program in shipped} == {16_800}


def test_shipped_programs_serve_their_four_regions(shipped: ProgramSet) -> None:
    assert shipped.regions() == {"36.04", "36.73", "36.71", "33.75"}


def test_worker_in_kabupaten_serang_finds_its_program(shipped: ProgramSet) -> None:
    assert [p.id for p in shipped.for_region("36.04", ON)] == ["kabupaten-serang-2025"]
    assert [p.id for p in shipped.for_region("36.04.01.2001", ON)] == ["kabupaten-serang-2025"]


@pytest.mark.parametrize("code", ["36.03", "36.74", "33.26"])
def test_neighbouring_regions_with_similar_names_have_no_program(
    shipped: ProgramSet, code: str
) -> None:
    assert shipped.for_region(code, ON) == []


def test_program_is_not_offered_outside_its_period(shipped: ProgramSet) -> None:
    assert shipped.for_region("36.73", date(2025, 12, 31)) == []
    assert [p.id for p in shipped.for_region("36.73", date(2026, 1, 1))] == ["kota-serang-2026"]
    assert shipped.for_region("36.73", date(2027, 1, 1)) == []


def test_unknown_program_id_is_none(shipped: ProgramSet) -> None:
    assert shipped.get("kota-bandung") is None
    assert "kota-serang-2026" in shipped


def test_description_lists_id_regions_period_and_every_quota(shipped: ProgramSet) -> None:
    program = shipped.get("kabupaten-serang-2025")
    assert program is not None
    text = describe(program)
    assert "\n" not in text
    for part in (
        "kabupaten-serang-2025",
        "36.04",
        "2025-01-01",
        "nelayan 200",
        "rt_rw 7,137",
        "Rp16.800",
    ):
        assert part in text


def test_description_says_the_already_employed_rule_is_an_unsettled_default(
    shipped: ProgramSet,
) -> None:
    program = shipped.get("kota-tangerang")
    assert program is not None
    assert "unsettled" in describe(program)


def test_description_marks_estimated_quotas(shipped: ProgramSet) -> None:
    program = shipped.get("kota-tangerang")
    assert program is not None
    assert "48,000 shared by buruh_harian, ojek, pedagang, sopir (estimate)" in describe(program)


# ---------------------------------------------------------------- wrong files


def program_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "kota-contoh-2026",
        "name": "Program Contoh",
        "short_name": "Contoh",
        "regions": ["36.04"],
        "occupations": {"nelayan": 100, "ojek": 200},
        "period": {"start": date(2026, 1, 1), "end": date(2026, 12, 31)},
        "operator": {"office": "Dinas Tenaga Kerja Contoh"},
        "legal_basis": ["Peraturan Bupati Contoh No. 1 Tahun 2026"],
    }
    data.update(changes)
    return data


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "programs").mkdir()
    return tmp_path / "programs"


def write(folder: Path, name: str, data: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def problems(folder: Path) -> list[str]:
    with pytest.raises(FlowDefinitionError) as caught:
        load_programs(folder)
    return str(caught.value).splitlines()


def test_valid_example_file_loads(folder: Path) -> None:
    write(folder, "ok.yaml", program_data())
    assert [p.id for p in load_programs(folder)] == ["kota-contoh-2026"]


def test_missing_field_names_the_file_and_the_field(folder: Path) -> None:
    data = program_data()
    del data["name"]
    write(folder, "broken.yaml", data)
    assert problems(folder) == ["programs/broken.yaml: name: required field is missing"]


def test_unknown_occupation_is_named_with_a_suggestion(folder: Path) -> None:
    write(folder, "broken.yaml", program_data(occupations={"ojol": 5}))
    assert problems(folder) == [
        "programs/broken.yaml: occupations.ojol: unknown occupation 'ojol' "
        '(did you mean "ojek"?); ids are in domain/data/occupations.yaml'
    ]


def test_bad_region_code_is_refused(folder: Path) -> None:
    write(folder, "broken.yaml", program_data(regions=["3604"]))
    assert problems(folder) == [
        "programs/broken.yaml: regions[0]: "
        "'3604' is not a Kemendagri regency/city code like \"36.04\""
    ]


def test_unquoted_region_code_is_asked_to_be_quoted(folder: Path) -> None:
    (folder / "broken.yaml").write_text(
        yaml.safe_dump(program_data()).replace("- '36.04'", "- 36.10"), encoding="utf-8"
    )
    assert problems(folder) == [
        'programs/broken.yaml: regions[0]: 36.1 is a number; write the code in quotes, like "36.04"'
    ]


def test_village_code_is_not_a_program_region(folder: Path) -> None:
    write(folder, "broken.yaml", program_data(regions=["36.04.01.2001"]))
    assert problems(folder)[0].startswith(
        "programs/broken.yaml: regions[0]: '36.04.01.2001' is not"
    )


def test_period_ending_before_it_starts_is_refused(folder: Path) -> None:
    period = {"start": date(2026, 12, 31), "end": date(2026, 1, 1)}
    write(folder, "broken.yaml", program_data(period=period))
    assert problems(folder) == [
        "programs/broken.yaml: period: end 2026-01-01 is before start 2026-12-31"
    ]


def test_negative_quota_is_refused(folder: Path) -> None:
    write(folder, "broken.yaml", program_data(occupations={"nelayan": -5}))
    assert problems(folder) == [
        "programs/broken.yaml: occupations.nelayan: must be greater than 0, got -5"
    ]


def test_total_mismatch_stops_loading_when_the_policy_is_error(folder: Path) -> None:
    write(folder, "broken.yaml", program_data(total=250, total_policy="error"))
    assert problems(folder) == [
        "programs/broken.yaml: occupations: quotas add up to 300 but the announced total is 250 "
        "(set total_policy: warning to keep both figures)"
    ]


def test_total_mismatch_is_an_error_by_default(folder: Path) -> None:
    write(folder, "broken.yaml", program_data(total=250))
    assert "quotas add up to 300 but the announced total is 250" in problems(folder)[0]


def test_total_mismatch_is_a_warning_when_the_policy_says_so(folder: Path) -> None:
    write(folder, "ok.yaml", program_data(total=250, total_policy="warning"))
    programs = load_programs(folder)
    assert programs.warnings == (
        "programs/ok.yaml: occupations: quotas add up to 300 but the announced total is 250",
    )


def test_quota_given_as_text_is_refused(folder: Path) -> None:
    write(folder, "broken.yaml", program_data(occupations={"nelayan": "200"}))
    assert problems(folder) == [
        "programs/broken.yaml: occupations.nelayan: must be a whole number, got '200'"
    ]


def test_misspelt_field_is_reported_as_unknown(folder: Path) -> None:
    write(folder, "broken.yaml", program_data(legal_bases=["x"]))
    assert problems(folder) == ["programs/broken.yaml: legal_bases: unknown field"]


def test_income_basis_below_the_floor_is_refused(folder: Path) -> None:
    write(folder, "broken.yaml", program_data(income_basis=500_000))
    assert problems(folder) == [
        "programs/broken.yaml: income_basis: Rp500.000 is below the income floor Rp1.000.000 "
        "(PP 44/2015 Lampiran II)"
    ]


def test_occupation_in_two_quotas_is_refused(folder: Path) -> None:
    combined = [{"id": "semua", "quota": 10, "occupations": ["ojek", "sopir"]}]
    write(folder, "broken.yaml", program_data(combined_quotas=combined))
    assert problems(folder) == [
        "programs/broken.yaml: combined_quotas[0].occupations: "
        "'ojek' already has a quota in occupations"
    ]


def test_program_funding_nobody_is_refused(folder: Path) -> None:
    write(folder, "broken.yaml", program_data(occupations={}))
    assert problems(folder) == [
        "programs/broken.yaml: occupations: "
        "no occupation is funded; give occupations or combined_quotas"
    ]


def test_ages_in_the_wrong_order_are_refused(folder: Path) -> None:
    write(folder, "broken.yaml", program_data(eligibility={"min_age": 40, "max_age": 30}))
    assert problems(folder) == ["programs/broken.yaml: eligibility: max_age 30 is below min_age 40"]


def test_invalid_yaml_names_the_line(folder: Path) -> None:
    (folder / "broken.yaml").write_text("id: x\nname: [unclosed\n", encoding="utf-8")
    [problem] = problems(folder)
    assert problem.startswith("programs/broken.yaml: (file): not valid YAML on line")


def test_every_problem_of_every_file_is_reported_at_once(folder: Path) -> None:
    data = program_data(regions=["3604"], occupations={"nelayan": -5})
    del data["name"]
    write(folder, "a.yaml", data)
    write(
        folder,
        "b.yaml",
        program_data(id="kota-b", period={"start": "2026-02-01", "end": "2026-01-01"}),
    )
    assert problems(folder) == [
        "programs/a.yaml: name: required field is missing",
        "programs/a.yaml: regions[0]: '3604' is not a Kemendagri regency/city code like \"36.04\"",
        "programs/a.yaml: occupations.nelayan: must be greater than 0, got -5",
        "programs/b.yaml: period: end 2026-01-01 is before start 2026-02-01",
    ]


def test_same_id_in_two_files_is_refused(folder: Path) -> None:
    write(folder, "a.yaml", program_data())
    write(folder, "b.yaml", program_data())
    assert problems(folder) == [
        "programs/b.yaml: id: 'kota-contoh-2026' is already used by programs/a.yaml"
    ]


def test_two_programs_funding_the_same_workers_at_the_same_time_is_a_warning(folder: Path) -> None:
    write(folder, "a.yaml", program_data(id="a"))
    later = {"start": date(2026, 6, 1), "end": date(2027, 5, 31)}
    write(folder, "b.yaml", program_data(id="b", occupations={"ojek": 5, "sopir": 5}, period=later))
    programs = load_programs(folder)
    assert programs.warnings == ("a and b both fund ojek in 36.04 from 2026-06-01 to 2026-12-31",)


def test_load_program_reads_one_file(folder: Path) -> None:
    path = write(folder, "ok.yaml", program_data())
    program = load_program(path)
    assert program.path == path
    assert program.quota_for("ojek") is not None
    assert program.quota_for("petani") is None


def test_load_program_raises_for_a_wrong_file(folder: Path) -> None:
    path = write(folder, "broken.yaml", program_data(occupations={"nelayan": 0}))
    with pytest.raises(
        FlowDefinitionError, match=r"occupations\.nelayan: must be greater than 0, got 0"
    ):
        load_program(path)


def test_missing_folder_is_reported(folder: Path) -> None:
    with pytest.raises(FlowDefinitionError, match="no such folder"):
        load_programs(folder / "nope")


def test_program_override_of_max_age_decides_who_is_accepted(folder: Path) -> None:
    path = write(folder, "ok.yaml", program_data(eligibility={"min_age": 18, "max_age": 59}))
    e = load_program(path).eligibility
    assert [e.accepts_age(age, RULES) for age in (17, 18, 59, 60)] == [False, True, True, False]


def test_national_age_limit_applies_without_an_override(folder: Path) -> None:
    e = load_program(write(folder, "ok.yaml", program_data())).eligibility
    assert e.accepts_age(64, RULES)
    assert not e.accepts_age(65, RULES)
