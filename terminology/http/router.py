"""Which view answers a request: a table of paths below the FHIR base, each with the methods it takes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import NotFound, TerminologyError
from .messages import HttpRequest, HttpResponse

__all__ = ["MethodNotAllowed", "Router", "View"]

#: A view answers a request with a resource (FHIR JSON shape), or with a response of its own that is
#: no FHIR resource (the OpenAPI description); the second argument is the id in the path
#: (``/CodeSystem/{id}/$lookup``), None on a type-level path.
View = Callable[[HttpRequest, "str | None"], "dict[str, Any] | HttpResponse"]


class MethodNotAllowed(TerminologyError):
    issue_type = "not-supported"
    status = 405


class Router:
    """``routes`` maps a path to its view and methods; ``{id}`` in a path stands for one segment,
    a resource's id (never an operation's ``$name``)."""

    def __init__(self, routes: Mapping[str, tuple[View, tuple[str, ...]]]) -> None:
        self._routes = dict(routes)

    def resolve(self, method: str, path: str) -> tuple[View, str | None]:
        """The view for ``method`` on ``path`` and the id in the path, if any.

        :class:`NotFound` (404) when nothing is at the path; :class:`MethodNotAllowed` (405),
        naming the methods that are, when the path takes other methods.
        """
        view, id, methods = self._match(path)
        if method not in methods:
            raise MethodNotAllowed(f"{method} is not supported on {path or '/'}; use {' or '.join(methods)}")
        return view, id

    def methods(self) -> dict[str, tuple[str, ...]]:
        """Every path routed (``{id}`` standing for a resource's id) and the methods it takes."""
        return {path: methods for path, (_, methods) in self._routes.items()}

    def allowed_methods(self, path: str) -> tuple[str, ...]:
        """The methods ``path`` takes (what a 405 answer's ``Allow`` header lists); none for an unknown path."""
        try:
            return self._match(path)[2]
        except NotFound:
            return ()

    def _match(self, path: str) -> tuple[View, str | None, tuple[str, ...]]:
        path = path.rstrip("/") or "/"
        found = self._routes.get(path)
        if found is not None:
            return found[0], None, found[1]
        segments = path.split("/")  # ["", "CodeSystem", id, ...]
        if len(segments) in (3, 4) and segments[2] and not segments[2].startswith("$"):
            pattern = "/".join(["", segments[1], "{id}", *segments[3:]])
            found = self._routes.get(pattern)
            if found is not None:
                return found[0], segments[2], found[1]
        raise NotFound(f"There is nothing at '{path}' on this FHIR server", expression="path")
