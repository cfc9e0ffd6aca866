"""A compiled copy of what is read from data files: ``marshal`` of plain values in the cache folder, which a
start reads in milliseconds where parsing the files takes a multiple of that.

A copy is named by what it holds and keyed by SHA-256 of everything it is made from (the data files and the
modules that read them): a changed file or reader makes a new copy, and an old one is never read for it. A copy
cut short or damaged is made again (:mod:`.sealed_marshal`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from .atomic_files import write_atomically
from .release_cache import default_cache_dir
from .sealed_marshal import sealed, unsealed

__all__ = ["compiled_copy"]

log = logging.getLogger(__name__)

T = TypeVar("T")


def compiled_copy(
    name: str,
    what: str,
    sources: Iterable[Path],
    cache_dir: Path | None,
    make: Callable[[], T],
    encode: Callable[[T], Any],
    decode: Callable[[Any], T],
    key: bytes = b"",
) -> T:
    """``decode`` of the compiled copy ``<name>-<key>.marshal`` of ``what`` (as a warning names it) in ``cache_dir`` (default:
    :func:`default_cache_dir`), keyed by the bytes of ``sources`` and ``key`` (what else chooses what is
    made); where there is none, ``make()``, kept there as ``encode`` of it. A copy that cannot be read or
    written is passed over with a warning, never fatal."""
    digest = hashlib.sha256(key)
    for path in sources:
        digest.update(path.read_bytes())
    target = (default_cache_dir() if cache_dir is None else cache_dir) / f"{name}-{digest.hexdigest()[:32]}.marshal"
    try:
        return decode(unsealed(target.read_bytes()))
    except FileNotFoundError:
        pass
    except (OSError, ValueError, EOFError, TypeError, IndexError) as error:
        log.warning("ignoring unreadable compiled %s %s: %s", what, target, error)
    made = make()
    try:
        write_atomically(target, sealed(encode(made)))  # a concurrent reader sees the old file or the new
    except OSError as error:
        log.warning("could not keep the compiled %s in %s: %s", what, target, error)
    return made
