"""Encryption at rest for personal data: the NIK and conversation state.

One 32-byte master key (``LINDUNGI_ENCRYPTION_KEY``, urlsafe base64) is split with HKDF into
an AES-GCM key for ciphertexts and an HMAC key for the keyed hash that finds a NIK again
without decrypting every row.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from storage.errors import CryptoError

_NONCE = 12
_VERSION = b"\x01"


def _derive(master: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(master)


def decode_master_key(text: str) -> bytes:
    """Decode the configured key; it must be 32 bytes of urlsafe base64."""
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode())
    except (ValueError, TypeError) as exc:
        raise CryptoError("the encryption key is not valid base64") from exc
    if len(raw) != 32:
        raise CryptoError("the encryption key must be 32 bytes (44 characters of base64)")
    return raw


class Cipher:
    """AES-GCM encryption and HMAC-SHA256 keyed hashing with keys derived from one master key."""

    def __init__(self, master_key: str, previous: Sequence[str] = ()) -> None:
        master = decode_master_key(master_key)
        self._aead = AESGCM(_derive(master, b"lindungi/aead/v1"))
        self._mac_key = _derive(master, b"lindungi/nik-hash/v1")
        # Keys being rotated out: still read, never written (see storage.repos.rotation).
        old = [decode_master_key(key) for key in previous]
        self._previous = [AESGCM(_derive(key, b"lindungi/aead/v1")) for key in old]
        self._previous_macs = [_derive(key, b"lindungi/nik-hash/v1") for key in old]

    def encrypt_bytes(self, plain: bytes, context: bytes = b"") -> bytes:
        nonce = os.urandom(_NONCE)
        return _VERSION + nonce + self._aead.encrypt(nonce, plain, context)

    def decrypt_bytes(self, blob: bytes, context: bytes = b"") -> bytes:
        if len(blob) < 1 + _NONCE + 16 or blob[:1] != _VERSION:
            raise CryptoError("ciphertext is malformed")
        for aead in (self._aead, *self._previous):
            try:
                return aead.decrypt(blob[1 : 1 + _NONCE], blob[1 + _NONCE :], context)
            except InvalidTag:
                continue
        raise CryptoError("ciphertext does not match the key")

    def encrypt_text(self, plain: str, context: str = "") -> str:
        """Encrypt to urlsafe base64 text (for a database column)."""
        blob = self.encrypt_bytes(plain.encode(), context.encode())
        return base64.urlsafe_b64encode(blob).decode()

    def decrypt_text(self, token: str, context: str = "") -> str:
        blob = base64.urlsafe_b64decode(token.encode())
        return self.decrypt_bytes(blob, context.encode()).decode()

    def keyed_hash(self, value: str) -> str:
        """Deterministic HMAC-SHA256 (hex) used to look a NIK up without decrypting."""
        return hmac.new(self._mac_key, value.encode(), hashlib.sha256).hexdigest()

    def keyed_hashes(self, value: str) -> list[str]:
        """The keyed hash under the current key, then under each previous one.

        While a key change is under way, rows not yet rotated carry a previous key's hash:
        a look-up must try them all, or a NIK already registered would seem new.
        """
        return [
            hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
            for key in (self._mac_key, *self._previous_macs)
        ]

    def is_current(self, token: str, context: str = "") -> bool:
        """Whether `token` (from `encrypt_text`) was written with the current key."""
        blob = base64.urlsafe_b64decode(token.encode())
        try:
            self._aead.decrypt(blob[1 : 1 + _NONCE], blob[1 + _NONCE :], context.encode())
        except InvalidTag:
            return False
        return True
