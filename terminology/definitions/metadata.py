"""What describes a canonical resource (a CodeSystem, ValueSet or ConceptMap) as a whole, shared by all three."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CanonicalResource", "Identifier", "ResourceMetadata"]


@dataclass(frozen=True, slots=True)
class Identifier:
    system: str | None
    value: str | None


@dataclass(frozen=True, slots=True)
class ResourceMetadata:
    """``kind``: CodeSystem, ValueSet or ConceptMap. ``standards_status``: deprecated or withdrawn, as the
    structuredefinition-standards-status extension says (other values are not kept: they warn of nothing)."""

    # (in the order of the elements of a FHIR canonical resource)
    kind: str
    id: str | None = None
    url: str | None = None
    identifiers: tuple[Identifier, ...] = ()
    version: str | None = None
    name: str | None = None
    title: str | None = None
    status: str | None = None
    experimental: bool = False
    date: str | None = None
    publisher: str | None = None
    description: str | None = None
    standards_status: str | None = None

    @property
    def canonical(self) -> str:
        """``url|version``, or the url alone of a resource without a version."""
        url = self.url or ""
        return f"{url}|{self.version}" if self.version else url

    @property
    def warning_status(self) -> str | None:
        """``deprecated``, ``withdrawn``, ``draft`` or ``experimental`` when the resource is worth a warning,
        else None (tx.fhir.org warns of draft and experimental code systems; of value sets, see
        :attr:`standards_status`)."""
        if self.standards_status is not None:
            return self.standards_status
        if self.status == "draft":
            return "draft"
        return "experimental" if self.experimental else None


class CanonicalResource:
    """What every definition answers from its metadata: how it is named."""

    __slots__ = ()
    metadata: ResourceMetadata

    @property
    def url(self) -> str | None:
        return self.metadata.url

    @property
    def canonical(self) -> str:
        """``url|version``, or the url alone."""
        return self.metadata.canonical
