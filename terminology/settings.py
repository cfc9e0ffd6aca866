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

__all__ = ["InvalidSetting", "Settings", "setting_key"]

_MIB = 1024 * 1024


class InvalidSetting(ValueError):
    """A setting whose value cannot be read: the message names the setting and what it takes."""


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting, typed. A field ``name`` is set by ``TERMINOLOGY_NAME``; its ``doc`` is the README's line.

    Environment values: numbers as written, booleans ``true``/``false`` (``1``/``0``, ``yes``/``no``),
    lists separated by the path separator (``:``), paths as written.
    """

    url_prefix: str = field(default="/fhir", metadata=_doc("the FHIR base"))
    icd10cm_files: tuple[str, ...] = field(default=(), metadata=_doc("ICD-10-CM tabular XML files to serve instead of the embedded releases"))
    resource_paths: tuple[str, ...] = field(default=(), metadata=_doc("FHIR CodeSystem, ValueSet and ConceptMap files, folders and packages to serve"))
    default_supplements: tuple[str, ...] = field(default=(), metadata=_doc("canonicals of supplements applied without useSupplement"))
    cache_dir: Path | None = field(default=None, metadata=_doc("where compiled content is kept (default ~/.cache/terminology)"))
    data_dir: Path | None = field(default=None, metadata=_doc("the data folder of imported releases (default ~/.local/share/terminology)"))
    max_body_bytes: int = field(default=16 * _MIB, metadata=_doc("the largest request body: 413 above it, before it is read"))
    shutdown_seconds: float = field(default=25.0, metadata=_doc(
        "on SIGTERM, how long the standalone server lets the requests in flight finish before it stops its workers"
    ))

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


# By a field's annotation (text: the module reads annotations lazily), how a value of it is read.
_READERS: dict[str, Callable[[str, Any], Any]] = {
    "str": lambda key, value: str(value),
    "int": lambda key, value: _number(key, value, int),
    "float": lambda key, value: _number(key, value, float),
    "bool": _boolean,
    "tuple[str, ...]": _items,
    "Path | None": lambda key, value: Path(value),
}
