"""A worker's correction sends a decided registration back to review: an approved one gives its
program quota place back, so that approving it again takes one again."""

from __future__ import annotations

from typing import Any

from storage.models import Registration
from storage.repos.data_rights import DataRights
from tests.integration.api_harness import (
    PROGRAM,
    Api,
    api_fixture,  # noqa: F401 - the `api` fixture
)


async def _used(api: Api, token: str, quota_id: str) -> int:
    stats = (await api.get("/stats", token)).json()
    quota = next(q for q in stats["quotas"] if (q["program"], q["quota_id"]) == (PROGRAM, quota_id))
    return int(quota["used"])


async def _correct(api: Api, registration_id: int, **changes: Any) -> bool:
    """The worker who sent the registration corrects it (as `/data` does); True: back to review."""
    async with api.services.db.session() as session:
        row = await session.get(Registration, registration_id)
        assert row is not None
    rights = DataRights(api.services.db, api.services.cipher)
    _, back = await rights.correct(row.telegram_user_id, changes)
    return back


async def test_correcting_an_approved_registration_frees_its_place_for_someone_else(
    api: Api,
) -> None:
    admin = await api.official()
    corrected = await api.registration(occupation="nelayan")  # the quota's only place
    waiting = await api.registration(occupation="nelayan")
    await api.post(f"/registrations/{corrected}/approve", admin)

    assert await _correct(api, corrected, monthly_income=2_000_000)

    assert await _used(api, admin, "nelayan") == 0
    assert (await api.post(f"/registrations/{waiting}/approve", admin)).status_code == 200
    again = await api.post(f"/registrations/{corrected}/approve", admin)
    assert again.status_code == 409
    assert "full" in again.json()["detail"]


async def test_approving_a_corrected_registration_again_takes_one_place(api: Api) -> None:
    admin = await api.official()
    registration = await api.registration(occupation="petani")  # 2 places
    await api.post(f"/registrations/{registration}/approve", admin)

    await _correct(api, registration, phone="+6281311112222")
    shown = (await api.get(f"/registrations/{registration}", admin)).json()
    response = await api.post(f"/registrations/{registration}/approve", admin)

    assert shown["status"] == "pending"
    assert response.status_code == 200
    assert await _used(api, admin, "petani") == 1


async def test_a_new_occupation_frees_the_old_quota_and_approval_takes_the_new_one(
    api: Api,
) -> None:
    admin = await api.official()
    registration = await api.registration(occupation="nelayan")
    await api.post(f"/registrations/{registration}/approve", admin)

    await _correct(api, registration, occupation="petani")
    await api.post(f"/registrations/{registration}/approve", admin)

    assert (await _used(api, admin, "nelayan"), await _used(api, admin, "petani")) == (0, 1)


async def test_correcting_an_active_registration_frees_its_place_too(api: Api) -> None:
    admin = await api.official()
    registration = await api.registration(occupation="nelayan")
    await api.post(f"/registrations/{registration}/approve", admin)
    await api.post(f"/registrations/{registration}/activate", admin, json={"kpj": "25000123456"})

    await _correct(api, registration, heir_name="Siti Aminah")

    assert await _used(api, admin, "nelayan") == 0


async def test_correcting_a_pending_or_rejected_registration_frees_no_place(api: Api) -> None:
    admin = await api.official()
    approved = await api.registration(occupation="petani")
    pending = await api.registration(occupation="petani")
    rejected = await api.registration(occupation="petani")
    await api.post(f"/registrations/{approved}/approve", admin)
    await api.post(f"/registrations/{rejected}/reject", admin, json={"reason": "Bukan petani"})

    assert not await _correct(api, pending, monthly_income=2_000_000)
    assert await _correct(api, rejected, monthly_income=2_000_000)

    assert await _used(api, admin, "petani") == 1


async def test_the_audit_trail_names_the_place_given_back(api: Api) -> None:
    admin = await api.official()
    registration = await api.registration(occupation="nelayan")
    await api.post(f"/registrations/{registration}/approve", admin)

    await _correct(api, registration, monthly_income=2_000_000)
    await api.post(f"/registrations/{registration}/approve", admin)

    [approved, approved_again] = await api.audit("registration.approved")
    [corrected] = await api.audit("registration.corrected")
    assert approved.detail is not None and approved.detail["quota"] == "nelayan"
    assert corrected.detail == {
        "fields": ["monthly_income"],
        "back_to_review": True,
        "was": "approved",
        "program": PROGRAM,
        "released_quota": "nelayan",
    }
    assert approved_again.detail is not None and approved_again.detail["quota"] == "nelayan"
    assert approved.id is not None and corrected.id is not None and approved_again.id is not None
    assert approved.id < corrected.id < approved_again.id


async def test_a_registration_without_a_program_is_corrected_without_touching_quotas(
    api: Api,
) -> None:
    admin = await api.official()
    registration = await api.registration(program=None)
    await api.post(f"/registrations/{registration}/approve", admin)

    assert await _correct(api, registration, monthly_income=2_000_000)

    [corrected] = await api.audit("registration.corrected")
    assert corrected.detail is not None and "released_quota" not in corrected.detail
    assert await _used(api, admin, "nelayan") == 0
