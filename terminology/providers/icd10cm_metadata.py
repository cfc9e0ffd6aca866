"""What sources beside the tabular list say of ICD-10-CM codes (CMS's MS-DRG severities, the CMS-HCC maps):
properties that a release's ``$lookup`` gives and its value sets filter on.

A source belongs to the releases it was made for (an MS-DRG version to the releases of its fiscal year,
a payment year's HCC map to the releases its dates of service fall in), and is attached to them when the
registry is built (:func:`terminology.content.build_registry`): a release gives only the properties of
the sources attached to it, so a lookup with a ``date`` or ``version`` answers from the matching ones.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Protocol

from ..model import Property, PropertyDefinition

__all__ = ["CodeMetadata"]


class CodeMetadata(Protocol):
    """One source of properties of ICD-10-CM codes, for one release. A source reads its data when it is
    first asked (a command that never asks for its properties does not pay for them); the server asks every
    source before it forks its workers, so that they share what was read."""

    def property_definitions(self) -> Sequence[PropertyDefinition]:
        """The properties the source gives, as the code system declares them."""
        ...

    def properties(self, code: str, wanted: Collection[str] | None) -> Iterator[Property]:
        """What the source says of ``code``: its properties named in ``wanted`` (all of them when None)."""
        ...

    def code_filter(self, prop: str, op: str, value: str) -> Callable[[str], bool] | None:
        """A test of codes for the value-set filter ``prop op value`` where ``prop`` is one of this source's
        properties, else None; :class:`~terminology.errors.InvalidRequest` for an ``op`` or ``value`` the
        property cannot take."""
        ...

    def load(self) -> None:
        """Reads the source's data now, if it has not been read (the server's parent calls this)."""
        ...
