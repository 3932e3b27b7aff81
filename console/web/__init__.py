"""The officials' web console under `/admin`: server-rendered pages on the same services as the API.

The server includes `web_router(...)` and mounts `web_static()` at `/admin/static`, one line each.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.staticfiles import StaticFiles

from console.web import (
    account,
    auth,
    broadcasts,
    detail,
    inbox,
    officials,
    overview,
    queue,
    records,
)
from console.web.navigation import count_open

STATIC = Path(__file__).resolve().parent.parent / "static"


def web_router(*, secure_cookies: bool = False) -> APIRouter:
    """The console's pages; `secure_cookies` marks cookies Secure even behind plain HTTP hops.

    Cookies are Secure anyway whenever the request arrived over HTTPS.
    """

    def configure(request: Request) -> None:
        request.state.console_secure_cookies = secure_cookies

    router = APIRouter(dependencies=[Depends(configure)], include_in_schema=False)
    router.include_router(auth.router, prefix="/admin")
    # Every other page needs a signed-in official, and its navigation the open questions.
    for pages in (queue, detail, overview, records, inbox, broadcasts, account, officials):
        router.include_router(pages.router, prefix="/admin", dependencies=[Depends(count_open)])
    return router


def web_static() -> StaticFiles:
    """The console's CSS and JavaScript (plain files, no build step)."""
    return StaticFiles(directory=STATIC)


__all__ = ["web_router", "web_static"]
