"""The data folder: the ICD-10-CM releases a user has imported (``terminology import``), which a
server serves beside the embedded ones.

Each release is a gzip-compressed tabular XML file named by the day it takes effect:
``DATA_DIR/icd10cm/icd10cm-tabular-2026-10-01.xml.gz``. Its name is what gives a server that day.
"""

from __future__ import annotations

import gzip
import os
from datetime import date
from pathlib import Path

from .atomic_files import write_atomically

__all__ = ["default_data_dir", "release_files", "release_path", "write_release"]

_RELEASES = "icd10cm"


def default_data_dir() -> Path:
    """``$TERMINOLOGY_DATA_DIR``, else ``$XDG_DATA_HOME/terminology``, else ``~/.local/share/terminology``."""
    explicit = os.environ.get("TERMINOLOGY_DATA_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "terminology"


def release_files(data_dir: Path) -> list[Path]:
    """The tabular files in the data folder's ``icd10cm/`` (``.xml.gz`` or ``.xml``; hidden files, such as
    an import's temporary one, are not releases), in the order of their names."""
    folder = data_dir / _RELEASES
    if not folder.is_dir():
        return []
    return sorted(
        path for path in folder.iterdir()
        if path.name.endswith((".xml", ".xml.gz")) and not path.name.startswith(".") and path.is_file()
    )  # fmt: skip


def release_path(data_dir: Path, effective: date) -> Path:
    """Where the data folder keeps the release that takes effect on ``effective``."""
    return data_dir / _RELEASES / f"icd10cm-tabular-{effective.isoformat()}.xml.gz"


def write_release(data_dir: Path, effective: date, xml: bytes) -> Path:
    """Writes the tabular XML of the release that takes effect on ``effective`` into the data folder,
    replacing any of that day, atomically (a server starting meanwhile reads the earlier file or this
    one, whole). Returns the file's path."""
    target = release_path(data_dir, effective)
    # No name or time in the gzip header: the same release makes the same bytes, so a second import of
    # it finds its compiled copy in the cache, which is keyed by the file's hash.
    write_atomically(target, gzip.compress(xml, compresslevel=9, mtime=0))
    return target
