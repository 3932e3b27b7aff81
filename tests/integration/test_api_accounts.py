"""API accounts: offboarding endpoints for admins, token expiry and read-only tokens, reasons
for exports and broadcasts, and the alert on unusual volumes of full NIKs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from storage.models import ApiToken, utcnow
from storage.repos import volume_alerts
from tests.integration.api_harness import Api, api_fixture  # noqa: F401 - the `api` fixture

REASON = "Unggah massal ke BPJS"


async def _id_of(api: Api, token: str) -> int:
    official = await api.services.officials.authenticate_token(token)
    assert official is not None and official.id is not None
    return int(official.id)


async def test_deactivating_an_official_stops_their_token_at_once(api: Api) -> None:
    admin = await api.official()
    reviewer = await api.official("reviewer", "36.04")
    assert (await api.get("/registrations", reviewer)).status_code == 200
    reviewer_id = await _id_of(api, reviewer)

    done = await api.post(f"/officials/{reviewer_id}/deactivate", admin)

    assert done.status_code == 200
    assert (await api.get("/registrations", reviewer)).status_code == 401
    (entry,) = await api.audit("official.deactivated")
    assert entry.actor == f"official:{await _id_of(api, admin)}"


async def test_only_an_admin_manages_officials(api: Api) -> None:
    reviewer = await api.official("reviewer", "36.04")
    other = await _id_of(api, await api.official("reviewer", "36.04"))

    for path in ("deactivate", "revoke-tokens", "reset-password"):
        assert (await api.post(f"/officials/{other}/{path}", reviewer)).status_code == 403
    assert (await api.get("/officials", reviewer)).status_code == 403


async def test_revoking_tokens_and_issuing_a_read_only_one(api: Api) -> None:
    admin = await api.official()
    reviewer = await api.official("reviewer", "36.04")
    reviewer_id = await _id_of(api, reviewer)

    revoked = await api.post(f"/officials/{reviewer_id}/revoke-tokens", admin)
    issued = await api.post(f"/officials/{reviewer_id}/tokens", admin, {"read_only": True})
    read_only = issued.json()["token"]

    assert revoked.json() == {"revoked": 1}
    assert (await api.get("/registrations", reviewer)).status_code == 401
    assert issued.status_code == 201
    assert (await api.get("/registrations", read_only)).status_code == 200
    registration = await api.registration()
    refused = await api.post(f"/registrations/{registration}/approve", read_only, {})
    assert refused.status_code == 403
    assert "only read" in refused.json()["detail"]


async def test_an_expired_token_gets_401(api: Api) -> None:
    token = await api.official("reviewer", "36.04")
    async with api.services.db.session() as session:
        await session.exec(update(ApiToken).values(expires_at=utcnow() - timedelta(minutes=1)))
        await session.commit()

    response = await api.get("/registrations", token)

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_role_and_region_changes_take_effect_on_the_next_call(api: Api) -> None:
    admin = await api.official()
    reviewer = await api.official("reviewer", "36.04")
    reviewer_id = await _id_of(api, reviewer)
    assert (await api.get("/audit", reviewer)).status_code == 403

    region = await api.post(f"/officials/{reviewer_id}/region", admin, {"region": "36.73"})
    role = await api.post(f"/officials/{reviewer_id}/role", admin, {"role": "admin"})

    assert (region.status_code, role.status_code) == (200, 200)
    assert (await api.get("/audit", reviewer)).status_code == 200
    listed = {o["id"]: o for o in (await api.get("/officials", admin)).json()}
    assert (listed[reviewer_id]["role"], listed[reviewer_id]["region"]) == ("admin", "36.73")


async def test_an_export_without_a_reason_is_refused_and_with_one_it_is_audited(api: Api) -> None:
    admin = await api.official()

    refused = await api.get("/registrations/export", admin, format="csv")
    exported = await api.get("/registrations/export", admin, format="csv", reason=REASON)

    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["query", "reason"]
    assert exported.status_code == 200
    (entry,) = await api.audit("registrations.exported")
    assert (entry.detail or {})["reason"] == REASON


async def test_a_broadcast_without_a_reason_is_refused_and_with_one_it_is_audited(api: Api) -> None:
    admin = await api.official()
    body = {"text": "Info program", "segment": {}}

    refused = await api.post("/broadcasts", admin, body)
    created = await api.post("/broadcasts", admin, {**body, "reason": "Pengumuman kuota"})

    assert refused.status_code == 422
    assert created.status_code == 202
    (entry,) = await api.audit("broadcast.created")
    assert (entry.detail or {})["reason"] == "Pengumuman kuota"
    assert entry.subject_id == str(created.json()["id"])


def _alerts(kind: str) -> float:
    value = volume_alerts.REGISTRY.get_sample_value(
        "lindungi_sensitive_volume_alerts_total", {"kind": kind}
    )
    return value or 0.0


async def test_showing_many_full_niks_in_an_hour_raises_one_alert(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(volume_alerts, "MAX_NIK_VIEWS_PER_HOUR", 2)
    admin = await api.official()
    registration = await api.registration()
    before = _alerts("nik_views")

    for _ in range(4):
        assert (await api.get(f"/registrations/{registration}", admin)).status_code == 200

    assert _alerts("nik_views") == before + 1
    warnings = [r.getMessage() for r in caplog.records if "unusual volume" in r.getMessage()]
    assert warnings == [
        f"unusual volume: nik_views by official:{await _id_of(api, admin)} reached 3 "
        "in the last hour (limit 2)"
    ]
    metrics = (await api.client.get("/metrics")).text
    assert 'lindungi_sensitive_volume_alerts_total{kind="nik_views"}' in metrics


async def test_exporting_many_rows_in_an_hour_raises_an_alert(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(volume_alerts, "MAX_EXPORTED_ROWS_PER_HOUR", 2)
    admin = await api.official()
    for _ in range(2):
        await api.registration()
    before = _alerts("exported_rows")

    await api.get("/registrations/export", admin, status="all", reason=REASON)
    assert _alerts("exported_rows") == before
    await api.get("/registrations/export", admin, status="all", reason=REASON)

    assert _alerts("exported_rows") == before + 1
