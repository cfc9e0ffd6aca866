"""The content a server starts with: where it lies and how it becomes a :class:`Registry`."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .loaders.release_cache import load_release
from .providers.icd10cm import Icd10cmProvider
from .registry import Registry

__all__ = ["DEFAULT_ICD10CM_FILE", "build_registry", "resources_dir"]

DEFAULT_ICD10CM_FILE = "icd10cm/icd10c-tabular-April-1-2026.xml.gz"


def resources_dir() -> Path:
    """The project's ``resources/`` folder: ``$TERMINOLOGY_RESOURCES``, the checkout's, or the installed copy."""
    explicit = os.environ.get("TERMINOLOGY_RESOURCES")
    if explicit:
        return Path(explicit)
    checkout = Path(__file__).resolve().parent.parent / "resources"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "terminology" / "resources"


def build_registry(icd10cm_files: Sequence[str | Path] = (), cache_dir: Path | None = None) -> Registry:
    """A registry of the given ICD-10-CM tabular files (the embedded release when none is given).

    The first file is the default version; the others are served beside it under ids that name their version.
    """
    registry = Registry()
    files = list(icd10cm_files) or [resources_dir() / DEFAULT_ICD10CM_FILE]
    for index, path in enumerate(files):
        release = load_release(path, cache_dir)
        registry.add_code_system(Icd10cmProvider(release, "icd-10-cm" if index == 0 else f"icd-10-cm-{release.version}"))
    return registry
