"""Golden transcripts: `--update-golden` (declared in tests/conftest.py), and no network."""

from __future__ import annotations

import socket

import pytest


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The transcripts run the pure engine: any connection (database, Redis, HTTP) fails."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a golden transcript tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
