"""The web console in-process on each backend: officials with passwords, and logged-in browsers.

Import `web_fixture` (and `api_fixture`, which it builds on) into a test module.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pyotp
import pytest
from sqlalchemy import update

from storage.models import Official
from storage.repos.second_factor import SecondFactor
from tests.integration.api_harness import Api

_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def csrf_of(html: str) -> str:
    """The CSRF token in a page's first form."""
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class Browser:
    """One browser: its own cookies; remembers the CSRF token of the last page it saw."""

    client: httpx.AsyncClient
    web: Web | None = None
    csrf: str = ""

    async def get(self, path: str, **params: Any) -> httpx.Response:
        response = await self.client.get(path, params=params)
        if 'name="csrf_token"' in response.text:
            self.csrf = csrf_of(response.text)
        return response

    async def post(
        self, path: str, data: dict[str, Any] | None = None, *, csrf: str | None = None
    ) -> httpx.Response:
        """POST a form with the page's CSRF token (or `csrf`; "" sends none)."""
        form = dict(data or {})
        token = self.csrf if csrf is None else csrf
        if token:
            form["csrf_token"] = token
        return await self.client.post(path, data=form)

    async def login(self, username: str, password: str) -> httpx.Response:
        """Log in; for an official whose TOTP the harness set up, the code step too."""
        await self.get("/admin/login")
        response = await self.post("/admin/login", {"username": username, "password": password})
        secret = self.web.totp.get(username) if self.web else None
        location = response.headers.get("location", "")
        if secret is None or not location.startswith("/admin/login/code"):
            return response
        assert self.web is not None
        await self.web.allow_code_again(username)
        await self.get(location)
        return await self.post("/admin/login/code", {"code": pyotp.TOTP(secret).now()})


@dataclass
class Web:
    """The app of `api`, officials with known passwords, and browsers on it."""

    api: Api
    totp: dict[str, str] = field(default_factory=dict)
    _clients: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def services(self) -> Any:
        return self.api.services

    async def official(
        self, role: str = "admin", region: str | None = None, *, totp: bool | None = None
    ) -> tuple[str, str]:
        """A new official's (username, password); admins get a second factor unless told not.

        `Browser.login` then answers the code step with a code from that secret.
        """
        username = f"{role}-{secrets.token_hex(4)}"
        official, password, _ = await self.services.officials.create(
            username, "Ibu Petugas", role, region
        )
        if totp if totp is not None else role == "admin":
            self.totp[username] = await self.set_up_totp(official.id)
        return username, password

    async def set_up_totp(self, official_id: int) -> str:
        """Give an official a confirmed second factor; returns its secret."""
        factor = SecondFactor(self.services.db, self.services.cipher)
        secret, _ = await factor.begin(official_id)
        assert await factor.confirm(official_id, pyotp.TOTP(secret).now())
        return secret

    async def allow_code_again(self, username: str) -> None:
        """Forget the last code step used, so that the harness may log in twice in 30 s."""
        async with self.services.db.session() as session:
            await session.exec(
                update(Official)
                .where(Official.username == username)  # type: ignore[arg-type]
                .values(totp_last_step=None)
            )
            await session.commit()

    def browser(
        self, base_url: str = "http://lindungi.test", address: str = "127.0.0.1"
    ) -> Browser:
        """A browser on its own client `address` (logins are throttled per address)."""
        transport = httpx.ASGITransport(app=self.api.app, client=(address, 123))
        client = httpx.AsyncClient(transport=transport, base_url=base_url)
        self._clients.append(client)
        return Browser(client, self)

    async def signed_in(self, role: str = "admin", region: str | None = None) -> Browser:
        """A browser where a new official has logged in and opened the queue."""
        browser = self.browser()
        response = await browser.login(*await self.official(role, region))
        assert response.status_code == 303, response.text
        await browser.get("/admin")
        return browser

    async def close(self) -> None:
        for client in self._clients:
            await client.aclose()


@pytest.fixture(name="web")
async def web_fixture(api: Api) -> AsyncIterator[Web]:
    web = Web(api)
    try:
        yield web
    finally:
        await web.close()
