"""``CodeSystem/$subsumes``: how two codes of one code system stand to each other in its hierarchy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..errors import NotFound
from ..model import Issue
from ..providers.base import CodeSystemProvider, Concept
from ..registry import Registry
from .in_time import choose_release
from .resolve import resolve_code_system

__all__ = ["OUTCOMES", "SubsumesRequest", "SubsumesResult", "subsumes"]

#: The codes of http://hl7.org/fhir/concept-subsumption-outcome this operation answers with.
OUTCOMES = ("equivalent", "subsumes", "subsumed-by", "not-subsumed")


@dataclass(frozen=True, slots=True)
class SubsumesRequest:
    """Is ``code_a`` above, below, the same as or unrelated to ``code_b`` in ``system``?"""

    system: str
    code_a: str
    code_b: str
    version: str | None = None
    date: date | None = None  # the day asked about: it chooses the release in effect then


@dataclass(frozen=True, slots=True)
class SubsumesResult:
    """``outcome``: one of :data:`OUTCOMES`; ``issues``: that the release answering is not in effect on the day asked about."""

    outcome: str
    issues: tuple[Issue, ...] = ()


def subsumes(registry: Registry, request: SubsumesRequest) -> SubsumesResult:
    """How A stands to B (``subsumes``: A is above B), in the version named, else the release in effect
    on the day asked about, else the default version.

    Raises :class:`NotFound` for an unknown code system, version or code.
    """
    release = choose_release(registry, request.system, request.version, request.date)
    provider = resolve_code_system(registry, request.system, release.version, "the subsumption cannot be tested")
    a = _locate(provider, request.code_a, "codeA")
    b = _locate(provider, request.code_b, "codeB")
    issues = (release.warning,) if release.warning is not None else ()
    return SubsumesResult(_outcome(provider, a, b), issues)


def _outcome(provider: CodeSystemProvider, a: Concept, b: Concept) -> str:
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
