"""The General Equivalence Mappings of diagnoses (``resources/gems/``): ICD-9-CM to ICD-10-CM and back.

Each file holds one GEM, a row a line, in CMS's order (by source code), as CMS writes it::

    SOURCE <tab> TARGET <tab> FLAGS

codes without their dot; ``NoDx`` (:data:`NO_DIAGNOSIS`) the target of a row that maps the source to
nothing; ``FLAGS`` five digits: approximate (1: the target is not equivalent), no map, combination (the
source needs several targets together), scenario (which of the source's combinations; 0 outside one) and
choice list (which part of the combination; one target of each list is taken). ``scripts/import_icd9cm_gems.py``
makes the files, gzip'd without a name or a time.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .packed import PackedCodes
from .tab_files import read_rows, write_rows

__all__ = ["GEM_FILES", "NO_DIAGNOSIS", "NO_TARGET", "GemRow", "GemTable", "InvalidGemFile", "gem_table", "read_gem", "write_gem"]

#: Each GEM's file, by the name of its direction.
GEM_FILES = {"icd9cm-to-icd10cm": "icd9cm-to-icd10cm.tsv.gz", "icd10cm-to-icd9cm": "icd10cm-to-icd9cm.tsv.gz"}
NO_DIAGNOSIS = "NoDx"
#: The target number of a row that maps its source to nothing (:class:`GemTable`).
NO_TARGET = 0xFFFFFFFF

#: ``(source, target, flags)``, as the file writes them.
GemRow = tuple[str, str, str]


class InvalidGemFile(ValueError):
    """A GEM file that is not in the format above."""


def read_gem(path: Path) -> list[GemRow]:
    """Every row of the file, in its order. :class:`InvalidGemFile` when it is not gzip'd rows as above."""
    rows = read_rows(path, "ascii", 3, InvalidGemFile, "SOURCE<tab>TARGET<tab>FLAGS")
    for row in rows:
        if len(row[2]) != 5 or not row[2].isdigit():
            raise InvalidGemFile(f"{path}: a row's flags are five digits, not {row[2]!r}")
    return [(source, target, flags) for source, target, flags in rows]


def write_gem(path: Path, rows: Iterable[GemRow]) -> None:
    """Writes the rows, in their order, as :func:`read_gem` reads them."""
    write_rows(path, rows, "ascii")


@dataclass(frozen=True, slots=True)
class GemTable:
    """One GEM, held compactly (no object per row; :mod:`.packed` codes) and found by code both ways, codes
    written with their dot.

    ``sources``: the distinct source codes, sorted; the rows of ``sources[i]`` are ``starts[i]`` to
    ``starts[i + 1]``, in the file's order. By row: ``targets``, the number of the row's target in
    ``targeted`` (:data:`NO_TARGET` for no map), and ``flags``, five ASCII digits a row. ``targeted``: the
    distinct target codes, sorted; the rows that map to ``targeted[j]`` are
    ``target_rows[target_starts[j]:target_starts[j + 1]]``, in order. The integer columns are unsigned 32-bit
    numbers (:meth:`encoded` keeps them as bytes)."""

    sources: PackedCodes
    starts: Sequence[int]
    targets: Sequence[int]
    flags: bytes
    targeted: PackedCodes
    target_starts: Sequence[int]
    target_rows: Sequence[int]

    def __len__(self) -> int:
        return len(self.targets)

    def rows_from(self, code: str) -> range:
        """The rows that map ``code`` (empty when it is no source code)."""
        index = self.sources.find(code)
        return range(0) if index is None else range(self.starts[index], self.starts[index + 1])

    def rows_to(self, code: str) -> Sequence[int]:
        """The rows that map some source to ``code``, in order."""
        index = self.targeted.find(code)
        return () if index is None else self.target_rows[self.target_starts[index] : self.target_starts[index + 1]]

    def source(self, row: int) -> str:
        return self.sources[bisect_right(self.starts, row) - 1]

    def target(self, row: int) -> str | None:
        number = self.targets[row]
        return None if number == NO_TARGET else self.targeted[number]

    def row_flags(self, row: int) -> str:
        return self.flags[5 * row : 5 * row + 5].decode("ascii")

    def encoded(self) -> tuple:
        """The table as plain values (:mod:`marshal` keeps them), which :meth:`decoded` reads back."""
        numbers = (self.starts, self.targets, self.target_starts, self.target_rows)
        return (self.sources.encoded(), self.targeted.encoded(), self.flags, *map(bytes, numbers))

    @classmethod
    def decoded(cls, data: tuple) -> GemTable:
        sources, targeted, flags, *numbers = data
        starts, targets, target_starts, target_rows = (memoryview(column).cast("I") for column in numbers)
        return cls(PackedCodes(*sources), starts, targets, flags, PackedCodes(*targeted), target_starts, target_rows)


def gem_table(rows: Sequence[GemRow], source_code: Callable[[str], str], target_code: Callable[[str], str]) -> GemTable:
    """The table of the rows :func:`read_gem` gives, each side's codes written by ``source_code`` and
    ``target_code`` (with their dot)."""
    sources = [source_code(source) for source, _, _ in rows]
    order = sorted(range(len(rows)), key=sources.__getitem__)  # (stable: a source's rows stay in the file's order)
    row_targets = [None if rows[row][1] == NO_DIAGNOSIS else target_code(rows[row][1]) for row in order]
    distinct: list[str] = []
    starts = array("I")
    for position, row in enumerate(order):
        if not distinct or distinct[-1] != sources[row]:
            distinct.append(sources[row])
            starts.append(position)
    starts.append(len(order))
    by_target: dict[str, list[int]] = {}
    for position, target in enumerate(row_targets):
        if target is not None:
            by_target.setdefault(target, []).append(position)
    targeted = sorted(by_target)
    number = {target: index for index, target in enumerate(targeted)}
    targets = array("I", (NO_TARGET if target is None else number[target] for target in row_targets))
    target_rows = array("I", (position for target in targeted for position in by_target[target]))
    target_starts = array("I", [0])
    for target in targeted:
        target_starts.append(target_starts[-1] + len(by_target[target]))
    flags = "".join(rows[row][2] for row in order).encode("ascii")
    return GemTable(PackedCodes.of(distinct), starts, targets, flags, PackedCodes.of(targeted), target_starts, target_rows)
