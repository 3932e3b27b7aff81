"""Real PostgreSQL and Redis for tests: fresh databases and key prefixes; on CI, missing fails."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
import redis
from sqlalchemy.engine import make_url

PG_URL = os.environ.get(
    "LINDUNGI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("LINDUNGI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def unavailable(service: str, reason: str) -> None:
    """Skip locally; on CI (CI=true) a missing service is a failure, not a skip."""
    message = f"{service} is not reachable ({reason})"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _admin_dsn() -> str:
    return make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def fresh_postgres(driver: str = "psycopg") -> Iterator[str]:
    """A new, empty PostgreSQL database (dropped afterwards); yields its SQLAlchemy URL."""
    try:
        with psycopg.connect(_admin_dsn(), connect_timeout=3, autocommit=True) as conn:
            name = f"lindungi_test_{secrets.token_hex(6)}"
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        unavailable("PostgreSQL", str(exc).strip().splitlines()[0] if str(exc).strip() else "error")
    try:
        yield (
            make_url(PG_URL)
            .set(drivername=f"postgresql+{driver}", database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_redis_prefix() -> Iterator[str]:
    """A unique key prefix on the test Redis; its keys are deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        unavailable("Redis", type(exc).__name__)
    prefix = f"lindungi-test-{secrets.token_hex(5)}:"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
