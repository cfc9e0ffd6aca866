"""What an MS-DRG version says of ICD-10-CM codes as secondary diagnoses: which are complications or
comorbidities (CC) or major ones (MCC), and under which principal diagnoses they count as neither (the CC
exclusions), as a source of properties (:class:`~.icd10cm_metadata.CodeMetadata`) of the releases of its
fiscal year.

An MS-DRG version belongs to one fiscal year (v43.0 to FY2026), as a release of ICD-10-CM does: its
severities are properties of the releases of that year, which a ``date`` or ``version`` chooses, rather
than a supplement, which a client would have to name and match to the release itself.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import InvalidRequest
from ..loaders.ms_drg import (
    SEVERITIES,
    DrgGroupExclusion,
    MsDrgFiles,
    MsDrgTables,
    collection_number,
    load_ms_drg,
    ms_drg_files,
)
from ..model import Property, PropertyDefinition

__all__ = ["ALIVE_ONLY", "COLLECTION", "SEVERITY", "MsDrgVersion", "SecondaryDiagnosis", "ms_drg_versions"]

SEVERITY = "drg-severity"
COLLECTION = "drg-cc-exclusion-collection"
ALIVE_ONLY = "drg-discharged-alive-only"
_NAMES = frozenset({SEVERITY, COLLECTION, ALIVE_ONLY})
_DEFINITIONS = (
    (SEVERITY, "code", "as a secondary diagnosis, a CC (complication or comorbidity, Table 6J) or an MCC (major CC, Table 6I)"),
    (COLLECTION, "string", "the PDX collection of Table 6K: under its principal diagnoses, this CC or MCC counts as a non-CC"),
    (ALIVE_ONLY, "boolean", "a CC or MCC only if the patient is discharged alive (Table 6K Part 2)"),
)
_SEVERITY_NAMES = {"cc": "Complication or comorbidity (CC)", "mcc": "Major complication or comorbidity (MCC)"}


@dataclass(frozen=True, slots=True)
class SecondaryDiagnosis:
    """What the MS-DRG version says of a CC or MCC as a secondary diagnosis."""

    code: str
    severity: str  # "cc" or "mcc"
    collection: str | None  # its PDX collection's number ("0998"); None where no principal diagnosis excludes it
    collection_size: int  # how many principal diagnoses that collection holds
    alive_only: bool  # it counts only if the patient is discharged alive (Table 6K Part 2)
    drg_exclusions: tuple[DrgGroupExclusion, ...]  # the MS-DRGs it does not count in (Table 6K Part 3)


class MsDrgVersion:
    """One MS-DRG version's CC and MCC lists and CC exclusions (Tables 6I, 6J, 6K), read when first asked
    for (:meth:`load` reads them at once)."""

    def __init__(self, files: MsDrgFiles, cache_dir: Path | None = None) -> None:
        """``cache_dir``: where the compiled copy of the tables is kept (default: :func:`~terminology.loaders.release_cache.default_cache_dir`)."""
        self.version = files.version
        self.fiscal_year = files.fiscal_year
        self._files = files
        self._cache_dir = cache_dir
        self._tables: MsDrgTables | None = None
        named = f"MS-DRG v{self.version} (FY{self.fiscal_year})"
        self._definitions = tuple(
            PropertyDefinition(code, type_, f"{named}: {description}") for code, type_, description in _DEFINITIONS
        )
        self._severities = {level: Property(SEVERITY, level, "code", _SEVERITY_NAMES[level]) for level in SEVERITIES}

    def load(self) -> None:
        self._loaded()

    def _loaded(self) -> MsDrgTables:
        if self._tables is None:
            self._tables = load_ms_drg(self._files, self._cache_dir)
        return self._tables

    def property_definitions(self) -> Sequence[PropertyDefinition]:
        return self._definitions

    def properties(self, code: str, wanted: Collection[str] | None) -> Iterator[Property]:
        if wanted is not None and _NAMES.isdisjoint(wanted):
            return  # (without reading the tables: a command that asks for other properties never does)
        tables = self._loaded()
        severity = tables.severity.get(code)
        if severity is None:
            return
        if wanted is None or SEVERITY in wanted:
            yield self._severities[severity]
        collection = tables.secondary_collection.get(code)
        if collection is not None and (wanted is None or COLLECTION in wanted):
            size = tables.collection_sizes[collection]
            yield Property(COLLECTION, collection_number(collection), "string", f"{size} principal diagnoses make it a non-CC")
        if code in tables.alive_only and (wanted is None or ALIVE_ONLY in wanted):
            yield Property(ALIVE_ONLY, True, "boolean")

    def code_filter(self, prop: str, op: str, value: str) -> Callable[[str], bool] | None:
        """``drg-severity`` with ``=`` or ``in`` (``cc,mcc``) straight from the list; its other operators and
        the other properties are left to the filters of any code system, which read the properties."""
        if prop != SEVERITY or op not in ("=", "in"):
            return None
        wanted = frozenset(item.strip() for item in value.split(",")) if op == "in" else frozenset({value})
        if not wanted or not wanted <= _SEVERITY_NAMES.keys():
            raise InvalidRequest(f"The filter '{prop} {op} {value}' takes cc or mcc (MS-DRG v{self.version}'s severities)")
        severity = self._loaded().severity
        return lambda code: severity.get(code) in wanted

    def secondary(self, code: str) -> SecondaryDiagnosis | None:
        """What the version says of ``code`` as a secondary diagnosis; None where it is neither a CC nor an MCC."""
        tables = self._loaded()
        severity = tables.severity.get(code)
        if severity is None:
            return None
        collection = tables.secondary_collection.get(code)
        return SecondaryDiagnosis(
            code,
            severity,
            collection_number(collection) if collection is not None else None,
            tables.collection_sizes[collection] if collection is not None else 0,
            code in tables.alive_only,
            tuple(group for group in tables.drg_exclusions if code in group.codes),
        )

    def excludes(self, principal: str, secondary: str) -> bool:
        """Whether ``secondary``, a CC or MCC, counts as a non-CC under the principal diagnosis ``principal``
        (it is in ``secondary``'s PDX collection)."""
        tables = self._loaded()
        collection = tables.secondary_collection.get(secondary)
        return collection is not None and collection in tables.principal_collections.get(principal, "")


@cache  # (one per folder and cache: the releases of a fiscal year, and the registries a process builds, share it)
def ms_drg_versions(folder: Path, cache_dir: Path | None) -> dict[int, MsDrgVersion]:
    """The MS-DRG versions in ``folder`` (see :mod:`terminology.loaders.ms_drg`) by the fiscal year each is
    for, none of them read yet."""
    return {fiscal_year: MsDrgVersion(files, cache_dir) for fiscal_year, files in ms_drg_files(folder).items()}
