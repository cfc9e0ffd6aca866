"""What a validation report comes to: how many rows were valid, headers, invalid, normalised, deleted, by release."""

from __future__ import annotations

from dataclasses import dataclass

from .validation import Verdict

__all__ = ["Summary", "Tallies", "Tally"]


@dataclass
class Tally:
    """Rows: ``headers`` are valid but not billable; ``normalised`` and ``deleted`` are invalid (written
    otherwise than the code meant; deleted before the release that answered)."""

    valid: int = 0
    headers: int = 0
    invalid: int = 0
    normalised: int = 0
    deleted: int = 0

    def add(self, verdict: Verdict, rows: int) -> None:
        if verdict.valid:
            self.valid += rows
            self.headers += rows if verdict.billable is False else 0
        else:
            self.invalid += rows
            self.normalised += rows if verdict.normalised else 0
            self.deleted += rows if verdict.deleted else 0

    def __str__(self) -> str:
        return (
            f"valid {self.valid:,} (headers, not billable: {self.headers:,}), "
            f"invalid {self.invalid:,} (normalised: {self.normalised:,}, deleted: {self.deleted:,})"
        )


@dataclass
class Tallies:
    """The tally of every row, and of the rows each release answered (None: rows no release answered)."""

    total: Tally
    by_release: dict[str | None, Tally]

    def lines(self) -> list[str]:
        """The summary as the command prints it: the whole, then each release (newest first), then the rows
        that no release answered."""
        releases = sorted((version for version in self.by_release if version is not None), reverse=True)
        lines = [f"rows {self.total.valid + self.total.invalid:,}: {self.total}"]
        lines += [f"  release {version}: {self.by_release[version]}" for version in releases]
        if None in self.by_release:
            lines.append(f"  not answered by a release (a malformed row, an error): {self.by_release[None]}")
        return lines


class Summary:
    """The rows' verdicts, counted as they come, and tallied at the end."""

    def __init__(self) -> None:
        # Rows that share a query share its verdict: they are counted by verdict (kept, so that its id stays its own).
        self._rows: dict[int, tuple[Verdict, list[int]]] = {}  # by the verdict's id: (the verdict, [rows])

    def add(self, verdict: Verdict) -> None:
        counted = self._rows.get(id(verdict))
        if counted is None:
            self._rows[id(verdict)] = (verdict, [1])
        else:
            counted[1][0] += 1

    def tallies(self) -> Tallies:
        total, by_release = Tally(), {}
        for verdict, (rows,) in self._rows.values():
            total.add(verdict, rows)
            by_release.setdefault(verdict.version, Tally()).add(verdict, rows)
        return Tallies(total, by_release)
