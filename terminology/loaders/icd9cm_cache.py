"""ICD-9-CM's titles and the GEMs, compiled once into the cache, so that a start reads them in milliseconds.

Reading the three files and indexing the GEMs' 102,750 rows takes about a third of a second; the compiled
copy (``marshal`` of a few strings and bytes, :mod:`.packed`) a few milliseconds.
The copy is keyed by the SHA-256 of the data files and of the loaders' sources, so that new data or a new
loader is never answered from a stale copy. A copy that cannot be read or written is passed over, never fatal.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from . import gems, icd9cm
from .compiled_copy import compiled_copy
from .gems import GemTable, gem_table, read_gem
from .icd9cm import DIAGNOSIS, Icd9cmTitles, dotted, read_titles, titles_of

__all__ = ["load_icd9cm_and_gems"]


_SOURCES = (Path(icd9cm.__file__), Path(gems.__file__), Path(__file__))
# Which side of each GEM is ICD-9-CM: its codes are written as ICD-9-CM diagnoses, the others as ICD-10-CM codes.
_ICD9CM_SOURCE = {"icd9cm-to-icd10cm": True, "icd10cm-to-icd9cm": False}


def load_icd9cm_and_gems(
    titles: Path, gem_files: Mapping[str, Path], cache_dir: Path | None = None
) -> tuple[Icd9cmTitles, dict[str, GemTable]]:
    """ICD-9-CM's titles (the file ``titles``) and the GEMs (``gem_files``, by the names of
    :data:`~terminology.loaders.gems.GEM_FILES`), from the compiled copy in ``cache_dir`` when there is a
    current one; else read, and compiled there."""
    sources = (titles, *gem_files.values(), *_SOURCES)
    make = lambda: _compiled(titles, gem_files)  # noqa: E731
    return compiled_copy("icd9cm-gems", "ICD-9-CM and GEMs", sources, cache_dir, make, lambda made: _encoded(*made), _decoded, " ".join(gem_files).encode())


def _compiled(titles: Path, gem_files: Mapping[str, Path]) -> tuple[Icd9cmTitles, dict[str, GemTable]]:
    icd9 = titles_of(read_titles(titles))
    as_icd9, as_icd10 = (lambda code: dotted(DIAGNOSIS, code)), _icd10cm_dotted
    tables = {}
    for name, path in gem_files.items():
        sides = (as_icd9, as_icd10) if _ICD9CM_SOURCE[name] else (as_icd10, as_icd9)
        tables[name] = gem_table(read_gem(path), *sides)
    return icd9, tables


def _icd10cm_dotted(code: str) -> str:
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def _encoded(titles: Icd9cmTitles, tables: Mapping[str, GemTable]) -> tuple:
    return titles.encoded(), tuple((name, table.encoded()) for name, table in tables.items())


def _decoded(data: tuple) -> tuple[Icd9cmTitles, dict[str, GemTable]]:
    titles, tables = data
    return Icd9cmTitles.decoded(titles), {name: GemTable.decoded(table) for name, table in tables}
