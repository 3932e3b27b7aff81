"""Console login: passwords, lock-out, sessions that end, cookies and headers that protect them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from storage.models import ConsoleSession, utcnow
from tests.integration.api_harness import api_fixture  # noqa: F401 - the `api` fixture
from tests.integration.web_harness import Web, web_fixture  # noqa: F401 - the `web` fixture


async def test_an_official_logs_in_and_sees_the_queue(web: Web) -> None:
    browser = web.browser()

    response = await browser.login(*await web.official())

    assert response.status_code == 303
    assert response.headers["location"] == "/admin"
    queue = await browser.get("/admin")
    assert queue.status_code == 200
    assert "Antrean pendaftaran" in queue.text
    assert len(await web.api.audit("official.login")) == 1


async def test_pages_send_a_stranger_to_the_login_page_and_back(web: Web) -> None:
    browser = web.browser()

    response = await browser.get("/admin/stats")

    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login?next=%2Fadmin%2Fstats"


async def test_a_wrong_password_is_refused_and_audited(web: Web) -> None:
    username, _ = await web.official()
    browser = web.browser()

    response = await browser.login(username, "not-the-password")

    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in response.text
    assert "lindungi_session" not in response.cookies
    failed = await web.api.audit("official.login_failed")
    assert [(entry.detail or {}).get("reason") for entry in failed] == ["wrong_password"]
    assert (await browser.get("/admin")).status_code == 303


async def test_an_unknown_username_is_audited_without_what_was_typed(web: Web) -> None:
    browser = web.browser()

    await browser.login("Secret-Password-In-The-Wrong-Field", "x")

    (entry,) = await web.api.audit("official.login_failed")
    assert entry.subject_id == "unknown"
    assert "Secret" not in str(entry.detail)


async def test_after_five_wrong_passwords_the_account_is_locked_with_a_clear_message(
    web: Web,
) -> None:
    username, password = await web.official()
    browser = web.browser()
    for _ in range(5):
        await browser.login(username, "wrong")

    response = await browser.login(username, password)

    assert response.status_code == 401
    assert "dikunci sementara" in response.text
    assert (await browser.get("/admin")).status_code == 303
    assert len(await web.api.audit("official.locked")) == 1


async def test_a_login_form_without_its_token_is_refused(web: Web) -> None:
    username, password = await web.official()
    browser = web.browser()
    await browser.get("/admin/login")

    forged = await browser.post(
        "/admin/login", {"username": username, "password": password}, csrf="forged"
    )
    missing = await browser.post(
        "/admin/login", {"username": username, "password": password}, csrf=""
    )

    assert forged.status_code == missing.status_code == 403
    assert await web.api.audit("official.login") == []


async def test_logout_ends_the_session_even_for_a_copied_cookie(web: Web) -> None:
    browser = await web.signed_in()
    copied = web.browser()
    copied.client.cookies.set(
        "lindungi_session", browser.client.cookies["lindungi_session"], path="/admin"
    )
    assert (await copied.get("/admin")).status_code == 200

    response = await browser.post("/admin/logout")

    assert response.status_code == 303
    assert (await copied.get("/admin")).status_code == 303
    assert (await browser.get("/admin")).status_code == 303
    assert len(await web.api.audit("official.logout")) == 1


async def test_a_tampered_session_cookie_is_not_accepted(web: Web) -> None:
    browser = await web.signed_in()
    value = browser.client.cookies["lindungi_session"]
    browser.client.cookies.set("lindungi_session", value[:-2] + "xx", path="/admin")

    assert (await browser.get("/admin")).status_code == 303


async def test_a_session_idle_for_more_than_thirty_minutes_has_ended(web: Web) -> None:
    browser = await web.signed_in()
    async with web.services.db.session() as session:
        await session.exec(
            update(ConsoleSession).values(last_seen_at=utcnow() - timedelta(minutes=31))
        )
        await session.commit()

    assert (await browser.get("/admin")).status_code == 303


async def test_the_session_cookie_is_httponly_lax_and_secure_on_https(web: Web) -> None:
    username, password = await web.official()
    plain = web.browser()
    tls = web.browser("https://lindungi.test")

    on_http = (await plain.login(username, password)).headers["set-cookie"]
    on_https = (await tls.login(username, password)).headers["set-cookie"]

    assert "lindungi_session=" in on_http
    assert "HttpOnly" in on_http
    assert "SameSite=lax" in on_http
    assert "Path=/admin" in on_http
    assert "Secure" not in on_http
    assert "Secure" in on_https


async def test_pages_with_personal_data_are_not_cached_or_framed(web: Web) -> None:
    browser = await web.signed_in()
    registration = await web.api.registration()

    for path in ("/admin", f"/admin/registrations/{registration}", "/admin/login"):
        response = await browser.get(path)
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
