"""A CSV file of ICD-10-CM codes as an integration engine meets them, for the bulk path's bench and tests.

Real codes of the newest embedded release, drawn with a skew: rank r is drawn with weight 1/r^skew over
a seeded shuffle of the billable codes. Diagnoses are few in practice (383,972 admissions of 7 hospitals
had 5,186 distinct ICD-10 codes, medRxiv 10.1101/2022.11.29.22282888; a pediatric practice's 10 most used
codes made 60% of its volume): with the default skew, 1.2, the 100 most drawn codes make 71% of the
draws, and 100,000 rows hold about 14,000 distinct codes (skew 1: 44%, and 29,000). They are mixed with
what real files hold besides: codes written without their dot or in lower case, headers (the code
above a drawn code: not billable), codes deleted since FY2021, and made-up ones. Each row has a claim
line number and a date of service in FY2021 to FY2026, the newest years most often. The same seed
gives the same file.

    .venv/bin/python scripts/bulk_codes.py --rows 100000 --out codes.csv
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from terminology.content import build_registry
from terminology.loaders.icd10cm_xml import Icd10cmRelease
from terminology.providers.icd10cm import ICD10CM_URL as ICD10CM

__all__ = ["CodePool", "code_rows", "write_csv"]

COLUMNS = ("claim_line", "code", "service_date")
#: Fiscal years of service, with how often each comes (older claims are rarer).
SERVICE_YEARS = {2021: 1, 2022: 1, 2023: 2, 2024: 3, 2025: 4, 2026: 5}


@dataclass(frozen=True)
class CodePool:
    """The codes rows are drawn from: billable codes of the newest release (most used first, as drawn),
    the header above each, and the codes of FY2021 that the newest release no longer has."""

    billable: tuple[str, ...]
    parents: dict[str, str]
    deleted: tuple[str, ...]

    @classmethod
    def embedded(cls, seed: int) -> CodePool:
        registry = build_registry(icd10cm_only=True)
        newest = registry.code_system(ICD10CM).release
        fy2021 = registry.code_system(ICD10CM, "2021").release
        return cls.of(newest, fy2021, random.Random(seed))

    @classmethod
    def of(cls, newest: Icd10cmRelease, old: Icd10cmRelease, rng: random.Random) -> CodePool:
        entries = newest.entries.values()
        billable = sorted(e.code for e in entries if not e.children and e.kind != "block")
        rng.shuffle(billable)
        parents = {e.code: e.parent for e in entries if e.parent and newest.entries[e.parent].kind != "block"}
        deleted = sorted(code for code, e in old.entries.items() if code not in newest.entries and e.kind != "block")
        return cls(tuple(billable), parents, tuple(deleted))


def code_rows(pool: CodePool, rows: int, seed: int, skew: float = 1.2) -> list[tuple[str, str, str]]:
    """``rows`` rows of (claim line, code, date of service)."""
    rng = random.Random(seed)
    ranks = list(itertools.accumulate(1 / rank**skew for rank in range(1, len(pool.billable) + 1)))

    def real() -> str:
        return rng.choices(pool.billable, cum_weights=ranks)[0]

    # (share of the rows, how such a code is made)
    kinds: list[tuple[float, Callable[[], str]]] = [
        (0.78, real),
        (0.06, lambda: real().replace(".", "")),  # M4848XA
        (0.04, lambda: real().lower()),  # m48.48xa
        (0.06, lambda: pool.parents.get(real()) or real()),  # M48.48 (a code under a block is a category: itself)
        (0.02, lambda: rng.choice(pool.deleted)),  # T40.7X1A
        (0.04, lambda: _made_up(rng, real())),  # M48.48XQ
    ]
    makers = [make for _, make in kinds]
    shares = [share for share, _ in kinds]
    years, weights = list(SERVICE_YEARS), list(SERVICE_YEARS.values())
    out = []
    for line in range(1, rows + 1):
        make = rng.choices(makers, shares)[0]
        year = rng.choices(years, weights)[0]
        day = date(year - 1, 10, 1) + timedelta(days=rng.randrange(365))
        out.append((str(line), make(), day.isoformat()))
    return out


def _made_up(rng: random.Random, code: str) -> str:
    """A code of the right shape that no release has: its last character changed to one none uses there."""
    return code[:-1] + rng.choice("QUVW")


def write_csv(path: Path, rows: int, seed: int = 20261130, skew: float = 1.2) -> None:
    """Writes ``rows`` rows (and the header) to ``path`` ("-": standard output)."""
    drawn = code_rows(CodePool.embedded(seed), rows, seed, skew)
    out = sys.stdout if str(path) == "-" else path.open("w", newline="")
    try:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(drawn)
    finally:
        if out is not sys.stdout:
            out.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--skew", type=float, default=1.2, help="the exponent of the draw's skew (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=Path("-"), help="the CSV file to write (default: standard output)")
    args = parser.parse_args()
    write_csv(args.out, args.rows, args.seed, args.skew)


if __name__ == "__main__":
    main()
