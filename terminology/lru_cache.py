"""A bounded cache of values made from keys, the least recently used dropped first.

For what a worker keeps per code across requests: kept without a bound, it grows with every distinct
code clients ask about, for as long as the worker lives (``scripts/soak`` shows it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["LruCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_MISSING = object()


class LruCache(Generic[K, V]):
    """At most ``size`` values. A value is made outside the lock: two threads asking for the same missing
    key at once may both make it, and both get a right one."""

    __slots__ = ("_entries", "_lock", "size")

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("an LruCache holds at least one value")
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K, make: Callable[[K], V]) -> V:
        """The value kept for ``key``, else ``make(key)``, kept (dropping the least recently used beyond ``size``)."""
        with self._lock:
            value = self._entries.get(key, _MISSING)
            if value is not _MISSING:
                self._entries.move_to_end(key)
                return value  # type: ignore[return-value]
        value = make(key)
        with self._lock:
            self._entries[key] = value
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value
