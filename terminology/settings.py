"""The server's settings: each a ``TERMINOLOGY_*`` key of the Flask config, else an environment variable of
the same name, else its default; read and checked once, where the app is made, into a frozen object.

A container or a unit file configures the standalone server by its environment alone; a Flask app that
mounts the plugin sets the keys in its config (which win over the environment).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

__all__ = ["Bound", "CacheStoreName", "InvalidSetting", "LogLevel", "Origins", "Settings", "setting_key"]

_MIB = 1024 * 1024
# Deeper JSON cannot be written back (orjson stops at 254 levels): a request's resources are.
_DEEPEST = 200

#: Origins (``https://app.example.org:8443``): separated by commas or spaces in the environment, since
#: an origin holds the ``:`` that separates the other lists.
Origins = tuple[str, ...]
#: Where the validator's caches live: ``process``, ``files`` (the workers of one server), ``redis`` (replicas).
CacheStoreName = str
_CACHE_STORES = ("process", "files", "redis")
#: A level of Python's logging, by name.
LogLevel = str
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class InvalidSetting(ValueError):
    """A setting whose value cannot be read: the message names the setting and what it takes."""


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting, typed. A field ``name`` is set by ``TERMINOLOGY_NAME``; its ``doc`` is the README's line.

    Environment values: numbers as written, booleans ``true``/``false`` (``1``/``0``, ``yes``/``no``),
    lists separated by the path separator (``:``) but origins by commas, paths as written.
    """

    url_prefix: str = field(default="/fhir", metadata=_doc("the FHIR base"))
    browser_path: str = field(default="", metadata=_doc(
        "where the code browser is served (default: / in the standalone server, nowhere in a host app); off: nowhere"
    ))
    icd10cm_files: tuple[str, ...] = field(default=(), metadata=_doc("ICD-10-CM tabular XML files to serve instead of the embedded releases"))
    resource_paths: tuple[str, ...] = field(default=(), metadata=_doc("FHIR CodeSystem, ValueSet and ConceptMap files, folders and packages to serve"))
    default_supplements: tuple[str, ...] = field(default=(), metadata=_doc("canonicals of supplements applied without useSupplement"))
    cache_dir: Path | None = field(default=None, metadata=_doc("where compiled content is kept (default ~/.cache/terminology)"))
    data_dir: Path | None = field(default=None, metadata=_doc("the data folder of imported releases (default ~/.local/share/terminology)"))
    max_body_bytes: int = field(default=16 * _MIB, metadata=_doc("the largest request body: 413 above it, before it is read"))
    max_nesting_depth: int = field(default=100, metadata=_doc("the deepest nesting of a JSON or XML body (objects and arrays; at most 200): 400 deeper"))
    max_parameters: int = field(default=10_000, metadata=_doc("the most parameters of one request (query pairs, Parameters.parameter entries and their parts): 422 above"))
    max_batch_entries: int = field(default=1000, metadata=_doc("the most entries of a batch Bundle, validations of a $batch-validate-code: 413 above"))
    max_tx_resources: int = field(default=200, metadata=_doc("the most tx-resource resources of one request: 422 above"))
    max_resource_concepts: int = field(default=100_000, metadata=_doc("the most concepts in the resources a request brings (tx-resource, valueSet), read before they are: 422 above"))
    max_expansion_codes: int = field(default=10_000, metadata=_doc("the most codes one $expand answers; a larger expansion is paged (count, offset), else too-costly (422)"))
    max_selected_codes: int = field(default=100_000, metadata=_doc("the most codes an expansion may select, paged or not: too-costly (422) above"))
    max_expansion_seconds: float = field(default=10.0, metadata=_doc("the longest an expansion may run: too-costly (422) after"))
    max_regex_length: int = field(default=1000, metadata=_doc("the longest pattern of a regex filter in a value set a request brings: 422 above"))
    cache_store: CacheStoreName = field(default="process", metadata=_doc(
        "where the validator's caches (cache-id, $cache-control) live: process (one worker), files (the workers of one server), redis (replicas)"
    ))
    redis_url: str = field(default="redis://127.0.0.1:6379/0", repr=False, metadata=_doc("the Redis of the redis cache store"))
    client_cache_max_bytes: int = field(default=16 * _MIB, metadata=_doc("the most bytes of resources one validator cache holds: 422 above"))
    client_cache_idle_seconds: float = field(default=3600.0, metadata=_doc("how long a validator cache unused is kept; then its id is unknown (404)"))
    log_level: LogLevel = field(default="INFO", metadata=_doc("the level of the server's log: DEBUG, INFO, WARNING, ERROR"))
    access_log: bool = field(default=True, metadata=_doc("one JSON line per request in the standalone server's log"))
    log_query: bool = field(default=False, metadata=_doc("the request log also writes each query string (which holds codes)"))
    cors_origins: Origins = field(default=(), metadata=_doc("origins browsers may call from (CORS), or *; none: CORS off"))
    admin_token: str = field(default="", repr=False, metadata=_doc("the bearer token of the admin paths (/admin/...); none: they are off"))

    shutdown_seconds: float = field(default=25.0, metadata=_doc(
        "on SIGTERM, how long the standalone server lets the requests in flight finish before it stops its workers"
    ))

    def __post_init__(self) -> None:
        if self.max_nesting_depth > _DEEPEST:
            raise InvalidSetting(f"{setting_key('max_nesting_depth')} is {self.max_nesting_depth}: it takes a number up to {_DEEPEST}")

    def bound(self, name: str) -> Bound:
        """The setting ``name`` as a refusal names it."""
        return Bound(getattr(self, name), setting_key(name))

    @classmethod
    def read(cls, config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings ``config`` gives, else ``environ`` (default: the process's environment), else the
        defaults. :class:`InvalidSetting` names the first that cannot be read."""
        config = config or {}
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for item in fields(cls):
            key = setting_key(item.name)
            if key in config and config[key] is not None:
                values[item.name] = _typed(key, config[key], str(item.type))
            elif environ.get(key):
                values[item.name] = _typed(key, environ[key], str(item.type))
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Bound:
    """A limit and what sets it, as a refusal names them: ``str()`` is ``1,000 (TERMINOLOGY_MAX_PARAMETERS)``."""

    value: int | float
    source: str

    def __str__(self) -> str:
        shown = f"{self.value:,}" if isinstance(self.value, int) else f"{self.value:g}"
        return f"{shown} ({self.source})"


def setting_key(name: str) -> str:
    """``max_body_bytes`` -> ``TERMINOLOGY_MAX_BODY_BYTES``."""
    return "TERMINOLOGY_" + name.upper()


def _typed(key: str, value: Any, annotation: str) -> Any:
    """``value`` (from a config, any type; from the environment, text) as the setting's type says."""
    read = _READERS.get(annotation)
    if read is None:  # (a setting added with a type no reader knows: a bug, found by the first start)
        raise TypeError(f"no reader for the setting {key} of type {annotation}")
    return read(key, value)


def _items(key: str, value: Any) -> tuple[str, ...]:
    items = value.split(os.pathsep) if isinstance(value, str) else value
    return tuple(str(item) for item in items if str(item))


def _boolean(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise InvalidSetting(f"{key} is '{value}': it takes true or false")


def _number(key: str, value: Any, kind: type[int] | type[float]) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise InvalidSetting(f"{key} is '{value}': it takes a number") from None
    if number < 0:
        raise InvalidSetting(f"{key} is {value}: it takes a number of 0 or more")
    return number


def _log_level(key: str, value: Any) -> str:
    level = str(value).strip().upper()
    if level not in _LOG_LEVELS:
        raise InvalidSetting(f"{key} is '{value}': it takes one of {', '.join(_LOG_LEVELS)}")
    return level


def _cache_store(key: str, value: Any) -> str:
    name = str(value).strip().lower()
    if name not in _CACHE_STORES:
        raise InvalidSetting(f"{key} is '{value}': it takes one of {', '.join(_CACHE_STORES)}")
    return name


# By a field's annotation (text: the module reads annotations lazily), how a value of it is read.
_READERS: dict[str, Callable[[str, Any], Any]] = {
    "str": lambda key, value: str(value),
    "int": lambda key, value: _number(key, value, int),
    "float": lambda key, value: _number(key, value, float),
    "bool": _boolean,
    "tuple[str, ...]": _items,
    "Origins": lambda key, value: tuple(value.replace(",", " ").split() if isinstance(value, str) else map(str, value)),
    "LogLevel": _log_level,
    "CacheStoreName": _cache_store,
    "Path | None": lambda key, value: Path(value),
}
