"""The parameters the HL7 validator and the terminology ecosystem's clients send beside an operation's
own: those every operation takes, and those no operation here honours, refused by name with why."""

from __future__ import annotations

from .parameters import OperationInput

__all__ = ["DEFAULT_VERSION", "NO_DATE", "VALIDATOR_PARAMETERS", "refuse_unhonoured"]

# Why each is not honoured: a client that relies on one is told, not answered as if it had been applied.
_UNHONOURED = {
    "cache-id": "this server keeps no cache of a client's resources; send them with each request as 'tx-resource'",
    "diagnostics": "this server writes no diagnostics into its answers",
    "profile-url": "this server validates codes against their code systems and value sets, not against profiles",
    "_limit": "an expansion here is whole (or paged with 'count' and 'offset'), or refused as too costly",
    "_incomplete": "an expansion here is whole (or paged with 'count' and 'offset'), or refused as too costly",
    "incomplete-ok": "an expansion here is whole (or paged with 'count' and 'offset'), or refused as too costly",
    "__Accept-Language": "send the language in the Accept-Language header, or as 'displayLanguage'",
}
_UNHONOURED_NAMES = frozenset(_UNHONOURED)
#: Why R4's ``date`` ($lookup, $validate-code, $expand: the answer as it was on a date) is refused.
NO_DATE = "this server answers from the code system versions it holds, not as of a date; name a version instead"
#: Why ``default-to-latest-version`` ($expand, $validate-code) is refused.
DEFAULT_VERSION = "where nothing names a version, the code system's default version is used; name one with 'system-version'"
#: Taken by every operation: ``tx-resource`` (resources the request brings) and ``uuid``, which only
#: names the set of parameters a client sends (the answer does not depend on it).
VALIDATOR_PARAMETERS = frozenset({"tx-resource", "uuid"})


def refuse_unhonoured(params: OperationInput) -> None:
    """:class:`~terminology.errors.NotSupported` naming the first ecosystem parameter given that no
    operation here honours, and why (said before an operation's check of unknown parameters, which
    would only say it is not taken)."""
    if params.gives_any(_UNHONOURED_NAMES):
        for name in sorted(params.names() & _UNHONOURED_NAMES):
            params.not_supported(name, reason=_UNHONOURED[name])
