"""Building the ICD-10-CM code history from the code lists of past fiscal years and the loaded releases,
and keeping it compiled so that a start reads it in milliseconds.

Each fiscal year's codes come from the newest loaded release of that year, else from its code list
(:mod:`terminology.loaders.icd10cm_history`); a release's codes are its entries but the blocks, billable
when they have no children. The compiled copy is keyed by the code lists, the release files, the fiscal
years and days they take effect, and the sources that build it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from ..fiscal_years import fiscal_year_start
from ..loaders import icd10cm_history as code_list_loader
from ..loaders import icd10cm_xml
from ..loaders.compiled_copy import compiled_copy
from ..loaders.icd10cm_history import CodeListRow, InvalidCodeList, format_row, parse_row, read_code_list
from ..loaders.icd10cm_xml import Icd10cmEntry, Icd10cmRelease
from . import icd10cm_history
from .icd10cm_history import HistoryRecord, Icd10cmHistory

__all__ = ["build_history", "load_history"]


_SOURCES = tuple(Path(module.__file__) for module in (code_list_loader, icd10cm_xml, icd10cm_history)) + (Path(__file__),)

# A code's state in one fiscal year: (billable, title), or None when it is not in that year's release.
_State = tuple[bool, str] | None


def load_history(
    code_lists: Mapping[int, Path], releases: Sequence[tuple[Path, Icd10cmRelease]], cache_dir: Path | None = None
) -> Icd10cmHistory:
    """The history of the code lists (by fiscal year) and the releases (each with the file it was read from),
    from the compiled copy in ``cache_dir`` when there is a current one; else built and kept there. A copy
    that cannot be read or written is passed over, never fatal."""
    loaded = [release for _, release in releases]
    newest = _newest(loaded)
    # (the fiscal years and days the releases take effect choose among them: they key the copy too)
    chosen = " ".join(f"{release.fiscal_year}:{_effective(release)}" for release in loaded).encode()
    sources = (*code_lists.values(), *(path for path, _ in releases), *_SOURCES)

    def make() -> Icd10cmHistory:
        replaced = {release.fiscal_year for release in loaded}  # (their code lists are not read)
        lists = {fiscal_year: read_code_list(path) for fiscal_year, path in code_lists.items() if fiscal_year not in replaced}
        return build_history(lists, loaded)

    def decode(compiled: tuple) -> Icd10cmHistory:
        fiscal_years, records = compiled
        return Icd10cmHistory(tuple(fiscal_years), newest.entries if newest else {}, dict(records))

    encode = lambda history: (history.fiscal_years, tuple(history.records.items()))  # noqa: E731
    return compiled_copy("icd10cm-history", "code history", sources, cache_dir, make, encode, decode, chosen)


def build_history(code_lists: Mapping[int, Sequence[str]], releases: Sequence[Icd10cmRelease]) -> Icd10cmHistory:
    """The history of the fiscal years of the code lists (each a list of lines, as :func:`read_code_list`
    gives them) and of the releases; a release stands for its year's code list, the newest loaded update
    of a year for the others (its year's code list is not used). :class:`InvalidCodeList` names the year
    of a line that is not a row."""
    by_year: dict[int, Sequence[str] | Icd10cmRelease] = dict(code_lists)
    for release in sorted(releases, key=lambda release: (release.fiscal_year, _effective(release))):
        by_year[release.fiscal_year] = release
    fiscal_years = tuple(sorted(by_year))
    newest = _newest(releases)
    entries = newest.entries if newest else {}
    states = _differing_states({fiscal_year: by_year[fiscal_year] for fiscal_year in fiscal_years}, newest)
    unrecorded = Icd10cmHistory(fiscal_years, entries, {code: _record(fiscal_years, found, entries.get(code)) for code, found in states})
    return Icd10cmHistory(fiscal_years, entries, _with_replacements(unrecorded))


def _effective(release: Icd10cmRelease) -> date:
    return release.effective or fiscal_year_start(release.fiscal_year)


def _newest(releases: Sequence[Icd10cmRelease]) -> Icd10cmRelease | None:
    return max(releases, key=lambda release: (release.fiscal_year, _effective(release)), default=None)


def _differing_states(
    years: Mapping[int, Sequence[str] | Icd10cmRelease], newest: Icd10cmRelease | None
) -> list[tuple[str, list[_State]]]:
    """Every code that is not in every year as the newest release has it, with its state in each year, by code."""
    entries = newest.entries if newest is not None else {}
    reference: set[str] | None = None  # the newest release as code list lines, made for the first code list
    explicit: dict[str, dict[int, tuple[bool, str]]] = {}
    missing: list[set[str]] = []  # by year: the newest release's codes that are not there as they are in it
    for index, (fiscal_year, year) in enumerate(years.items()):
        if isinstance(year, Icd10cmRelease):
            differing, absent = _release_differences(year, entries) if year is not newest else ([], set())
        else:
            if reference is None:
                reference = {format_row(e.code, not e.children, e.display) for e in entries.values() if e.kind != "block"}
            try:
                differing, absent = _code_list_differences(year, reference)
            except InvalidCodeList as error:
                raise InvalidCodeList(f"the code list of FY{fiscal_year}: {error}") from error
        for code, billable, title in differing:
            explicit.setdefault(code, {})[index] = (billable, title)
        missing.append(absent)
    states = []
    for code in sorted(set(explicit).union(*missing)):
        found = explicit.get(code, {})
        entry = entries.get(code)
        usual = (not entry.children, entry.display) if entry is not None and entry.kind != "block" else None
        states.append((code, [found.get(index, None if code in missing[index] else usual) for index in range(len(years))]))
    return states


def _release_differences(release: Icd10cmRelease, newest: Mapping[str, Icd10cmEntry]) -> tuple[list[CodeListRow], set[str]]:
    """The release's codes that the newest release does not have as it has them, and the newest's codes it has not."""
    differing = []
    for entry in release.entries.values():
        if entry.kind == "block":
            continue
        same = newest.get(entry.code)
        if same is entry:  # (releases loaded together share the entries they have in common)
            continue
        if same is None or same.kind == "block" or bool(same.children) != bool(entry.children) or same.display != entry.display:
            differing.append((entry.code, not entry.children, entry.display))
    absent = {code for code, entry in newest.items() if entry.kind != "block" and code not in release.entries}
    return differing, absent


def _code_list_differences(lines: Sequence[str], reference: set[str]) -> tuple[list[CodeListRow], set[str]]:
    """The same for a code list, compared with the newest release's lines as sets of text: only the lines
    that differ are read (the newest's codes whose lines it has not are taken as absent; those it has
    otherwise are among the rows that differ, which count first)."""
    own = set(lines)
    return [parse_row(line) for line in own - reference], {line.partition("\t")[0] for line in reference - own}


def _record(fiscal_years: tuple[int, ...], states: list[_State], entry: Icd10cmEntry | None) -> HistoryRecord:
    years = billable = 0
    titles: list[tuple[str | None, int, int]] = []
    for index, state in enumerate(states):
        if state is None:
            continue
        years |= 1 << index
        billable |= state[0] << index
        title = None if entry is not None and entry.kind != "block" and state[1] == entry.display else state[1]
        if titles and titles[-1][0] == title:
            titles[-1] = (title, titles[-1][1], fiscal_years[index])
        else:
            titles.append((title, fiscal_years[index], fiscal_years[index]))
    return years, billable, tuple(titles), ()


def _with_replacements(history: Icd10cmHistory) -> dict[str, HistoryRecord]:
    """The records with what replaced each code: when it stopped being billable for good, unless it was
    deleted for good later (then what replaced it then)."""
    last_year = {code: history.fiscal_years[years.bit_length() - 1] for code, (years, *_) in history.records.items()}
    last_billable = {code: history.fiscal_years[b.bit_length() - 1] for code, (_, b, *_) in history.records.items() if b}
    replaced_by: dict[str, tuple[str, ...]] = {}
    for transition in history.transitions():
        for code, replacements in transition.became_header.items():
            if last_billable[code] == transition.from_fy:
                replaced_by[code] = replacements
        for code, replacements in transition.deleted.items():
            if last_year[code] == transition.from_fy:
                replaced_by[code] = replacements
    return {code: (*record[:3], replaced_by.get(code, ())) for code, record in history.records.items()}
