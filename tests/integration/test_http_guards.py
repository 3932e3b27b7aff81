"""Oversized bodies are refused before anyone reads them; API answers are never cached."""

from __future__ import annotations

from collections.abc import AsyncIterator

from tests.integration.api_harness import (
    Api,
    api_fixture,  # noqa: F401 - the `api` fixture
)

TWO_MB = b"x" * (2 * 1024 * 1024)


async def test_a_huge_body_without_a_token_is_refused_as_too_large_not_read(api: Api) -> None:
    response = await api.client.post(
        "/api/v1/registrations/1/reject",
        content=TWO_MB,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


async def test_a_huge_streamed_body_is_refused_too(api: Api) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(32):
            yield b"y" * 65536

    response = await api.client.post(
        "/admin/login",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


async def test_the_webhook_refuses_a_body_over_a_megabyte(api: Api) -> None:
    response = await api.client.post("/telegram/webhook", content=TWO_MB)
    assert response.status_code == 413


async def test_a_normal_api_call_still_works_and_is_never_cached(api: Api) -> None:
    token = await api.official()
    response = await api.get("/stats", token)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
