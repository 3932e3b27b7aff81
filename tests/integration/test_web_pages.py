"""The console's other pages: programs, statistics, audit log, erasure requests, exports."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from storage.models import DataRequest, Registration, utcnow
from storage.repos.data_rights import DataRights
from storage.repos.erasure import ERASED_NAME
from tests.integration.api_harness import OTHER_REGION, api_fixture  # noqa: F401 - `api`
from tests.integration.web_harness import Web, web_fixture  # noqa: F401 - the `web` fixture


async def test_programs_show_their_quota_use(web: Web) -> None:
    browser = await web.signed_in("reviewer", "36.04")
    registration = await web.api.registration(occupation="petani")
    await browser.post(f"/admin/registrations/{registration}/approve")

    page = (await browser.get("/admin/programs")).text

    assert "Program Uji Kuota Kabupaten Serang" in page
    assert "1 dari 2 terpakai" in page


async def test_statistics_count_the_officials_registrations(web: Web) -> None:
    for _ in range(3):
        await web.api.registration()
    await web.api.registration(**OTHER_REGION)
    browser = await web.signed_in("reviewer", "36.04")

    page = (await browser.get("/admin/stats")).text

    assert '<span class="tile-value">3</span><span>Total pendaftaran</span>' in page
    assert "<svg" in page


async def test_only_admins_read_the_audit_log(web: Web) -> None:
    reviewer = await web.signed_in("reviewer", "36.04")
    admin = await web.signed_in()

    refused = await reviewer.get("/admin/audit")
    shown = await admin.get("/admin/audit", action="official.login")

    assert refused.status_code == 403
    assert shown.status_code == 200
    assert shown.text.count('<td data-label="Tindakan">Masuk</td>') == 2


async def erasure_request(web: Web, **overrides: object) -> tuple[int, int]:
    registration = await web.api.registration(**overrides)
    async with web.services.db.session() as session:
        row = await session.get(Registration, registration)
    assert row is not None
    request = await DataRights(web.services.db, web.services.cipher).request_erasure(
        row.telegram_user_id
    )
    assert request.id is not None
    return registration, request.id


async def test_an_overdue_erasure_request_is_highlighted_and_completed_from_the_page(
    web: Web,
) -> None:
    registration, request_id = await erasure_request(web)
    async with web.services.db.session() as session:
        await session.exec(update(DataRequest).values(due_at=utcnow() - timedelta(hours=1)))
        await session.commit()
    browser = await web.signed_in()

    page = (await browser.get("/admin/data-requests")).text
    done = await browser.post(
        f"/admin/data-requests/{request_id}/erase", {"reason": "Permintaan pekerja"}
    )

    assert 'class="overdue"' in page
    assert "Terlambat" in page
    assert done.status_code == 303
    async with web.services.db.session() as session:
        row = await session.get(Registration, registration)
    assert row is not None and row.full_name == ERASED_NAME
    assert len(await web.api.audit("registration.erased")) == 1


async def test_a_reviewer_cannot_erase_another_regions_request(web: Web) -> None:
    _, request_id = await erasure_request(web, **OTHER_REGION)
    browser = await web.signed_in("reviewer", "36.04")

    listed = (await browser.get("/admin/data-requests")).text
    await browser.post(f"/admin/data-requests/{request_id}/erase", {"reason": "Permintaan pekerja"})

    assert f"/admin/data-requests/{request_id}/erase" not in listed
    assert await DataRights(web.services.db, web.services.cipher).open_requests() != []


async def test_the_csv_export_downloads_the_approved_registrations_and_is_audited(web: Web) -> None:
    approved = await web.api.registration(nik="3604015505900777", occupation="petani")
    await web.api.registration(nik="3604015505900778", occupation="petani")
    browser = await web.signed_in()
    await browser.post(f"/admin/registrations/{approved}/approve")

    response = await browser.post(
        "/admin/export", {"format": "csv", "status": "approved", "reason": "Unggah BPJS"}
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    assert "3604015505900777" in text
    assert "3604015505900778" not in text
    (entry,) = await web.api.audit("registrations.exported")
    assert entry.detail is not None and entry.detail["ids"] == [approved]


async def test_an_export_without_the_csrf_token_is_refused(web: Web) -> None:
    browser = await web.signed_in()

    response = await browser.post("/admin/export", {"format": "csv"}, csrf="")

    assert response.status_code == 403
    assert await web.api.audit("registrations.exported") == []
