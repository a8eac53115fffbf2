"""Lazy optional imports: a missing optional dependency names the pip extra that brings it."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["is_available", "optional_import"]


def optional_import(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise an ``ImportError`` that says which extra to install.

    Parameters
    ----------
    module : str
        The module to import, e.g. ``"polars"``.
    extra : str
        The schemakit extra that installs it, e.g. ``"polars"``.
    purpose : str
        What the caller wanted it for, used in the message.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{purpose} needs the optional dependency {module!r}: pip install 'schemakit[{extra}]'"
        ) from exc


def is_available(module: str) -> bool:
    """Whether ``module`` is already imported, without importing it.

    Used to recognise inputs (a polars DataFrame can only exist if polars was imported).
    """
    import sys

    return module in sys.modules
