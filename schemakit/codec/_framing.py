"""Confluent wire framing, vectorized: ``0x00 | schema id (4 bytes, big-endian) | body``.

:func:`frame` prepends the 5-byte header to every body of a binary array (Arrow's
``binary_join_element_wise`` kernel, one pass; ``encode_records`` in the writer instead writes
the header in the same pass as the bodies); :func:`parse_headers` checks and reads the headers
of a binary array of records in bulk (the decoder groups rows by the ids it returns).

See Also
--------
Confluent Schema Registry documentation, "Wire format".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute

from schemakit.codec._jit import LazyKernels

__all__ = [
    "HEADER_REASONS",
    "HEADER_SIZE",
    "MAGIC_BYTE",
    "Headers",
    "binary_parts",
    "frame",
    "header",
    "parse_headers",
]

#: The first byte of every Confluent-framed record.
MAGIC_BYTE = 0
#: Magic byte plus the 4-byte schema id.
HEADER_SIZE = 5
_MAX_ID = 2**31 - 1

#: Reasons :func:`parse_headers` gives, by code (0 = the header is fine).
HEADER_REASONS = {
    1: "null record",
    2: "record shorter than the 5-byte header",
    3: "bad magic byte",
    4: "magic byte 1: the newer GUID framing, which schemakit does not read",
}


def _py_headers(  # pragma: no cover - compiled
    values: Any, starts: Any, lengths: Any, valid: Any, magic: Any, ids: Any, errors: Any
) -> None:
    """One pass over the records: each header's five bytes are read from one cache line."""
    for i in range(len(starts)):
        if not valid[i]:
            errors[i] = 1
            continue
        length = lengths[i]
        if length <= 0:
            errors[i] = 2
            continue
        s = starts[i]
        m = values[s]
        magic[i] = m
        if length < HEADER_SIZE:
            errors[i] = 2
        elif m == 1:
            errors[i] = 4
        elif m != MAGIC_BYTE:
            errors[i] = 3
        else:
            ids[i] = (
                (np.int64(values[s + 1]) << 24)
                | (np.int64(values[s + 2]) << 16)
                | (np.int64(values[s + 3]) << 8)
                | np.int64(values[s + 4])
            )


class _Kernels:
    def __init__(self, jit: Callable[[Any], Any]) -> None:
        self.headers = jit(_py_headers)


_KERNELS = LazyKernels(_Kernels)
#: False turns the numba kernel off (the tests do, to cover the numpy path).
USE_NUMBA = True


class Headers(NamedTuple):
    """The parsed headers of a batch of records, one entry per row.

    Attributes
    ----------
    ids : numpy.ndarray of int64
        The schema id of each record; ``-1`` where the header is bad.
    errors : numpy.ndarray of int8
        ``0`` for a good header, else a key of ``HEADER_REASONS``.
    magic : numpy.ndarray of int16
        The first byte of each record (``-1`` where there is none).
    body_offsets : numpy.ndarray of int64
        Where each body starts in the values buffer returned by :func:`binary_parts`.
    body_lengths : numpy.ndarray of int64
        The length of each body (``0`` where the header is bad).
    """

    ids: npt.NDArray[np.int64]
    errors: npt.NDArray[np.int8]
    magic: npt.NDArray[np.int16]
    body_offsets: npt.NDArray[np.int64]
    body_lengths: npt.NDArray[np.int64]

    @property
    def ok(self) -> bool:
        """Whether every header is good."""
        return not bool(self.errors.any())

    def first_error(self) -> tuple[int, str] | None:
        """``(row, reason)`` of the first bad header, or None."""
        bad = np.flatnonzero(self.errors)
        if not len(bad):
            return None
        row = int(bad[0])
        return row, HEADER_REASONS[int(self.errors[row])]


def binary_parts(
    array: pa.Array,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], npt.NDArray[np.bool_]]:
    """The offsets (int64, ``len + 1``), values buffer (uint8) and validity of a binary array.

    ``binary``, ``large_binary`` and ``binary_view`` (cast) are accepted; offsets index into the
    returned values buffer.
    """
    if pa.types.is_binary_view(array.type):
        array = array.cast(pa.binary())
    if not (pa.types.is_binary(array.type) or pa.types.is_large_binary(array.type)):
        raise TypeError(f"expected an Arrow binary array, got {array.type}")
    n = len(array)
    offset_type = np.int64 if pa.types.is_large_binary(array.type) else np.int32
    buffers = array.buffers()
    if buffers[1] is None:
        offsets = np.zeros(n + 1, np.int64)
    else:
        raw = np.frombuffer(buffers[1], dtype=offset_type)[array.offset : array.offset + n + 1]
        offsets = raw.astype(np.int64)
    if buffers[2] is None:
        values = np.zeros(0, np.uint8)
    else:
        values = np.frombuffer(buffers[2], dtype=np.uint8)
    if array.null_count:
        valid = np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)
    else:
        valid = np.ones(n, np.bool_)
    return offsets, values, valid


def header(schema_id: int) -> bytes:
    """The 5-byte Confluent header for ``schema_id``.

    Raises
    ------
    TypeError, ValueError
        An id that is not an int, or not in 0 ≤ id < 2**31.

    Examples
    --------
    >>> header(258)
    b'\\x00\\x00\\x00\\x01\\x02'
    """
    if isinstance(schema_id, bool) or not isinstance(schema_id, int | np.integer):
        raise TypeError(f"schema_id must be an int, not {type(schema_id).__name__}")
    if not 0 <= int(schema_id) <= _MAX_ID:
        raise ValueError(f"schema_id must be between 0 and {_MAX_ID}, not {schema_id}")
    return bytes([MAGIC_BYTE]) + int(schema_id).to_bytes(4, "big")


def frame(bodies: pa.Array, schema_id: int) -> pa.BinaryArray:
    """Prepend the Confluent header for ``schema_id`` to every body.

    Parameters
    ----------
    bodies : pyarrow.BinaryArray
        Encoded bodies, one per row, without nulls (``large_binary`` is accepted too).
    schema_id : int
        The registry's global schema id, 0 ≤ id < 2**31.

    Returns
    -------
    pyarrow.BinaryArray
        ``0x00 | id (big-endian uint32) | body`` per row.

    Raises
    ------
    ValueError
        An id out of range, a null body, or a result over 2 GiB.

    Examples
    --------
    >>> import pyarrow as pa
    >>> frame(pa.array([b"\\x02"], pa.binary()), 7).to_pylist()
    [b'\\x00\\x00\\x00\\x00\\x07\\x02']
    """
    prefix = header(schema_id)
    t = bodies.type
    if pa.types.is_binary_view(t) or pa.types.is_large_binary(t):
        bodies = bodies.cast(pa.binary())
    elif not (pa.types.is_binary(t) or pa.types.is_large_binary(t)):
        raise TypeError(f"expected an Arrow binary array, got {t}")
    if bodies.null_count:
        valid = bodies.is_valid().to_numpy(zero_copy_only=False)
        row = int(np.flatnonzero(~valid)[0])
        raise ValueError(f"body at row {row} is null; only non-null bodies can be framed")
    total = pa.compute.sum(pa.compute.binary_length(bodies)).as_py() or 0
    if total + HEADER_SIZE * len(bodies) > np.iinfo(np.int32).max:
        raise ValueError("framed records exceed 2 GiB; frame them in smaller batches")
    joined = pa.compute.binary_join_element_wise(pa.scalar(prefix, pa.binary()), bodies, b"")
    return joined.cast(pa.binary())


def parse_headers(records: pa.Array) -> Headers:
    """Check and read the Confluent header of every record, vectorized.

    Parameters
    ----------
    records : pyarrow.BinaryArray
        Framed records (``large_binary`` and ``binary_view`` are accepted too); nulls are
        reported as bad headers, not raised.

    Returns
    -------
    Headers
        Schema ids (int64), per-row error codes (see ``HEADER_REASONS``), the magic bytes and
        where each body lies in the records' values buffer.

    Examples
    --------
    >>> import pyarrow as pa
    >>> h = parse_headers(pa.array([b"\\x00\\x00\\x00\\x01\\x00\\x02", b"\\x01"], pa.binary()))
    >>> h.ids.tolist(), h.errors.tolist(), h.first_error()
    ([256, -1], [0, 2], (1, 'record shorter than the 5-byte header'))
    """
    offsets, values, valid = binary_parts(records)
    n = len(offsets) - 1
    starts = offsets[:-1]
    lengths = np.diff(offsets)
    kernels = _KERNELS.get() if USE_NUMBA else None
    if kernels is not None:
        magic = np.full(n, -1, np.int16)
        ids = np.full(n, -1, np.int64)
        errors = np.zeros(n, np.int8)
        kernels.headers(values, starts, lengths, valid, magic, ids, errors)
        bad = errors != 0
        body_offsets = starts + HEADER_SIZE
        body_lengths = lengths - HEADER_SIZE
        if bad.any():
            body_lengths[bad] = 0
            body_offsets[bad] = starts[bad]
        return Headers(ids, errors, magic, body_offsets, body_lengths)
    # Gather the five header bytes with one-dimensional takes (rows too short read byte 0 of
    # an empty-safe position and are masked afterwards): no per-row Python, no 2-D index.
    long_enough = valid & (lengths >= HEADER_SIZE)
    has_first = valid & (lengths > 0)
    magic = np.full(n, -1, np.int16)
    ids = np.full(n, -1, np.int64)
    if has_first.all():
        magic[:] = values[starts]
    elif has_first.any():
        magic[has_first] = values[starts[has_first]]
    if long_enough.any():
        everyone = bool(long_enough.all())
        at = starts if everyone else starts[long_enough]
        found = values[at + 1].astype(np.int64) << 24
        found |= values[at + 2].astype(np.int64) << 16
        found |= values[at + 3].astype(np.int64) << 8
        found |= values[at + 4]
        if everyone:
            ids = found
        else:
            ids[long_enough] = found
    errors = np.zeros(n, np.int8)
    errors[valid & ~long_enough] = 2
    errors[long_enough & (magic == 1)] = 4
    errors[long_enough & (magic != MAGIC_BYTE) & (magic != 1)] = 3
    errors[~valid] = 1
    bad = errors != 0
    body_offsets = starts + HEADER_SIZE
    body_lengths = lengths - HEADER_SIZE
    if bad.any():
        ids[bad] = -1
        body_lengths[bad] = 0
        body_offsets[bad] = starts[bad]
    return Headers(ids, errors, magic, body_offsets, body_lengths)
