"""The refusals routes document in the OpenAPI schema (all answer `{"detail": "..."}`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from console.schemas import ErrorOut

_ERRORS: dict[int, str] = {
    400: "The body is not valid JSON.",
    401: "No API token, or one that is not valid.",
    403: "Outside the official's role, or a segment outside their region.",
    404: "No registration has this id that the official may see.",
    409: "The registration's status does not allow this, or the program's quota is full.",
}


def described(meanings: Mapping[int, str], *codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for FastAPI: the given status codes with their meaning in `meanings`."""
    return {code: {"model": ErrorOut, "description": meanings[code]} for code in codes}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for FastAPI: the given status codes with their meaning for registrations."""
    return described(_ERRORS, *codes)
