"""The API's documentation is served in development and hidden in production by default."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from tests.integration.api_harness import api_settings

DOC_PATHS = ("/docs", "/redoc", "/openapi.json")


async def _statuses(tmp_path: Path, **settings: object) -> list[int]:
    app = create_app(api_settings("sqlite:///unused.sqlite3", tmp_path, **settings))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://lindungi.test") as client:
        return [(await client.get(path)).status_code for path in DOC_PATHS]


@pytest.mark.parametrize(
    ("settings", "served"),
    [
        ({}, True),
        ({"public_url": "http://127.0.0.1:8000"}, True),
        ({"public_url": "https://lindungi.example.go.id"}, False),
        ({"public_url": "https://lindungi.example.go.id", "api_docs": True}, True),
        ({"api_docs": False}, False),
    ],
    ids=["no public url", "plain http", "production", "production, asked for", "switched off"],
)
async def test_the_api_docs_are_public_only_outside_production_unless_set(
    tmp_path: Path, settings: dict[str, object], served: bool
) -> None:
    statuses = await _statuses(tmp_path, **settings)
    assert statuses == ([200] * 3 if served else [404] * 3)
