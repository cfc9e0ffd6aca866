"""The ``terminology`` command."""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Sequence

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="terminology", description="FHIR R4 terminology server for ICD-10-CM")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start the server (FHIR base /fhir)")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="address to listen on (HOST)")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")), help="port (PORT)")
    serve.add_argument(
        "--workers", type=int, default=int(os.environ.get("WORKERS", "0")) or None,
        help="worker processes (WORKERS; default: the number of cores)",
    )
    serve.add_argument(
        "--data", "--icd10cm", dest="icd10cm", action="append", default=[], metavar="FILE",
        help="an ICD-10-CM tabular XML file (.xml or .xml.gz); repeat for several versions (default: the embedded April 2026 release)",
    )
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
    serve.add_argument("--cache-dir", help="where compiled content is kept (default: ~/.cache/terminology)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "serve":
        from .server import serve

        config: dict[str, object] = {"TERMINOLOGY_RESOURCE_PATHS": args.resources, "TERMINOLOGY_DEFAULT_SUPPLEMENTS": args.supplement}
        if args.cache_dir:
            config["TERMINOLOGY_CACHE_DIR"] = args.cache_dir
        serve(args.host, args.port, args.workers, args.icd10cm, config)


if __name__ == "__main__":
    main()
