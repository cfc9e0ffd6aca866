"""Fixtures of the cluster tests: replicas of the real server behind HAProxy, with Redis (scripts/cluster.py).

``cluster_of(replicas, environ)`` starts a cluster over the session's compiled content, as a context manager
(for a test that breaks its cluster: kills a replica, stops Redis); ``cluster`` is one of 3 replicas shared
by a test module that leaves it whole.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parent.parent.parent / "scripts" / "cluster.py"
WORKERS = 2  # of each replica: a few replicas of 2 workers share the 2 cores of a CI machine


@pytest.fixture(scope="session")
def cluster_script():
    """scripts/cluster.py as a module (the tests that use it are skipped where HAProxy or Redis is not installed)."""
    for program in ("haproxy", "redis-server"):
        if shutil.which(program) is None:
            pytest.skip(f"{program} is not installed (scripts/system-packages haproxy redis-server)")
    sys.path.insert(0, str(SCRIPT.parent))  # a module before this folder of tests, which has the same name
    try:
        return importlib.import_module(SCRIPT.stem)
    finally:
        sys.path.remove(str(SCRIPT.parent))


@pytest.fixture(scope="session")
def cluster_of(cluster_script, registry, release_cache, tmp_path_factory) -> Callable[..., AbstractContextManager[Any]]:
    """``cluster_of(replicas=3, environ=None)``: a context manager that runs a cluster of ``replicas`` of the
    server (2 workers each, ``environ``'s settings added) over the session's compiled content, its logs in a
    folder of the test session."""

    def start(replicas: int = 3, environ: dict[str, str] | None = None) -> AbstractContextManager[Any]:
        return cluster_script.running_cluster(
            replicas, WORKERS, environ={"TERMINOLOGY_CACHE_DIR": str(release_cache), **(environ or {})},
            folder=tmp_path_factory.mktemp("cluster"),
        )  # fmt: skip

    return start


@pytest.fixture(scope="module")
def cluster(cluster_of):
    """3 replicas behind the balancer, shared by the tests of a module: a test must leave it as it found it."""
    with cluster_of(3) as running:
        yield running
