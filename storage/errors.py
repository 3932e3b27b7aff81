"""Errors raised by the storage layer.

StorageError
├── CryptoError        a key or ciphertext is unusable
├── DuplicateNikError  a registration with this NIK exists (carries its summary)
├── NotFoundError      no such row
├── ConflictError      the row is not in a state that allows the change
│   └── QuotaFullError  every place of a program quota is taken
└── LockTimeout        a chat's lock was not acquired in time
"""

from __future__ import annotations

from typing import Any


class StorageError(Exception):
    """Base class of storage errors."""


class CryptoError(StorageError):
    """A key or a ciphertext cannot be used."""


class DuplicateNikError(StorageError):
    """A registration with the same NIK already exists."""

    def __init__(self, existing: Any) -> None:
        super().__init__("a registration with this NIK already exists")
        self.existing = existing


class NotFoundError(StorageError):
    """The requested row does not exist."""


class ConflictError(StorageError):
    """The row's current state does not allow the requested change."""


class QuotaFullError(ConflictError):
    """Approving would take a place of a program quota that has none left."""

    def __init__(self, program: str, quota_id: str, limit: int) -> None:
        super().__init__(
            f"the quota {quota_id!r} of program {program!r} is full ({limit} places taken)"
        )
        self.program = program
        self.quota_id = quota_id
        self.limit = limit


class LockTimeout(StorageError):
    """A chat's lock could not be acquired within the timeout."""
