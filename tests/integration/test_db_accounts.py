"""Account safety in storage: login throttling, the second factor, offboarding."""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime, timedelta

import pyotp
import pytest
from argon2 import PasswordHasher

from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.models import utcnow
from storage.repos.accounts import Accounts
from storage.repos.console_sessions import ConsoleSessions
from storage.repos.login_throttle import (
    ACCOUNT_ATTEMPTS,
    ADDRESS_ATTEMPTS,
    FIRST_LOCKOUT,
    Key,
    LoginThrottle,
    account_key,
    address_key,
)
from storage.repos.officials import Officials
from storage.repos.second_factor import RECOVERY_CODES, SecondFactor

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
CIPHER = Cipher(base64.urlsafe_b64encode(b"lindungi-account-tests-32-bytes!").decode())


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> None:
        self.now += timedelta(**delta)


async def _fail(throttle: LoginThrottle, keys: list[Key], times: int) -> datetime | None:
    locked = None
    for _ in range(times):
        assert await throttle.claim(keys) is None
        locked = await throttle.failed(keys)
    return locked


async def test_an_address_is_locked_after_its_attempts_for_longer_each_time(db: Database) -> None:
    clock = Clock()
    throttle = LoginThrottle(db, clock)
    keys = [account_key("rina"), address_key("203.0.113.7")]

    first = await _fail(throttle, keys, ADDRESS_ATTEMPTS)
    assert first == clock.now + FIRST_LOCKOUT
    assert await throttle.claim(keys) == first
    clock.move(seconds=FIRST_LOCKOUT.total_seconds() + 1)
    second = await _fail(throttle, keys, ADDRESS_ATTEMPTS)

    assert second == clock.now + 2 * FIRST_LOCKOUT
    assert await throttle.claim(keys) == second


async def test_an_account_is_locked_for_every_address_after_guesses_from_many(db: Database) -> None:
    throttle = LoginThrottle(db, Clock())
    for attempt in range(ACCOUNT_ATTEMPTS):
        keys = [account_key("rina"), address_key(f"198.51.100.{attempt}")]
        assert await throttle.claim(keys) is None
        await throttle.failed(keys)

    assert await throttle.claim([account_key("rina"), address_key("192.0.2.1")]) is not None
    assert await throttle.claim([account_key("budi"), address_key("192.0.2.1")]) is None


async def test_a_right_password_gives_the_account_a_fresh_start(db: Database) -> None:
    throttle = LoginThrottle(db, Clock())
    keys = [account_key("rina"), address_key("203.0.113.7")]
    await _fail(throttle, keys, ADDRESS_ATTEMPTS - 1)
    assert await throttle.claim(keys) is None
    await throttle.succeeded(keys[0], keys[1])

    assert await throttle.claim(keys) is None


async def test_parallel_guesses_are_checked_no_more_than_the_attempts_allow(db: Database) -> None:
    officials = Officials(db, FAST)
    await officials.create("rina", "Rina", "reviewer", None)
    throttle = LoginThrottle(db)
    keys = [account_key("rina"), address_key("203.0.113.7")]
    checked = 0

    async def guess() -> None:
        nonlocal checked
        if await throttle.claim(keys) is None:
            checked += 1
            await officials.verify_password("rina", "wrong")
            await throttle.failed(keys)

    await asyncio.gather(*(guess() for _ in range(30)))

    assert checked == ADDRESS_ATTEMPTS
    assert await throttle.claim(keys) is not None


@pytest.fixture
async def official_id(db: Database) -> int:
    official, _, _ = await Officials(db, FAST).create("rina", "Rina", "admin", None)
    assert official.id is not None
    return official.id


async def test_a_second_factor_counts_once_a_first_code_confirms_it(
    db: Database, official_id: int
) -> None:
    factor = SecondFactor(db, CIPHER)
    secret, uri = await factor.begin(official_id)
    assert uri.startswith("otpauth://totp/Lindungi:rina?")
    assert await factor.check(official_id, pyotp.TOTP(secret).now()) is False

    codes = await factor.confirm(official_id, pyotp.TOTP(secret).now())

    assert codes is not None and len(codes) == RECOVERY_CODES
    official = await Officials(db).get(official_id)
    assert official is not None and official.totp_enabled_at is not None
    assert secret not in str(official.totp_ciphertext)


async def test_a_totp_code_is_accepted_once(db: Database, official_id: int) -> None:
    clock = Clock()
    factor = SecondFactor(db, CIPHER, clock)
    secret, _ = await factor.begin(official_id)
    await factor.confirm(official_id, pyotp.TOTP(secret).at(clock.now))
    clock.move(seconds=30)
    code = pyotp.TOTP(secret).at(clock.now)

    assert await factor.check(official_id, code) is True
    assert await factor.check(official_id, code) is False
    assert await factor.check(official_id, "000000") is False


async def test_a_recovery_code_works_once(db: Database, official_id: int) -> None:
    factor = SecondFactor(db, CIPHER)
    secret, _ = await factor.begin(official_id)
    codes = await factor.confirm(official_id, pyotp.TOTP(secret).now())
    assert codes

    assert await factor.check(official_id, codes[0].upper()) is True
    assert await factor.check(official_id, codes[0]) is False
    assert await factor.check(official_id, codes[1]) is True


async def test_deactivating_ends_sessions_and_tokens_at_once(db: Database) -> None:
    officials = Officials(db, FAST)
    official, _, token = await officials.create("rina", "Rina", "reviewer", None)
    assert official.id is not None
    sessions = ConsoleSessions(db)
    cookie = await sessions.open(official)

    await Accounts(db, FAST).deactivate(official.id, "official:1")

    assert await sessions.find(cookie) is None
    assert await officials.authenticate_token(token) is None
    assert await officials.verify_password("rina", "anything") is None


async def test_a_key_change_keeps_second_factors_working_with_the_new_key_alone(
    db: Database, official_id: int
) -> None:
    from storage.repos.rotation import rotate

    secret, _ = await SecondFactor(db, CIPHER).begin(official_id)
    await SecondFactor(db, CIPHER).confirm(official_id, pyotp.TOTP(secret).now())
    new_key = base64.urlsafe_b64encode(b"lindungi-account-tests-new-key!!").decode()
    old_key = base64.urlsafe_b64encode(b"lindungi-account-tests-32-bytes!").decode()

    await rotate(db, Cipher(new_key, [old_key]))
    clock = Clock()
    clock.move(seconds=30)

    factor = SecondFactor(db, Cipher(new_key), clock)
    assert await factor.check(official_id, pyotp.TOTP(secret).at(clock.now)) is True
