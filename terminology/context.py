"""The request context: what an operation needs to know about the request beyond its own parameters."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RequestContext", "parse_languages"]


@dataclass(frozen=True, slots=True)
class RequestContext:
    """``languages``: the display languages the client prefers, best first (``displayLanguage``
    or ``Accept-Language``); empty when it said nothing."""

    languages: tuple[str, ...] = ()


def parse_languages(header: str | None) -> tuple[str, ...]:
    """The language tags of an Accept-Language value (or a ``displayLanguage``), best first.

    ``*`` and tags with ``q=0`` are left out; malformed q-values count as 1.
    """
    if not header:
        return ()
    weighted = []
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        tag = tag.strip()
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 1.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag))
    return tuple(tag for _, _, tag in sorted(weighted))
