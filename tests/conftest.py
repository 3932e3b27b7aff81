"""Settings for every test."""

import os

import pytest

# PTB 22 warns on every RetryAfter unless told to use timedeltas; tests treat warnings as errors.
os.environ.setdefault("PTB_TIMEDELTA", "1")


def pytest_addoption(parser: pytest.Parser) -> None:
    # Here, not in tests/golden/conftest.py, so that `pytest --update-golden` works from any path.
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the expected replies and effects of tests/golden/*.yaml in place",
    )
