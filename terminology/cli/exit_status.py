"""The exit statuses of the ``terminology`` command, which scripts act on."""

from __future__ import annotations

__all__ = ["ALL_VALID", "CLOSED_PIPE", "EXIT_STATUS_HELP", "INPUT_ERROR", "INTERRUPTED", "SOME_INVALID", "UNREACHABLE"]

ALL_VALID = 0  # every code valid (lookup: found), or the command done
SOME_INVALID = 1  # a code not valid (lookup: not found)
INPUT_ERROR = 2  # a usage or input error: an option, a file that cannot be read, a column it lacks
UNREACHABLE = 3  # the server (--server) did not answer
INTERRUPTED = 130  # stopped with Ctrl-C (SIGINT), as shells say it
CLOSED_PIPE = 141  # what reads standard output stopped (SIGPIPE), as shells say it

EXIT_STATUS_HELP = """exit status:
  0  every code valid (lookup: every code found), or the command done
  1  some code not valid (lookup: not found)
  2  a usage or input error (an option; a file that cannot be read, or lacks the column named)
  3  the server (--server) did not answer"""
