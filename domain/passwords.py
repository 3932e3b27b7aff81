"""The rules for a password an official chooses: long enough, and not a well-known one.

The list of common passwords ships with the code (`data/common_passwords.txt`): nothing is
sent anywhere to check a password.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 200
_LIST = Path(__file__).parent / "data" / "common_passwords.txt"
# "password2024!" is "password" to an attacker's list: strip what people add at the end.
_TAIL = re.compile(r"[\d\W_]+$")


@cache
def common_passwords() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, username: str = "") -> str | None:
    """Why this password may not be used (a key of the console's texts), or None."""
    if len(password) < MIN_LENGTH:
        return "password_too_short"
    if len(password) > MAX_LENGTH:
        return "password_too_long"
    lowered = password.lower()
    stem = _TAIL.sub("", lowered)
    common = common_passwords()
    if lowered in common or stem in common or len(set(lowered)) <= 2:
        return "password_common"
    if username and username.lower() in lowered:
        return "password_has_username"
    return None
