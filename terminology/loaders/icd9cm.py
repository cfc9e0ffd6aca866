"""ICD-9-CM's code titles (``resources/icd9cm/``), and how ICD-9-CM writes a code with its dot.

The file ``icd9cm-v32.tsv.gz`` holds CMS's version 32 titles, one code a line, in UTF-8::

    D|P <tab> CODE <tab> LONG TITLE <tab> SHORT TITLE

``D``: a diagnosis, ``P``: a procedure; the code as CMS writes it, without its dot; the diagnoses come
first, then the procedures, each in CMS's order. ``scripts/import_icd9cm_gems.py`` makes it, gzip'd
without a name or a time, so that the same titles make the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .packed import PackedCodes, PackedTexts
from .tab_files import read_rows, write_rows

__all__ = [
    "DIAGNOSIS",
    "ICD9CM_FILE",
    "PROCEDURE",
    "Icd9cmTitles",
    "InvalidTitleFile",
    "TitleRow",
    "dotted",
    "read_titles",
    "titles_of",
    "write_titles",
]

ICD9CM_FILE = "icd9cm-v32.tsv.gz"
DIAGNOSIS = "D"
PROCEDURE = "P"

#: ``(kind, code without its dot, long title, short title)``
TitleRow = tuple[str, str, str, str]


class InvalidTitleFile(ValueError):
    """A title file that is not in the format above."""


def dotted(kind: str, code: str) -> str:
    """``code`` (as CMS writes it, without a dot) as the ICD-9-CM books write it: a diagnosis with a dot
    after its category (3 characters, 4 for an E code: ``250.00``, ``V45.81``, ``E880.9``; none where the
    category is the whole code, ``042``), a procedure after its first two digits (``00.01``, ``01.6``)."""
    category = 2 if kind == PROCEDURE else 4 if code.startswith("E") else 3
    return code if len(code) <= category else f"{code[:category]}.{code[category:]}"


def read_titles(path: Path) -> list[TitleRow]:
    """Every row of the file, in its order. :class:`InvalidTitleFile` when it is not gzip'd UTF-8 rows as above."""
    rows = read_rows(path, "utf-8", 4, InvalidTitleFile, "D|P<tab>CODE<tab>LONG<tab>SHORT")
    for kind, *_ in rows:
        if kind not in (DIAGNOSIS, PROCEDURE):
            raise InvalidTitleFile(f"{path}: a row's kind is D or P, not {kind!r}")
    return [(kind, code, long, short) for kind, code, long, short in rows]


def write_titles(path: Path, rows: Iterable[TitleRow]) -> None:
    """Writes the rows, in their order, as :func:`read_titles` reads them."""
    write_rows(path, rows, "utf-8")


@dataclass(frozen=True, slots=True)
class Icd9cmTitles:
    """Every code with its titles, compactly (:mod:`.packed` columns): the ``diagnoses`` diagnoses first, then
    the procedures, each run sorted by code; codes written with their dot (:func:`dotted`)."""

    codes: PackedCodes
    long_titles: PackedTexts
    short_titles: PackedTexts
    diagnoses: int

    def position(self, code: str) -> int | None:
        """Where ``code`` is, or None when it is no ICD-9-CM code."""
        found = self.codes.find(code, 0, self.diagnoses)
        return found if found is not None else self.codes.find(code, self.diagnoses)

    def encoded(self) -> tuple:
        """The titles as plain values (:mod:`marshal` keeps them), which :meth:`decoded` reads back."""
        return self.codes.encoded(), self.long_titles.encoded(), self.short_titles.encoded(), self.diagnoses

    @classmethod
    def decoded(cls, data: tuple) -> Icd9cmTitles:
        codes, long_titles, short_titles, diagnoses = data
        return cls(PackedCodes(*codes), PackedTexts.decoded(*long_titles), PackedTexts.decoded(*short_titles), diagnoses)


def titles_of(rows: Sequence[TitleRow]) -> Icd9cmTitles:
    """The titles of the rows :func:`read_titles` gives. :class:`InvalidTitleFile` when a code comes twice."""
    ordered = sorted(((kind != DIAGNOSIS, dotted(kind, code), long, short) for kind, code, long, short in rows))
    codes = [code for _, code, _, _ in ordered]
    if len(set(codes)) != len(codes):
        raise InvalidTitleFile("a code is written twice")
    diagnoses = sum(1 for is_procedure, _, _, _ in ordered if not is_procedure)
    columns = (PackedTexts.of([row[2] for row in ordered]), PackedTexts.of([row[3] for row in ordered]))
    return Icd9cmTitles(PackedCodes.of(codes), *columns, diagnoses)
