"""Program quotas: an approval takes one place, exactly once, even when officials race."""

from __future__ import annotations

import asyncio

from tests.integration.api_harness import (
    PROGRAM,
    Api,
    api_fixture,  # noqa: F401 - the `api` fixture
)


async def _quota(api: Api, token: str, quota_id: str) -> dict[str, object]:
    stats = (await api.get("/stats", token)).json()
    return next(q for q in stats["quotas"] if (q["program"], q["quota_id"]) == (PROGRAM, quota_id))


async def test_an_approval_takes_one_place_of_the_programs_quota(api: Api) -> None:
    admin = await api.official()
    registration = await api.registration(occupation="petani")

    await api.post(f"/registrations/{registration}/approve", admin)
    await api.post(f"/registrations/{registration}/approve", admin)

    quota = await _quota(api, admin, "petani")
    assert (quota["limit"], quota["used"], quota["remaining"]) == (2, 1, 1)


async def test_a_full_quota_refuses_the_approval_with_a_clear_message(api: Api) -> None:
    admin = await api.official()
    first = await api.registration(occupation="nelayan")
    second = await api.registration(occupation="nelayan")
    await api.post(f"/registrations/{first}/approve", admin)

    response = await api.post(f"/registrations/{second}/approve", admin)

    assert response.status_code == 409
    assert "quota 'nelayan'" in response.json()["detail"]
    assert "full" in response.json()["detail"]
    shown = (await api.get(f"/registrations/{second}", admin)).json()
    assert shown["status"] == "pending"
    assert await api.notifications(second) == []


async def test_a_rejection_takes_no_place(api: Api) -> None:
    admin = await api.official()
    rejected = await api.registration(occupation="nelayan")
    await api.post(f"/registrations/{rejected}/reject", admin, json={"reason": "Bukan nelayan"})
    approved = await api.registration(occupation="nelayan")

    response = await api.post(f"/registrations/{approved}/approve", admin)

    assert response.status_code == 200


async def test_two_officials_approving_for_the_last_place_get_one_success(api: Api) -> None:
    first_official, second_official = await api.official(), await api.official()
    one = await api.registration(occupation="nelayan")
    two = await api.registration(occupation="nelayan")

    responses = await asyncio.gather(
        api.post(f"/registrations/{one}/approve", first_official),
        api.post(f"/registrations/{two}/approve", second_official),
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    assert (await _quota(api, first_official, "nelayan"))["used"] == 1
    assert len(await api.notifications()) == 1


async def test_a_double_click_on_approve_approves_once(api: Api) -> None:
    admin = await api.official()
    registration = await api.registration(occupation="petani")

    responses = await asyncio.gather(
        *(api.post(f"/registrations/{registration}/approve", admin) for _ in range(3))
    )

    assert sorted(r.status_code for r in responses) == [200, 409, 409]
    assert (await _quota(api, admin, "petani"))["used"] == 1
    assert len(await api.notifications(registration)) == 1


async def test_a_registration_without_a_program_is_approved_without_a_quota(api: Api) -> None:
    admin = await api.official()
    registration = await api.registration(program=None)

    response = await api.post(f"/registrations/{registration}/approve", admin)

    assert response.status_code == 200
    assert (await _quota(api, admin, "nelayan"))["used"] == 0
