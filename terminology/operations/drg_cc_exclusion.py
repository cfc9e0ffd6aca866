"""``CodeSystem/$drg-cc-exclusion``: does a secondary diagnosis count as a CC or MCC under a principal diagnosis,
by the CC exclusion list (Table 6K) of the MS-DRG version of the ICD-10-CM release that answers?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..errors import InvalidRequest, NotFound
from ..loaders.ms_drg import DrgGroupExclusion
from ..model import Issue
from ..providers.base import CodeSystemProvider
from ..providers.icd10cm import ICD10CM_URL, Icd10cmProvider
from ..providers.icd10cm_ms_drg import MsDrgVersion, SecondaryDiagnosis
from ..registry import Registry
from .in_time import choose_release
from .resolve import resolve_code_system, unknown_code

__all__ = ["CcExclusionRequest", "CcExclusionResult", "cc_exclusion"]

_AS = {"cc": "a CC", "mcc": "an MCC"}


@dataclass(frozen=True, slots=True)
class CcExclusionRequest:
    """Does the ICD-10-CM code ``secondary`` count as a CC or MCC under the principal diagnosis ``principal``?"""

    principal: str
    secondary: str
    version: str | None = None  # the ICD-10-CM release (``2026``)
    date: date | None = None  # the day asked about: it chooses the release in effect then


@dataclass(frozen=True, slots=True)
class CcExclusionResult:
    """``excluded``: the secondary is a CC or MCC that counts as a non-CC under the principal (False where
    it is neither a CC nor an MCC); ``secondary``: what the MS-DRG version says of it (None: neither);
    ``version``: the ICD-10-CM release that answered; ``issues``: that it is not in effect on the day asked about."""

    excluded: bool
    secondary: SecondaryDiagnosis | None
    ms_drg_version: str
    version: str
    message: str
    issues: tuple[Issue, ...] = ()


def cc_exclusion(registry: Registry, request: CcExclusionRequest) -> CcExclusionResult:
    """The answer of the MS-DRG version of the ICD-10-CM release named, else of the release in effect on the
    day asked about, else of the default release.

    Raises :class:`NotFound` for an unknown release or code, or a release without an MS-DRG version, and
    :class:`InvalidRequest` for a code that is not billable (MS-DRG groups billable codes only)."""
    release = choose_release(registry, ICD10CM_URL, request.version, request.date)
    provider = resolve_code_system(registry, ICD10CM_URL, release.version, "the CC exclusion cannot be checked")
    ms_drg = _ms_drg(registry, provider, release.warning, "version" if request.version is not None else "date")
    principal = _billable(provider, request.principal, "principal", request.date)
    secondary = _billable(provider, request.secondary, "secondary", request.date)
    found = ms_drg.secondary(secondary)
    excluded = found is not None and ms_drg.excludes(principal, secondary)
    return CcExclusionResult(
        excluded,
        found,
        ms_drg.version,
        provider.info.version or "",
        _message(principal, secondary, found, excluded, ms_drg.version),
        (release.warning,) if release.warning is not None else (),
    )


def _ms_drg(registry: Registry, provider: CodeSystemProvider, warning: Issue | None, expression: str) -> MsDrgVersion:
    """The MS-DRG version of the release ``provider``; :class:`NotFound` naming the releases that have one
    (and, in ``warning``, why ``provider`` answers a day it is not in effect on)."""
    found = _ms_drg_of(provider)
    if found is not None:
        return found
    served = []
    for version in registry.versions(ICD10CM_URL):
        other = registry.code_system(ICD10CM_URL, version)
        ms_drg = _ms_drg_of(other) if other is not None else None
        if ms_drg is not None:
            period = other.info.effective
            said = f"MS-DRG v{ms_drg.version} with ICD-10-CM version {version}"
            served.append(said + (f", in effect {period.start} to {period.end}" if period is not None else ""))
    raise NotFound(
        f"No MS-DRG version is loaded for ICD-10-CM version {provider.info.version}, which answers this request"
        + (f" ({warning.text})" if warning is not None else "")
        + (f": this server has {'; '.join(served)}. Ask with that version, or a date it is in effect" if served else ""),
        tx_code="not-found",
        expression=expression,
    )


def _ms_drg_of(provider: CodeSystemProvider) -> MsDrgVersion | None:
    if not isinstance(provider, Icd10cmProvider):
        return None
    return next((source for source in provider.metadata if isinstance(source, MsDrgVersion)), None)


def _billable(provider: CodeSystemProvider, code: str, name: str, day: date | None) -> str:
    concept = provider.locate(code)
    if concept is None:
        raise unknown_code(provider, code, day, expression=name)
    if provider.is_abstract(concept):
        reason = provider.abstract_reason(concept)
        raise InvalidRequest(
            f"The {name} diagnosis must be a billable code, as MS-DRG groups them: {reason}", expression=name
        )
    return code


def _message(principal: str, secondary: str, found: SecondaryDiagnosis | None, excluded: bool, version: str) -> str:
    if found is None:
        return f"{secondary} is neither a CC nor an MCC in MS-DRG v{version}: no principal diagnosis makes it count as one"
    severity = _AS[found.severity]
    said = f"{secondary} is {severity} in MS-DRG v{version}"
    if excluded:
        return (
            f"{said}, but not under the principal diagnosis {principal}: {principal} is in its PDX collection "
            f"{found.collection} ({found.collection_size} principal diagnoses), so {secondary} counts as a non-CC"
        )
    if found.collection is None:
        said += f", and no principal diagnosis excludes it: it counts as {severity} under {principal}"
    else:
        said += (
            f", and counts as {severity} under the principal diagnosis {principal}, which is not in its PDX collection "
            f"{found.collection}"
        )
    if found.alive_only:
        said += ", if the patient is discharged alive (Table 6K Part 2)"
    if found.drg_exclusions:
        said += f"; it does not count in {'; '.join(_drgs(group) for group in found.drg_exclusions)} (Table 6K Part 3)"
    return said


def _drgs(group: DrgGroupExclusion) -> str:
    return f"MS-DRGs {group.drgs[0]}-{group.drgs[-1]} ({group.title})"
