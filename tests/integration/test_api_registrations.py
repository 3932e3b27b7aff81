"""The review queue and the single view: filters, search, pages, and the NIK shown only there."""

from __future__ import annotations

from tests.integration.api_harness import (
    Api,
    api_fixture,  # noqa: F401 - the `api` fixture
)


async def test_the_list_shows_every_field_with_the_nik_masked(api: Api) -> None:
    admin = await api.official()
    registration = await api.registration(nik="3604015505900777")

    body = (await api.get("/registrations", admin)).json()

    assert body["total"] == 1
    item = body["items"][0]
    assert item["id"] == registration
    assert item["nik"] == "3604••••••••0777"
    assert "3604015505900777" not in str(body)
    for field in (
        "status", "full_name", "birth_date", "gender", "phone", "occupation", "region",
        "monthly_income", "heir_name", "heir_relation", "program", "telegram_user_id",
        "created_at", "decided_at", "decided_by", "reason", "kpj", "reference",
    ):  # fmt: skip
        assert field in item
    assert item["status"] == "pending"
    assert item["birth_date"] == "1990-05-15"


async def test_the_queue_is_oldest_first_and_paged(api: Api) -> None:
    admin = await api.official()
    ids = [await api.registration() for _ in range(5)]

    first = (await api.get("/registrations", admin, limit=2)).json()
    last = (await api.get("/registrations", admin, limit=2, offset=4)).json()

    assert [item["id"] for item in first["items"]] == ids[:2]
    assert [item["id"] for item in last["items"]] == ids[4:]
    assert first["total"] == last["total"] == 5


async def test_the_queue_filters_by_status_occupation_and_region(api: Api) -> None:
    admin = await api.official()
    fisher = await api.registration(occupation="nelayan")
    farmer = await api.registration(occupation="petani", region="36.04.02.2001")
    await api.post(f"/registrations/{farmer}/approve", admin)

    pending = (await api.get("/registrations", admin, status="pending")).json()
    farmers = (await api.get("/registrations", admin, occupation="petani")).json()
    district = (await api.get("/registrations", admin, region="36.04.01")).json()

    assert [item["id"] for item in pending["items"]] == [fisher]
    assert [item["id"] for item in farmers["items"]] == [farmer]
    assert [item["id"] for item in district["items"]] == [fisher]


async def test_officials_find_a_worker_by_part_of_the_name_in_any_case(api: Api) -> None:
    admin = await api.official()
    siti = await api.registration(full_name="Siti Aminah")
    await api.registration(full_name="Budi Santoso")

    body = (await api.get("/registrations", admin, q="AMIN")).json()

    assert [item["id"] for item in body["items"]] == [siti]


async def test_officials_find_a_worker_by_the_phone_number_as_read_out(api: Api) -> None:
    admin = await api.official()
    found = await api.registration(phone="+6281298765432")
    await api.registration(phone="+6285711112222")

    national = (await api.get("/registrations", admin, q="0812-9876-5432")).json()
    international = (await api.get("/registrations", admin, q="+62 812 9876 5432")).json()

    assert [item["id"] for item in national["items"]] == [found]
    assert [item["id"] for item in international["items"]] == [found]


async def test_officials_find_a_worker_by_reference_or_full_nik(api: Api) -> None:
    admin = await api.official()
    found = await api.registration(nik="3604015505901234")
    await api.registration()
    reference = (await api.get(f"/registrations/{found}", admin)).json()["reference"]

    by_reference = (await api.get("/registrations", admin, q=reference.lower())).json()
    by_nik = (await api.get("/registrations", admin, q="3604015505901234")).json()

    assert [item["id"] for item in by_reference["items"]] == [found]
    assert [item["id"] for item in by_nik["items"]] == [found]


async def test_a_search_with_wildcards_matches_them_literally(api: Api) -> None:
    admin = await api.official()
    await api.registration(full_name="Siti Aminah")

    body = (await api.get("/registrations", admin, q="%")).json()

    assert body["total"] == 0


async def test_a_page_larger_than_500_is_refused(api: Api) -> None:
    admin = await api.official()

    response = await api.get("/registrations", admin, limit=501)

    assert response.status_code == 422


async def test_an_unknown_status_filter_is_refused(api: Api) -> None:
    admin = await api.official()

    response = await api.get("/registrations", admin, status="deleted")

    assert response.status_code == 422


async def test_the_single_view_shows_the_full_nik_and_audits_the_view(api: Api) -> None:
    admin = await api.official()
    registration = await api.registration(nik="3604015505900888")

    response = await api.get(f"/registrations/{registration}", admin)

    assert response.status_code == 200
    assert response.json()["nik"] == "3604015505900888"
    (viewed,) = await api.audit("nik.viewed")
    assert viewed.actor.startswith("official:")
    assert viewed.subject_id == str(registration)
    assert "3604015505900888" not in str(viewed.detail)


async def test_an_unknown_registration_is_not_found(api: Api) -> None:
    admin = await api.official()

    response = await api.get("/registrations/999999", admin)

    assert response.status_code == 404
    assert (await api.audit("nik.viewed")) == []
