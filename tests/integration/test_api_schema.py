"""Schemathesis against `/openapi.json`: generated requests never make the API fail (no 5xx).

The server runs in a thread on PostgreSQL, with an admin's token and a few registrations.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks
from schemathesis.core.result import Ok

from bot.app import create_app
from bot.settings import Settings
from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.infra.migrate import upgrade
from storage.repos.officials import Officials
from storage.repos.registrations import NewRegistration, Registrations
from tests.integration.api_harness import LiveServer, api_settings
from tests.services import fresh_postgres

pytestmark = pytest.mark.postgres


async def _seed(settings: Settings, make: Any) -> str:
    db = Database.from_url(settings.resolved_database_url())
    try:
        registrations = Registrations(db, Cipher(settings.resolved_encryption_key()))
        for occupation in ("nelayan", "petani", "ojek"):
            new: NewRegistration = make(occupation=occupation, program="uji-kuota")
            await registrations.submit(new)
        _, _, token = await Officials(db).create(f"admin-{secrets.token_hex(3)}", "A", "admin")
        return str(token)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def live_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    from tests.integration.conftest import make_registration

    make = make_registration.__wrapped__()  # type: ignore[attr-defined]
    with fresh_postgres() as url:
        upgrade(url)
        settings = api_settings(url, Path(tmp_path_factory.mktemp("schema")))
        token = asyncio.run(_seed(settings, make))
        with LiveServer(create_app(settings)) as server:
            yield server.url, token


def _operations(url: str) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        if result.ok().path.startswith("/api/v1/"):
            operations.append(result.ok())
    return operations


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
def test_generated_requests_never_make_the_api_fail(
    live_api: tuple[str, str], mode: GenerationMode
) -> None:
    url, token = live_api
    auth = {"Authorization": f"Bearer {token}"}
    operations = _operations(url)
    # FastAPI keeps the last of a repeated query parameter instead of refusing the request;
    # harmless, so invalid input only has to be refused or answered, never crash the server.
    excluded = [checks.negative_data_rejection] if mode is GenerationMode.NEGATIVE else []
    assert len(operations) >= 8

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=20,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            case.call_and_validate(headers=auth, excluded_checks=excluded)

        check()
