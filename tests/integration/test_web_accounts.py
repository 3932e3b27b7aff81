"""Console accounts: throttled logins with one answer for all, TOTP, admins' forced set-up,
own passwords, offboarding from the console, the 30-minute idle timeout, reasons."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

import httpx
import pyotp
from sqlalchemy import update

from storage.models import ConsoleSession, utcnow
from storage.repos.login_throttle import ADDRESS_ATTEMPTS
from tests.integration.api_harness import api_fixture  # noqa: F401 - the `api` fixture
from tests.integration.web_harness import Browser, Web, web_fixture  # noqa: F401 - `web`

_SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')
_CODES = re.compile(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>")


def _error(html: str) -> str:
    found = re.search(r'id="login-error">([^<]*)<', html)
    return found.group(1) if found else ""


async def test_unknown_and_known_usernames_get_the_same_answer(web: Web) -> None:
    username, _ = await web.official("reviewer", "36.04")

    known = await web.browser().login(username, "wrong-password")
    unknown = await web.browser().login("nobody-here", "wrong-password")

    assert known.status_code == unknown.status_code == 401
    assert _error(known.text) == _error(unknown.text) == "Nama pengguna atau kata sandi salah."


async def test_an_unknown_username_is_locked_out_just_like_a_real_one(web: Web) -> None:
    username, _ = await web.official("reviewer", "36.04")
    answers = []
    for name in (username, "nobody-here"):
        browser = web.browser()
        for _ in range(ADDRESS_ATTEMPTS):
            await browser.login(name, "wrong")
        answers.append(await browser.login(name, "wrong"))
        await _unlock_address(web)

    assert [a.status_code for a in answers] == [401, 401]
    assert "dikunci sementara" in answers[0].text
    # The same lock-out in the same words (the minute it ends may differ between the two).
    assert _untimed(_error(answers[0].text)) == _untimed(_error(answers[1].text))


def _untimed(message: str) -> str:
    return re.sub(r"\d\d\.\d\d WIB", "HH.MM WIB", message)


async def test_guesses_from_one_address_do_not_lock_the_official_out_elsewhere(web: Web) -> None:
    username, password = await web.official("reviewer", "36.04")
    attacker = web.browser(address="203.0.113.66")
    for _ in range(ADDRESS_ATTEMPTS):
        await attacker.login(username, "guess")

    blocked = await attacker.login(username, password)
    official = await web.browser(address="198.51.100.20").login(username, password)

    assert blocked.status_code == 401
    assert official.status_code == 303


async def _unlock_address(web: Web) -> None:
    from storage.models import LoginThrottle

    async with web.services.db.session() as session:
        await session.exec(update(LoginThrottle).values(locked_until=None, attempts=0, lockouts=0))
        await session.commit()


async def test_thirty_parallel_wrong_passwords_are_not_all_checked(web: Web) -> None:
    username, password = await web.official("reviewer", "36.04")
    browsers = [web.browser() for _ in range(30)]
    for browser in browsers:
        await browser.get("/admin/login")

    answers = await asyncio.gather(
        *(b.post("/admin/login", {"username": username, "password": "guess"}) for b in browsers)
    )

    assert {answer.status_code for answer in answers} == {401}
    failed = await web.api.audit("official.login_failed")
    checked = [entry for entry in failed if (entry.detail or {}).get("reason") == "wrong_password"]
    assert len(checked) <= ADDRESS_ATTEMPTS
    assert len(failed) == 30
    assert (await web.browser().login(username, password)).status_code == 401


async def test_an_official_with_totp_logs_in_with_a_code(web: Web) -> None:
    username, password = await web.official("reviewer", "36.04", totp=True)
    await web.allow_code_again(username)  # its set-up used this 30-second step's code
    browser = web.browser()
    await browser.get("/admin/login")

    after_password = await browser.post(
        "/admin/login", {"username": username, "password": password}
    )
    assert after_password.headers["location"].startswith("/admin/login/code")
    assert (await browser.get("/admin")).status_code == 303  # no session yet
    await browser.get(after_password.headers["location"])
    wrong = await browser.post("/admin/login/code", {"code": "000000"})
    right = await browser.post("/admin/login/code", {"code": pyotp.TOTP(web.totp[username]).now()})

    assert wrong.status_code == 401
    assert "Kode salah" in wrong.text
    assert right.status_code == 303
    assert (await browser.get("/admin")).status_code == 200


async def test_the_code_step_cannot_be_reached_without_the_password(web: Web) -> None:
    browser = web.browser()

    response = await browser.get("/admin/login/code")

    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login"


async def test_an_admin_without_totp_must_set_it_up_before_anything_else(web: Web) -> None:
    browser = web.browser()
    username, password = await web.official("admin", totp=False)
    await browser.login(username, password)

    queue = await browser.get("/admin")
    assert queue.status_code == 303
    assert queue.headers["location"] == "/admin/account"
    page = await browser.get("/admin/account")
    assert "wajib memakai verifikasi dua langkah" in page.text
    started = await browser.post("/admin/account/totp", {"action": "start"})
    secret = _SECRET.search(started.text)
    assert secret is not None
    confirmed = await browser.post(
        "/admin/account/totp", {"action": "confirm", "code": pyotp.TOTP(secret[1]).now()}
    )

    codes = _CODES.findall(confirmed.text)
    assert len(codes) == 10
    assert (await browser.get("/admin")).status_code == 200
    assert codes[0] not in (await browser.get("/admin/account")).text  # shown once


async def test_a_recovery_code_logs_in_once(web: Web) -> None:
    browser = web.browser()
    username, password = await web.official("admin", totp=False)
    await browser.login(username, password)
    await browser.get("/admin/account")
    started = await browser.post("/admin/account/totp", {"action": "start"})
    secret = _SECRET.search(started.text)
    assert secret is not None
    confirmed = await browser.post(
        "/admin/account/totp", {"action": "confirm", "code": pyotp.TOTP(secret[1]).now()}
    )
    code = _CODES.findall(confirmed.text)[0]

    first, again = web.browser(), web.browser()
    assert (await _password_then_code(first, username, password, code)).status_code == 303
    reused = await _password_then_code(again, username, password, code)

    assert reused.status_code == 401
    assert (await first.get("/admin")).status_code == 200
    assert len(await web.api.audit("official.recovery_code_used")) == 1


async def _password_then_code(
    browser: Browser, username: str, password: str, code: str
) -> httpx.Response:
    await browser.get("/admin/login")
    step = await browser.post("/admin/login", {"username": username, "password": password})
    await browser.get(step.headers["location"])
    return await browser.post("/admin/login/code", {"code": code})


async def test_an_official_changes_their_own_password_within_the_rules(web: Web) -> None:
    username, password = await web.official("reviewer", "36.04")
    browser = web.browser()
    await browser.login(username, password)
    await browser.get("/admin/account")
    change = "/admin/account/password"

    short = await browser.post(change, {"current": password, "new": "kort", "repeat": "kort"})
    common = await browser.post(
        change, {"current": password, "new": "Bismillah123!", "repeat": "Bismillah123!"}
    )
    wrong = await browser.post(
        change, {"current": "nope", "new": "kopi tubruk pagi", "repeat": "kopi tubruk pagi"}
    )
    good = await browser.post(
        change, {"current": password, "new": "kopi tubruk pagi", "repeat": "kopi tubruk pagi"}
    )

    assert (short.status_code, common.status_code, wrong.status_code) == (422, 422, 422)
    assert "minimal 12 karakter" in short.text
    assert "terlalu umum" in common.text
    assert "Kata sandi sekarang salah" in wrong.text
    assert good.status_code == 303
    assert (await web.browser().login(username, "kopi tubruk pagi")).status_code == 303
    assert (await web.browser().login(username, password)).status_code == 401


async def test_an_admin_deactivates_an_official_whose_session_ends_at_once(web: Web) -> None:
    reviewer = await web.signed_in("reviewer", "36.04")
    assert (await reviewer.get("/admin")).status_code == 200
    (official,) = [o for o in await _officials(web) if o.role == "reviewer"]
    admin = await web.signed_in()

    listing = await admin.get("/admin/officials")
    done = await admin.post(f"/admin/officials/{official.id}", {"action": "deactivate"})

    assert official.username in listing.text
    assert done.status_code == 303
    assert (await reviewer.get("/admin")).status_code == 303
    assert len(await web.api.audit("official.deactivated")) == 1


async def test_an_admin_resets_a_password_shown_once_on_the_page(web: Web) -> None:
    username, old = await web.official("reviewer", "36.04")
    (official,) = [o for o in await _officials(web) if o.username == username]
    admin = await web.signed_in()
    await admin.get("/admin/officials")

    page = await admin.post(f"/admin/officials/{official.id}", {"action": "reset_password"})

    found = re.search(r"sekali, berikan secara langsung\): (\S+)<", page.text)
    assert found is not None
    assert (await web.browser().login(username, found[1])).status_code == 303
    assert (await web.browser().login(username, old)).status_code == 401


async def test_a_reviewer_cannot_manage_officials(web: Web) -> None:
    reviewer = await web.signed_in("reviewer", "36.04")

    assert (await reviewer.get("/admin/officials")).status_code == 403
    assert (await reviewer.post("/admin/officials/1", {"action": "deactivate"})).status_code == 403


async def _officials(web: Web) -> list[Any]:
    from storage.repos.accounts import Accounts

    return await Accounts(web.services.db).all()


async def test_a_session_used_within_thirty_minutes_stays_open_and_then_ends(web: Web) -> None:
    browser = await web.signed_in("reviewer", "36.04")

    await _idle(web, timedelta(minutes=29))
    assert (await browser.get("/admin")).status_code == 200
    await _idle(web, timedelta(minutes=31))
    response = await browser.get("/admin")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/login")


async def _idle(web: Web, idle: timedelta) -> None:
    async with web.services.db.session() as session:
        await session.exec(update(ConsoleSession).values(last_seen_at=utcnow() - idle))
        await session.commit()


async def test_showing_a_full_nik_needs_a_reason_that_is_audited(web: Web) -> None:
    browser = await web.signed_in("reviewer", "36.04")
    registration = await web.api.registration()
    await browser.get(f"/admin/registrations/{registration}")

    without = await browser.post(f"/admin/registrations/{registration}/nik")
    shown = await browser.post(
        f"/admin/registrations/{registration}/nik", {"reason": "Cek KTP di kantor desa"}
    )

    assert "Tuliskan alasannya" in without.text
    assert "revealed" in shown.text
    (viewed,) = await web.api.audit("nik.viewed")
    assert viewed.detail == {"reason": "Cek KTP di kantor desa"}


async def test_a_console_export_needs_a_reason_that_is_audited(web: Web) -> None:
    browser = await web.signed_in()
    await browser.get("/admin")

    refused = await browser.post("/admin/export", {"format": "csv", "status": "all"})
    exported = await browser.post(
        "/admin/export", {"format": "csv", "status": "all", "reason": "Unggah massal BPJS"}
    )

    assert refused.status_code == 303
    assert exported.status_code == 200
    (entry,) = await web.api.audit("registrations.exported")
    assert (entry.detail or {})["reason"] == "Unggah massal BPJS"
