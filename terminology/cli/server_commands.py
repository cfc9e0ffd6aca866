"""The commands about the server and its content: ``serve``, ``prepare``, ``import``."""

from __future__ import annotations

import argparse
import logging
import os
import time
from datetime import date
from pathlib import Path

__all__ = ["add_commands"]


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Adds ``serve``, ``prepare`` and ``import`` to the parser of ``commands``."""
    serve = commands.add_parser("serve", help="start the server (FHIR base /fhir)")
    serve.set_defaults(run=_serve, log_level=logging.INFO)
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="address to listen on (HOST)")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")), help="port (PORT)")
    serve.add_argument(
        "--workers", type=int, default=int(os.environ.get("WORKERS", "0")) or None,
        help="worker processes (WORKERS; default: the number of cores)",
    )
    _release_arguments(serve)
    serve.add_argument(
        "--resources", action="append", default=[], metavar="PATH",
        help="FHIR CodeSystems, ValueSets and ConceptMaps to serve: a file (JSON or XML, a resource or a Bundle), "
        "a folder of them, or a FHIR package (.tgz); repeat for several",
    )
    serve.add_argument(
        "--supplement", action="append", default=[], metavar="CANONICAL",
        help="a CodeSystem supplement to apply without useSupplement (the ICD-10-CM coding guidance: "
        "http://fhir.icd10cm-terminology.org/CodeSystem/icd10cm-guidance-m4848); repeat for several",
    )
    prepare = commands.add_parser(
        "prepare",
        help="compile the ICD-10-CM releases and build their text indexes into the cache, which a server would "
        "otherwise do at its first start and first text search (for a container image, say)",
    )
    prepare.set_defaults(run=_prepare, log_level=logging.INFO)
    _release_arguments(prepare)
    imports = commands.add_parser(
        "import",
        help="add a CDC ICD-10-CM release to the data folder, which serve and prepare read: its tabular XML "
        "(.xml or .xml.gz) or the zip the CDC publishes (icd10cm-table-index-2027.zip)",
    )
    imports.set_defaults(run=_import, log_level=logging.INFO)
    imports.add_argument("path", metavar="PATH", help="the tabular XML file, or the CDC's zip that holds it")
    imports.add_argument(
        "--effective", type=_day, metavar="YYYY-MM-DD",
        help="the day the release takes effect (default: the date the file's name gives, "
        "else October 1 before its fiscal year: 2026-10-01 for FY2027)",
    )
    _folder_arguments(imports)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date of the form YYYY-MM-DD: '{text}'") from None


def _release_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", "--icd10cm", dest="icd10cm", action="append", default=[], metavar="FILE",
        help="an ICD-10-CM tabular XML file (.xml or .xml.gz); repeat for several versions (default: the embedded releases)",
    )
    _folder_arguments(parser)


def _folder_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        help="the data folder: the releases imported into it are served beside the others, and one that takes "
        "effect on the same day as another is served instead of it (default: $TERMINOLOGY_DATA_DIR, "
        "else ~/.local/share/terminology)",
    )
    parser.add_argument("--cache-dir", help="where compiled content is kept (default: ~/.cache/terminology)")


def _serve(args: argparse.Namespace) -> None:
    from ..server import serve

    config: dict[str, object] = {"TERMINOLOGY_RESOURCE_PATHS": args.resources, "TERMINOLOGY_DEFAULT_SUPPLEMENTS": args.supplement}
    if args.cache_dir:
        config["TERMINOLOGY_CACHE_DIR"] = args.cache_dir
    if args.data_dir:
        config["TERMINOLOGY_DATA_DIR"] = args.data_dir
    serve(args.host, args.port, args.workers, args.icd10cm, config)


def _prepare(args: argparse.Namespace) -> None:
    from ..content import prepare_icd10cm

    started = time.perf_counter()
    cache_dir, data_dir = _folders(args)
    releases = ", ".join(prepare_icd10cm(args.icd10cm, cache_dir, data_dir))
    print(f"ICD-10-CM {releases}: compiled and indexed in {cache_dir} ({time.perf_counter() - started:.1f} s)")


def _import(args: argparse.Namespace) -> None:
    from ..release_import import import_release

    started = time.perf_counter()
    cache_dir, data_dir = _folders(args)
    imported = import_release(Path(args.path), data_dir, cache_dir, args.effective)
    release = imported.release
    print(
        f"ICD-10-CM FY{release.fiscal_year}, in effect from {release.effective.isoformat()}: "
        f"{len(release.entries):,} concepts imported from {args.path} into {imported.path}"
        f"{' (replacing the release imported before for that day)' if imported.replaced else ''}, "
        f"compiled and indexed in {cache_dir} ({time.perf_counter() - started:.1f} s)"
    )


def _folders(args: argparse.Namespace) -> tuple[Path, Path]:
    """The cache and the data folder a command works on."""
    from ..loaders.data_folder import default_data_dir
    from ..loaders.release_cache import default_cache_dir

    return (
        Path(args.cache_dir) if args.cache_dir else default_cache_dir(),
        Path(args.data_dir) if args.data_dir else default_data_dir(),
    )
