"""A compiled copy of a parsed ICD-10-CM release, so that a start parses the XML only once per file.

Parsing the tabular XML and generating the 7th-character codes takes about half a second; reading
the compiled copy (``marshal`` of plain tuples) takes about a tenth of that.  The copy is keyed by
the SHA-256 of the release file and of the loader's source, so a new file or a new loader is
never answered from a stale copy.  A cache that cannot be read or written is skipped, never fatal.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import logging
import marshal
import os
from pathlib import Path

from ..fiscal_years import effective_date_from_name
from . import icd10cm_xml
from .atomic_files import write_atomically
from .icd10cm_xml import Chapter, Icd10cmEntry, Icd10cmRelease, InvalidTabularFile, load_tabular

__all__ = ["default_cache_dir", "load_release", "store_release"]

log = logging.getLogger(__name__)

_LOADER_SOURCES = (Path(icd10cm_xml.__file__), Path(__file__))


def default_cache_dir() -> Path:
    """``$TERMINOLOGY_CACHE_DIR``, else ``$XDG_CACHE_HOME/terminology``, else ``~/.cache/terminology``."""
    explicit = os.environ.get("TERMINOLOGY_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "terminology"


def load_release(path: str | Path, cache_dir: Path | None = None) -> Icd10cmRelease:
    """The release in ``path``, from the compiled copy in ``cache_dir`` when there is a current one;
    it takes effect on the date the file's name gives, else on its fiscal year's October 1."""
    path = Path(path)
    release = _load(path, cache_dir)
    try:
        release.effective = effective_date_from_name(path.name, release.fiscal_year)
    except ValueError as error:
        raise InvalidTabularFile(f"{path}: {error}") from error
    return release


def store_release(path: Path, release: Icd10cmRelease, cache_dir: Path | None = None) -> None:
    """Keeps ``release``, just read from the file ``path``, in ``cache_dir`` as that file's compiled copy,
    so that :func:`load_release` does not parse the file again."""
    _write(_compiled_path(path, cache_dir), marshal.dumps(_encode(release)))


def _load(path: Path, cache_dir: Path | None) -> Icd10cmRelease:
    cached = _compiled_path(path, cache_dir)
    try:
        return _decode(marshal.loads(cached.read_bytes()))
    except FileNotFoundError:
        pass
    except (OSError, ValueError, EOFError, TypeError) as error:
        log.warning("ignoring unreadable compiled release %s: %s", cached, error)
    release = load_tabular(path)
    _write(cached, marshal.dumps(_encode(release)))
    _return_freed_memory()
    return release


def _compiled_path(path: Path, cache_dir: Path | None) -> Path:
    return (default_cache_dir() if cache_dir is None else cache_dir) / f"icd10cm-{_key(path)}.marshal"


def _return_freed_memory() -> None:
    """Gives the parser's freed heap back to the system (glibc keeps it otherwise: ~70 MB)."""
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim, or no way to ask
        pass


def _key(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes())
    for source in _LOADER_SOURCES:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:32]


def _encode(release: Icd10cmRelease) -> tuple:
    chapters = tuple((c.number, c.title, c.notes) for c in release.chapters.values())
    entries = tuple(
        (e.code, e.display, e.kind, e.chapter, e.parent, e.children, e.notes) for e in release.entries.values()
    )
    return (release.version, chapters, entries, release.roots)


def _decode(data: tuple) -> Icd10cmRelease:
    version, chapters, entries, roots = data
    return Icd10cmRelease(
        version=version,
        chapters={row[0]: Chapter(*row) for row in chapters},
        entries={row[0]: Icd10cmEntry(*row) for row in entries},
        roots=roots,
    )


def _write(target: Path, data: bytes) -> None:
    try:
        write_atomically(target, data)  # a concurrent reader sees the old file or the new
    except OSError as error:
        log.warning("could not write compiled release %s: %s", target, error)
