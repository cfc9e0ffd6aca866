"""The content a server starts with: where it lies and how it becomes a :class:`Registry`."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from .collector import collector_paused
from .fhir import codec
from .fhir.definitions import read_resource
from .loaders.fhir_files import load_resources
from .fiscal_years import EffectivePeriod, day_before, fiscal_year_end
from .loaders.icd10cm_xml import Icd10cmRelease, InvalidTabularFile
from .loaders.release_cache import load_releases
from .providers.icd10cm import Icd10cmProvider
from .providers.icd10cm_text_index import Icd10cmTextIndex
from .operations.supplements import with_supplements
from .registry import Registry

__all__ = ["EMBEDDED_ICD10CM_FILES", "FHIR_R4_FOLDER", "GUIDANCE_PACKAGE", "build_registry", "prepare_icd10cm", "resources_dir"]

#: The ICD-10-CM releases the project ships (see resources/icd10cm/PROVENANCE.md), oldest first.
EMBEDDED_ICD10CM_FILES = (
    "icd10cm/icd10cm-tabular-January-1-2021.xml.gz",
    "icd10cm/icd10cm-tabular-April-1-2025.xml.gz",
    "icd10cm/icd10c-tabular-April-1-2026.xml.gz",
)
FHIR_R4_FOLDER = "fhir-r4"  # FHIR's own R4 code systems and value sets
GUIDANCE_PACKAGE = "icd10cm-guidance/package"  # the coding guidance for ICD-10-CM codes (a FHIR package)


def resources_dir() -> Path:
    """The project's ``resources/`` folder: ``$TERMINOLOGY_RESOURCES``, the checkout's, or the installed copy."""
    explicit = os.environ.get("TERMINOLOGY_RESOURCES")
    if explicit:
        return Path(explicit)
    checkout = Path(__file__).resolve().parent.parent / "resources"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "terminology" / "resources"


@collector_paused()
def build_registry(
    icd10cm_files: Sequence[str | Path] = (),
    cache_dir: Path | None = None,
    resource_paths: Sequence[str | Path] = (),
    default_supplements: Sequence[str] = (),
) -> Registry:
    """A registry of the given ICD-10-CM tabular files (the embedded releases when none is given),
    FHIR's own R4 code systems and value sets, the ICD-10-CM coding guidance package, and the FHIR
    resources in ``resource_paths`` (files, folders, packages). ``default_supplements``: canonicals
    of supplements applied to their code systems for every request (:class:`NotFound` if unknown).

    Each ICD-10-CM release is a version of the code system, in effect from the day it takes effect to
    the end of its fiscal year, or to the next loaded update's start. It is named by its fiscal year
    (``2026``) when it is the newest loaded release of that year, else by the day it takes effect
    (``2025-10-01``), which names the newest too. The newest release is the default version, with the id
    ``icd-10-cm``; the others are served beside it under ids that name their version.
    """
    registry = Registry()
    paths = [resources_dir() / FHIR_R4_FOLDER, resources_dir() / GUIDANCE_PACKAGE, *resource_paths]
    for loaded in load_resources(paths, codec.parse):
        definition = read_resource(loaded.resource, loaded.source)
        if definition is not None:
            registry.add(definition)
    releases = sorted(_icd10cm_releases(icd10cm_files, cache_dir), key=lambda loaded: loaded[0].effective)
    for index, (release, text_index) in enumerate(releases):
        following = releases[index + 1][0] if index + 1 < len(releases) else None
        newest_of_year = following is None or following.fiscal_year != release.fiscal_year
        if following is not None and following.effective == release.effective:
            raise InvalidTabularFile(f"two ICD-10-CM releases take effect on {release.effective.isoformat()}: serve one of them")
        end = fiscal_year_end(release.fiscal_year) if newest_of_year else day_before(following.effective)
        own_id = release.effective.isoformat()
        version = release.version if newest_of_year else own_id
        newest = following is None
        provider = Icd10cmProvider(
            release, "icd-10-cm" if newest else f"icd-10-cm-{version}", text_index,
            version=version, effective=EffectivePeriod(release.effective, end), aliases=(own_id,) if newest_of_year else (),
        )  # fmt: skip
        registry.add_code_system(provider, default=newest)
    return with_supplements(registry, default_supplements)


def prepare_icd10cm(icd10cm_files: Sequence[str | Path] = (), cache_dir: Path | None = None) -> list[str]:
    """Compiles the ICD-10-CM tabular files (the embedded releases when none is given) into ``cache_dir``
    and builds their text indexes there, which a server would otherwise do at its first start and its
    first text search. Returns the releases' versions."""
    versions = []
    for release, text_index in _icd10cm_releases(icd10cm_files, cache_dir):
        text_index.build()
        versions.append(release.version)
    return versions


def _icd10cm_releases(
    icd10cm_files: Sequence[str | Path], cache_dir: Path | None
) -> Iterator[tuple[Icd10cmRelease, Icd10cmTextIndex]]:
    paths = list(icd10cm_files) or [resources_dir() / name for name in EMBEDDED_ICD10CM_FILES]
    for path, release in zip(paths, load_releases(paths, cache_dir)):  # sharing what they have in common
        yield release, Icd10cmTextIndex.for_release(release, path, cache_dir)
