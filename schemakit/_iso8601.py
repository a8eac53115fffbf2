"""ISO-8601 text as Arrow dates and timestamps: the one rule behind ``infer(parse_dates=...)``.

Text is parsed by pyarrow's casts (its ISO-8601 parser), a whole column per call, never one
Python call per value. What a cast takes: ``YYYY-MM-DD`` as a date; ``YYYY-MM-DD`` followed by
``T`` or a space and ``hh``, ``hh:mm`` or ``hh:mm:ss`` with up to 9 fraction digits as a
timestamp, and with a zone (``Z``, ``+hh``, ``+hh:mm``, ``+hhmm``) as an instant in UTC. A text
column is recognized as the first type of :data:`CANDIDATES` that every value in it casts to;
these are the types DuckDB's CSV reader gives the same text (``DATE``, ``TIMESTAMP``,
``TIMESTAMP WITH TIME ZONE``, microseconds), so a DataFrame and the file it was read from agree.
A column mixing values with and without a zone is none of them: whether ``03:04`` without a
zone is UTC or local time is not in the data.
"""

from __future__ import annotations

import pyarrow as pa

__all__ = ["CANDIDATES", "cast_or_none", "first_unparsed", "recognize"]

#: In order of preference; nanoseconds only for text with more than 6 fraction digits.
CANDIDATES: tuple[pa.DataType, ...] = (
    pa.date32(),
    pa.timestamp("us"),
    pa.timestamp("ns"),
    pa.timestamp("us", tz="UTC"),
    pa.timestamp("ns", tz="UTC"),
)


def cast_or_none(arr: pa.Array | pa.ChunkedArray, target: pa.DataType) -> pa.Array | None:
    """``arr`` cast to ``target``, or ``None`` when a value does not parse as one."""
    try:
        return arr.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def recognize(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray | None:
    """The text column ``arr`` as the first of :data:`CANDIDATES` all its values parse as.

    ``None`` when it holds no value at all, or a value that none of them takes.
    """
    if arr.null_count == len(arr):
        return None
    for target in CANDIDATES:
        parsed = cast_or_none(arr, target)
        if parsed is not None:
            return parsed
    return None


def first_unparsed(arr: pa.Array | pa.ChunkedArray) -> int:
    """The first position whose prefix ``arr[: k + 1]`` no candidate type takes as a whole.

    ``arr`` as a whole must not be recognized. Bisection over prefixes (a few columnar casts):
    the value found is the first that does not parse, or the first whose kind (date, time
    zone or none) differs from the values before it.
    """
    good, bad = 0, len(arr)  # arr[:good] is recognized (or empty); arr[:bad] is not
    while bad - good > 1:
        middle = (good + bad) // 2
        if _parses(arr.slice(0, middle)):
            good = middle
        else:
            bad = middle
    return bad - 1


def _parses(arr: pa.Array | pa.ChunkedArray) -> bool:
    return any(cast_or_none(arr, target) is not None for target in CANDIDATES)
