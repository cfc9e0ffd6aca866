"""Writing a file so that a reader sees the old one or the whole new one, never a part."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(target: Path, data: bytes) -> None:
    """Writes ``data`` to ``target`` (creating its folder): first to a hidden temporary file beside it,
    then renamed over it. Raises OSError when that fails, and leaves no temporary file behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # In the same folder, so that the rename stays on one file system and is atomic.
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temporary:
            temporary.write(data)
        os.replace(name, target)
    except BaseException:  # an interrupt too: the temporary file would otherwise stay
        Path(name).unlink(missing_ok=True)
        raise
