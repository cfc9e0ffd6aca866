"""What a client call raises: the server's OperationOutcome, or no server to answer."""

from __future__ import annotations

from typing import Any

from .results import Issue, issues_worst_first

__all__ = ["ClientError", "OperationOutcomeError", "ServerUnreachable"]


class ClientError(Exception):
    """Any failure of a client call."""


class OperationOutcomeError(ClientError):
    """The server answered with an OperationOutcome (an HTTP error, or an error a batch gave one entry):
    ``status`` is the HTTP status, ``issues`` the outcome's issues, ``outcome`` its JSON as received."""

    def __init__(self, status: int, issues: tuple[Issue, ...], outcome: dict[str, Any] | None = None) -> None:
        self.status = status
        self.issues = issues
        self.outcome = outcome
        super().__init__(self.message)

    @property
    def message(self) -> str:
        texts = [issue.message for issue in issues_worst_first(self.issues)]
        return "; ".join(texts) if texts else f"HTTP {self.status} without an OperationOutcome"


class ServerUnreachable(ClientError):
    """No answer from the server after every retry: refused, reset, timed out, or a 429/503 to the end."""
