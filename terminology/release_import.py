"""``terminology import``: a CDC release the user has, added to the data folder without code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .fiscal_years import checked_effective_date, effective_date_from_name
from .loaders.data_folder import release_path, write_release
from .loaders.icd10cm_xml import Icd10cmRelease, InvalidTabularFile
from .loaders.release_cache import store_release
from .loaders.tabular_source import read_tabular_xml
from .providers.icd10cm_text_index import Icd10cmTextIndex

__all__ = ["ImportedRelease", "import_release"]


@dataclass(frozen=True, slots=True)
class ImportedRelease:
    release: Icd10cmRelease
    path: Path  # the release's file in the data folder
    replaced: bool  # whether it replaced a release of the same effective date


def import_release(source: Path, data_dir: Path, cache_dir: Path | None = None, effective: date | None = None) -> ImportedRelease:
    """Reads the release in ``source`` (see :func:`~terminology.loaders.tabular_source.read_tabular_xml`)
    whole, then writes it into ``data_dir`` as the release that takes effect on ``effective`` (default:
    the date ``source``'s name gives, else its fiscal year's October 1), replacing one of that date, and
    compiles it and builds its text index in ``cache_dir``, so that a server starts on it at once.

    Raises :class:`InvalidTabularFile` (a damaged or foreign file, or a date outside the fiscal year of
    its ``<version>``) or OSError before it writes anything; a failed write leaves no part behind.
    """
    xml = read_tabular_xml(source)
    release = xml.read()
    try:
        release.effective = (
            effective_date_from_name(source.name, release.fiscal_year) if effective is None
            else checked_effective_date(effective, release.fiscal_year, "the effective date asked for is")
        )  # fmt: skip
    except ValueError as error:
        raise InvalidTabularFile(f"{source}: {error}") from error
    replaced = release_path(data_dir, release.effective).exists()
    path = write_release(data_dir, release.effective, xml.data)
    store_release(path, release, cache_dir)
    Icd10cmTextIndex.for_release(release, path, cache_dir).build()
    return ImportedRelease(release, path, replaced)
