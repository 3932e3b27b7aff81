"""Decode Bot API request parameters from query strings, JSON, urlencoded and multipart bodies.

PTB sends every value as a string (JSON-encoded unless it is already a string); decode them back.
"""

from __future__ import annotations

import email.parser
import email.policy
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson

__all__ = ["RequestError", "UploadedFile", "decode_params", "parse_body"]

# Parameters that are always plain strings, even when they look like JSON ("123", "true").
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "action",
        "description",
        "short_description",
        "name",
        "language_code",
        "ip_address",
        "title",
        "phone_number",
        "first_name",
        "last_name",
        "vcard",
        "question",
        "emoji",
        "file_id",
        "business_connection_id",
        "message_effect_id",
        "photo",
        "document",
        "audio",
        "video",
        "voice",
        "animation",
        "sticker",
        "video_note",
        "thumbnail",
        "address",
        "query",
    }
)


class RequestError(ValueError):
    """The request body could not be decoded."""


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file sent in a multipart body (``sendPhoto`` with an ``InputFile``)."""

    filename: str | None
    content_type: str
    data: bytes

    def __repr__(self) -> str:
        return f"UploadedFile({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


def _looks_like_json(value: str) -> bool:
    if not value:
        return False
    first = value[0]
    return first in '{["-' or first.isdigit() or value in ("true", "false", "null")


def decode_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Turn string values back into JSON values except for parameters that are plain strings."""
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and key not in _STRING_PARAMS and _looks_like_json(value):
            try:
                params[key] = orjson.loads(value)
            except orjson.JSONDecodeError:
                params[key] = value
        else:
            params[key] = value
    return params


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise RequestError("malformed multipart body")
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        part_type = part.get_content_type()
        if filename is not None or part_type not in ("text/plain", "application/json"):
            fields[name] = UploadedFile(filename, part_type, data)
        else:
            fields[name] = data.decode(part.get_content_charset() or "utf-8")
    return fields


def parse_body(content_type: str, body: bytes, query: str = "") -> dict[str, Any]:
    """Merge query-string and body parameters into one decoded dict (body wins)."""
    raw: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    media_type = content_type.split(";", 1)[0].strip().lower()
    if body:
        if media_type == "application/json":
            try:
                loaded = orjson.loads(body)
            except orjson.JSONDecodeError as exc:
                raise RequestError("can't parse JSON") from exc
            if not isinstance(loaded, dict):
                raise RequestError("JSON body must be an object")
            # Values sent as JSON strings (a common client habit) are decoded too.
            return {**decode_params(raw), **decode_params(loaded)}
        if media_type == "application/x-www-form-urlencoded":
            raw.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        elif media_type == "multipart/form-data":
            raw.update(_parse_multipart(content_type, body))
    return decode_params(raw)
