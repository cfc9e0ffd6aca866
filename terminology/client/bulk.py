"""Sending many codes in few requests: the input in chunks, each answered in its order, streamed,
with a few chunks in flight at once (a server with several workers answers them side by side, and
the next chunk is on its way while one is read).

A chunk the server finds too large (413 Payload Too Large) is sent again as two halves, and the
chunks read after that are no larger than the half the server took.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import TypeVar

from .errors import OperationOutcomeError

__all__ = ["in_chunks"]

Item = TypeVar("Item")
Answer = TypeVar("Answer")

_PAYLOAD_TOO_LARGE = 413


def in_chunks(
    items: Iterable[Item], size: int, send: Callable[[list[Item]], list[Answer]], in_flight: int = 1
) -> Iterator[Answer | OperationOutcomeError]:
    """``send(chunk)``'s answers for each chunk of at most ``size`` items, in the items' order, with up
    to ``in_flight`` chunks sent at once. A single item the server finds too large is answered with
    that 413's error. The items are read no further ahead than the chunks in flight."""
    remaining = iter(items)
    pending: deque[Future[tuple[list[Answer | OperationOutcomeError], int | None]]] = deque()
    with ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="terminology-client") as pool:
        try:
            while True:
                while len(pending) < in_flight and (chunk := list(islice(remaining, size))):
                    pending.append(pool.submit(_send_halving, chunk, send))
                if not pending:
                    return
                answers, taken = pending.popleft().result()
                size = min(size, taken or size)
                yield from answers
        finally:  # the caller stopped early, or a chunk failed: the chunks not yet sent are not sent
            for future in pending:
                future.cancel()


def _send_halving(
    chunk: list[Item], send: Callable[[list[Item]], list[Answer]]
) -> tuple[list[Answer | OperationOutcomeError], int | None]:
    """The chunk's answers, and, when the server refused it whole, the size of the part it took."""
    try:
        return list(send(chunk)), None
    except OperationOutcomeError as error:
        if error.status != _PAYLOAD_TOO_LARGE:
            raise
        if len(chunk) == 1:
            return [error], 1
    half = (len(chunk) + 1) // 2
    first, taken = _send_halving(chunk[:half], send)
    second, _ = _send_halving(chunk[half:], send)
    return first + second, taken or half
