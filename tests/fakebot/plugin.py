"""Pytest fixtures for the fake Bot API; enable with ``pytest_plugins = ["tests.fakebot.plugin"]``.

One server per session, reset before each test that asks for ``fake_telegram``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakebot.server import FakeTelegram
from tests.fakebot.updates import UpdateFactory


@pytest.fixture(scope="session")
def fake_telegram_server() -> Iterator[FakeTelegram]:
    """The session's fake Telegram server."""
    with FakeTelegram() as tg:
        yield tg


@pytest.fixture
def fake_telegram(fake_telegram_server: FakeTelegram) -> FakeTelegram:
    """The shared fake, reset (no calls, limits, failures or updates) for this test."""
    fake_telegram_server.reset()
    return fake_telegram_server


@pytest.fixture
def update_factory(fake_telegram: FakeTelegram) -> UpdateFactory:
    """An :class:`UpdateFactory` bound to ``fake_telegram``."""
    return fake_telegram.factory()
