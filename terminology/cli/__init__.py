"""The ``terminology`` command: the server and its content (``serve``, ``prepare``, ``import``), and codes
(``lookup``, ``validate``, ``expand``: one code, or a file of them) against the embedded content or a server."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from ..bulk.table import UnusableFile
from ..client.errors import OperationOutcomeError, ServerUnreachable
from ..errors import TerminologyError
from ..loaders.fhir_files import ResourceFileError
from ..loaders.icd10cm_xml import InvalidTabularFile
from ..settings import InvalidSetting
from . import code_commands, server_commands
from .exit_status import CLOSED_PIPE, EXIT_STATUS_HELP, INPUT_ERROR, INTERRUPTED, UNREACHABLE

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="terminology",
        description="FHIR R4 terminology server for ICD-10-CM",
        epilog=EXIT_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    server_commands.add_commands(commands)
    code_commands.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command ``argv`` (default: the process's arguments) and returns its exit status. An error
    is one line on standard error: a usage or input error is status 2, a server that does not answer 3."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=getattr(args, "log_level", logging.WARNING), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return args.run(args) or 0
    except KeyboardInterrupt:  # (stopped by its user, who knows why)
        return INTERRUPTED
    except ServerUnreachable as error:
        print(f"terminology {args.command}: {error}", file=sys.stderr)
        return UNREACHABLE
    except BrokenPipeError:  # (what reads standard output stopped, as `| head` does: nothing more to say)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # (so that the exit's flush says nothing)
        return CLOSED_PIPE
    except (
        OSError, UnusableFile, InvalidTabularFile, ResourceFileError, InvalidSetting, TerminologyError, OperationOutcomeError
    ) as error:  # what is given is or lacks (a file, a setting): the server has opened no port
        print(f"terminology {args.command}: {error}", file=sys.stderr)
        return INPUT_ERROR
