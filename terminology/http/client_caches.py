"""Validator caches: the resources a client sent once under a cache id, seen by its later requests.

The HL7 validator sends the code systems and value sets of a validation context once, then only their
cache id: as the ``cache-id`` parameter beside its ``tx-resource``s (an id the client chooses; the
resources it brings are added to those already sent), or as the ``X-Cache-Id`` header of an id that
``$cache-control?mode=start`` issued (unguessable; ``mode=end`` drops it). Where the resources live is
a :class:`CacheStore`: this process (one worker), files in a directory (the workers of one server), or
Redis (replicas on several machines). A store keeps bytes only: each process reads them into a registry
of its own (see :class:`~terminology.http.request_resources.RequestResources`), once per content.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson

from ..errors import InvalidRequest, NotFound, TerminologyError, TooCostly
from ..settings import Bound, Settings

__all__ = [
    "CacheStore",
    "CacheUnavailable",
    "CachedResources",
    "ClientCaches",
    "FileStore",
    "ProcessStore",
    "RedisStore",
    "UnknownCache",
    "cache_store",
    "without_password",
]

_DIGEST = 32  # bytes of the sha256 that leads a stored value: a process knows its registry without reading the rest
_LONGEST_ID = 128


class UnknownCache(NotFound):
    """A cache id this server does not hold (never issued, ended, or idle past its expiry)."""


class CacheUnavailable(TerminologyError):
    """The store of the caches cannot be reached; requests without a cache id are not affected."""

    issue_type = "transient"
    status = 503


class CacheStore(Protocol):
    """Stored values by cache id, each dropped when it has not been read or written for a while."""

    def read(self, cache_id: str) -> bytes | None:
        """The value stored under ``cache_id`` (its idle time starts again), or None."""

    def write(self, cache_id: str, value: bytes) -> None:
        """Stores ``value`` under ``cache_id``, in place of any before."""

    def delete(self, cache_id: str) -> bool:
        """Drops ``cache_id``'s value; whether there was one."""


class ProcessStore:
    """In this process's memory: for a server of one worker, or an app that mounts the plugin."""

    def __init__(self, idle_seconds: float) -> None:
        self.idle_seconds = idle_seconds
        self._values: dict[str, tuple[bytes, float]] = {}
        self._lock = threading.Lock()

    def read(self, cache_id: str) -> bytes | None:
        now = time.monotonic()
        with self._lock:
            found = self._values.get(cache_id)
            if found is None or now - found[1] > self.idle_seconds:
                return None
            self._values[cache_id] = (found[0], now)
            return found[0]

    def write(self, cache_id: str, value: bytes) -> None:
        now = time.monotonic()
        with self._lock:
            # (the expired go when one is written: memory grows only with caches in use)
            for expired in [key for key, (_, used) in self._values.items() if now - used > self.idle_seconds]:
                del self._values[expired]
            self._values[cache_id] = (value, now)

    def delete(self, cache_id: str) -> bool:
        with self._lock:
            return self._values.pop(cache_id, None) is not None


class FileStore:
    """One file per cache in ``folder``: the workers of one server share them. A file's modification
    time is when it was last used; a file is written whole and renamed into place."""

    def __init__(self, folder: Path, idle_seconds: float) -> None:
        self.folder = folder
        self.idle_seconds = idle_seconds

    def read(self, cache_id: str) -> bytes | None:
        path = self._path(cache_id)
        try:
            if time.time() - path.stat().st_mtime > self.idle_seconds:
                path.unlink(missing_ok=True)
                return None
            value = path.read_bytes()
            os.utime(path)
        except FileNotFoundError:
            return None
        return value

    def write(self, cache_id: str, value: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._drop_expired()
        path = self._path(cache_id)
        partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.partial")
        partial.write_bytes(value)
        os.replace(partial, path)

    def delete(self, cache_id: str) -> bool:
        try:
            self._path(cache_id).unlink()
        except FileNotFoundError:
            return False
        return True

    def _path(self, cache_id: str) -> Path:
        # (named by a hash: an id a client chose never becomes a path)
        return self.folder / (hashlib.sha256(cache_id.encode()).hexdigest() + ".cache")

    def _drop_expired(self) -> None:
        deadline = time.time() - self.idle_seconds
        for path in self.folder.glob("*.cache"):
            try:
                if path.stat().st_mtime < deadline:
                    path.unlink()
            except FileNotFoundError:  # (another worker dropped it first)
                pass


class RedisStore:
    """In Redis at ``url``: every replica of a cluster sees every cache. Each key expires after the idle
    time, which a read starts again (GETEX). Redis unreachable: :class:`CacheUnavailable` (503)."""

    def __init__(self, url: str, idle_seconds: float) -> None:
        import redis  # (only a server configured to use Redis needs the library loaded)

        self._errors = redis.RedisError
        # Short timeouts: a Redis that is down costs a cache-id request a second, not a worker's minute.
        self._redis = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self.idle_ms = max(1, int(idle_seconds * 1000))
        self.where = without_password(url)

    def read(self, cache_id: str) -> bytes | None:
        return self._call(lambda: self._redis.getex(self._key(cache_id), px=self.idle_ms))

    def write(self, cache_id: str, value: bytes) -> None:
        self._call(lambda: self._redis.set(self._key(cache_id), value, px=self.idle_ms))

    def delete(self, cache_id: str) -> bool:
        return bool(self._call(lambda: self._redis.delete(self._key(cache_id))))

    def _call(self, command: Any) -> Any:
        try:
            return command()
        except self._errors as error:
            raise CacheUnavailable(
                f"The cache store (Redis at {self.where}) cannot be reached ({error}); requests that name no cache id "
                "still work: send the resources with the request as 'tx-resource', or try the cache id again later"
            ) from None

    @staticmethod
    def _key(cache_id: str) -> str:
        return "terminology:cache:" + cache_id


def without_password(url: str) -> str:
    """A Redis url as it can be shown: ``redis://:secret@host:6379/0`` -> ``redis://host:6379/0``."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


def cache_store(settings: Settings, cache_dir: Path) -> CacheStore:
    """The store ``settings.cache_store`` names; ``cache_dir``: the folder of the server's compiled content,
    under which the ``files`` store keeps its files."""
    idle = settings.client_cache_idle_seconds
    if settings.cache_store == "files":
        return FileStore(cache_dir / "client-caches", idle)
    if settings.cache_store == "redis":
        return RedisStore(settings.redis_url, idle)
    return ProcessStore(idle)


@dataclass(frozen=True, slots=True)
class CachedResources:
    """A cache's resources as stored: ``digest`` names their content (equal resources, equal digest)."""

    digest: bytes
    json: bytes

    def resources(self) -> list[dict[str, Any]]:
        return orjson.loads(self.json)


class ClientCaches:
    """The caches of the clients, in ``store``, each within the size ``settings`` bound."""

    def __init__(self, store: CacheStore, settings: Settings = Settings()) -> None:
        self.store = store
        self.max_bytes = settings.bound("client_cache_max_bytes")

    def start(self, resources: list[Mapping[str, Any]]) -> str:
        """A new, unguessable cache id holding ``resources``."""
        cache_id = secrets.token_urlsafe(24)
        self.store.write(cache_id, self._value(list(resources)))
        return cache_id

    def end(self, cache_id: str) -> None:
        """Drops the cache; :class:`UnknownCache` (404) if there is none of that id."""
        if not self.store.delete(_checked(cache_id)):
            raise _unknown(cache_id)

    def issued(self, cache_id: str) -> CachedResources:
        """The resources of a cache ``$cache-control`` started; :class:`UnknownCache` (404) if there is none."""
        found = self.store.read(_checked(cache_id))
        if found is None:
            raise _unknown(cache_id)
        return CachedResources(found[:_DIGEST], found[_DIGEST:])

    def named(self, cache_id: str, brought: list[Mapping[str, Any]]) -> CachedResources | None:
        """The resources sent under the ``cache-id`` a client chose, ``brought`` (this request's) after
        those sent before (a later value set of the same url and version is the one seen); None: none yet."""
        found = self.store.read(_checked(cache_id))
        kept = [] if found is None else orjson.loads(found[_DIGEST:])
        added = [resource for resource in brought if resource not in kept]  # (one sent again is kept once)
        if added:
            found = self._value(kept + added)
            self.store.write(cache_id, found)
        return None if found is None else CachedResources(found[:_DIGEST], found[_DIGEST:])

    def _value(self, resources: list[Mapping[str, Any]]) -> bytes:
        content = orjson.dumps(resources)
        if len(content) > self.max_bytes.value:
            raise TooCostly(f"A cache would hold {len(content):,} bytes of resources; this server keeps at most {self.max_bytes}")
        return hashlib.sha256(content).digest() + content


def _checked(cache_id: str) -> str:
    if not cache_id or len(cache_id) > _LONGEST_ID or not cache_id.isprintable():
        raise InvalidRequest(f"A cache id is 1 to {_LONGEST_ID} printable characters, not {cache_id[:_LONGEST_ID]!r}", expression="cache-id")
    return cache_id


def _unknown(cache_id: str) -> UnknownCache:
    return UnknownCache(
        f"There is no cache '{cache_id}' here (it was ended, or unused for too long): start a new one with "
        "$cache-control?mode=start and the resources, or send them with the request as 'tx-resource'",
        expression="X-Cache-Id",
    )
