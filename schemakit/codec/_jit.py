"""numba, optional and lazy: compile a module's kernels once, on first use, cached on disk.

The writer and the reader each keep numpy twins of their kernels; when numba is missing (or a
test turns it off), :class:`LazyKernels` answers ``None`` and they take the numpy path.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["LazyKernels"]

_T = TypeVar("_T")


class LazyKernels(Generic[_T]):
    """Build a kernel set with ``build(jit)`` the first time it is asked for; thread-safe.

    ``jit`` is ``numba.njit(cache=True, nogil=True)``: compiled once, cached on disk, and run
    without the GIL so a window can be written while the next one is planned.
    """

    def __init__(self, build: Callable[[Callable[[Any], Any]], _T]) -> None:
        self._build = build
        self._value: _T | None = None
        self._missing = False
        self._lock = threading.Lock()

    def get(self) -> _T | None:
        """The kernels, or ``None`` when numba is not installed."""
        if self._value is None and not self._missing:
            with self._lock:
                if self._value is None and not self._missing:
                    try:
                        # by name: numba is optional, and mypy must pass without it too
                        numba = importlib.import_module("numba")
                    except ImportError:
                        self._missing = True
                        return None
                    self._value = self._build(numba.njit(cache=True, nogil=True))
        return self._value
