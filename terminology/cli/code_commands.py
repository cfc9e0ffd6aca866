"""The commands about codes: ``lookup``, ``validate`` and ``expand``, against the embedded content or a
server (``--server``); ``lookup`` and ``validate`` take one code, or a file of them (``--file``)."""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Callable
from typing import Any

from ..bulk.report import FORMATS
from ..client.errors import OperationOutcomeError
from ..fhir.dates import day_of
from . import file_commands, output
from .exit_status import ALL_VALID, EXIT_STATUS_HELP, SOME_INVALID

__all__ = ["add_commands"]

#: A call to a server (--server): seconds it may take, and tries after the first on a connection error, 429 or 503.
SERVER_TIMEOUT = 60.0
SERVER_RETRIES = 3
#: The options that only a file of codes takes.
_FILE_OPTIONS = ("column", "date_column", "out", "format", "quiet")


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Adds ``lookup``, ``validate`` and ``expand`` to the parser of ``commands``."""
    lookup = _command(commands, "lookup", "what ICD-10-CM says of a code (display, billable, properties), or of a file of codes", _lookup)
    lookup.add_argument(
        "--property", action="append", default=[], metavar="P",
        help="a property to give (display, billable, chapter, parent, fiscalYears ...); repeat for several; default: all of "
        "them for one code, display and billable for a file (a column each)",
    )  # fmt: skip
    _file_arguments(lookup)

    validate = _command(commands, "validate", "whether a code, or each code of a file, is valid ICD-10-CM", _validate)
    validate.add_argument("--valueset", metavar="URL", help="the value set the code must be in (its canonical url, or url|version)")
    _file_arguments(validate)

    expand = _command(commands, "expand", "the codes of a value set", _expand, code=False)
    expand.add_argument("url", metavar="URL", help="the value set's canonical url (or url|version): http://hl7.org/fhir/sid/icd-10-cm?fhir_vs ...")
    expand.add_argument("--filter", metavar="TEXT", help="only the codes whose display or code matches these words")
    expand.add_argument("--count", type=int, metavar="N", help="at most N codes")


def _command(
    commands: argparse._SubParsersAction, name: str, help: str, run: Callable[[argparse.Namespace], int], code: bool = True
) -> argparse.ArgumentParser:
    """A command's parser with what they all take: the code (or not: ``code``), --server, --json, --date
    and, for a code, --version."""
    parser = commands.add_parser(name, help=help, description=help, epilog=EXIT_STATUS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(run=run, command_parser=parser)
    if code:
        parser.add_argument("code", nargs="?", metavar="CODE", help="the code (or give --file)")
    parser.add_argument("--server", metavar="URL", help="ask this FHIR terminology server (its base, http://host/fhir) instead of the embedded content")
    parser.add_argument("--json", action="store_true", help="the answer as JSON")
    parser.add_argument("--date", type=_day, metavar="YYYY-MM-DD", help="the day of service: the release in effect then answers")
    if code:
        parser.add_argument("--version", help="the release to answer from (2026, 2025-04-01); default: the one --date names, else the newest")
    return parser


def _file_arguments(parser: argparse.ArgumentParser) -> None:
    files = parser.add_argument_group("a file of codes")
    files.add_argument(
        "--file", metavar="FILE",
        help="the codes: CSV with a header (when the first line has a comma or no digit, or --column is given), else one "
        "code per line; - for standard input",
    )  # fmt: skip
    files.add_argument("--column", metavar="NAME", help="the CSV column of the codes (default: the first)")
    files.add_argument("--date-column", metavar="NAME", help="the CSV column of each code's day of service (YYYY-MM-DD; empty: none)")
    files.add_argument("--out", metavar="FILE", help="the report (default: standard output)")
    files.add_argument("--format", choices=FORMATS, help="the report's format (default: csv)")
    files.add_argument("--quiet", action="store_true", help="no progress bar (there is none either when standard error is no terminal)")


def _day(text: str) -> datetime.date:
    day = day_of(text)
    if day is None:
        raise argparse.ArgumentTypeError(f"not a date of the form YYYY-MM-DD: '{text}'")
    return day


def _lookup(args: argparse.Namespace) -> int:
    if _is_file_command(args):
        return file_commands.lookup_file(args, _terminology(args))
    try:
        found = _terminology(args).lookup(args.code, version=args.version, date=args.date, properties=args.property)
    except OperationOutcomeError as error:
        if error.status != 404:
            raise
        print(f"terminology lookup: {error.message}", file=sys.stderr)
        return SOME_INVALID
    print(output.as_json(found) if args.json else output.lookup_text(found))
    return ALL_VALID


def _validate(args: argparse.Namespace) -> int:
    if _is_file_command(args):
        terminology = _terminology(args)
        if args.server is not None:
            from ..bulk.validation import ServerValidator

            terminology = ServerValidator(terminology)
        return file_commands.validate_file(args, terminology)
    answer = _terminology(args).validate_code(args.code, version=args.version, date=args.date, value_set=args.valueset)
    print(output.as_json(answer) if args.json else output.validation_text(args.code, answer))
    return ALL_VALID if answer.valid else SOME_INVALID


def _expand(args: argparse.Namespace) -> int:
    concepts = _terminology(args).expand(args.url, filter=args.filter, count=args.count, date=args.date)
    if args.json:
        print(output.as_json(list(concepts)))
    else:
        for concept in concepts:
            print(output.concept_line(concept))
    return ALL_VALID


def _is_file_command(args: argparse.Namespace) -> bool:
    """Whether a file of codes is given (else one code); a usage error if both or neither are, or if the
    options of the one given do not go with it."""
    parser: argparse.ArgumentParser = args.command_parser
    if (args.code is None) == (args.file is None):
        parser.error("give a CODE or --file, not both" if args.code is not None else "give a CODE, or --file")
    if args.file is None:
        given = [f"--{name.replace('_', '-')}" for name in _FILE_OPTIONS if getattr(args, name)]
        if given:
            parser.error(f"only with --file: {', '.join(given)}")
        return False
    if args.json:
        parser.error("--json is for one code: the format of a file's report is --format")
    if args.date is not None and args.date_column is not None:
        parser.error("give --date or --date-column, not both")
    return True


def _terminology(args: argparse.Namespace) -> Any:
    """The embedded content, or the client of the server given (imported only then: it needs requests)."""
    if args.server is not None:
        from ..client import TerminologyClient

        return TerminologyClient(args.server, timeout=SERVER_TIMEOUT, retries=SERVER_RETRIES)
    from ..bulk.embedded import EmbeddedTerminology
    from ..content import build_registry
    from ..library import LocalTerminology

    # Only value sets need more than ICD-10-CM's releases, which load in two thirds of the time of all the content.
    icd10cm_only = args.command != "expand" and getattr(args, "valueset", None) is None
    return EmbeddedTerminology(LocalTerminology(build_registry(icd10cm_only=icd10cm_only)))
