"""Who may use the officials' API: a valid token, the right role, and the right region."""

from __future__ import annotations

import pytest

from tests.integration.api_harness import (
    OTHER_REGION,
    Api,
    api_fixture,  # noqa: F401 - the `api` fixture
)

ENDPOINTS = [
    ("GET", "/registrations", None),
    ("GET", "/registrations/{id}", None),
    ("POST", "/registrations/{id}/approve", None),
    ("POST", "/registrations/{id}/reject", {"reason": "Data tidak lengkap"}),
    ("POST", "/registrations/{id}/activate", {"kpj": "21012345678"}),
    ("GET", "/registrations/export", None),
    ("GET", "/stats", None),
    ("GET", "/audit", None),
]
BY_ID = [e for e in ENDPOINTS if "{id}" in e[1]]

REASON = "Unggah massal ke BPJS"


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
async def test_a_request_without_a_token_is_refused(
    api: Api, method: str, path: str, body: object
) -> None:
    registration = await api.registration()

    response = await api.call(method, path.format(id=registration), None, json=body)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert (await api.notifications()) == []


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
async def test_a_wrong_token_is_refused(api: Api, method: str, path: str, body: object) -> None:
    registration = await api.registration()

    response = await api.call(
        method, path.format(id=registration), "lnd_not-a-real-token", json=body
    )

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_a_token_given_with_another_scheme_is_refused(api: Api) -> None:
    token = await api.official()

    response = await api.client.get(
        "/api/v1/registrations", headers={"Authorization": f"Basic {token}"}
    )

    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path", "body"), BY_ID)
async def test_a_reviewer_gets_the_same_404_for_another_regions_registration_as_for_none(
    api: Api, method: str, path: str, body: object
) -> None:
    reviewer = await api.official("reviewer", "36.04")
    elsewhere = await api.registration(**OTHER_REGION)

    response = await api.call(method, path.format(id=elsewhere), reviewer, json=body)
    unknown = await api.call(method, path.format(id=elsewhere + 1000), reviewer, json=body)

    assert response.status_code == unknown.status_code == 404
    assert response.json() == unknown.json()
    assert (await api.notifications()) == []
    assert (await api.audit("nik.viewed")) == []


async def test_a_reviewer_lists_only_their_regions_registrations(api: Api) -> None:
    reviewer = await api.official("reviewer", "36.04")
    mine = await api.registration()
    await api.registration(**OTHER_REGION)

    body = (await api.get("/registrations", reviewer)).json()

    assert body["total"] == 1
    assert [item["id"] for item in body["items"]] == [mine]


async def test_a_reviewer_of_a_district_sees_only_that_district(api: Api) -> None:
    reviewer = await api.official("reviewer", "36.04.01")
    mine = await api.registration(region="36.04.01.2001")
    await api.registration(region="36.04.02.2001")

    body = (await api.get("/registrations", reviewer)).json()

    assert [item["id"] for item in body["items"]] == [mine]


async def test_a_reviewer_without_a_region_sees_nothing(api: Api) -> None:
    reviewer = await api.official("reviewer")
    registration = await api.registration()

    listed = await api.get("/registrations", reviewer)
    shown = await api.get(f"/registrations/{registration}", reviewer)

    assert listed.json() == {"items": [], "total": 0}
    assert shown.status_code == 404


async def test_a_reviewer_exports_and_counts_only_their_region(api: Api) -> None:
    reviewer = await api.official("reviewer", "36.04")
    admin = await api.official()
    for registration in (await api.registration(), await api.registration(**OTHER_REGION)):
        await api.post(f"/registrations/{registration}/approve", admin)

    export = await api.get("/registrations/export", reviewer, format="csv", reason=REASON)
    stats = (await api.get("/stats", reviewer)).json()

    assert len(export.content.decode("utf-8-sig").splitlines()) == 2  # header + one row
    assert stats["total"] == 1
    assert [row["key"] for row in stats["by_region"]] == ["36.04"]


async def test_a_reviewer_decides_on_their_own_region(api: Api) -> None:
    reviewer = await api.official("reviewer", "36.04")
    registration = await api.registration()

    response = await api.post(f"/registrations/{registration}/approve", reviewer)

    assert response.status_code == 200
    assert response.json()["status"] == "approved"


async def test_a_reviewer_cannot_read_the_audit_log(api: Api) -> None:
    reviewer = await api.official("reviewer", "36.04")

    response = await api.get("/audit", reviewer)

    assert response.status_code == 403


async def test_an_admin_reaches_every_region(api: Api) -> None:
    admin = await api.official()
    await api.registration()
    elsewhere = await api.registration(**OTHER_REGION)

    listed = (await api.get("/registrations", admin)).json()
    shown = await api.get(f"/registrations/{elsewhere}", admin)

    assert listed["total"] == 2
    assert shown.status_code == 200
