"""The server's operations as Python calls, for a program that resolves codes in its own process.

An integration engine that checks codes by the million needs no HTTP between it and the content.
:class:`LocalTerminology` answers with the objects the server writes as Parameters
(:class:`ValidationResult`, :class:`LookupResult`: display, billable or not, notes, the messages),
from the same operations, so an answer here is the server's answer::

    tx = LocalTerminology()                   # ICD-10-CM and the server's other embedded content
    icd10cm = tx.code_system(ICD10CM_URL)     # one code system: its answers are kept
    icd10cm.validate_code("M48.48XA").result  # True
    icd10cm.lookup("M48.48").properties       # parent, children, billable, notes ...

Content does not change under a :class:`LocalTerminology`, so an answer is a function of its question:
a :class:`CodeSystemHandle` keeps its validation answers (the ``cache_size`` latest codes) and
gives the kept answer when a code comes again, as engines' codes do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache

from .content import build_registry
from .context import RequestContext
from .model import Coding, LookupResult, ValidationResult
from .operations.expand import ExpandRequest, ExpandResult, expand, find_value_set
from .operations.lookup import LookupRequest, lookup
from .operations.resolve import resolve_code_system
from .operations.validate_code import CodeValidationRequest, validate_code
from .providers.icd10cm import ICD10CM_URL
from .registry import Registry
from .valuesets.expand import ExpansionOptions

__all__ = ["ICD10CM_URL", "CodeSystemHandle", "LocalTerminology"]

#: How many validation answers a code system handle keeps by default: all of ICD-10-CM's codes fit.
DEFAULT_CACHE_SIZE = 131_072


class LocalTerminology:
    """The operations over ``registry`` (by default the content ``scripts/serve`` serves); ``languages``
    (BCP 47 tags, best first) chooses displays as a client's Accept-Language does."""

    def __init__(
        self, registry: Registry | None = None, *, languages: Sequence[str] = (), cache_size: int = DEFAULT_CACHE_SIZE
    ) -> None:
        self.registry = registry if registry is not None else build_registry()
        self.context = RequestContext(tuple(languages))
        self.cache_size = cache_size
        self._handles: dict[tuple[str, str | None], CodeSystemHandle] = {}

    def code_system(self, system: str = ICD10CM_URL, version: str | None = None) -> CodeSystemHandle:
        """The calls about one code system's codes; :class:`NotFound` if the system or version is unknown."""
        handle = self._handles.get((system, version))
        if handle is None:
            resolve_code_system(self.registry, system, version, "its codes cannot be checked")
            handle = self._handles[(system, version)] = CodeSystemHandle(self, system, version)
        return handle

    def validate_code(
        self,
        code: str,
        system: str = ICD10CM_URL,
        *,
        display: str | None = None,
        version: str | None = None,
        value_set: str | None = None,
        abstract_allowed: bool = True,
        date: date | None = None,
    ) -> ValidationResult:
        """``CodeSystem/$validate-code``, or ``ValueSet/$validate-code`` with the value set of the canonical
        ``value_set`` (``url`` or ``url|version``; :class:`NotFound` if unknown). ``abstract_allowed``: whether
        a header code (not billable) counts as valid; ``date``: the day of service, which chooses the ICD-10-CM
        release in effect then. An unknown code system is an invalid answer, not an error."""
        found = None
        if value_set is not None:
            url, _, set_version = value_set.partition("|")
            found = find_value_set(self.registry, url, set_version or None)
        request = CodeValidationRequest((Coding(system, version, code, display),), "code", abstract_allowed, value_set=found, date=date)
        return validate_code(self.registry, request, self.context)

    def lookup(
        self,
        code: str,
        system: str = ICD10CM_URL,
        *,
        version: str | None = None,
        properties: Sequence[str] | None = None,
        date: date | None = None,
    ) -> LookupResult:
        """``CodeSystem/$lookup``: every property unless ``properties`` names some; ``date`` chooses the ICD-10-CM
        release in effect then; :class:`NotFound` for an unknown system, version or code."""
        wanted = tuple(properties) if properties is not None else None
        return lookup(self.registry, LookupRequest(system, code, version, wanted, date=date), self.context)

    def expand(
        self, value_set: str, *, filter: str | None = None, count: int | None = None, offset: int = 0, date: date | None = None
    ) -> ExpandResult:
        """``ValueSet/$expand`` of the value set of the canonical ``value_set`` (``url`` or ``url|version``),
        nested as the server nests it; ``filter``: its text filter; ``count`` and ``offset``: a page of it;
        ``date`` chooses the ICD-10-CM release in effect then. :class:`NotFound` for an unknown value set,
        :class:`TooCostly` for more codes unpaged than an answer holds."""
        url, _, version = value_set.partition("|")
        options = ExpansionOptions(text_filter=filter, exclude_nested=False)  # (the server's default: nested)
        request = ExpandRequest(url=url, version=version or None, options=options, count=count, offset=offset, date=date)
        return expand(self.registry, request, self.context)


class CodeSystemHandle:
    """One code system (and version) of a :class:`LocalTerminology`: its validation answers are kept by code."""

    def __init__(self, terminology: LocalTerminology, system: str, version: str | None) -> None:
        self.terminology = terminology
        self.system = system
        self.version = version
        self._validated: Callable[[str], ValidationResult] = lru_cache(maxsize=terminology.cache_size)(self._validate)

    def validate_code(self, code: str, display: str | None = None) -> ValidationResult:
        """Whether ``code`` is in the code system (and ``display`` one of its displays)."""
        if display is None:
            return self._validated(code)
        return self._validate(code, display)

    def lookup(self, code: str, properties: Sequence[str] | None = None) -> LookupResult:
        """What the code system says of ``code`` (see :meth:`LocalTerminology.lookup`)."""
        return self.terminology.lookup(code, self.system, version=self.version, properties=properties)

    def _validate(self, code: str, display: str | None = None) -> ValidationResult:
        return self.terminology.validate_code(code, self.system, display=display, version=self.version)
