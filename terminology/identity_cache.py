"""Values made from objects that are not changed once made, kept by the object's identity: for
objects whose hash would cost more than the value (a provider's properties)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["IdentityCache"]

K = TypeVar("K")
V = TypeVar("V")


class IdentityCache(Generic[K, V]):
    """An entry holds its object, so no other object can have that id while the entry is there. A
    full cache starts afresh, which bounds it where its objects are made anew for each request.

    No lock: a dict's get and set are each atomic, and two threads that make the same value at once
    both make it right."""

    __slots__ = ("_entries", "limit")

    def __init__(self, limit: int) -> None:
        self._entries: dict[int, tuple[K, V]] = {}
        self.limit = limit

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K, make: Callable[[K], V]) -> V:
        """The value kept for ``key``, else ``make(key)``, kept."""
        entry = self._entries.get(id(key))
        if entry is not None:
            return entry[1]
        value = make(key)
        if len(self._entries) >= self.limit:
            self._entries.clear()
        self._entries[id(key)] = (key, value)
        return value
