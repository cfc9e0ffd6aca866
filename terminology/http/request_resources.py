"""The resources a request brings (``tx-resource``), layered over the server's own for that request.

The HL7 validator sends the same code systems and value sets with many requests; a registry made
from the same resources is kept (by a hash of their JSON), so they are not read again.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import orjson

from ..fhir.definitions import read_resource
from ..registry import Registry

__all__ = ["RequestResources"]


class RequestResources:
    """Registries over ``base`` for sets of request resources, the ``size`` most recent kept."""

    def __init__(self, base: Registry, size: int = 64) -> None:
        self.base = base
        self.size = size
        self._cache: OrderedDict[bytes, Registry] = OrderedDict()
        self._lock = threading.Lock()

    def registry_for(self, resources: list[Mapping[str, Any]]) -> Registry:
        """The server's registry with ``resources`` (a request's tx-resources, as JSON) layered over it;
        the same resources give the same registry, read once."""
        if not resources:
            return self.base
        digest = hashlib.sha256()
        for resource in resources:
            digest.update(orjson.dumps(resource, option=orjson.OPT_SORT_KEYS))
        key = digest.digest()
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        layered = Registry(parent=self.base)
        for resource in resources:
            definition = read_resource(resource, "tx-resource")
            if definition is not None:
                layered.add(definition)
        with self._lock:
            self._cache[key] = layered
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return layered
