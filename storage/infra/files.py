"""Files that hold personal data or secrets are created private: folders 0700, files 0600.

They are created with those modes from the start (never written first and tightened after),
so no other account on the host can read a name, a phone number or a key even for a moment.
SQLite creates its `-wal` and `-shm` files with the main database file's permissions.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> None:
    """Create `path` (and missing parents) readable by its owner only; tighten it if wider."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        path.chmod(PRIVATE_DIR)


def private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 if it does not exist; tighten an existing one."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(PRIVATE_FILE)
        return
    os.close(fd)


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` atomically, the file private from its first byte."""
    private_dir(path.parent)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)
