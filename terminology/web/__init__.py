"""The Flask side: the blueprint, the extension that mounts it, and the standalone app."""

from .app import create_app
from .extension import Terminology

__all__ = ["Terminology", "create_app"]
