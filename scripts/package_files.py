"""Reading the files of a PyPI package that a ``scripts/import_*.py`` takes data from: from its wheel, checked
against the hash PyPI serves it with, from a folder it was unpacked into, or from the installed distribution."""

from __future__ import annotations

import hashlib
import importlib.metadata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Package", "Reader"]

#: ``read(path inside the package)``: that file's bytes.
Reader = Callable[[str], bytes]


@dataclass(frozen=True, slots=True)
class Package:
    """A version of a package, and its wheel as PyPI serves it (file name and SHA-256)."""

    name: str
    version: str
    wheel: str
    wheel_sha256: str

    def reader(self, source: Path | None) -> Reader:
        """How to read the package's files: from the wheel ``source`` (refused unless it is the one PyPI serves),
        the folder ``source``, or (None) the installed distribution (refused unless it is this version)."""
        if source is None:
            distribution = importlib.metadata.distribution(self.name)
            if distribution.version != self.version:
                raise SystemExit(f"{self.name} {distribution.version} is installed; this script reads {self.version}")
            return lambda name: Path(str(distribution.locate_file(name))).read_bytes()
        if source.suffix == ".whl":
            if hashlib.sha256(source.read_bytes()).hexdigest() != self.wheel_sha256:
                raise SystemExit(f"{source} is not {self.wheel} as PyPI serves it (SHA-256 {self.wheel_sha256})")
            return zipfile.ZipFile(source).read
        return lambda name: (source / name).read_bytes()
