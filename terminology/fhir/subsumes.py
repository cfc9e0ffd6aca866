"""The wire form of ``CodeSystem/$subsumes``: its input parameters and its output Parameters."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidRequest
from ..model import Coding
from ..operations.subsumes import SubsumesRequest, SubsumesResult
from .ecosystem import VALIDATOR_PARAMETERS, refuse_unhonoured
from .outcome import operation_outcome
from .output import ParametersBuilder
from .parameters import OperationInput

__all__ = ["SUBSUMES_PARAMETERS", "read_subsumes_request", "subsumes_parameters"]

# ``date`` is this server's own (R4's $subsumes has none): as for $lookup, it chooses the release in effect then.
SUBSUMES_PARAMETERS = frozenset({"codeA", "codeB", "system", "version", "codingA", "codingB", "date"}) | VALIDATOR_PARAMETERS


def read_subsumes_request(params: OperationInput, system: str | None = None, version: str | None = None) -> SubsumesRequest:
    """``system``/``version``: those of the CodeSystem the instance-level operation was called on.

    Each side is ``codeX`` or ``codingX``; every system named (the ``system`` parameter, the
    codings', the instance's) must be the same one, and so must every version named.
    """
    refuse_unhonoured(params)
    params.reject_unknown(SUBSUMES_PARAMETERS, "$subsumes")
    a, b = _side(params, "A"), _side(params, "B")
    given_system, given_version = params.string("system"), params.string("version")
    named_systems = [("system", given_system), ("codingA.system", a.system), ("codingB.system", b.system)]
    url = _one(named_systems, "system")
    if system is not None:
        if url is not None and url != system:
            raise InvalidRequest(f"The system '{url}' is not the url of this CodeSystem ({system})", expression="system")
        url = system
    if url is None:
        raise InvalidRequest(
            "Give 'system' with 'codeA' and 'codeB' (or call $subsumes on a CodeSystem), or codings that have a system",
            expression="system",
        )
    named_versions = [("version", given_version), ("codingA.version", a.version), ("codingB.version", b.version)]
    return SubsumesRequest(url, a.code, b.code, _one(named_versions, "version") or version, params.day("date"))


def _side(params: OperationInput, side: str) -> Coding:
    """Side ``A`` or ``B``: from ``codeA`` or ``codingA``, never both; the code is checked to be there."""
    if params.exactly_one_of(f"code{side}", f"coding{side}") == f"code{side}":
        return Coding(code=params.string(f"code{side}"))
    coding = params.coding(f"coding{side}")
    if coding.code is None:
        raise InvalidRequest(f"The parameter 'coding{side}' has no code", expression=f"coding{side}.code")
    return coding


def _one(named: list[tuple[str, str | None]], what: str) -> str | None:
    """The one value the given ones agree on (None when none is given); 400 naming those that differ."""
    given = [(name, value) for name, value in named if value is not None]
    if len({value for _, value in given}) > 1:
        listed = ", ".join(f"{name} '{value}'" for name, value in given)
        raise InvalidRequest(
            f"$subsumes compares two codes of one code system, but the request names different {what}s: {listed}",
            expression=given[-1][0],
        )
    return given[0][1] if given else None


def subsumes_parameters(result: SubsumesResult) -> dict[str, Any]:
    out = ParametersBuilder().add("outcome", "code", result.outcome)
    if result.issues:
        out.add_resource("issues", operation_outcome(result.issues))
    return out.resource()
