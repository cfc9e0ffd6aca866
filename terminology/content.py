"""The content a server starts with: where it lies and how it becomes a :class:`Registry`."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from .cms_hcc import hcc_definitions
from .collector import collector_paused
from .fhir import codec
from .fhir.definitions import read_resource
from .loaders.cms_hcc import CmsHccData, hcc_data
from .loaders.data_folder import default_data_dir, release_files
from .loaders.fhir_files import load_resources
from .fiscal_years import EffectivePeriod, day_before, fiscal_year_end
from .gem_maps import gem_maps
from .loaders.gems import GEM_FILES, GemTable
from .loaders.icd9cm import ICD9CM_FILE, Icd9cmTitles
from .loaders.icd9cm_cache import load_icd9cm_and_gems
from .loaders.icd10cm_history import code_list_files
from .loaders.icd10cm_xml import Icd10cmRelease, InvalidTabularFile
from .loaders.release_cache import load_releases
from .providers.icd10cm import Icd10cmProvider
from .providers.icd10cm_history import Icd10cmHistory
from .providers.icd10cm_hcc import hcc_properties, payment_years
from .providers.icd10cm_history_build import load_history
from .providers.icd10cm_metadata import CodeMetadata
from .providers.icd10cm_ms_drg import ms_drg_versions
from .providers.icd10cm_text_index import Icd10cmTextIndex
from .providers.icd9cm import Icd9cmProvider
from .operations.supplements import with_supplements
from .registry import Registry
from .transition_maps import transition_maps

__all__ = [
    "CMS_HCC_FOLDER",
    "EMBEDDED_ICD10CM_FILES",
    "FHIR_R4_FOLDER",
    "GEMS_FOLDER",
    "GUIDANCE_PACKAGE",
    "ICD10CM_HISTORY_FOLDER",
    "ICD9CM_FOLDER",
    "MS_DRG_FOLDER",
    "build_registry",
    "prepare_icd10cm",
    "resources_dir",
]

#: The ICD-10-CM releases the project ships (see resources/icd10cm/PROVENANCE.md), oldest first.
EMBEDDED_ICD10CM_FILES = (
    "icd10cm/icd10cm-tabular-January-1-2021.xml.gz",
    "icd10cm/icd10cm-tabular-April-1-2025.xml.gz",
    "icd10cm/icd10c-tabular-April-1-2026.xml.gz",
)
FHIR_R4_FOLDER = "fhir-r4"  # FHIR's own R4 code systems and value sets
GUIDANCE_PACKAGE = "icd10cm-guidance/package"  # the coding guidance for ICD-10-CM codes (a FHIR package)
ICD10CM_HISTORY_FOLDER = "icd10cm-history"  # the code lists of past fiscal years (see its PROVENANCE.md)
CMS_HCC_FOLDER = "cms-hcc"  # CMS's maps from ICD-10-CM to the HCCs, and their titles (see its PROVENANCE.md)
ICD9CM_FOLDER = "icd9cm"  # ICD-9-CM version 32's titles (see its PROVENANCE.md)
GEMS_FOLDER = "gems"  # the General Equivalence Mappings of diagnoses, both ways (see its PROVENANCE.md)
MS_DRG_FOLDER = "ms-drg"  # MS-DRG's CC and MCC lists and CC exclusions, by fiscal year (see its PROVENANCE.md)

log = logging.getLogger(__name__)


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
    data_dir: Path | None = None,
    icd10cm_only: bool = False,
) -> Registry:
    """A registry of the given ICD-10-CM tabular files (the embedded releases when none is given) and of
    those imported into the data folder ``data_dir`` (default: :func:`default_data_dir`; one of these
    replaces a given one that takes effect on the same day), FHIR's own R4 code systems and value sets,
    the ICD-10-CM coding guidance package, ICD-9-CM and the GEMs between it and ICD-10-CM, CMS's maps from
    ICD-10-CM to the HCCs, and the FHIR resources in ``resource_paths`` (files, folders, packages).
    ``default_supplements``: canonicals of supplements applied to their code systems for every request
    (:class:`NotFound` if unknown). ``icd10cm_only``: the ICD-10-CM releases alone, without the other content
    and the ConceptMaps (between fiscal years, the GEMs, to the HCCs), which answers every question about
    ICD-10-CM codes but those of value sets, and loads in two thirds of the time.

    Each ICD-10-CM release is a version of the code system, in effect from the day it takes effect to
    the end of its fiscal year, or to the next loaded update's start. It is named by its fiscal year
    (``2026``) when it is the newest loaded release of that year, else by the day it takes effect
    (``2025-10-01``), which names the newest too. The newest release is the default version, with the id
    ``icd-10-cm``; the others are served beside it under ids that name their version. Every release knows
    the code history of the code lists and the releases, which also makes a ConceptMap per fiscal year.
    The CMS-HCC and RxHCC models are versions of their code systems, and CMS's maps from ICD-10-CM to them
    ConceptMaps (:mod:`terminology.cms_hcc`); a release's lookups give the categories of its payment years.
    """
    registry = Registry()
    paths = [] if icd10cm_only else [resources_dir() / FHIR_R4_FOLDER, resources_dir() / GUIDANCE_PACKAGE, *resource_paths]
    for loaded in load_resources(paths, codec.parse):
        definition = read_resource(loaded.resource, loaded.source)
        if definition is not None:
            registry.add(definition)
    releases = _icd10cm_releases(icd10cm_files, cache_dir, data_dir)
    history = _history(releases, cache_dir)
    for concept_map in [] if icd10cm_only else transition_maps(history):
        registry.add(concept_map)
    providers = _icd10cm_providers(releases, history, cache_dir)
    for definition in [] if icd10cm_only else hcc_definitions(_hcc_data(cache_dir), _releases_by_payment_year(providers, cache_dir)):
        registry.add(definition)
    if not icd10cm_only:  # (a server: read now, before its workers fork and share it; a command reads what it asks for)
        _load_metadata(source for provider in providers for source in provider.metadata)
    for provider in providers:
        registry.add_code_system(provider, default=provider is providers[-1])  # the newest
    if not icd10cm_only:
        _add_icd9cm_and_gems(registry, providers[-1], cache_dir)
    return with_supplements(registry, default_supplements)


def _add_icd9cm_and_gems(registry: Registry, icd10cm: Icd10cmProvider, cache_dir: Path | None) -> None:
    """ICD-9-CM, and the GEMs between it and ICD-10-CM as ConceptMaps (displays from ``icd10cm``'s release)."""
    titles, tables = _icd9cm_and_gems(cache_dir)
    icd9cm = Icd9cmProvider(titles)
    registry.add_code_system(icd9cm)
    for concept_map in gem_maps(tables, icd9cm, icd10cm):
        registry.add(concept_map)


def _icd9cm_and_gems(cache_dir: Path | None) -> tuple[Icd9cmTitles, dict[str, GemTable]]:
    gem_files = {name: resources_dir() / GEMS_FOLDER / file for name, file in GEM_FILES.items()}
    return load_icd9cm_and_gems(resources_dir() / ICD9CM_FOLDER / ICD9CM_FILE, gem_files, cache_dir)


def _icd10cm_providers(
    releases: list[tuple[Path, Icd10cmRelease, Icd10cmTextIndex]], history: Icd10cmHistory, cache_dir: Path | None
) -> list[Icd10cmProvider]:
    """A provider per release (oldest first), versioned and in effect as :func:`build_registry` says, with
    the metadata sources made for it; the newest has the id ``icd-10-cm``."""
    providers = []
    for index, (_, release, text_index) in enumerate(releases):
        following = releases[index + 1][1] if index + 1 < len(releases) else None
        newest_of_year = following is None or following.fiscal_year != release.fiscal_year
        if following is not None and following.effective == release.effective:
            raise InvalidTabularFile(f"two ICD-10-CM releases take effect on {release.effective.isoformat()}: serve one of them")
        end = fiscal_year_end(release.fiscal_year) if newest_of_year else day_before(following.effective)
        own_id = release.effective.isoformat()
        version = release.version if newest_of_year else own_id
        providers.append(Icd10cmProvider(
            release, "icd-10-cm" if following is None else f"icd-10-cm-{version}", text_index,
            version=version, effective=EffectivePeriod(release.effective, end), aliases=(own_id,) if newest_of_year else (),
            history=history, metadata=_code_metadata(release, cache_dir),
        ))  # fmt: skip
    return providers


def _code_metadata(release: Icd10cmRelease, cache_dir: Path | None) -> tuple[CodeMetadata, ...]:
    """The sources of further properties (MS-DRG, CMS-HCC) made for ``release``'s fiscal year."""
    hcc = hcc_properties(release.fiscal_year, _hcc_data(cache_dir))
    ms_drg = ms_drg_versions(resources_dir() / MS_DRG_FOLDER, cache_dir).get(release.fiscal_year)
    return (*hcc, ms_drg) if ms_drg is not None else hcc


def _releases_by_payment_year(providers: Sequence[Icd10cmProvider], cache_dir: Path | None) -> dict[int, frozenset[str]]:
    """The versions of the releases whose codes each payment year's HCC maps translate (as their lookups give)."""
    loaded = _hcc_data(cache_dir).payment_years()
    found: dict[int, set[str]] = {}
    for provider in providers:
        for year in payment_years(provider.release.fiscal_year, loaded):
            found.setdefault(year, set()).add(provider.info.version)
    return {year: frozenset(versions) for year, versions in found.items()}


def _hcc_data(cache_dir: Path | None) -> CmsHccData:
    return hcc_data(resources_dir() / CMS_HCC_FOLDER, cache_dir)


def _load_metadata(sources: Iterable[CodeMetadata]) -> None:
    """Reads each source's data once (the releases of a fiscal year share their sources)."""
    for source in {id(source): source for source in sources}.values():
        source.load()


def prepare_icd10cm(
    icd10cm_files: Sequence[str | Path] = (), cache_dir: Path | None = None, data_dir: Path | None = None
) -> list[str]:
    """Compiles the ICD-10-CM releases :func:`build_registry` serves into ``cache_dir`` and builds their
    text indexes, their code history and the tables of their metadata sources (MS-DRG, CMS-HCC) there, and
    compiles ICD-9-CM, the GEMs and the CMS-HCC maps, which a server would otherwise do at its first start
    and its first text search. Returns each release's fiscal year and the day it takes effect
    (``FY2026 from 2026-04-01``), oldest first."""
    releases = _icd10cm_releases(icd10cm_files, cache_dir, data_dir)
    for _, _, text_index in releases:
        text_index.build()
    _history(releases, cache_dir)
    _load_metadata(source for _, release, _ in releases for source in _code_metadata(release, cache_dir))
    _hcc_data(cache_dir).load()  # (the maps' data, which no release's source reads when none is of its years)
    _icd9cm_and_gems(cache_dir)
    return [f"FY{release.fiscal_year} from {release.effective.isoformat()}" for _, release, _ in releases]


def _history(releases: list[tuple[Path, Icd10cmRelease, Icd10cmTextIndex]], cache_dir: Path | None) -> Icd10cmHistory:
    code_lists = code_list_files(resources_dir() / ICD10CM_HISTORY_FOLDER)
    return load_history(code_lists, [(path, release) for path, release, _ in releases], cache_dir)


def _icd10cm_releases(
    icd10cm_files: Sequence[str | Path], cache_dir: Path | None, data_dir: Path | None
) -> list[tuple[Path, Icd10cmRelease, Icd10cmTextIndex]]:
    """The releases to serve, oldest first, each with its file: those given (or embedded) and those in the data folder."""
    given_paths = list(icd10cm_files) or [resources_dir() / name for name in EMBEDDED_ICD10CM_FILES]
    paths = [*given_paths, *release_files(default_data_dir() if data_dir is None else data_dir)]
    loaded = [  # sharing what they have in common
        (Path(path), release, Icd10cmTextIndex.for_release(release, path, cache_dir))
        for path, release in zip(paths, load_releases(paths, cache_dir))
    ]
    given, imported = loaded[: len(given_paths)], loaded[len(given_paths) :]
    imported_on = {release.effective: path for path, release, _ in imported}
    served = []
    for path, release, text_index in given:
        if release.effective in imported_on:  # the user imported a release of that day to have it served
            log.info("ICD-10-CM %s: serving %s from the data folder, not %s", release.effective, imported_on[release.effective], path)
        else:
            served.append((path, release, text_index))
    return sorted(served + imported, key=lambda loaded: loaded[1].effective)
