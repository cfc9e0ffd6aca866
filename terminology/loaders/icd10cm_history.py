"""The ICD-10-CM code lists of past fiscal years (``resources/icd10cm-history/``): one file per year.

A file ``icd10cm-codes-FY2019.tsv.gz`` holds every code of that year's release that has a title (the
categories, subcategories and codes; not the blocks), sorted, one a line, in UTF-8::

    CODE <tab> B|H <tab> TITLE

``B``: billable (valid on a claim), ``H``: a header (codes below it). Titles are written as the
CDC's tabular list writes them, a 7th-character code's as ``<its parent's title>, <the character's
meaning>``, with runs of white space made one space, as the tabular loader reads them.
``scripts/import_icd10cm_history.py`` makes the files; they are gzip'd without a name or a time in
the header, so the same list makes the same bytes.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "CodeListRow",
    "InvalidCodeList",
    "code_list_files",
    "format_row",
    "parse_row",
    "read_code_list",
    "write_code_list",
]

#: ``(code, billable, title)``
CodeListRow = tuple[str, bool, str]

_NAME = re.compile(r"icd10cm-codes-FY(\d{4})\.tsv\.gz")
_STATUS = {"B": True, "H": False}


class InvalidCodeList(ValueError):
    """A code list file that is not in the format above."""


def code_list_files(folder: Path) -> dict[int, Path]:
    """The code lists in ``folder`` by fiscal year (none when the folder does not exist)."""
    if not folder.is_dir():
        return {}
    found = {}
    for path in folder.iterdir():
        match = _NAME.fullmatch(path.name)
        if match:
            found[int(match[1])] = path
    return dict(sorted(found.items()))


def read_code_list(path: Path) -> list[str]:
    """The file's lines, each a row as text (:func:`parse_row` reads one; a reader that compares rows
    compares these first, which is much cheaper than reading each). :class:`InvalidCodeList` when the
    file is not gzip'd UTF-8 text."""
    try:
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise InvalidCodeList(f"{path}: {error}") from error
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def parse_row(line: str) -> CodeListRow:
    """One line of a code list; :class:`InvalidCodeList` when it is not ``CODE<tab>B|H<tab>TITLE``."""
    parts = line.split("\t")
    if len(parts) != 3 or not parts[0] or parts[1] not in _STATUS or not parts[2]:
        raise InvalidCodeList(f"not a row of a code list ('CODE<tab>B|H<tab>TITLE'): {line[:80]!r}")
    return parts[0], _STATUS[parts[1]], parts[2]


def format_row(code: str, billable: bool, title: str) -> str:
    """The line :func:`parse_row` reads as ``(code, billable, title)``."""
    return f"{code}\t{'B' if billable else 'H'}\t{title}"


def write_code_list(path: Path, rows: Iterable[CodeListRow]) -> None:
    """Writes the rows, sorted by code, as :func:`read_code_list` reads them (the same rows make the same bytes)."""
    text = "".join(format_row(*row) + "\n" for row in sorted(rows))
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
