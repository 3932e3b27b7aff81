"""Changing the encryption key: NIKs stay found throughout, and the rotation always finishes."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from storage.errors import DuplicateNikError
from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.repos.registrations import NewRegistration, Registrations
from storage.repos.rotation import rotate

Make = Callable[..., NewRegistration]


def _key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


async def test_a_nik_registered_under_the_old_key_is_still_refused_as_a_duplicate(
    db: Database, make_registration: Make
) -> None:
    old, new = _key(), _key()
    first = make_registration()
    stored, _ = await Registrations(db, Cipher(old)).submit(first)

    changed = Registrations(db, Cipher(new, previous=[old]))  # key changed, not yet rotated
    with pytest.raises(DuplicateNikError) as refused:
        await changed.submit(make_registration(nik=first.nik))
    assert refused.value.existing.id == stored.id
    found = await changed.find_by_nik(first.nik)
    assert found is not None and found.id == stored.id


async def test_rotation_run_twice_rewrites_nothing_the_second_time(
    db: Database, make_registration: Make
) -> None:
    old, new = _key(), _key()
    for _ in range(3):
        await Registrations(db, Cipher(old)).submit(make_registration())
    cipher = Cipher(new, previous=[old])

    first = await rotate(db, cipher)
    again = await rotate(db, cipher)  # e.g. after the first run was stopped half-way

    assert (first.registrations, again.registrations) == (3, 0)
    only_new = Registrations(db, Cipher(new))
    async with db.engine.connect() as conn:
        ids = [row[0] for row in await conn.execute(text("SELECT id FROM registrations"))]
    for registration_id in ids:
        row = await only_new.get(registration_id)
        assert row is not None
        assert len(only_new.reveal_nik(row)) == 16  # readable without the old key


async def test_rotation_finishes_and_reports_two_registrations_of_one_nik(
    db: Database, make_registration: Make
) -> None:
    """Rows left by a release that looked NIKs up under the new key only."""
    old, new = _key(), _key()
    first = make_registration()
    older, _ = await Registrations(db, Cipher(old)).submit(first)
    await Registrations(db, Cipher(new)).submit(make_registration(nik=first.nik))

    done = await rotate(db, Cipher(new, previous=[old]))

    # The older row keeps its old key (it is reported); the newer one was current already.
    assert done.duplicate_niks == (older.id,)
    assert done.registrations == 0
    audit: list[Any]
    async with db.engine.connect() as conn:
        audit = list(
            await conn.execute(text("SELECT detail FROM audit_log WHERE action='keys.rotated'"))
        )
    assert audit, "the rotation is audited with the duplicates it found"
    assert str(older.id) in str(audit[0][0])
