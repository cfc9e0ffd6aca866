"""Metrics in the Prometheus text format (``GET /metrics``): requests and their latency by operation and
status, requests refused as too costly, and the code system versions loaded.

The standalone server answers from several worker processes, any of which may be asked for
``/metrics``: each counts into files of its own (``prometheus_client``'s multi-process format, see
``metric_files``) in a folder the server makes before its workers fork (:func:`use_private_directory`),
and the one asked adds up every worker's files with ``prometheus_client``'s ``MultiProcessCollector``.
Without that folder (a host app, tests in one process) the metrics have a private folder of their own.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import weakref
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from .messages import HttpResponse
from .metric_files import ProcessFiles, histogram_keys, mmap_key

__all__ = ["MULTIPROCESS_DIR", "ServerMetrics", "use_private_directory"]

log = logging.getLogger(__name__)

#: The environment variable that names the folder of the workers' files (``prometheus_client``'s name).
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
#: Latency buckets, seconds: a ``$validate-code`` takes a fraction of a millisecond, an expansion of a
#: chapter tens of milliseconds, a whole CodeSystem seconds.
_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# One histogram by operation and status: its _count is the requests by operation and status, so that a
# request costs one histogram's writes, not a counter's as well.
_REQUESTS = ("terminology_request_duration_seconds", "Time to answer a request, by operation and HTTP status (_count: the requests)")
_TOO_COSTLY = ("terminology_too_costly", "Requests refused as too costly (an OperationOutcome issue of code too-costly), by operation")


def use_private_directory() -> str:
    """Makes a private folder for the workers' metric files and names it in the environment (which the
    workers inherit); it is removed when this process exits. Call it before the workers fork: a folder
    left by another run would add its counts to this one's, so an operator's ``PROMETHEUS_MULTIPROC_DIR``
    is not used."""
    folder = tempfile.mkdtemp(prefix="terminology-metrics-")
    os.environ[MULTIPROCESS_DIR] = folder
    owner = os.getpid()
    # (a forked worker leaves by os._exit, without running this; the check is for any other child)
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(folder, ignore_errors=True))
    log.debug("the workers' metrics are added up in %s", folder)
    return folder


class ServerMetrics:
    """The server's metrics, counted in the folder :data:`MULTIPROCESS_DIR` names, else in a private one
    (removed with this object). ``code_systems`` is ``(url, version, is the default version)`` of each loaded."""

    def __init__(self, code_systems: Iterable[tuple[str, str | None, bool]]) -> None:
        folder = os.environ.get(MULTIPROCESS_DIR)
        if not folder:
            folder = tempfile.mkdtemp(prefix="terminology-metrics-")
            weakref.finalize(self, shutil.rmtree, folder, True)
        self.folder = folder
        self._files = ProcessFiles(folder)
        self._content = _CodeSystems(code_systems)
        self._keys: dict[tuple[str, int], tuple[str, ...]] = {}

    def observe_all(self, requests: Iterable[tuple[str, int, float, bool]]) -> None:
        """Counts requests, each ``(operation, status, seconds, too costly)``: each value they touch is
        written once."""
        # (operation, status) -> [the sum of their times, how many in each bucket]
        histograms: dict[tuple[str, int], list[Any]] = {}
        refused: dict[str, int] = {}
        for operation, status, seconds, too_costly in requests:
            found = histograms.get((operation, status))
            if found is None:
                found = histograms[(operation, status)] = [0.0, {}]
            found[0] += seconds
            bucket = bisect_left(_BUCKETS, seconds)  # (a bucket holds the times up to its bound)
            found[1][bucket] = found[1].get(bucket, 0) + 1
            if too_costly:
                refused[operation] = refused.get(operation, 0) + 1
        for (operation, status), (total, buckets) in histograms.items():
            keys = self._keys.get((operation, status))
            if keys is None:
                keys = self._keys[(operation, status)] = histogram_keys(*_REQUESTS, {"operation": operation, "status": str(status)}, _BUCKETS)
            # keys: the sum's, then each bucket's
            self._files.add("histogram", ((keys[0], total), *((keys[1 + bucket], float(count)) for bucket, count in buckets.items())), keys)
        for operation, count in refused.items():
            self._files.add("counter", ((_counter_key(*_TOO_COSTLY, operation), float(count)),))

    def exposition(self, environ: dict[str, Any]) -> HttpResponse:
        """Every worker's counts added up, in the text format."""
        registry = CollectorRegistry(auto_describe=True)
        MultiProcessCollector(registry, self.folder)
        registry.register(self._content)
        return HttpResponse(200, CONTENT_TYPE_LATEST, generate_latest(registry))


def _counter_key(name: str, help_text: str, operation: str) -> str:
    return mmap_key(name, f"{name}_total", ["operation"], [operation], help_text)


class _CodeSystems:
    """``terminology_code_system_info``: 1 for each code system version loaded (the content does not change
    while the server runs, so it is not counted in files but told as it is)."""

    def __init__(self, code_systems: Iterable[tuple[str, str | None, bool]]) -> None:
        self._rows = tuple((url, version or "", "true" if default else "false") for url, version, default in code_systems)

    def collect(self) -> Iterator[Any]:
        family = GaugeMetricFamily(
            "terminology_code_system_info",
            "Code system versions loaded (default: whether a request naming no version gets this one)",
            labels=["system", "version", "default"],
        )
        for row in self._rows:
            family.add_metric(row, 1)
        yield family
