"""A compiled copy of parsed ICD-10-CM releases, so that a start parses the XML only once per file.

Parsing the tabular XML and generating the 7th-character codes takes about half a second; reading
the compiled copy (``marshal`` of plain tuples) takes about a tenth of that.  The copy is keyed by
the SHA-256 of the release file and of the loader's source, so a new file or a new loader is
never answered from a stale copy.  A copy cut short or damaged is made again (:mod:`.sealed_marshal`);
a cache that cannot be read or written is skipped, never fatal.

Releases loaded together share the entries they have in common (see :mod:`.shared_releases`), and
are compiled together too, into one copy keyed by theirs: it holds each shared entry once, so that
reading three releases costs little more than reading one, and they come out of it shared.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import logging
import os
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from ..fiscal_years import effective_date_from_name
from . import icd10cm_xml, shared_releases
from .atomic_files import write_atomically
from .icd10cm_xml import Chapter, Icd10cmEntry, Icd10cmRelease, InvalidTabularFile, load_tabular
from .sealed_marshal import sealed, unsealed
from .shared_releases import share

__all__ = ["default_cache_dir", "load_release", "load_releases", "store_release"]

log = logging.getLogger(__name__)

_LOADER_SOURCES = (Path(icd10cm_xml.__file__), Path(__file__))
_SHARING_SOURCE = Path(shared_releases.__file__)


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
    return load_releases([path], cache_dir)[0]


def load_releases(paths: Sequence[str | Path], cache_dir: Path | None = None) -> list[Icd10cmRelease]:
    """The releases in ``paths``, in that order, sharing what they have in common (see
    :func:`.shared_releases.share`): from one compiled copy of them all in ``cache_dir`` when there is
    a current one, else from each file's own (or its XML) and then compiled together. Each takes effect
    on the date its file's name gives, else on its fiscal year's October 1."""
    paths = [Path(path) for path in paths]
    cache_dir = default_cache_dir() if cache_dir is None else cache_dir
    if len(paths) == 1:
        releases = _compiled(_compiled_path(paths[0], cache_dir), 1, lambda: [load_tabular(paths[0])])
    else:
        digest = hashlib.sha256(_SHARING_SOURCE.read_bytes())
        digest.update(" ".join(_key(path) for path in paths).encode())
        releases = _compiled(
            cache_dir / f"icd10cm-releases-{digest.hexdigest()[:32]}.marshal",
            len(paths),
            lambda: share([load_release(path, cache_dir) for path in paths]),
        )
    for path, release in zip(paths, releases):
        try:
            release.effective = effective_date_from_name(path.name, release.fiscal_year)
        except ValueError as error:
            raise InvalidTabularFile(f"{path}: {error}") from error
    return releases


def store_release(path: Path, release: Icd10cmRelease, cache_dir: Path | None = None) -> None:
    """Keeps ``release``, just read from the file ``path``, in ``cache_dir`` as that file's compiled copy,
    so that :func:`load_release` does not parse the file again."""
    _write(_compiled_path(path, cache_dir), sealed(_encode([release])))


def _compiled(cached: Path, count: int, make: Callable[[], list[Icd10cmRelease]]) -> list[Icd10cmRelease]:
    """The ``count`` releases compiled into the file ``cached``; else made, and compiled there."""
    try:
        releases = _decode(unsealed(cached.read_bytes()))
        if len(releases) != count:
            raise ValueError(f"it holds {len(releases)} releases, not {count}")
        return releases
    except FileNotFoundError:
        pass
    except (OSError, ValueError, EOFError, TypeError, IndexError) as error:
        log.warning("ignoring unreadable compiled release %s: %s", cached, error)
    releases = make()
    _write(cached, sealed(_encode(releases)))
    _return_freed_memory()
    return releases


def _compiled_path(path: Path, cache_dir: Path | None) -> Path:
    return (default_cache_dir() if cache_dir is None else cache_dir) / f"icd10cm-{_key(path)}.marshal"


def _return_freed_memory() -> None:
    """Gives the parser's freed heap back to the system (glibc keeps it otherwise: ~70 MB)."""
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim, or no way to ask
        pass


def _key(path: Path) -> str:
    try:
        digest = hashlib.sha256(path.read_bytes())
    except OSError as error:
        raise InvalidTabularFile(f"{path}: cannot be read: {error.strerror or error}") from error
    for source in _LOADER_SOURCES:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:32]


def _encode(releases: Sequence[Icd10cmRelease]) -> tuple:
    """``(chapters, entries, releases)``: every distinct chapter and entry once (one that releases share
    is one), each field a column (a tuple over them all), and each release as ``(version, the numbers of its
    chapters, of its entries, roots)``, the numbers as unsigned 32-bit integers in bytes.

    Columns and numbers in bytes make no object per entry beside the entry itself when they are read:
    the objects a read makes and then drops would leave the heap full of holes (~15 MB for three releases)."""
    chapters = _Distinct()
    entries = _Distinct()
    encoded = tuple(
        (release.version, chapters.numbers(release.chapters.values()), entries.numbers(release.entries.values()), release.roots)
        for release in releases
    )
    return (_columns(chapters.objects, Chapter), _columns(entries.objects, Icd10cmEntry), encoded)


def _columns(objects: list[Any], kind: type) -> tuple[tuple, ...]:
    return tuple(tuple(getattr(item, field.name) for item in objects) for field in fields(kind))


class _Distinct:
    """Objects numbered in the order they are first met."""

    def __init__(self) -> None:
        self._numbers: dict[int, int] = {}  # by id: the releases hold every object while they are encoded
        self.objects: list[Any] = []

    def numbers(self, objects: Iterable[object]) -> bytes:
        found = array("I")
        for item in objects:
            number = self._numbers.get(id(item))
            if number is None:
                number = self._numbers[id(item)] = len(self.objects)
                self.objects.append(item)
            found.append(number)
        return found.tobytes()


def _decode(data: tuple) -> list[Icd10cmRelease]:
    chapter_columns, entry_columns, releases = data
    chapters = list(map(Chapter, *chapter_columns))
    entries = list(map(Icd10cmEntry, *entry_columns))
    return [
        Icd10cmRelease(
            version=version,
            chapters={chapter.number: chapter for chapter in map(chapters.__getitem__, memoryview(chapter_numbers).cast("I"))},
            entries={entry.code: entry for entry in map(entries.__getitem__, memoryview(entry_numbers).cast("I"))},
            roots=roots,
        )
        for version, chapter_numbers, entry_numbers, roots in releases
    ]


def _write(target: Path, data: bytes) -> None:
    try:
        write_atomically(target, data)  # a concurrent reader sees the old file or the new
    except OSError as error:
        log.warning("could not write compiled release %s: %s", target, error)
