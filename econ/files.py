"""Writing files so that nobody ever sees half of one: the one way every writer of a page, a result,
a manifest or a user's own file writes it."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path | str, text: str | bytes, *, sync_folder: bool = False) -> None:
    """Replace ``path`` with ``text`` (UTF-8; bytes as they are): a temporary file in the same folder,
    flushed to disk, then renamed over it, so a reader, a crash or a full disk leaves either the old file or the new one.

    The file keeps the permissions of the one it replaces (0644 for a new file: pages are for
    readers). ``sync_folder`` also flushes the folder's entry (data files whose hashes are recorded).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with (os.fdopen(fd, "wb") if isinstance(text, bytes) else os.fdopen(fd, "w", encoding="utf-8")) as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if sync_folder:
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


__all__ = ["write_atomic"]
