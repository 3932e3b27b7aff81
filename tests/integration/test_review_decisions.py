"""Approve, reject, activate: each only from the right status, each queued for the worker once."""

from __future__ import annotations

from tests.integration.api_harness import (
    Api,
    api_fixture,  # noqa: F401 - the `api` fixture
)


async def test_approving_records_who_and_when_and_queues_one_message(api: Api) -> None:
    admin = await api.official()
    registration = await api.registration(language="en")

    response = await api.post(f"/registrations/{registration}/approve", admin)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved"
    assert body["decided_by"].startswith("admin-")
    assert body["decided_at"] is not None
    assert "•" in body["nik"]
    (message,) = await api.notifications(registration)
    assert (message.kind, message.language, message.state) == ("approved", "en", "pending")
    assert message.params["reference"] == body["reference"]
    assert message.params["program"] == "Uji Kuota"


async def test_a_second_approval_is_a_conflict_and_sends_nothing_more(api: Api) -> None:
    admin = await api.official()
    registration = await api.registration()
    await api.post(f"/registrations/{registration}/approve", admin)

    again = await api.post(f"/registrations/{registration}/approve", admin)

    assert again.status_code == 409
    assert "approved" in again.json()["detail"]
    assert len(await api.notifications(registration)) == 1
    assert len(await api.audit("registration.approved")) == 1


async def test_rejecting_needs_a_reason(api: Api) -> None:
    admin = await api.official()
    registration = await api.registration()

    missing = await api.post(f"/registrations/{registration}/reject", admin, json={})
    blank = await api.post(f"/registrations/{registration}/reject", admin, json={"reason": "  "})

    assert missing.status_code == 422
    assert blank.status_code == 422
    shown = (await api.get(f"/registrations/{registration}", admin)).json()
    assert shown["status"] == "pending"
    assert await api.notifications(registration) == []


async def test_the_reason_of_a_rejection_reaches_the_worker_but_not_the_audit_log(api: Api) -> None:
    admin = await api.official()
    registration = await api.registration()
    reason = "Nama di KTP berbeda dengan nama yang diisi"

    response = await api.post(
        f"/registrations/{registration}/reject", admin, json={"reason": reason}
    )

    assert response.status_code == 200
    assert response.json()["reason"] == reason
    (message,) = await api.notifications(registration)
    assert (message.kind, message.params["reason"]) == ("rejected", reason)
    (audited,) = await api.audit("registration.rejected")
    assert reason not in str(audited.detail)


async def test_a_rejected_registration_cannot_be_approved(api: Api) -> None:
    admin = await api.official()
    registration = await api.registration()
    await api.post(f"/registrations/{registration}/reject", admin, json={"reason": "Bukan warga"})

    response = await api.post(f"/registrations/{registration}/approve", admin)

    assert response.status_code == 409
    assert len(await api.notifications(registration)) == 1


async def test_activating_needs_the_kpj_and_an_approved_registration(api: Api) -> None:
    admin = await api.official()
    registration = await api.registration()

    too_early = await api.post(
        f"/registrations/{registration}/activate", admin, json={"kpj": "21012345678"}
    )
    await api.post(f"/registrations/{registration}/approve", admin)
    missing = await api.post(f"/registrations/{registration}/activate", admin, json={})
    done = await api.post(
        f"/registrations/{registration}/activate", admin, json={"kpj": " 21012345678 "}
    )

    assert too_early.status_code == 409
    assert missing.status_code == 422
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["kpj"]) == ("active", "21012345678")
    kinds = [message.kind for message in await api.notifications(registration)]
    assert kinds == ["approved", "active"]


async def test_every_decision_is_audited_with_who_and_no_personal_data(api: Api) -> None:
    admin = await api.official()
    registration = await api.registration(full_name="Rahmat Hidayat", phone="+6281311112222")
    await api.post(f"/registrations/{registration}/approve", admin)
    await api.post(f"/registrations/{registration}/activate", admin, json={"kpj": "21099999999"})

    entries = [
        *(await api.audit("registration.approved")),
        *(await api.audit("registration.active")),
    ]

    assert [entry.subject_id for entry in entries] == [str(registration)] * 2
    assert all(entry.actor.startswith("official:") for entry in entries)
    text = str([entry.detail for entry in entries])
    for personal in ("Rahmat", "6281311112222", "21099999999"):
        assert personal not in text


async def test_deciding_on_an_unknown_registration_is_not_found(api: Api) -> None:
    admin = await api.official()

    response = await api.post("/registrations/424242/approve", admin)

    assert response.status_code == 404
