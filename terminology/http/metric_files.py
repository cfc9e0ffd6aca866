"""This process's counts in the files of ``prometheus_client``'s multi-process mode (``{kind}_{pid}.db`` in a
folder), which its ``MultiProcessCollector`` adds up over every process that wrote there.

Written here rather than through ``prometheus_client``'s ``Counter`` and ``Histogram``: in multi-process
mode those take a lock, look up the process id and call through three layers for each value they
write, two values a request (a histogram's sum and one bucket), about 3.5 µs a request beside a
``$validate-code``'s 35; this writes both under one lock in about 1 µs. The files, their keys and
their reading are ``prometheus_client``'s own (``MmapedDict``, ``mmap_key``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.utils import floatToGoString

__all__ = ["ProcessFiles", "histogram_keys", "mmap_key"]


class ProcessFiles:
    """Adds to values in this process's files in ``folder``; a process forked from this one starts its own
    files, from zero (what the parent counted stays in the parent's)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._pid = -1
        self._files: dict[str, MmapedDict] = {}
        self._values: dict[str, float] = {}

    def add(self, kind: str, amounts: Sequence[tuple[str, float]], family: Sequence[str] = ()) -> None:
        """Adds each ``(key, amount)`` to its value in the file of ``kind`` (``histogram``, ``counter``).
        ``family``: keys that must all be there once the first of ``amounts`` is (a histogram's sum and
        every bucket, which a reader needs whole), written as 0 with it."""
        with self._lock:
            if self._pid != os.getpid():
                self._pid, self._files, self._values = os.getpid(), {}, {}
            file = self._files.get(kind)
            if file is None:
                file = self._files[kind] = _new_file(os.path.join(self.folder, f"{kind}_{self._pid}.db"))
            values = self._values
            if family and amounts[0][0] not in values:
                for key in family:
                    values[key] = 0.0
                    file.write_value(key, 0.0, 0.0)
            for key, amount in amounts:
                value = values[key] = values.get(key, 0.0) + amount
                file.write_value(key, value, 0.0)


def _new_file(path: str) -> MmapedDict:
    """A new file at ``path``, which appears there only when it is whole: ``MmapedDict`` makes it empty and
    then sizes it, and a ``/metrics`` reading every ``*.db`` of the folder in between would fail on the
    empty one (it reads the used length from the first bytes)."""
    making = f"{path}.{threading.get_ident()}.new"
    file = MmapedDict(making)
    os.replace(making, path)  # (the open file and its mapping follow it to its name)
    return file


def histogram_keys(name: str, help_text: str, labels: dict[str, str], buckets: Sequence[float]) -> tuple[str, ...]:
    """The keys of a histogram's sum, then of each of its buckets (the last ``+Inf``), as ``prometheus_client``
    writes them (a bucket's value is its own count; the reader makes them cumulative)."""
    names, values = list(labels), list(labels.values())
    bounds = [*buckets, float("inf")]
    bucket_keys = tuple(mmap_key(name, f"{name}_bucket", [*names, "le"], [*values, floatToGoString(bound)], help_text) for bound in bounds)
    return (mmap_key(name, f"{name}_sum", names, values, help_text), *bucket_keys)
