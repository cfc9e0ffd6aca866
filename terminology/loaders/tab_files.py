"""Files of tab-separated rows, gzip'd without a name or a time in the header (the same rows make the same bytes)."""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["read_rows", "write_rows"]


def read_rows(path: Path, encoding: str, columns: int, error: type[ValueError], form: str) -> list[list[str]]:
    """Every line of the file split at its tabs, in order. ``error`` (naming the file) when it is not gzip'd
    text in ``encoding``, or a line has not ``columns`` fields, each one not empty (``form`` says the row's form)."""
    try:
        text = gzip.decompress(path.read_bytes()).decode(encoding)
    except (OSError, EOFError, UnicodeDecodeError) as failure:
        raise error(f"{path}: {failure}") from failure
    rows = [line.split("\t") for line in text.splitlines()]
    for row in rows:
        if len(row) != columns or not all(row):
            raise error(f"{path}: not a row '{form}': {chr(9).join(row)[:80]!r}")
    return rows


def write_rows(path: Path, rows: Iterable[Sequence[str]], encoding: str) -> None:
    """Writes the rows, in their order, as :func:`read_rows` reads them."""
    text = "".join("\t".join(row) + "\n" for row in rows)
    path.write_bytes(gzip.compress(text.encode(encoding), compresslevel=9, mtime=0))
