"""The audit log for admins: newest first, filterable, paged; never editable through the API."""

from __future__ import annotations

from tests.integration.api_harness import (
    Api,
    api_fixture,  # noqa: F401 - the `api` fixture
)


async def test_an_admin_reads_who_viewed_a_nik_newest_first(api: Api) -> None:
    admin = await api.official()
    first, second = await api.registration(), await api.registration()
    await api.get(f"/registrations/{first}", admin)
    await api.get(f"/registrations/{second}", admin)

    body = (await api.get("/audit", admin, action="nik.viewed")).json()

    assert body["total"] == 2
    assert [item["subject_id"] for item in body["items"]] == [str(second), str(first)]
    assert all(item["actor"].startswith("official:") for item in body["items"])


async def test_the_audit_log_is_paged(api: Api) -> None:
    admin = await api.official()
    registration = await api.registration()
    for _ in range(3):
        await api.get(f"/registrations/{registration}", admin)

    body = (await api.get("/audit", admin, action="nik.viewed", limit=2, offset=2)).json()

    assert body["total"] == 3
    assert len(body["items"]) == 1


async def test_the_audit_log_cannot_be_changed_through_the_api(api: Api) -> None:
    admin = await api.official()

    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = await api.call(method, "/audit", admin)
        assert response.status_code == 405
