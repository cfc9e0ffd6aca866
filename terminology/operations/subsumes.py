"""``CodeSystem/$subsumes``: how two codes of one code system stand to each other in its hierarchy."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import NotFound
from ..providers.base import CodeSystemProvider, Concept
from ..registry import Registry
from .resolve import resolve_code_system

__all__ = ["SubsumesRequest", "subsumes", "OUTCOMES"]

#: The codes of http://hl7.org/fhir/concept-subsumption-outcome this operation answers with.
OUTCOMES = ("equivalent", "subsumes", "subsumed-by", "not-subsumed")


@dataclass(frozen=True, slots=True)
class SubsumesRequest:
    """Is ``code_a`` above, below, the same as or unrelated to ``code_b`` in ``system``?"""

    system: str
    code_a: str
    code_b: str
    version: str | None = None


def subsumes(registry: Registry, request: SubsumesRequest) -> str:
    """One of :data:`OUTCOMES`, said of A relative to B (``subsumes``: A is above B).

    Raises :class:`NotFound` for an unknown code system, version or code.
    """
    provider = resolve_code_system(registry, request.system, request.version, "the subsumption cannot be tested")
    a = _locate(provider, request.code_a, "codeA")
    b = _locate(provider, request.code_b, "codeB")
    if a is b:
        return "equivalent"
    if provider.subsumes(a, b):
        return "subsumes"
    if provider.subsumes(b, a):
        return "subsumed-by"
    return "not-subsumed"


def _locate(provider: CodeSystemProvider, code: str, name: str) -> Concept:
    concept = provider.locate(code)
    if concept is None:
        info = provider.info
        where = f"the CodeSystem '{info.url}'" + (f" version '{info.version}'" if info.version else "")
        raise NotFound(f"Unknown code '{code}' in {where}", tx_code="invalid-code", expression=name)
    return concept
