"""The production server: Granian (WSGI) with several worker processes over one loaded copy of the content.

Granian serves a bare Flask endpoint about three times as fast as gunicorn on these machines
(see ``scripts/bench``). The content is loaded once in the parent process before the workers are
forked, and frozen out of the garbage collector's reach, so that the workers share its pages.

Faults: a worker that dies is replaced by a new fork of the parent, which holds the loaded app, so it
serves at once without reading the content again (granian would otherwise stop the whole server). On
SIGTERM or SIGINT each worker closes its listening socket, finishes the requests it has accepted and
exits; those still running after ``TERMINOLOGY_SHUTDOWN_SECONDS`` are killed.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .http.metrics import use_private_directory
from .http.request_log import configure_logging
from .http.wsgi import WsgiApp
from .providers.icd10cm import ICD10CM_URL
from .settings import InvalidSetting, Settings, setting_key
from .web.app import create_app
from .web.extension import EXTENSION_KEY

__all__ = ["THREADS_PER_WORKER", "serve"]

log = logging.getLogger(__name__)

#: Granian's blocking threads in each worker (see serve()).
THREADS_PER_WORKER = 4

_AT_ONCE = 0.001  # seconds: a shutdown that waits for no request
_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}

# The app the workers serve: built in the parent before they are forked (see serve()).
_app: WsgiApp | None = None
_config: dict[str, Any] = {}


def _load_app(*_args: Any) -> WsgiApp:
    """Granian's target loader, called in a new worker before it starts its threads; in a worker that was
    spawned rather than forked it builds the app."""
    global _app
    _take_stop_signals()
    if _app is None:
        _app = create_app(_config)
    return _app


def _take_stop_signals() -> None:
    """Makes one thread of this worker receive SIGTERM and SIGINT and hand them to the handler granian sets.

    Granian's worker waits for them in its main thread, which only a signal sent to that thread wakes: one
    that the kernel gives another thread is never acted on (in 3 of 4 tries under load, a worker kept
    accepting connections until it was killed). Blocked here, before granian starts its threads (which
    inherit the mask), they reach only the thread that waits for them."""
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    threading.Thread(target=_hand_over_stop_signals, name="stop-signals", daemon=True).start()


def _hand_over_stop_signals() -> None:
    while True:
        number = signal.sigwait(_STOP_SIGNALS)
        handler = signal.getsignal(number)
        if callable(handler):
            handler(number, None)
        elif handler != signal.SIG_IGN:  # (no handler set: the signal stops the process, as by default)
            os._exit(128 + number)


def _check_address(host: str, port: int) -> None:
    """OSError naming the address if nothing can listen there (in use, not this machine's), before the
    content is loaded: granian finds it only afterwards, and stops with a traceback."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.create_server((host, port), family=family):  # (closed at once: each worker opens its own)
            pass
    except OSError as error:
        raise OSError(f"cannot listen on {host}:{port}: {os.strerror(error.errno) if error.errno else error}") from error


def _caches_shared_by_workers(config: dict[str, Any], workers: int) -> dict[str, Any]:
    """``config`` with the validator's caches in files where several workers serve and the operator chose
    no store: a cache id that one worker issued must be known to the others, which the process store
    (each worker's own memory) cannot do. :class:`InvalidSetting` where the operator chose that store."""
    key = setting_key("cache_store")
    chosen = config.get(key) or os.environ.get(key)
    if workers == 1:
        return config
    if chosen is None:
        return {**config, key: "files"}
    if str(chosen).strip().lower() == "process":
        raise InvalidSetting(
            f"{key} is process, which keeps each worker's validator caches apart: with {workers} workers, use files or redis"
        )
    return config


def _read_built_files(app: Any) -> None:
    """What the newest ICD-10-CM release keeps in built files (its text index), read in the parent: the
    workers share its pages (read in each worker, it would be a copy in each)."""
    provider = app.extensions[EXTENSION_KEY].registry.code_system(ICD10CM_URL)
    if provider is not None:
        provider.read_built_files()


def serve(
    host: str = "127.0.0.1",
    port: int = 8080,
    workers: int | None = None,
    icd10cm_files: Sequence[str | Path] = (),
    config: Mapping[str, Any] | None = None,
) -> None:
    """Loads the content, then serves it until SIGTERM or SIGINT, replacing a worker that dies.
    :class:`~terminology.settings.InvalidSetting` or a loader's error if the content cannot be loaded:
    then no port is opened."""
    from granian.constants import Interfaces
    from granian.server import Server

    global _app, _config
    _config = dict(config or {})
    if icd10cm_files:
        _config["TERMINOLOGY_ICD10CM_FILES"] = [str(path) for path in icd10cm_files]
    workers = workers or os.cpu_count() or 1
    _config = _caches_shared_by_workers(_config, workers)
    settings = Settings.read(_config)
    _check_address(host, port)
    configure_logging(settings.log_level)
    use_private_directory()  # (the workers' metric files: before the app counts anything, and before the fork)
    _app = create_app(_config)
    _read_built_files(_app)
    gc.collect()
    gc.freeze()  # keeps the collector from touching (and so copying) the shared content in each worker
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
        respawn_failed_workers=True,
        # granian waits for ever where this is 0
        workers_kill_timeout=max(settings.shutdown_seconds, _AT_ONCE),  # type: ignore[arg-type]
    ).serve(target_loader=_load_app)
