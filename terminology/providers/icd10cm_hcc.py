"""The ``hcc`` property of ICD-10-CM codes: the CMS-HCC and RxHCC categories CMS's maps put a code in, for
the payment years a release serves (a :class:`~terminology.providers.icd10cm_metadata.CodeMetadata` source).

Payment year N pays for dates of service in calendar year N−1, which fall in fiscal year N−1 (January to
September) and fiscal year N (October to December): a release of fiscal year F is in effect on dates of
service of payment years F (October to December of F−1) and F+1 (January to September of F), and gives
the categories of those of the two whose maps are loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator

from ..errors import InvalidRequest
from ..loaders.cms_hcc import CmsHccData
from ..model import Coding, Property, PropertyDefinition

__all__ = ["HCC_PROPERTY", "HccProperties", "hcc_properties", "payment_years"]

HCC_PROPERTY = PropertyDefinition(
    "hcc",
    "Coding",
    "A CMS-HCC or RxHCC category CMS's map of a payment year puts the code in (its version: the model; "
    "subproperties model and year, the payment year)",
)
_FILTER_FORMS = "a category (37), a model and a category (V28|37), or a comma-separated list of them with 'in'"


def payment_years(fiscal_year: int, loaded: Collection[int]) -> tuple[int, ...]:
    """The payment years whose dates of service a release of ``fiscal_year`` serves, of those ``loaded``."""
    return tuple(year for year in (fiscal_year, fiscal_year + 1) if year in loaded)


def hcc_properties(fiscal_year: int, data: CmsHccData) -> tuple[HccProperties, ...]:
    """The ``hcc`` source of a release of ``fiscal_year``; none where no map of its payment years is loaded."""
    years = payment_years(fiscal_year, data.payment_years())
    return (HccProperties(data, years),) if years else ()


class HccProperties:
    """The categories of the maps of ``years`` (payment years), read from ``data`` when first asked for."""

    def __init__(self, data: CmsHccData, years: tuple[int, ...]) -> None:
        self.data = data
        self.years = years
        self._made: dict[tuple[int, str], Property | None] | None = None  # by (map, category): the property, None out of years

    def property_definitions(self) -> tuple[PropertyDefinition, ...]:
        return (HCC_PROPERTY,)

    def properties(self, code: str, wanted: Collection[str] | None) -> Iterator[Property]:
        """The code's categories in each map of the years, by year and model."""
        if wanted is not None and HCC_PROPERTY.code not in wanted:
            return
        made = self._properties()
        for pair in self.data.tables().mappings.get(code, ()):
            found = made[pair]
            if found is not None:
                yield found

    def code_filter(self, prop: str, op: str, value: str) -> Callable[[str], bool] | None:
        """``hcc = 37`` (any model), ``hcc = V28|37``, ``hcc in 37,V24|18``, ``hcc exists true``: the codes the
        maps of the years put in those categories (or in any)."""
        if prop != HCC_PROPERTY.code:
            return None
        mappings = self.data.tables().mappings
        in_years = frozenset(pair for pair, made in self._properties().items() if made is not None)
        if op == "exists":
            if value not in ("true", "false"):
                raise InvalidRequest(f"The filter 'hcc exists {value}' takes true or false")
            present = value == "true"
            return lambda code: (not in_years.isdisjoint(mappings.get(code, ()))) is present
        if op not in ("=", "in"):
            raise InvalidRequest(f"The property 'hcc' is filtered with '=', 'in' or 'exists', not '{op}'")
        wanted = frozenset(pair for item in (value.split(",") if op == "in" else (value,)) for pair in self._pairs(item.strip(), in_years))
        return lambda code: not wanted.isdisjoint(mappings.get(code, ()))

    def load(self) -> None:
        """Reads the data, and makes the properties (before a server's workers fork, to share them)."""
        self._properties()

    def _pairs(self, item: str, in_years: frozenset[tuple[int, str]]) -> Iterator[tuple[int, str]]:
        """The ``(map, category)`` pairs a filter's value names (``37``, or ``V28|37``)."""
        tables = self.data.tables()
        model, _, category = item.rpartition("|")
        versions = {m.version for m in tables.models}
        if not category.isdigit() or (model and model not in versions):
            raise InvalidRequest(
                f"The filter value '{item}' of 'hcc' is not {_FILTER_FORMS}; the models are {', '.join(sorted(versions))}"
            )
        return (pair for pair in in_years if pair[1] == category and (not model or tables.models[tables.maps[pair[0]][1]].version == model))

    def _properties(self) -> dict[tuple[int, str], Property | None]:
        """The property of each ``(map, category)`` pair of the tables (None for a map out of the years), made once."""
        if self._made is None:
            tables = self.data.tables()
            made: dict[tuple[int, str], Property | None] = {}
            for number, (year, index) in enumerate(tables.maps):
                model = tables.models[index]
                titles = dict(tables.categories[index])
                origin = (Property("model", model.version, "code", model.name), Property("year", year, "integer"))
                for cc in titles:
                    coding = Coding(model.system, model.version, cc, titles[cc])
                    made[(number, cc)] = Property(HCC_PROPERTY.code, coding, "Coding", subproperties=origin) if year in self.years else None
            self._made = made
        return self._made
