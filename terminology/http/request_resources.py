"""The resources a request brings (``tx-resource``), layered over the server's own for that request.

The HL7 validator sends the same code systems and value sets with many requests; a registry made
from the same resources is kept (by a hash of their JSON), so they are not read again. How many a
request may bring, and how many concepts they may list, are bounded by the settings: their number
before anything is done with them, their concepts before they are read.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import orjson

from ..errors import TooCostly
from ..fhir.brought_resources import check_brought_resources
from ..fhir.definitions import read_resource
from ..registry import Registry
from ..settings import Settings
from .client_caches import CachedResources

__all__ = ["RequestResources"]


class RequestResources:
    """Registries over ``base`` for sets of request resources, the ``size`` most recent kept, within
    the bounds ``settings`` set."""

    def __init__(self, base: Registry, settings: Settings = Settings(), size: int = 64) -> None:
        self.base = base
        self.size = size
        self.max_resources = settings.bound("max_tx_resources")
        self.max_concepts = settings.bound("max_resource_concepts")
        self.max_regex_length = settings.bound("max_regex_length")
        self._cache: OrderedDict[bytes, Registry] = OrderedDict()
        self._lock = threading.Lock()

    def registry_for(self, resources: list[Mapping[str, Any]], cached: CachedResources | None = None) -> Registry:
        """The server's registry with ``resources`` (a request's tx-resources, as JSON) layered over it, and
        after them a cache's (a later one of the same url and version wins, as when they are all sent);
        the same resources give the same registry, read once. :class:`TooCostly` (422) beyond the bounds
        (a cache's were checked when it took them)."""
        if not resources and cached is None:
            return self.base
        self._check_count(resources)
        digest = hashlib.sha256()
        for resource in resources:
            digest.update(orjson.dumps(resource, option=orjson.OPT_SORT_KEYS))
        if cached is not None:
            digest.update(b"cached:" + cached.digest)
        key = digest.digest()
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        check_brought_resources(resources, self.max_concepts, self.max_regex_length)  # (their count is checked above)
        layered = Registry(parent=self.base)
        for resource in resources if cached is None else [*resources, *cached.resources()]:
            definition = read_resource(resource, "tx-resource")
            if definition is not None:
                layered.add(definition)
        with self._lock:
            self._cache[key] = layered
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return layered

    def check(self, resources: list[Mapping[str, Any]]) -> None:
        """:class:`TooCostly` (422) if there are more ``resources`` than the settings allow, or they list more
        concepts, or longer regex filters (see :func:`check_brought_resources`)."""
        self._check_count(resources)
        check_brought_resources(resources, self.max_concepts, self.max_regex_length)

    def _check_count(self, resources: list[Mapping[str, Any]]) -> None:
        if len(resources) > self.max_resources.value:
            raise TooCostly(f"The request brings {len(resources):,} tx-resources; this server takes at most {self.max_resources}")
