"""The progress bar of a file's report, on standard error: only on a terminal, and only for a file that takes more than a moment."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["progress"]

#: Seconds a report takes before its bar shows (a short run shows none).
SHOWN_AFTER = 1.0


@contextmanager
def progress(path: str, header: bool, quiet: bool = False) -> Iterator[Callable[[int], None]]:
    """A function to tell the bar of the report of the file at ``path`` ("-": standard input, of unknown
    length) how many more rows are done; ``header``: whether its first line is one. Nothing is shown
    when ``quiet`` or when standard error is no terminal."""
    if quiet or not sys.stderr.isatty():
        yield lambda rows: None
        return
    from tqdm import tqdm  # (only when shown)

    total = None if path == "-" else _lines(Path(path)) - header
    with tqdm(total=total, unit=" rows", delay=SHOWN_AFTER, leave=False, file=sys.stderr) as bar:
        yield bar.update


def _lines(path: Path) -> int:
    """The lines of a file (the last one counted with or without its line ending)."""
    count, last = 0, b"\n"
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")
