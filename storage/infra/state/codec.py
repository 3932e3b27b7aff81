"""How every backend stores a chat's document: orjson, then encrypted (context ``b"state"``).

A document that cannot be decrypted or parsed reads as ``None`` (logged with its chat id
only), so one bad row never blocks a chat for good: the next save replaces it. The stores look
at one field of a document: a non-empty ``outbox`` lists the chat among those with unsent
replies (``StateStore.chats_with_outbox``).
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from storage.errors import CryptoError
from storage.infra.crypto import Cipher

log = logging.getLogger(__name__)

CONTEXT = b"state"
OUTBOX_FIELD = "outbox"


def encode(cipher: Cipher, doc: dict[str, Any]) -> bytes:
    """The document as stored."""
    return cipher.encrypt_bytes(orjson.dumps(doc), CONTEXT)


def decode(cipher: Cipher, chat_id: int, blob: bytes) -> dict[str, Any] | None:
    """The stored document, or None if it is unreadable."""
    try:
        doc = orjson.loads(cipher.decrypt_bytes(blob, CONTEXT))
    except (CryptoError, orjson.JSONDecodeError) as exc:
        log.warning("unreadable conversation state for chat %s ignored: %s", chat_id, exc)
        return None
    if not isinstance(doc, dict):
        log.warning("conversation state for chat %s is not an object; ignored", chat_id)
        return None
    return doc


def has_outbox(doc: dict[str, Any]) -> bool:
    """Whether the document has unsent replies."""
    return bool(doc.get(OUTBOX_FIELD))
