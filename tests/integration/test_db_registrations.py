"""Registrations as a worker experiences them: stored once, NIK protected, duplicates refused."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from storage.errors import DuplicateNikError
from storage.infra.db import Database
from storage.models import AuditLog, Consent, Registration
from storage.repos.registrations import REFERENCE_ALPHABET, NewRegistration, Registrations


async def test_a_submission_is_stored_pending_with_a_readable_reference(
    registrations: Registrations, make_registration: Callable[..., NewRegistration]
) -> None:
    summary, created = await registrations.submit(make_registration())

    assert created
    assert summary.status == "pending"
    prefix, first, second = summary.reference.split("-")
    assert (prefix, len(first), len(second)) == ("LND", 4, 2)
    assert set(first + second) <= set(REFERENCE_ALPHABET)


async def test_the_same_submission_twice_stores_one_registration(
    registrations: Registrations, make_registration: Callable[..., NewRegistration], db: Database
) -> None:
    new = make_registration()

    first, first_created = await registrations.submit(new)
    again, again_created = await registrations.submit(new)

    assert (first_created, again_created) == (True, False)
    assert again == first
    async with db.session() as session:
        count = (await session.exec(select(func.count()).select_from(Registration))).one()
    assert count == 1


async def test_a_nik_registered_before_is_refused_with_that_registrations_status(
    registrations: Registrations, make_registration: Callable[..., NewRegistration]
) -> None:
    first = make_registration()
    stored, _ = await registrations.submit(first)

    with pytest.raises(DuplicateNikError) as refused:
        await registrations.submit(make_registration(nik=first.nik))

    assert refused.value.existing.id == stored.id
    assert refused.value.existing.status == "pending"
    assert refused.value.existing.nik_masked == stored.nik_masked


async def test_nik_is_not_stored_in_plain_text(
    registrations: Registrations, make_registration: Callable[..., NewRegistration], db: Database
) -> None:
    new = make_registration()
    await registrations.submit(new)

    async with db.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT * FROM registrations"))).all()
    raw = " ".join(str(value) for value in rows[0])

    assert new.nik not in raw
    assert new.nik[4:12] not in raw


async def test_the_nik_is_shown_masked_to_the_worker(
    registrations: Registrations, make_registration: Callable[..., NewRegistration]
) -> None:
    new = make_registration(nik="3604015505900001")

    summary, _ = await registrations.submit(new)

    assert summary.nik_masked == "3604••••••••0001"


async def test_an_official_can_reveal_the_full_nik(
    registrations: Registrations, make_registration: Callable[..., NewRegistration]
) -> None:
    new = make_registration()
    summary, _ = await registrations.submit(new)

    row = await registrations.get(summary.id)

    assert row is not None
    assert registrations.reveal_nik(row) == new.nik


async def test_a_submission_records_the_consent_given(
    registrations: Registrations, make_registration: Callable[..., NewRegistration], db: Database
) -> None:
    new = make_registration()
    summary, _ = await registrations.submit(new)

    async with db.session() as session:
        consents = (await session.exec(select(Consent))).all()

    assert [(c.registration_id, c.text_version, c.text_sha256) for c in consents] == [
        (summary.id, new.consent_version, new.consent_text_sha256)
    ]
    assert consents[0].given_at == new.consent_at


async def test_a_submission_is_audited_without_personal_data(
    registrations: Registrations, make_registration: Callable[..., NewRegistration], db: Database
) -> None:
    new = make_registration()
    summary, _ = await registrations.submit(new)

    async with db.session() as session:
        entries = (await session.exec(select(AuditLog))).all()

    assert [(e.actor, e.action, e.subject_id) for e in entries] == [
        (f"worker:{new.telegram_user_id}", "registration.submitted", str(summary.id))
    ]
    detail = str(entries[0].detail)
    for personal in (new.nik, new.full_name, new.phone, new.heir_name):
        assert personal is None or personal not in detail


async def test_two_concurrent_submissions_with_one_key_store_one_row(
    registrations: Registrations, make_registration: Callable[..., NewRegistration], db: Database
) -> None:
    new = make_registration()

    results = await asyncio.gather(*(registrations.submit(new) for _ in range(4)))

    assert sorted(created for _, created in results) == [False, False, False, True]
    assert len({summary.id for summary, _ in results}) == 1
    async with db.session() as session:
        count = (await session.exec(select(func.count()).select_from(Registration))).one()
    assert count == 1


async def test_two_concurrent_submissions_with_one_nik_store_one_row(
    registrations: Registrations, make_registration: Callable[..., NewRegistration], db: Database
) -> None:
    first = make_registration()
    others = [make_registration(nik=first.nik) for _ in range(3)]

    results = await asyncio.gather(
        *(registrations.submit(new) for new in [first, *others]), return_exceptions=True
    )

    stored = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, DuplicateNikError)]
    assert (len(stored), len(refused)) == (1, 3)
    assert all(r.existing.id == stored[0][0].id for r in refused)
    async with db.session() as session:
        count = (await session.exec(select(func.count()).select_from(Consent))).one()
    assert count == 1


async def test_a_worker_sees_their_latest_registration(
    registrations: Registrations, make_registration: Callable[..., NewRegistration]
) -> None:
    older, _ = await registrations.submit(make_registration(telegram_user_id=42))
    newer, _ = await registrations.submit(make_registration(telegram_user_id=42))

    latest = await registrations.latest_for_telegram_user(42)

    assert latest == newer
    assert latest != older
    assert await registrations.latest_for_telegram_user(43) is None


async def test_a_registration_is_found_again_by_its_nik(
    registrations: Registrations, make_registration: Callable[..., NewRegistration]
) -> None:
    new = make_registration()
    stored, _ = await registrations.submit(new)

    assert await registrations.find_by_nik(new.nik) == stored
    assert await registrations.find_by_nik("3604019999999999") is None


async def test_times_come_back_as_utc(
    registrations: Registrations, make_registration: Callable[..., NewRegistration]
) -> None:
    summary, _ = await registrations.submit(make_registration())

    row = await registrations.get(summary.id)

    assert row is not None
    assert row.created_at.tzinfo == UTC
    assert row.created_at == summary.created_at
    assert row.decided_at is None


async def test_a_nik_that_is_not_16_digits_is_not_stored(
    registrations: Registrations, make_registration: Callable[..., NewRegistration]
) -> None:
    with pytest.raises(ValueError, match="16 digits"):
        await registrations.submit(make_registration(nik="36040155059"))

    assert (
        await registrations.latest_for_telegram_user(make_registration().telegram_user_id) is None
    )


async def test_a_large_telegram_id_is_kept_exactly(
    registrations: Registrations, make_registration: Callable[..., NewRegistration]
) -> None:
    big = 9_123_456_789_012
    summary, _ = await registrations.submit(make_registration(telegram_user_id=big))

    row = await registrations.get(summary.id)

    assert row is not None
    assert row.telegram_user_id == big
