"""Replicas of the real server behind HAProxy, with Redis, for a test (``running_cluster`` of scripts/cluster.py).

    with clustered(release_cache, tmp_path, replicas=3) as cluster:
        requests.get(f"{cluster.base}/metadata")      # through the balancer; X-Served-By names the replica
        cluster.replicas[1].kill()                    # SIGKILL of its process group
        cluster.servers()["replica2"]["status"]       # HAProxy's view of it
        cluster.stop_redis(); cluster.start_redis()   # Redis stopped, and back (empty)

A test that uses it is skipped where HAProxy or Redis is not installed (``scripts/system-packages haproxy redis-server``).
"""

from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
WORKERS = 2  # of each replica: a few replicas of 2 workers share the 2 cores of a CI machine


def cluster_script() -> ModuleType:
    """scripts/cluster.py as a module; skips the test where HAProxy or Redis is not installed."""
    for program in ("haproxy", "redis-server"):
        if shutil.which(program) is None:
            pytest.skip(f"{program} is not installed (scripts/system-packages haproxy redis-server)")
    sys.path.insert(0, str(SCRIPTS))  # before tests/, whose folder of cluster tests has the module's name
    try:
        return importlib.import_module("cluster")
    finally:
        sys.path.remove(str(SCRIPTS))


@contextmanager
def clustered(cache_dir: Path, folder: Path, replicas: int = 3, environ: dict[str, str] | None = None) -> Iterator[Any]:
    """``replicas`` servers of 2 workers over the content compiled in ``cache_dir`` (and ``environ``'s settings),
    Redis and HAProxy, every one ready, their logs in ``folder``, until the block ends: yields the ``Cluster``."""
    environ = {"TERMINOLOGY_CACHE_DIR": str(cache_dir), **(environ or {})}
    with cluster_script().running_cluster(replicas, WORKERS, environ=environ, folder=folder) as cluster:
        yield cluster
