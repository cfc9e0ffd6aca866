"""The production server: Granian (WSGI) with several worker processes over one loaded copy of the content.

Granian serves a bare Flask endpoint about three times as fast as gunicorn on these machines
(see ``scripts/bench``). The content is loaded once in the parent process before the workers are
forked, and frozen out of the garbage collector's reach, so that the workers share its pages.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .http.metrics import use_private_directory
from .http.request_log import configure_logging
from .http.wsgi import WsgiApp
from .settings import Settings
from .web.app import create_app

__all__ = ["THREADS_PER_WORKER", "serve"]

log = logging.getLogger(__name__)

#: Granian's blocking threads in each worker (see serve()).
THREADS_PER_WORKER = 4

# The app the workers serve: built in the parent before they are forked (see serve()).
_app: WsgiApp | None = None
_config: dict[str, Any] = {}


def _load_app(*_args: Any) -> WsgiApp:
    """Granian's target loader; in a worker that was spawned rather than forked it builds the app."""
    global _app
    if _app is None:
        _app = create_app(_config)
    return _app


def serve(
    host: str = "127.0.0.1",
    port: int = 8080,
    workers: int | None = None,
    icd10cm_files: Sequence[str | Path] = (),
    config: Mapping[str, Any] | None = None,
) -> None:
    """Loads the content, then serves it until interrupted."""
    from granian.constants import Interfaces
    from granian.server import Server

    global _app, _config
    _config = dict(config or {})
    if icd10cm_files:
        _config["TERMINOLOGY_ICD10CM_FILES"] = [str(path) for path in icd10cm_files]
    configure_logging(Settings.read(_config).log_level)
    use_private_directory()  # (the workers' metric files: before the app counts anything, and before the fork)
    _app = create_app(_config)
    gc.collect()
    gc.freeze()  # keeps the collector from touching (and so copying) the shared content in each worker
    workers = workers or os.cpu_count() or 1
    log.info("serving on http://%s:%s/fhir with %d workers", host, port, workers)
    Server(
        "terminology.server:_app",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        # Python runs one thread at a time: a few threads per worker let a slow request (a whole
        # CodeSystem) not hold up quick ones, where hundreds would only contend for the lock.
        blocking_threads=THREADS_PER_WORKER,
        log_access=False,
    ).serve(target_loader=_load_app)
