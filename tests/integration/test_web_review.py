"""Reviewing in the console: the queue, the audited NIK, decisions by form, CSRF, regions."""

from __future__ import annotations

import asyncio

from storage.models import Registration
from tests.integration.api_harness import OTHER_REGION, api_fixture  # noqa: F401 - `api`
from tests.integration.web_harness import Web, web_fixture  # noqa: F401 - the `web` fixture

NIK = "3604015505900777"


async def status_of(web: Web, registration: int) -> str:
    async with web.services.db.session() as session:
        row: Registration | None = await session.get(Registration, registration)
    assert row is not None
    return row.status


async def test_the_queue_shows_the_reviewers_region_only_with_the_nik_masked(web: Web) -> None:
    ours = await web.api.registration(nik=NIK, full_name="Siti Aminah")
    await web.api.registration(full_name="Orang Kota Serang", **OTHER_REGION)
    browser = await web.signed_in("reviewer", "36.04")

    page = (await browser.get("/admin")).text

    assert f"/admin/registrations/{ours}" in page
    assert "Siti Aminah" in page
    assert "Orang Kota Serang" not in page
    assert "3604••••••••0777" in page
    assert NIK not in page


async def test_the_search_text_stays_out_of_the_url(web: Web) -> None:
    await web.api.registration(full_name="Siti Aminah")
    await web.api.registration(full_name="Budi Santoso")
    browser = await web.signed_in()

    response = await browser.post("/admin/search", {"q": "budi", "status": "pending"})
    page = (await browser.get(response.headers["location"])).text

    assert "budi" not in response.headers["location"].lower()
    assert "Budi Santoso" in page
    assert "Siti Aminah" not in page


async def test_a_reviewer_cannot_open_or_decide_on_another_regions_registration(web: Web) -> None:
    theirs = await web.api.registration(**OTHER_REGION)
    browser = await web.signed_in("reviewer", "36.04")

    opened = await browser.get(f"/admin/registrations/{theirs}")
    nik = await browser.post(f"/admin/registrations/{theirs}/nik", {"reason": "Cek data"})
    approved = await browser.post(f"/admin/registrations/{theirs}/approve")
    unknown = await browser.get(f"/admin/registrations/{theirs + 1000}")

    assert opened.status_code == nik.status_code == approved.status_code == 404
    assert opened.text == unknown.text  # as if it did not exist
    assert await web.api.audit("nik.viewed") == []
    assert await status_of(web, theirs) == "pending"


async def test_show_nik_reveals_it_and_records_the_view(web: Web) -> None:
    registration = await web.api.registration(nik=NIK)
    browser = await web.signed_in()

    before = await browser.get(f"/admin/registrations/{registration}")
    shown = await browser.post(f"/admin/registrations/{registration}/nik", {"reason": "Cek data"})

    assert NIK not in before.text
    assert shown.status_code == 200
    assert NIK in shown.text
    assert shown.headers["cache-control"] == "no-store"
    (entry,) = await web.api.audit("nik.viewed")
    assert entry.subject_id == str(registration)


async def test_approving_by_form_decides_and_tells_the_worker_once(web: Web) -> None:
    registration = await web.api.registration()
    browser = await web.signed_in()
    await browser.get(f"/admin/registrations/{registration}")

    response = await browser.post(f"/admin/registrations/{registration}/approve")

    assert response.status_code == 303
    page = await browser.get(response.headers["location"])
    assert "disetujui" in page.text
    assert await status_of(web, registration) == "approved"
    assert [n.kind for n in await web.api.notifications(registration)] == ["approved"]


async def test_a_double_submitted_approval_decides_only_once(web: Web) -> None:
    registration = await web.api.registration()
    browser = await web.signed_in()
    path = f"/admin/registrations/{registration}/approve"

    first, second = await asyncio.gather(browser.post(path), browser.post(path))

    assert sorted([first.status_code, second.status_code]) == [303, 409]
    refused = first if first.status_code == 409 else second
    assert "sudah berstatus disetujui" in refused.text
    assert len(await web.api.notifications(registration)) == 1
    assert len(await web.api.audit("registration.approved")) == 1


async def test_rejecting_sends_the_chosen_or_typed_reason(web: Web) -> None:
    chosen = await web.api.registration()
    typed = await web.api.registration()
    browser = await web.signed_in()

    await browser.post(f"/admin/registrations/{chosen}/reject", {"reason_choice": "nik"})
    await browser.post(
        f"/admin/registrations/{typed}/reject",
        {"reason_choice": "nik", "reason_other": "Foto KTP buram, kirim ulang"},
    )

    notes = await web.api.notifications()
    reasons = {n.registration_id: n.params["reason"] for n in notes}
    assert reasons == {chosen: "NIK tidak cocok dengan KTP", typed: "Foto KTP buram, kirim ulang"}


async def test_rejecting_without_a_reason_is_refused(web: Web) -> None:
    registration = await web.api.registration()
    browser = await web.signed_in()

    response = await browser.post(f"/admin/registrations/{registration}/reject", {})

    assert response.status_code == 422
    assert "alasan penolakan" in response.text
    assert await status_of(web, registration) == "pending"


async def test_activating_records_the_kpj(web: Web) -> None:
    registration = await web.api.registration()
    browser = await web.signed_in()
    await browser.post(f"/admin/registrations/{registration}/approve")

    response = await browser.post(
        f"/admin/registrations/{registration}/activate", {"kpj": "25012345678"}
    )

    assert response.status_code == 303
    assert await status_of(web, registration) == "active"
    assert [n.kind for n in await web.api.notifications(registration)] == ["approved", "active"]


async def test_bulk_approval_approves_each_and_names_the_one_that_failed(web: Web) -> None:
    # The test program funds one fisher (nelayan) and two farmers (petani).
    fisher = await web.api.registration(occupation="nelayan")
    second_fisher = await web.api.registration(occupation="nelayan")
    farmer = await web.api.registration(occupation="petani")
    browser = await web.signed_in()

    response = await browser.post(
        "/admin/bulk-approve", {"ids": [fisher, second_fisher, farmer], "next": "/admin"}
    )
    page = (await browser.get(response.headers["location"])).text

    assert [await status_of(web, r) for r in (fisher, second_fisher, farmer)] == [
        "approved",
        "pending",
        "approved",
    ]
    assert "2 disetujui" in page
    assert "Kuota nelayan program uji-kuota penuh" in page


async def test_a_form_without_or_with_a_forged_csrf_token_is_refused_and_changes_nothing(
    web: Web,
) -> None:
    registration = await web.api.registration()
    browser = await web.signed_in()
    other = await web.signed_in()
    path = f"/admin/registrations/{registration}/approve"

    missing = await browser.post(path, csrf="")
    forged = await browser.post(path, csrf="0" * 64)
    borrowed = await browser.post(path, csrf=other.csrf)
    bulk = await browser.post("/admin/bulk-approve", {"ids": [registration]}, csrf="")

    assert {r.status_code for r in (missing, forged, borrowed, bulk)} == {403}
    assert "token keamanan" in missing.text
    assert await status_of(web, registration) == "pending"
    assert await web.api.notifications() == []


async def test_a_nik_searched_for_is_never_kept_in_clear_in_the_browser(web: Web) -> None:
    found = await web.api.registration(nik=NIK, full_name="Siti Aminah")
    browser = await web.signed_in()

    response = await browser.post("/admin/search", {"q": NIK, "status": "pending"})
    cookie = response.headers["set-cookie"]
    page = (await browser.get(response.headers["location"])).text

    assert NIK not in cookie
    assert NIK[:6] not in cookie and NIK[-4:] not in cookie
    assert f"/admin/registrations/{found}" in page  # the search still finds them
