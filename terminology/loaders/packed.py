"""Columns of many short strings, each held in one object: a code or a title costs its own bytes, not a
Python string (about 50 bytes more), and a worker that reads them copies no page of the parent's heap to
count a reference."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import overload

__all__ = ["PackedCodes", "PackedTexts"]


class _Packed(Sequence[str]):
    """A sequence of strings that makes each one when it is asked for (``_item``)."""

    __slots__ = ()

    def _item(self, index: int) -> str:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._item(index)


class PackedCodes(_Packed):
    """ASCII codes of at most ``width`` characters, each padded with spaces to ``width`` in ``text``."""

    __slots__ = ("text", "width")

    def __init__(self, width: int, text: str) -> None:
        self.width = width
        self.text = text

    @classmethod
    def of(cls, codes: Sequence[str]) -> PackedCodes:
        width = max(map(len, codes), default=1)
        return cls(width, "".join(code.ljust(width) for code in codes))

    def __len__(self) -> int:
        return len(self.text) // self.width

    def _item(self, index: int) -> str:
        return self.text[index * self.width : (index + 1) * self.width].rstrip()

    def find(self, code: str, start: int = 0, end: int | None = None) -> int | None:
        """Where ``code`` is among the codes from ``start`` to ``end``, which are sorted; None when it is not there."""
        width, text = self.width, self.text
        padded = code.ljust(width)
        if len(padded) != width:
            return None
        low, high = start, len(self) if end is None else end
        while low < high:  # (a binary search of its own: bisect would call __getitem__ at every step)
            middle = (low + high) // 2
            found = text[middle * width : middle * width + width]
            if found == padded:
                return middle
            if found < padded:
                low = middle + 1
            else:
                high = middle
        return None

    def encoded(self) -> tuple[int, str]:
        return self.width, self.text


class PackedTexts(_Packed):
    """Texts in one UTF-8 ``data``; the ``i``-th is ``data[offsets[i]:offsets[i + 1]]``."""

    __slots__ = ("data", "offsets")

    def __init__(self, data: bytes, offsets: Sequence[int]) -> None:
        self.data = data
        self.offsets = offsets

    @classmethod
    def of(cls, texts: Sequence[str]) -> PackedTexts:
        encoded = [text.encode("utf-8") for text in texts]
        offsets = array("I", [0])
        for text in encoded:
            offsets.append(offsets[-1] + len(text))
        return cls(b"".join(encoded), offsets)

    @classmethod
    def decoded(cls, data: bytes, offsets: bytes) -> PackedTexts:
        return cls(data, memoryview(offsets).cast("I"))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def _item(self, index: int) -> str:
        return self.data[self.offsets[index] : self.offsets[index + 1]].decode("utf-8")

    def encoded(self) -> tuple[bytes, bytes]:
        return self.data, bytes(self.offsets)
