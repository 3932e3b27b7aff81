"""Indonesian mobile numbers: read them in any common way, keep them in E.164."""

from __future__ import annotations

import re

from domain.errors import InputError

_PHONE_RE = re.compile(r"^\+628\d{7,11}$")


def normalise_phone(raw: str) -> str:
    """An Indonesian mobile number in E.164 (`+6281234567890`)."""
    digits = re.sub(r"[\s\-().]", "", raw)
    if digits.startswith("+"):
        digits = "+" + digits[1:]
    elif digits.startswith("62"):
        digits = "+" + digits
    elif digits.startswith("0"):
        digits = "+62" + digits[1:]
    elif digits.startswith("8"):
        digits = "+62" + digits
    if not _PHONE_RE.match(digits):
        raise InputError("phone.invalid")
    return digits


def format_phone(e164: str) -> str:
    """`+62 812-3456-7890` for showing back."""
    rest = e164[3:]
    return f"+62 {rest[:3]}-{rest[3:7]}-{rest[7:]}"
