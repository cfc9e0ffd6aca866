"""Python's cyclic garbage collector, kept out of the way while content is loaded."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector does not run inside the block (nor in a function it decorates); it runs
    again after it, if it ran before.

    Loading content makes a few hundred thousand objects that live as long as the server, and
    little garbage, none of it in cycles. The collector starts every few hundred new objects and,
    as the heap grows, walks all of it now and then: about half of the loading time, for nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
