"""The links of a page: relative to the FHIR base of the request that asked for it.

A page at ``[base]/CodeSystem/$lookup`` links to ``../CodeSystem/$lookup?...``: relative links work
wherever the base is (a plugin's url prefix, a proxy's path) without the page knowing its own host.
When the page was asked for with ``_format=html``, its links ask for HTML the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import quote, urlencode

__all__ = ["PageLinks"]


class PageLinks:
    """Links from the page answering a request for ``path`` (below the FHIR base ``base_url``, with
    ``query``)."""

    def __init__(self, base_url: str, path: str, query: Sequence[tuple[str, str]], method: str = "GET") -> None:
        self.base_url = base_url.rstrip("/")
        self.query = list(query)
        self.method = method
        self.html_format = [(name, value) for name, value in self.query if name == "_format"][:1]
        depth = path.count("/")
        if depth == 0:  # the base itself, without its slash: the links name its last segment
            self.to_base = "./" + self.base_url.rsplit("/", 1)[-1] + "/"
        else:
            self.to_base = "../" * (depth - 1) or "./"

    def arg(self, name: str) -> str | None:
        """The first value of a query parameter of the request."""
        return next((value for key, value in self.query if key == name), None)

    def path(self, path: str, query: Iterable[tuple[str, str | None]] = ()) -> str:
        """The link to ``path`` below the base (``CodeSystem/$lookup``) with ``query`` (a None value left out)."""
        pairs = [(name, value) for name, value in query if value is not None] + self.html_format
        return self.to_base + path + ("?" + urlencode(pairs, quote_via=quote, safe=":/|") if pairs else "")

    def bare_path(self, path: str) -> str:
        """The link to ``path`` below the base, without a query (a form's action: the form sends its own)."""
        return self.to_base + path

    def lookup(self, system: str, code: str, version: str | None = None) -> str:
        return self.path("CodeSystem/$lookup", [("system", system), ("code", code), ("version", version)])

    def validate_code(self, system: str, code: str, version: str | None = None) -> str:
        return self.path("CodeSystem/$validate-code", [("url", system), ("code", code), ("version", version)])

    def expand(self, url: str, version: str | None = None, system_version: str | None = None, count: int = 100) -> str:
        """The first ``count`` codes of the value set ``url`` (of ``version``), those of a code system taken
        from its release ``system_version`` (``url|version``) when given."""
        query = [("url", url), ("valueSetVersion", version), ("system-version", system_version), ("count", str(count))]
        return self.path("ValueSet/$expand", query)

    def read(self, resource_type: str, id: str) -> str:
        return self.path(f"{resource_type}/{quote(id, safe='')}")

    def requery(self, changes: dict[str, str]) -> str | None:
        """This page's own request with the query parameters in ``changes`` set (paging); None for a POST,
        whose parameters are not in its URL."""
        if self.method != "GET":
            return None
        pairs = [(name, value) for name, value in self.query if name not in changes] + list(changes.items())
        return "?" + urlencode(pairs, quote_via=quote, safe=":/|")

    def of_url(self, url: str) -> str | None:
        """A link for an absolute URL of this server's (a Bundle's ``fullUrl`` or paging link); None for
        another server's."""
        if not url.startswith(self.base_url + "/"):
            return None
        return self.to_base + url[len(self.base_url) + 1:]
