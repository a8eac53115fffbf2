"""numba, optional and lazy: compile a module's kernels once, on first use, cached on disk.

The writer and the reader each keep numpy twins of their kernels; when numba is missing (or a
test turns it off), :class:`LazyKernels` answers ``None`` and they take the numpy path.

The first call of a kernel in a process pays numba's start-up and the compile (about 2 s for
the writer with a cold cache; a few tenths of a second to load it from numba's on-disk cache,
``__pycache__`` beside the module or ``$NUMBA_CACHE_DIR``). :func:`compile_seconds` adds those
first calls up, so a progress bar can leave them out of its rate.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["LazyKernels", "compile_seconds"]

_T = TypeVar("_T")

_clock_lock = threading.Lock()
# (start, end) of each kernel's first call, on the perf_counter clock: one per kernel and
# process, so a few dozen at most
_first_calls: list[tuple[float, float]] = []
_compile_total = 0.0  # the length of their union: two threads waiting on one compile, once


def compile_seconds() -> float:
    """Seconds this process spent in the first call of each kernel (start-up and compile)."""
    return _compile_total


def _count(start: float, end: float) -> None:
    """Count the first call ``[start, end]``: the total is the length of the union of all
    first calls, so a second two threads both waited is counted once."""
    global _compile_total
    with _clock_lock:
        _first_calls.append((start, end))
        total, until = 0.0, float("-inf")
        for begin, finish in sorted(_first_calls):
            if finish > until:
                total += finish - max(begin, until)
                until = finish
        _compile_total = total


class _FirstCall:
    """Stands in for a kernel until its first call is timed, then puts the kernel back.

    A caller that kept this object (rather than looking the kernel up each time) still works:
    later calls go straight through.
    """

    __slots__ = ("_done", "_kernel", "_name", "_owner")

    def __init__(self, owner: object, name: str, kernel: Callable[..., Any]) -> None:
        self._owner = owner
        self._name = name
        self._kernel = kernel
        self._done = False

    def __call__(self, *args: Any) -> Any:
        if self._done:
            return self._kernel(*args)
        start = time.perf_counter()
        try:
            return self._kernel(*args)
        finally:
            self._done = True
            _count(start, time.perf_counter())
            setattr(self._owner, self._name, self._kernel)


class LazyKernels(Generic[_T]):
    """Build a kernel set with ``build(jit)`` the first time it is asked for; thread-safe.

    ``jit`` is ``numba.njit(cache=True, nogil=True)``: compiled once, cached on disk, and run
    without the GIL so a window can be written while the next one is planned. Each kernel's
    first call is timed (:func:`compile_seconds`); later calls go to numba directly.
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
                    start = time.perf_counter()
                    try:
                        # by name: numba is optional, and mypy must pass without it too
                        numba = importlib.import_module("numba")
                    except ImportError:
                        self._missing = True
                        return None
                    dispatcher = numba.core.registry.CPUDispatcher
                    value = self._build(numba.njit(cache=True, nogil=True))
                    for name, kernel in list(vars(value).items()):
                        if isinstance(kernel, dispatcher):
                            setattr(value, name, _FirstCall(value, name, kernel))
                    _count(start, time.perf_counter())  # importing numba is start-up too
                    self._value = value
        return self._value
