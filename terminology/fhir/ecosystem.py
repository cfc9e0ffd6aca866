"""The parameters the HL7 validator and the terminology ecosystem's clients send beside an operation's
own: those every operation takes, and those no operation here honours, refused by name with why."""

from __future__ import annotations

from .parameters import OperationInput

__all__ = ["VALIDATOR_PARAMETERS", "refuse_unhonoured"]

_WHOLE = "an expansion here is whole (or paged with 'count' and 'offset'), or refused as too costly"
_BY_CONTEXT = "value sets are named by 'url' or given as 'valueSet', not found by context"
# Why each is not honoured: a client that relies on one is told, not answered as if it had been applied.
_WHY = {
    # The ecosystem's, which every operation refuses:
    "diagnostics": "this server writes no diagnostics into its answers",
    "profile-url": "this server validates codes against their code systems and value sets, not against profiles",
    "_limit": _WHOLE,
    "_incomplete": _WHOLE,
    "incomplete-ok": _WHOLE,
    "__Accept-Language": "send the language in the Accept-Language header, or as 'displayLanguage'",
    # R4's, which the operations that define them refuse:
    "context": _BY_CONTEXT,
    "contextDirection": _BY_CONTEXT,
    "default-to-latest-version": "where nothing names a version, the code system's default version is used; name one with 'system-version'",
    "exclude-system": "an expansion takes the code systems its value set names; exclude one in its compose",
    "limitedExpansion": "an expansion here is whole, or paged with 'count' and 'offset'",
}
_ECOSYSTEM = frozenset({"diagnostics", "profile-url", "_limit", "_incomplete", "incomplete-ok", "__Accept-Language"})
#: Taken by every operation: ``tx-resource`` (resources the request brings), ``cache-id`` (the cache that
#: keeps them for the client's next requests) and ``uuid``, which only names the set of parameters a
#: client sends (the answer does not depend on it).
VALIDATOR_PARAMETERS = frozenset({"tx-resource", "cache-id", "uuid"})


def refuse_unhonoured(params: OperationInput, *defined: str) -> None:
    """:class:`~terminology.errors.NotSupported` naming the first parameter given that this server does
    not honour, and why: the ecosystem's, and those of ``defined`` (R4's parameters of the operation).
    Said before an operation's check of unknown parameters, which would only say it is not taken."""
    if params.gives_any(_ECOSYSTEM) or any(name in params for name in defined):  # (the usual request: none)
        for name in sorted(params.names() & _ECOSYSTEM.union(defined)):
            params.not_supported(name, reason=_WHY[name])
