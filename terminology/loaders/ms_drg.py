"""The MS-DRG tables of ICD-10-CM diagnoses (``resources/ms-drg/``): the CC and MCC lists and the CC exclusions
of one MS-DRG version (CMS's Tables 6I, 6J and 6K), three files per version, named by the version and the
fiscal year it is in effect for (``ms-drg-v43.0-fy2026-cc-mcc.tsv.gz``); codes written with their dot, as
ICD-10-CM writes them, UTF-8 text, one record a line:

- ``...-cc-mcc.tsv.gz``: every CC and MCC, ``CODE <tab> cc|mcc <tab> COLLECTION <tab> alive``: the
  number of its PDX collection (empty where no principal diagnosis excludes it: Table 6K's "No Excl"),
  and ``alive`` where it counts only if the patient is discharged alive (Table 6K Part 2; else empty).
- ``...-pdx-collections.tsv.gz``: ``COLLECTION <tab> CODE CODE ...``: the principal diagnoses under
  which a CC or MCC of that collection counts as a non-CC (Table 6K Part 1's collections).
- ``...-drg-exclusions.tsv.gz``: ``MDC <tab> FIRST-LAST <tab> TITLE <tab> CODE CODE ...``: the CCs and
  MCCs that do not count in those MS-DRGs, whatever the principal diagnosis (Table 6K Part 3).

``scripts/import_msdrg.py`` writes them (gzip'd without a name or a time, so the same tables make the same
bytes). :func:`load_ms_drg` reads a version, from a compiled copy in the cache when there is a current one
(reading the text takes about ten times as long).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from .compiled_copy import compiled_copy

__all__ = [
    "DrgGroupExclusion",
    "InvalidMsDrgFile",
    "MsDrgFiles",
    "MsDrgTables",
    "SEVERITIES",
    "collection_number",
    "files_for",
    "load_ms_drg",
    "ms_drg_files",
    "read_ms_drg",
    "write_ms_drg",
]


SEVERITIES = ("cc", "mcc")
_ALIVE = "alive"
_NAME = re.compile(r"ms-drg-v(\d+\.\d+)-fy(\d{4})-cc-mcc\.tsv\.gz")
_PARTS = ("cc-mcc", "pdx-collections", "drg-exclusions")


class InvalidMsDrgFile(ValueError):
    """A file that is not in the format above."""


@dataclass(frozen=True, slots=True)
class MsDrgFiles:
    """The three files of one MS-DRG version."""

    version: str  # "43.0"
    fiscal_year: int  # the fiscal year it is in effect for
    cc_mcc: Path
    pdx_collections: Path
    drg_exclusions: Path


@dataclass(frozen=True, slots=True)
class DrgGroupExclusion:
    """CCs and MCCs that do not count when the case groups to ``drgs`` (Table 6K Part 3)."""

    mdc: str  # "24"
    drgs: tuple[str, ...]  # ("957", "958", "959")
    title: str
    codes: frozenset[str]


@dataclass(frozen=True, slots=True)
class MsDrgTables:
    """One MS-DRG version's tables, made once. A PDX collection is one character, the one whose code point
    is its number (``chr(998)`` for ``0998``; :func:`collection_number` writes it): a principal diagnosis's
    collections are then one short string, and a check of a CC exclusion is two dict lookups and a
    membership, ``secondary_collection[secondary] in principal_collections[principal]``. (The tables take
    6.7 MB so; with a frozenset of principal diagnoses per collection, 180,403 in all, they took 14 MB.)"""

    version: str
    fiscal_year: int
    severity: dict[str, str]  # code -> "cc" or "mcc" (the same two strings)
    secondary_collection: dict[str, str]  # CC or MCC -> its PDX collection; those no principal excludes are not here
    principal_collections: dict[str, str]  # principal diagnosis -> the PDX collections it is in
    collection_sizes: dict[str, int]  # PDX collection -> how many principal diagnoses it holds
    alive_only: frozenset[str]  # codes that count only if the patient is discharged alive
    drg_exclusions: tuple[DrgGroupExclusion, ...]


def collection_number(collection: str) -> str:
    """A PDX collection's number as Table 6K writes it (``0998``)."""
    return f"{ord(collection):04d}"


def ms_drg_files(folder: Path) -> dict[int, MsDrgFiles]:
    """The MS-DRG versions in ``folder`` by the fiscal year each is for (none when the folder does not exist)."""
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.iterdir()):
        match = _NAME.fullmatch(path.name)
        if match:
            found[int(match[2])] = files_for(folder, match[1], int(match[2]))
    return found


def files_for(folder: Path, version: str, fiscal_year: int) -> MsDrgFiles:
    """Where the files of MS-DRG ``version`` for ``fiscal_year`` are in ``folder``."""
    return MsDrgFiles(version, fiscal_year, *(folder / f"ms-drg-v{version}-fy{fiscal_year}-{part}.tsv.gz" for part in _PARTS))


def load_ms_drg(files: MsDrgFiles, cache_dir: Path | None = None) -> MsDrgTables:
    """The tables of ``files``, from the compiled copy in ``cache_dir`` (keyed by the files' and this
    loader's hash) when there is one; else read, and compiled there."""
    sources = (Path(__file__), files.cc_mcc, files.pdx_collections, files.drg_exclusions)
    return compiled_copy("ms-drg", "MS-DRG tables", sources, cache_dir, lambda: read_ms_drg(files), _encode, _decode)


def _encode(tables: MsDrgTables) -> tuple:
    """The tables as plain values, which marshal writes (each shared string once)."""
    *plain, groups = (getattr(tables, field.name) for field in fields(MsDrgTables))
    return (*plain, tuple((group.mdc, group.drgs, group.title, group.codes) for group in groups))


def _decode(data: tuple) -> MsDrgTables:
    *tables, groups = data
    return MsDrgTables(*tables, tuple(DrgGroupExclusion(*group) for group in groups))


def read_ms_drg(files: MsDrgFiles) -> MsDrgTables:
    """The tables in ``files``; :class:`InvalidMsDrgFile` names a file that is not in the format above, or
    a CC or MCC whose collection is not there. A code is one string object wherever it is named."""
    codes: dict[str, str] = {}
    severities = {name: name for name in SEVERITIES}
    severity, numbered, alive = {}, {}, set()
    for row in _records(files.cc_mcc, 4):
        code, level, number, flag = row
        if level not in severities or flag not in ("", _ALIVE) or not (number == "" or _is_number(number)):
            raise InvalidMsDrgFile(f"{files.cc_mcc}: not 'CODE<tab>cc|mcc<tab>COLLECTION<tab>alive': {row}")
        code = codes.setdefault(code, code)
        severity[code] = severities[level]
        if number:
            numbered[code] = chr(int(number))
        if flag:
            alive.add(code)
    principal_collections: dict[str, str] = {}
    sizes = {}
    for number, members in _records(files.pdx_collections, 2):
        if not _is_number(number):
            raise InvalidMsDrgFile(f"{files.pdx_collections}: not a PDX collection's number: {number!r}")
        collection = chr(int(number))
        principals = members.split(" ")
        sizes[collection] = len(principals)
        for principal in principals:
            principal = codes.setdefault(principal, principal)
            principal_collections[principal] = principal_collections.get(principal, "") + collection
    missing = set(numbered.values()) - sizes.keys()
    if missing:
        listed = ", ".join(sorted(map(collection_number, missing)))
        raise InvalidMsDrgFile(f"{files.pdx_collections}: the PDX collections {listed} are not there")
    groups = tuple(
        DrgGroupExclusion(mdc, _drg_range(drgs, files.drg_exclusions), title, _codes(members, codes))
        for mdc, drgs, title, members in _records(files.drg_exclusions, 4)
    )
    return MsDrgTables(
        files.version, files.fiscal_year, severity, numbered, principal_collections, sizes, frozenset(alive), groups
    )


def _is_number(text: str) -> bool:
    return len(text) == 4 and text.isascii() and text.isdigit()


def _codes(members: str, codes: dict[str, str]) -> frozenset[str]:
    return frozenset(codes.setdefault(code, code) for code in members.split(" "))


def _drg_range(drgs: str, path: Path) -> tuple[str, ...]:
    first, _, last = drgs.partition("-")
    if not (len(first) == len(last) == 3 and first.isdigit() and last.isdigit() and first <= last):
        raise InvalidMsDrgFile(f"{path}: not a range of MS-DRGs ('082-084'): {drgs!r}")
    return tuple(f"{number:03d}" for number in range(int(first), int(last) + 1))


def _records(path: Path, width: int) -> Iterable[list[str]]:
    try:
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise InvalidMsDrgFile(f"{path}: {error}") from error
    for line in text.splitlines():
        row = line.split("\t")
        if len(row) != width or not row[0]:
            raise InvalidMsDrgFile(f"{path}: a line of {width} fields separated by tabs was expected: {line[:80]!r}")
        yield row


def write_ms_drg(
    files: MsDrgFiles,
    severity: Mapping[str, tuple[str, str | None, bool]],
    collections: Mapping[str, Iterable[str]],
    drg_exclusions: Iterable[tuple[str, str, str, Iterable[str]]],
) -> None:
    """Writes the tables as :func:`read_ms_drg` reads them, sorted (the same tables make the same bytes):
    ``severity``: code -> (cc or mcc, its PDX collection or None, whether it counts only if the patient is
    discharged alive); ``collections``: number -> principal diagnoses; ``drg_exclusions``: (MDC, the range
    of MS-DRGs as ``082-084``, title, codes), in the order given."""
    _write(files.cc_mcc, (
        f"{code}\t{level}\t{collection or ''}\t{_ALIVE if alive else ''}" for code, (level, collection, alive) in sorted(severity.items())
    ))  # fmt: skip
    _write(files.pdx_collections, (f"{number}\t{' '.join(sorted(codes))}" for number, codes in sorted(collections.items())))
    _write(files.drg_exclusions, (f"{mdc}\t{drgs}\t{title}\t{' '.join(sorted(codes))}" for mdc, drgs, title, codes in drg_exclusions))


def _write(path: Path, lines: Iterable[str]) -> None:
    path.write_bytes(gzip.compress("".join(line + "\n" for line in lines).encode("utf-8"), compresslevel=9, mtime=0))
