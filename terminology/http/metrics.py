"""Metrics in the Prometheus text format (``GET /metrics``): requests and their latency by operation and
status, requests refused as too costly, and the code system versions loaded.

The standalone server answers from several worker processes, any of which may be asked for
``/metrics``: each counts in ``prometheus_client``'s multi-process mode, into files of its own in a
folder the server makes before its workers fork (:func:`use_private_directory`), and the one asked
adds up every worker's files. Without that folder (a host app, tests in one process) the counts are
the process's own.

Counting costs about 2 µs a request (two writes into memory-mapped files, each under
``prometheus_client``'s lock: the sum and one bucket of a histogram); the child of each label set is
looked up once and kept.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from .messages import HttpResponse

__all__ = ["MULTIPROCESS_DIR", "ServerMetrics", "use_private_directory"]

log = logging.getLogger(__name__)

#: The environment variable by which ``prometheus_client`` finds the folder of the workers' files.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
#: Latency buckets, seconds: a ``$validate-code`` takes a fraction of a millisecond, an expansion of a
#: chapter tens of milliseconds, a whole CodeSystem seconds.
_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def use_private_directory() -> str:
    """Makes a private folder for the workers' metric files and names it in the environment (which the
    workers inherit); it is removed when this process exits. Call it before ``prometheus_client`` is
    first imported and before the workers fork: a folder left by another run would add its counts to
    this one's, so an operator's ``PROMETHEUS_MULTIPROC_DIR`` is not used."""
    folder = tempfile.mkdtemp(prefix="terminology-metrics-")
    os.environ[MULTIPROCESS_DIR] = folder
    owner = os.getpid()
    # (a forked worker leaves by os._exit, without running this; the check is for any other child)
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(folder, ignore_errors=True))
    log.info("the workers' metrics are added up in %s", folder)
    return folder


class ServerMetrics:
    """The server's metrics, in this process's files when :data:`MULTIPROCESS_DIR` names a folder, else
    in memory. ``code_systems`` is ``(url, version, is the default version)`` of each loaded."""

    def __init__(self, code_systems: Iterable[tuple[str, str | None, bool]]) -> None:
        # (imported here: prometheus_client chooses its kind of values once, when first imported, by
        # the environment use_private_directory() sets)
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.folder = os.environ.get(MULTIPROCESS_DIR)
        self._own = None if self.folder else CollectorRegistry(auto_describe=True)
        self._content = _CodeSystems(code_systems)
        # One histogram by operation and status: its _count is the requests by operation and status, so
        # that a request costs one histogram's writes, not a counter's as well.
        self.requests = Histogram(
            "terminology_request_duration_seconds", "Time to answer a request, by operation and HTTP status (_count: the requests)",
            ["operation", "status"], buckets=_BUCKETS, registry=self._own,
        )  # fmt: skip
        self.too_costly = Counter(
            "terminology_too_costly", "Requests refused as too costly (an OperationOutcome issue of code too-costly), by operation",
            ["operation"], registry=self._own,
        )  # fmt: skip
        if self._own is not None:
            self._own.register(self._content)
        self._children: dict[tuple[str, int], Any] = {}

    def observe(self, operation: str, status: int, seconds: float, too_costly: bool) -> None:
        """Counts one request."""
        child = self._children.get((operation, status))
        if child is None:
            child = self._children.setdefault((operation, status), self.requests.labels(operation, str(status)))
        child.observe(seconds)
        if too_costly:
            self.too_costly.labels(operation).inc()

    def exposition(self, environ: dict[str, Any]) -> HttpResponse:
        """Every worker's counts added up (or this process's), in the text format."""
        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
        from prometheus_client.multiprocess import MultiProcessCollector

        registry = self._own
        if registry is None:
            registry = CollectorRegistry(auto_describe=True)
            MultiProcessCollector(registry, self.folder)
            registry.register(self._content)
        return HttpResponse(200, CONTENT_TYPE_LATEST, generate_latest(registry))


class _CodeSystems:
    """``terminology_code_system_info``: 1 for each code system version loaded (the content does not change
    while the server runs, so it is not counted in files but told as it is)."""

    def __init__(self, code_systems: Iterable[tuple[str, str | None, bool]]) -> None:
        self._rows = tuple((url, version or "", "true" if default else "false") for url, version, default in code_systems)

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily(
            "terminology_code_system_info",
            "Code system versions loaded (default: whether a request naming no version gets this one)",
            labels=["system", "version", "default"],
        )
        for row in self._rows:
            family.add_metric(row, 1)
        yield family
