"""Columnar Avro binary writer: an Arrow table and an Avro schema → one Avro body per row.

The schema is compiled once into a tree of nodes (cached per schema text). Encoding a batch
runs in two passes over that tree, each vectorized with numpy over the Arrow buffers:

1. **plan**: every node checks its column (raising :class:`~schemakit.errors.EncodeError`
   before anything is written) and computes the encoded length of each of its values: varint
   lengths from value magnitudes, string lengths from offsets, nested lengths summed over list
   offsets. Row lengths are the sums; a cumulative sum gives each row's start.
2. **write**: every node scatters its bytes into one ``uint8`` output buffer at the positions
   it is given (row start + the lengths of the fields before it), with fancy-index arithmetic
   for variable-length parts. Children of arrays and maps get positions derived from their
   parent's through the list offsets.

The bytes equal ``fastavro.schemaless_writer``'s: zigzag varints, little-endian IEEE floats,
arrays and maps as one block (count, items, ``0``; an empty one is just ``0``), union branch
index then value, decimals as fastavro writes them (bytes: big-endian two's complement of
``(|unscaled|.bit_length() + 8) // 8`` bytes; fixed: sign-extended to the size), timestamps
converted to the schema's unit by floor division (as fastavro does from a ``datetime``).
fastavro has no ``timestamp-nanos``, ``local-timestamp-nanos`` or ``duration``; those follow
the Avro specification (see DESIGN.md, last section, and docs/wire-format.md).

With numba installed (imported lazily, compiled with ``cache=True``), a window whose record
fields are all flat (primitives and their logical types, strings and bytes, enums, fixed,
decimals, ``["null", T]`` of those, nested records without nulls) skips the plan: each column
is checked, described by one row of a descriptor table (kind, buffer addresses, union branch
bytes, validity bitmap) and the **direct** kernel ``_py_flat_write`` writes every row whole, in
one pass, reading the Arrow buffers in place (values, offsets, validity bits; nothing copied),
into room reserved for the window's upper bound. Windows follow the input's chunk boundaries
and land one after another in one output buffer (no final copy). Other records (arrays, maps,
general unions) are planned, and their write pass runs as compiled kernels (a record of flat
plans row by row, :class:`_Fused`); each window is written on a second thread while the next
is planned. Without numba, the numpy versions give the same bytes, one window after the other.

A column whose Arrow layout the nodes do not handle (sparse unions, list views, run-end
encoding, a non-union column for a union whose branches the Arrow type cannot pick) is
encoded row by row by :mod:`schemakit.codec._fallback`, with a
:class:`~schemakit.errors.PerformanceWarning` naming the column and why.
"""

from __future__ import annotations

import datetime
import importlib
import struct
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from schemakit._arrow_types import ORIGINAL_NAME, is_string_like
from schemakit._iso8601 import cast_or_none
from schemakit.codec._jit import LazyKernels
from schemakit.errors import EncodeError, PerformanceWarning

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "LOGICAL_RANGES",
    "USE_NUMBA",
    "UUID_PATTERN",
    "Extra",
    "encode_bodies",
    "encode_records",
]

Extra: TypeAlias = Literal["error", "ignore"]
_EXTRA_VALUES = ("error", "ignore")

#: Rows encoded per pass; bounds the temporaries (a few int64 per output byte).
DEFAULT_CHUNK_ROWS = 65_536

_I64: TypeAlias = npt.NDArray[np.int64]
_U64: TypeAlias = npt.NDArray[np.uint64]
_U8: TypeAlias = npt.NDArray[np.uint8]
RowMap: TypeAlias = Callable[[int], int]

_INT32 = (-(2**31), 2**31 - 1)
_UINT32_MAX = 2**32 - 1
_FLOAT32_MAX = float(np.finfo(np.float32).max)
_VARINT_LIMITS = np.array([1 << (7 * k) for k in range(1, 10)], dtype=np.uint64)
_UNIT_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
_LOGICAL_UNIT = {
    "timestamp-millis": "ms",
    "timestamp-micros": "us",
    "timestamp-nanos": "ns",
    "local-timestamp-millis": "ms",
    "local-timestamp-micros": "us",
    "local-timestamp-nanos": "ns",
    "time-millis": "ms",
    "time-micros": "us",
}
_NAMED = ("record", "error", "enum", "fixed")

_DAY_MS = 86_400_000
_EPOCH = datetime.datetime(1970, 1, 1)
_MIN_US = (datetime.datetime.min - _EPOCH) // datetime.timedelta(microseconds=1)
_MAX_US = (datetime.datetime.max - _EPOCH) // datetime.timedelta(microseconds=1)

#: The values (inclusive) of each logical type that every reader takes back: a time of day
#: within the day (the decoder's Arrow time types hold no more), dates and millisecond or
#: microsecond timestamps within Python's ``datetime`` (years 1 to 9999), which fastavro
#: reads them as. Nanosecond timestamps keep the whole long: fastavro reads them as longs.
LOGICAL_RANGES: Mapping[str, tuple[int, int, str]] = {
    "time-millis": (0, _DAY_MS - 1, "a time of day"),
    "time-micros": (0, _DAY_MS * 1000 - 1, "a time of day"),
    "date": (
        datetime.date.min.toordinal() - _EPOCH.toordinal(),
        datetime.date.max.toordinal() - _EPOCH.toordinal(),
        "dates of years 1 to 9999",
    ),
    **{
        f"{prefix}timestamp-{unit}": (-(-_MIN_US // per), _MAX_US // per, "years 1 to 9999")
        for prefix in ("", "local-")
        for unit, per in (("millis", 1000), ("micros", 1))
    },
}

#: The text of a ``uuid`` (RFC 4122: 8-4-4-4-12 hex digits, either case), as Java's
#: ``UUID.fromString`` and fastavro's ``uuid.UUID`` both read it.
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class UnsupportedLayoutError(Exception):
    """Raised while planning a column whose Arrow layout the columnar nodes do not handle."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------------------------
# vectorized primitives


# Optional compiled kernels (numba, imported on first use, compiled once and cached on disk).
# Each has a numpy twin below; the numpy path is used when numba is not installed.


def _py_varint_lengths(u: Any, out: Any) -> None:  # pragma: no cover - compiled
    for i in range(len(u)):
        v = u[i]
        n = 1
        while v >= 128:
            v >>= 7
            n += 1
        out[i] = n


def _py_zigzag_lengths(values: Any, u: Any, out: Any) -> None:  # pragma: no cover - compiled
    for i in range(len(values)):
        x = values[i]
        v = np.uint64((x << 1) ^ (x >> 63))
        u[i] = v
        n = 1
        while v >= 128:
            v >>= np.uint64(7)
            n += 1
        out[i] = n


def _py_write_varints(buf: Any, pos: Any, u: Any) -> None:  # pragma: no cover - compiled
    for i in range(len(u)):
        p = pos[i]
        v = u[i]
        while v >= 128:
            buf[p] = (v & 127) | 128
            v >>= 7
            p += 1
        buf[p] = v


def _py_scatter(buf: Any, starts: Any, lengths: Any, data: Any) -> None:  # pragma: no cover
    k = 0
    for i in range(len(starts)):
        s = starts[i]
        for j in range(lengths[i]):
            buf[s + j] = data[k]
            k += 1


def _py_fixed(buf: Any, pos: Any, matrix: Any) -> None:  # pragma: no cover - compiled
    width = matrix.shape[1]
    for i in range(matrix.shape[0]):
        p = pos[i]
        for j in range(width):
            buf[p + j] = matrix[i, j]


def _py_const(buf: Any, pos: Any, piece: Any) -> None:  # pragma: no cover - compiled
    width = len(piece)
    for i in range(len(pos)):
        p = pos[i]
        for j in range(width):
            buf[p + j] = piece[j]


_OP_VARINT, _OP_FIXED, _OP_BYTES, _OP_RAW, _OP_CONST = 0, 1, 2, 3, 4


def _py_fused(  # pragma: no cover - compiled
    buf: Any,
    pos: Any,
    kinds: Any,
    starts: Any,
    widths: Any,
    unions: Any,
    branch_bytes: Any,
    present: Any,
    varints: Any,
    fixed: Any,
    lengths: Any,
    data: Any,
    data_starts: Any,
) -> None:
    """Write whole rows of flat fields, row by row (one pass over the output)."""
    n_fields = len(kinds)
    counters = np.zeros(n_fields, np.int64)
    cursors = data_starts.copy()
    for i in range(len(pos)):
        p = pos[i]
        for f in range(n_fields):
            u = unions[f]
            if u >= 0:
                buf[p] = branch_bytes[u + i]
                p += 1
                if not present[u + i]:
                    continue
            kind = kinds[f]
            if kind == 4:  # const
                w = widths[f]
                src = starts[f]
                for j in range(w):
                    buf[p + j] = fixed[src + j]
                p += w
                continue
            k = counters[f]
            counters[f] = k + 1
            if kind == 0:  # varint
                v = varints[starts[f] + k]
                while v >= 128:
                    buf[p] = (v & 127) | 128
                    v >>= 7
                    p += 1
                buf[p] = v
                p += 1
            elif kind == 1:  # fixed width
                w = widths[f]
                src = starts[f] + k * w
                for j in range(w):
                    buf[p + j] = fixed[src + j]
                p += w
            else:  # bytes: 2 length-prefixed, 3 raw
                length = lengths[starts[f] + k]
                if kind == 2:
                    v = np.uint64(length << 1)
                    while v >= 128:
                        buf[p] = (v & 127) | 128
                        v >>= np.uint64(7)
                        p += 1
                    buf[p] = v
                    p += 1
                c = cursors[f]
                for j in range(length):
                    buf[p + j] = data[c + j]
                cursors[f] = c + length
                p += length


# Direct kernels: a record of flat fields written from the Arrow buffers themselves. Each field
# is one row of an int64 descriptor table (kind, buffer addresses, widths, union bytes); the
# kernels read the buffers through raw pointers (``_ptr_*``, numba intrinsics made on first
# use), so no column is copied or concatenated. Rows are written whole, left to right, in one
# pass into a buffer sized by an upper bound (pages past the end are never touched).
_K_LONG, _K_U64, _K_FIXED, _K_BYTES32, _K_BYTES64, _K_RAW64, _K_CONST = range(7)
_D_KIND, _D_VALUES, _D_DATA, _D_BITMAP, _D_BIT0, _D_WIDTH, _D_VALID, _D_NULL = range(8)
_D_COLUMNS = 8

_ptr_u8: Any = None
_ptr_i32: Any = None
_ptr_i64: Any = None
_ptr_u64: Any = None


def _py_flat_write(desc: Any, n: int, buf: Any, offsets: Any) -> None:  # pragma: no cover
    """Write the rows one after the other, field after field, into ``buf`` (large enough:
    :func:`_flat_bound`); ``offsets`` (n + 1) gets where each row starts and the end."""
    n_fields = desc.shape[0]
    p: Any = 0
    for i in range(n):
        offsets[i] = p
        for f in range(n_fields):
            kind = desc[f, 0]
            if desc[f, 6] >= 0:
                bitmap = desc[f, 3]
                if bitmap != 0:
                    b = desc[f, 4] + i
                    if not (_ptr_u8(bitmap)[b >> 3] >> (b & 7)) & 1:
                        buf[p] = desc[f, 7]
                        p += 1
                        continue
                buf[p] = desc[f, 6]
                p += 1
            if kind == 0 or kind == 1:
                if kind == 0:
                    x = _ptr_i64(desc[f, 1])[i]
                    v = np.uint64((x << 1) ^ (x >> 63))
                else:
                    v = _ptr_u64(desc[f, 1])[i]
                while v >= 128:
                    buf[p] = (v & 127) | 128
                    v >>= 7
                    p += 1
                buf[p] = v
                p += 1
            elif kind == 2 or kind == 6:
                w = desc[f, 5]
                src = _ptr_u8(desc[f, 1])
                start = i * w if kind == 2 else 0
                for j in range(w):
                    buf[p + j] = src[start + j]
                p += w
            else:
                if kind == 3:
                    o32 = _ptr_i32(desc[f, 1])
                    start = np.int64(o32[i])
                    length = np.int64(o32[i + 1]) - start
                else:
                    o64 = _ptr_i64(desc[f, 1])
                    start = o64[i]
                    length = o64[i + 1] - start
                if kind != 5:
                    v = np.uint64(length << 1)
                    while v >= 128:
                        buf[p] = (v & 127) | 128
                        v >>= 7
                        p += 1
                    buf[p] = v
                    p += 1
                data = _ptr_u8(desc[f, 2])
                for j in range(length):
                    buf[p + j] = data[start + j]
                p += length
    offsets[n] = p


def _pointer_intrinsics() -> dict[str, Any]:
    """numba intrinsics turning an int64 address into a typed pointer (indexable)."""
    numba = importlib.import_module("numba")
    types = numba.types

    def make(item: Any) -> Any:
        def ptr(typingctx: Any, addr: Any) -> Any:
            pointer = types.CPointer(item)

            def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
                return builder.inttoptr(args[0], context.get_value_type(pointer))

            return pointer(types.int64), codegen

        return numba.extending.intrinsic(ptr)

    return {
        "_ptr_u8": make(types.uint8),
        "_ptr_i32": make(types.int32),
        "_ptr_i64": make(types.int64),
        "_ptr_u64": make(types.uint64),
    }


class _Kernels:
    def __init__(self, jit: Callable[[Any], Any]) -> None:
        globals().update(_pointer_intrinsics())
        self.flat_write = jit(_py_flat_write)
        self.varint_lengths = jit(_py_varint_lengths)
        self.zigzag_lengths = jit(_py_zigzag_lengths)
        self.write_varints = jit(_py_write_varints)
        self.scatter = jit(_py_scatter)
        self.fixed = jit(_py_fixed)
        self.const = jit(_py_const)
        self.fused = jit(_py_fused)


_KERNELS = LazyKernels(_Kernels)
#: False turns the numba kernels off (the tests do, to cover the numpy path).
USE_NUMBA = True


def _kernels() -> _Kernels | None:
    return _KERNELS.get() if USE_NUMBA else None


def _zigzag(values: _I64) -> _U64:
    v = values.astype(np.int64, copy=False)
    return ((v << np.int64(1)) ^ (v >> np.int64(63))).view(np.uint64)


def _varint_lengths(u: _U64) -> _I64:
    lengths = np.ones(len(u), np.int64)
    if not len(u):
        return lengths
    kernels = _kernels()
    if kernels is not None:
        kernels.varint_lengths(u, lengths)
        return lengths
    top = u.max()
    for limit in _VARINT_LIMITS:
        if top < limit:
            break
        lengths += u >= limit
    return lengths


def _write_varints(buf: _U8, pos: _I64, u: _U64, lengths: _I64) -> None:
    if not len(u):
        return
    kernels = _kernels()
    if kernels is not None:
        kernels.write_varints(buf, pos, u)
        return
    shortest, longest = int(lengths.min()), int(lengths.max())
    if longest == 1:
        buf[pos] = u
        return
    for k in range(longest):
        if k < shortest:
            # every value has this byte: no selection needed
            byte = (u >> np.uint64(7 * k)) & np.uint64(0x7F)
            if k + 1 < shortest:
                byte |= np.uint64(0x80)
            else:
                byte |= (lengths > k + 1).astype(np.uint64) << np.uint64(7)
            buf[pos + k] = byte
            continue
        sel = lengths > k
        rows_u, rows_len = u[sel], lengths[sel]
        byte = (rows_u >> np.uint64(7 * k)) & np.uint64(0x7F)
        byte |= (rows_len > k + 1).astype(np.uint64) << np.uint64(7)
        buf[pos[sel] + k] = byte


def _scatter_ragged(buf: _U8, starts: _I64, lengths: _I64, data: _U8) -> None:
    """Copy ``data`` (the concatenation of pieces of ``lengths``) to ``starts`` in ``buf``."""
    total = len(data)
    if not total:
        return
    kernels = _kernels()
    if kernels is not None:
        kernels.scatter(buf, starts, lengths, data)
        return
    before = np.empty(len(lengths), np.int64)
    before[0] = 0
    np.cumsum(lengths[:-1], out=before[1:])
    dest = np.repeat(starts - before, lengths)
    dest += np.arange(total, dtype=np.int64)
    buf[dest] = data


def _primitive_values(arr: pa.Array, dtype: Any) -> npt.NDArray[Any]:
    """The values buffer of a fixed-width primitive array as numpy (nulls hold garbage)."""
    buffer = arr.buffers()[1]
    n = len(arr)
    if buffer is None or n == 0:
        return np.zeros(n, dtype)
    return np.frombuffer(buffer, dtype=dtype)[arr.offset : arr.offset + n]


def _bool_values(arr: pa.Array) -> npt.NDArray[np.bool_]:
    n = len(arr)
    buffer = arr.buffers()[1]
    if buffer is None or n == 0:
        return np.zeros(n, np.bool_)
    bits = np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), bitorder="little")
    return bits[arr.offset : arr.offset + n].astype(np.bool_)


def _binary_parts(arr: pa.Array) -> tuple[_I64, _U8]:
    """Offsets (relative to the returned data, int64, n + 1) and data bytes of a binary array."""
    t = arr.type
    if pa.types.is_string_view(t) or pa.types.is_binary_view(t):
        arr = arr.cast(pa.large_binary())
        t = arr.type
    large = pa.types.is_large_string(t) or pa.types.is_large_binary(t)
    n = len(arr)
    buffers = arr.buffers()
    if buffers[1] is None:
        return np.zeros(n + 1, np.int64), np.zeros(0, np.uint8)
    raw = np.frombuffer(buffers[1], dtype=np.int64 if large else np.int32)
    offsets = raw[arr.offset : arr.offset + n + 1].astype(np.int64)
    first, last = int(offsets[0]), int(offsets[-1])
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)[first:last]
        if buffers[2] is not None
        else np.zeros(0, np.uint8)
    )
    return offsets - first, data


def _fixed_parts(arr: pa.Array, width: int) -> npt.NDArray[np.uint8]:
    """A fixed_size_binary array as an ``(n, width)`` uint8 matrix."""
    n = len(arr)
    buffer = arr.buffers()[1]
    if buffer is None or n == 0 or width == 0:
        return np.zeros((n, width), np.uint8)
    flat = np.frombuffer(buffer, dtype=np.uint8)[arr.offset * width : (arr.offset + n) * width]
    return flat.reshape(n, width)


# --------------------------------------------------------------------------------------------
# plans: per-value encoded lengths, and how to write them


class _Plan:
    __slots__ = ("sizes",)

    def __init__(self, sizes: _I64) -> None:
        self.sizes = sizes

    def write(self, buf: _U8, pos: _I64) -> None:
        raise NotImplementedError


class _EmptyPlan(_Plan):
    __slots__ = ()

    def __init__(self, n: int) -> None:
        super().__init__(np.zeros(n, np.int64))

    def write(self, buf: _U8, pos: _I64) -> None:
        return


class _VarintPlan(_Plan):
    __slots__ = ("u",)

    def __init__(self, values: _I64) -> None:
        kernels = _kernels()
        if kernels is not None:
            values = np.ascontiguousarray(values, dtype=np.int64)
            self.u = np.empty(len(values), np.uint64)
            lengths = np.empty(len(values), np.int64)
            kernels.zigzag_lengths(values, self.u, lengths)
            super().__init__(lengths)
        else:
            self.u = _zigzag(values)
            super().__init__(_varint_lengths(self.u))

    def write(self, buf: _U8, pos: _I64) -> None:
        _write_varints(buf, pos, self.u, self.sizes)


class _FixedWidthPlan(_Plan):
    __slots__ = ("matrix",)

    def __init__(self, matrix: npt.NDArray[np.uint8]) -> None:
        self.matrix = matrix
        super().__init__(np.full(matrix.shape[0], matrix.shape[1], np.int64))

    def write(self, buf: _U8, pos: _I64) -> None:
        width = self.matrix.shape[1]
        kernels = _kernels()
        if kernels is not None and width:
            kernels.fixed(buf, pos, np.ascontiguousarray(self.matrix))
        elif width == 1:
            buf[pos] = self.matrix[:, 0]
        elif width and len(pos):
            buf[pos[:, None] + np.arange(width)] = self.matrix


class _ConstPlan(_Plan):
    __slots__ = ("piece",)

    def __init__(self, n: int, piece: bytes) -> None:
        self.piece = np.frombuffer(piece, dtype=np.uint8)
        super().__init__(np.full(n, len(piece), np.int64))

    def write(self, buf: _U8, pos: _I64) -> None:
        if not (len(self.piece) and len(pos)):
            return
        kernels = _kernels()
        if kernels is not None:
            kernels.const(buf, pos, self.piece)
        else:
            buf[pos[:, None] + np.arange(len(self.piece))] = self.piece


class _BytesPlan(_Plan):
    """Length-prefixed (Avro bytes/string) or raw (pre-encoded) variable-length pieces."""

    __slots__ = ("data", "lengths", "prefix_len", "prefix_u")

    def __init__(self, lengths: _I64, data: _U8, *, prefixed: bool = True) -> None:
        self.lengths = lengths
        self.data = data
        if prefixed:
            varint = _VarintPlan(lengths)
            self.prefix_u: _U64 | None = varint.u
            self.prefix_len = varint.sizes
            super().__init__(self.prefix_len + lengths)
        else:
            self.prefix_u = None
            self.prefix_len = np.zeros(len(lengths), np.int64)
            super().__init__(lengths.copy())

    def write(self, buf: _U8, pos: _I64) -> None:
        if self.prefix_u is not None:
            _write_varints(buf, pos, self.prefix_u, self.prefix_len)
            _scatter_ragged(buf, pos + self.prefix_len, self.lengths, self.data)
        else:
            _scatter_ragged(buf, pos, self.lengths, self.data)


class _RecordPlan(_Plan):
    __slots__ = ("children",)

    def __init__(self, n: int, children: list[_Plan]) -> None:
        self.children = children
        sizes = np.zeros(n, np.int64)
        for child in children:
            sizes += child.sizes
        super().__init__(sizes)

    def write(self, buf: _U8, pos: _I64) -> None:
        running = pos.copy()
        for child in self.children:
            child.write(buf, running)
            running += child.sizes


class _BlockPlan(_Plan):
    """Arrays and maps: ``count | items | 0`` per row, or just ``0`` when empty."""

    __slots__ = ("before", "child", "count_len", "count_u", "counts", "offsets")

    def __init__(self, offsets: _I64, child: _Plan) -> None:
        self.child = child
        self.offsets = offsets
        self.counts = np.diff(offsets)
        self.count_u = _zigzag(self.counts)
        self.count_len = np.where(self.counts > 0, _varint_lengths(self.count_u), 0)
        child_cum = np.zeros(len(child.sizes) + 1, np.int64)
        np.cumsum(child.sizes, out=child_cum[1:])
        self.before = child_cum
        body = child_cum[offsets[1:]] - child_cum[offsets[:-1]]
        super().__init__(self.count_len + body + 1)

    def write(self, buf: _U8, pos: _I64) -> None:
        nonempty = self.counts > 0
        if nonempty.any():
            _write_varints(buf, pos[nonempty], self.count_u[nonempty], self.count_len[nonempty])
        buf[pos + self.sizes - 1] = 0
        m = len(self.child.sizes)
        if m:
            # child j of row p starts at pos[p] + count_len[p] + (sizes of earlier items of p)
            base = pos + self.count_len - self.before[self.offsets[:-1]]
            child_pos = np.repeat(base, self.counts) + self.before[:-1]
            self.child.write(buf, child_pos)


class _UnionPlan(_Plan):
    """Branch index (one byte: unions have fewer than 64 branches in practice) and value."""

    __slots__ = ("branch_byte", "branch_len", "branch_u", "parts")

    def __init__(self, branches: _I64, parts: Sequence[tuple[npt.NDArray[np.intp], _Plan]]) -> None:
        self.parts = parts
        if len(branches) and int(branches.max()) >= 64:
            self.branch_byte: _U8 | None = None
            self.branch_u: _U64 | None = _zigzag(branches)
            self.branch_len: _I64 | None = _varint_lengths(self.branch_u)
        else:
            self.branch_byte = (branches * 2).astype(np.uint8)
            self.branch_u = None
            self.branch_len = None
        sizes = (
            np.ones(len(branches), np.int64) if self.branch_len is None else self.branch_len.copy()
        )
        for rows, plan in parts:
            sizes[rows] += plan.sizes
        super().__init__(sizes)

    @classmethod
    def from_mask(
        cls,
        valid: npt.NDArray[np.bool_],
        rows: npt.NDArray[np.intp],
        byte_valid: int,
        byte_null: int,
        plan: _Plan,
    ) -> _UnionPlan:
        """A two-branch plan: ``plan`` for the ``valid`` rows, an empty branch for the rest."""
        self = cls.__new__(cls)
        self.parts = [(rows, plan)]
        self.branch_byte = np.where(valid, np.uint8(byte_valid), np.uint8(byte_null))
        self.branch_u = None
        self.branch_len = None
        if isinstance(plan, _FixedWidthPlan):
            width = plan.matrix.shape[1]
            self.sizes = np.where(valid, np.int64(1 + width), np.int64(1))
        else:
            sizes = np.ones(len(valid), np.int64)
            sizes[valid] = plan.sizes + 1
            self.sizes = sizes
        return self

    def write(self, buf: _U8, pos: _I64) -> None:
        if self.branch_byte is not None:
            buf[pos] = self.branch_byte
            for rows, plan in self.parts:
                plan.write(buf, pos[rows] + 1)
            return
        assert self.branch_u is not None
        assert self.branch_len is not None
        _write_varints(buf, pos, self.branch_u, self.branch_len)
        for rows, plan in self.parts:
            plan.write(buf, pos[rows] + self.branch_len[rows])


class _Fused:
    """Flat fields of a record plan, gathered for the row-by-row kernel ``_py_fused``.

    A field is flat when it is a varint, fixed-width, bytes or constant plan, or a union plan
    with at most one such part; nested record plans (not under a union) are flattened into
    their fields. Anything else (arrays, maps, general unions) is not fused.
    """

    def __init__(self) -> None:
        self.kinds: list[int] = []
        self.starts: list[int] = []
        self.widths: list[int] = []
        self.unions: list[int] = []
        self.data_starts: list[int] = []
        self.varints: list[_U64] = []
        self.fixed: list[_U8] = []
        self.lengths: list[_I64] = []
        self.data: list[_U8] = []
        self.branch_bytes: list[_U8] = []
        self.present: list[npt.NDArray[np.bool_]] = []
        self.n_varints = self.n_fixed = self.n_lengths = self.n_data = self.n_union = 0

    def add(self, plan: _Plan, n: int) -> bool:
        if isinstance(plan, _RecordPlan):
            return all(self.add(child, n) for child in plan.children)
        if isinstance(plan, _EmptyPlan):
            return True
        if isinstance(plan, _UnionPlan):
            if plan.branch_byte is None or len(plan.parts) > 1:
                return False
            mask = np.zeros(n, np.bool_)
            child: _Plan | None = None
            if plan.parts:
                rows, child = plan.parts[0]
                mask[rows] = True
            self.branch_bytes.append(plan.branch_byte)
            self.present.append(mask)
            union_at = self.n_union
            self.n_union += n
            if child is None or isinstance(child, _EmptyPlan):
                self.leaf(_OP_CONST, self.n_fixed, 0, union_at)
                return True
            return self.add_leaf(child, union_at)
        return self.add_leaf(plan, -1)

    def leaf(self, kind: int, start: int, width: int, union_at: int) -> None:
        self.kinds.append(kind)
        self.starts.append(start)
        self.widths.append(width)
        self.unions.append(union_at)
        self.data_starts.append(self.n_data)

    def add_leaf(self, plan: _Plan, union_at: int) -> bool:
        if isinstance(plan, _VarintPlan):
            self.leaf(_OP_VARINT, self.n_varints, 0, union_at)
            self.varints.append(plan.u)
            self.n_varints += len(plan.u)
        elif isinstance(plan, _FixedWidthPlan):
            width = plan.matrix.shape[1]
            self.leaf(_OP_FIXED, self.n_fixed, width, union_at)
            flat = np.ascontiguousarray(plan.matrix).reshape(-1)
            self.fixed.append(flat)
            self.n_fixed += len(flat)
        elif isinstance(plan, _ConstPlan):
            self.leaf(_OP_CONST, self.n_fixed, len(plan.piece), union_at)
            self.fixed.append(plan.piece)
            self.n_fixed += len(plan.piece)
        elif isinstance(plan, _BytesPlan):
            kind = _OP_BYTES if plan.prefix_u is not None else _OP_RAW
            self.leaf(kind, self.n_lengths, 0, union_at)
            self.lengths.append(plan.lengths)
            self.n_lengths += len(plan.lengths)
            self.data.append(plan.data)
            self.n_data += len(plan.data)
        else:
            return False
        return True

    def write(self, kernels: _Kernels, buf: _U8, pos: _I64) -> None:
        def cat(parts: Sequence[npt.NDArray[Any]], dtype: Any) -> npt.NDArray[Any]:
            return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(1, dtype)

        kernels.fused(
            buf,
            pos,
            np.array(self.kinds, np.int64),
            np.array(self.starts, np.int64),
            np.array(self.widths, np.int64),
            np.array(self.unions, np.int64),
            cat(self.branch_bytes, np.uint8),
            cat(self.present, np.bool_),
            cat(self.varints, np.uint64),
            cat(self.fixed, np.uint8),
            cat(self.lengths, np.int64),
            cat(self.data, np.uint8),
            np.array(self.data_starts, np.int64),
        )


def _write_rows(plan: _Plan, buf: _U8, pos: _I64) -> None:
    """Write a top-level plan: row by row in one kernel when its fields are flat, else by field."""
    kernels = _kernels()
    if kernels is not None and isinstance(plan, _RecordPlan):
        fused = _Fused()
        if fused.add(plan, len(pos)):
            fused.write(kernels, buf, pos)
            return
    plan.write(buf, pos)


# --------------------------------------------------------------------------------------------
# where a value sits, for error messages


class _Where:
    __slots__ = ("extra", "path", "rowmap")

    def __init__(self, path: str, rowmap: RowMap, extra: Extra = "error") -> None:
        self.path = path
        self.rowmap = rowmap
        self.extra = extra

    def child(self, step: str, rowmap: RowMap | None = None) -> _Where:
        return _Where(f"{self.path}{step}", rowmap or self.rowmap, self.extra)

    def via(self, rowmap: RowMap) -> _Where:
        return _Where(self.path, rowmap, self.extra)

    def fail(self, index: int, value: Any, what: str) -> EncodeError:
        row = self.rowmap(int(index))
        message = f"cannot encode column {self.path!r} at row {row}: value {value!r} {what}"
        return EncodeError(message, column=self.path, row=row, value=value)


def _taken(where: _Where, indices: npt.NDArray[np.intp]) -> _Where:
    return where.via(lambda j: where.rowmap(int(indices[j])))


def _py(arr: pa.Array, index: int) -> Any:
    """The value at ``index`` as Python sees it; a date or time Python cannot hold (year
    10000) as the count Arrow stores."""
    try:
        return arr[int(index)].as_py()
    except (ValueError, OverflowError, ArithmeticError):
        pass
    t = arr.type
    if pa.types.is_temporal(t) and t.bit_width in (32, 64):
        storage = pa.int32() if t.bit_width == 32 else pa.int64()
        return arr.slice(int(index), 1).view(storage)[0].as_py()
    return f"<{t} value at {int(index)}>"


def _check_no_nulls(arr: pa.Array, where: _Where, what: str) -> None:
    if arr.null_count:
        first = int(np.flatnonzero(~_validity(arr))[0])
        raise where.fail(first, None, f"is null, but {what} is not nullable")


def _validity(arr: pa.Array) -> npt.NDArray[np.bool_]:
    if pa.types.is_null(arr.type):
        return np.zeros(len(arr), np.bool_)
    if not arr.null_count:
        return np.ones(len(arr), np.bool_)
    bitmap = arr.buffers()[0]
    if bitmap is None or pa.types.is_union(arr.type) or pa.types.is_dictionary(arr.type):
        return np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)
    bits = np.unpackbits(np.frombuffer(bitmap, dtype=np.uint8), bitorder="little")
    return bits[arr.offset : arr.offset + len(arr)].view(np.bool_)


def _unwrap(arr: pa.Array) -> pa.Array:
    """Decode dictionaries, strip extension types other than uuid, and copy views out."""
    t = arr.type
    if isinstance(t, pa.BaseExtensionType) and t.extension_name != "arrow.uuid":
        arr = arr.storage
        t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.dictionary_decode()
        t = arr.type
    if pa.types.is_string_view(t) or pa.types.is_binary_view(t):
        # one copy into offsets and data, which every node reads (and compute kernels such
        # as drop_null take; they have none for views)
        arr = arr.cast(pa.large_string() if pa.types.is_string_view(t) else pa.large_binary())
    return arr


# --------------------------------------------------------------------------------------------
# nodes: one per schema position


class _Node:
    """A compiled schema position. ``plan`` takes an array and returns its encoded lengths."""

    avro: str = ""
    logical: str | None = None

    def plan(self, arr: pa.Array, where: _Where) -> _Plan:
        raise NotImplementedError

    def family(self) -> str:
        return self.avro


class _NullNode(_Node):
    avro = "null"

    def plan(self, arr: pa.Array, where: _Where) -> _Plan:
        if arr.null_count != len(arr):
            first = int(np.flatnonzero(_validity(arr))[0])
            raise where.fail(first, _py(arr, first), 'is not null, and the Avro type is "null"')
        return _EmptyPlan(len(arr))


class _BooleanNode(_Node):
    avro = "boolean"

    def plan(self, arr: pa.Array, where: _Where) -> _Plan:
        arr = _unwrap(arr)
        if not pa.types.is_boolean(arr.type):
            raise UnsupportedLayoutError(f'Arrow type {arr.type} is not bool, for Avro "boolean"')
        _check_no_nulls(arr, where, '"boolean"')
        return _FixedWidthPlan(_bool_values(arr).astype(np.uint8)[:, None])


def _integers(arr: pa.Array, where: _Where) -> _I64:
    """An integer array's values as int64, uint64 above 2**63 - 1 being an error."""
    t = arr.type
    if pa.types.is_uint64(t):
        raw = _primitive_values(arr, np.uint64)
        too_big = raw > np.uint64(2**63 - 1)
        if too_big.any():
            i = int(np.flatnonzero(too_big)[0])
            raise where.fail(i, int(raw[i]), "does not fit a 64-bit signed Avro long")
        return raw.astype(np.int64)
    dtype = np.dtype(t.to_pandas_dtype())
    return _primitive_values(arr, dtype).astype(np.int64, copy=False)


def _rescale(values: _I64, src: str, dst: str, where: _Where, arr: pa.Array) -> _I64:
    """Convert counts of ``src`` units to ``dst`` units: floor division, or an exact multiply."""
    a, b = _UNIT_PER_SECOND[src], _UNIT_PER_SECOND[dst]
    if a == b:
        return values
    if a > b:
        return values // (a // b)
    factor = b // a
    limit = (2**63 - 1) // factor
    over = (values > limit) | (values < -limit)  # not np.abs: it keeps -2**63 negative
    if over.any():
        i = int(np.flatnonzero(over)[0])
        raise where.fail(i, _py(arr, i), f"overflows a 64-bit count of {dst} once converted")
    return values * factor


class _IntNode(_Node):
    """``int`` and ``long``, with their logical types (date, time-*, timestamp-*)."""

    def __init__(self, avro: str, logical: str | None) -> None:
        self.avro = avro
        self.logical = logical

    def family(self) -> str:
        return "temporal" if self.logical else "numeric"

    def values(self, arr: pa.Array, where: _Where, *, nulls_ok: bool = False) -> _I64:
        text_target = _TEXT_TEMPORAL.get(self.logical or "")
        if text_target is not None and is_string_like(arr.type):
            arr = _parse_text(arr, text_target, str(self.logical), where)
        t = arr.type
        logical = self.logical
        if pa.types.is_integer(t):
            return _integers(arr, where)
        if pa.types.is_floating(t):
            return _whole_numbers(arr, where, self.avro, nulls_ok=nulls_ok)
        if logical == "date":
            if pa.types.is_date32(t):
                return _primitive_values(arr, np.int32).astype(np.int64)
            if pa.types.is_date64(t):
                return _primitive_values(arr, np.int64) // 86_400_000
        elif logical in ("time-millis", "time-micros"):
            if pa.types.is_time32(t) or pa.types.is_time64(t):
                dtype = np.int32 if pa.types.is_time32(t) else np.int64
                raw = _primitive_values(arr, dtype).astype(np.int64)
                return _rescale(raw, t.unit, _LOGICAL_UNIT[logical], where, arr)
        elif logical is not None and logical in _LOGICAL_UNIT and pa.types.is_timestamp(t):
            if logical.startswith("local-") and t.tz is not None:
                arr = pc.local_timestamp(arr)
            raw = _primitive_values(arr, np.int64)
            return _rescale(raw, t.unit, _LOGICAL_UNIT[logical], where, arr)
        described = f'"{self.avro}"' + (f" ({logical})" if logical else "")
        raise UnsupportedLayoutError(
            f"Arrow type {t} has no columnar conversion to Avro {described}"
        )

    def plan(self, arr: pa.Array, where: _Where) -> _Plan:
        return _VarintPlan(self.checked(_unwrap(arr), where))

    def checked(self, arr: pa.Array, where: _Where, *, nulls_ok: bool = False) -> _I64:
        """The values as int64, checked (null slots too, when ``nulls_ok``: garbage there)."""
        if not nulls_ok:
            _check_no_nulls(arr, where, f'"{self.avro}"')
        values = self.values(arr, where, nulls_ok=nulls_ok)
        if not len(values):
            return values
        if self.avro == "int":
            bad = (values < _INT32[0]) | (values > _INT32[1])
            i = _first_present(bad, arr, nulls_ok)
            if i is not None:
                raise where.fail(
                    i, _py(arr, i), 'does not fit Avro "int" (32-bit, -2147483648..2147483647)'
                )
        bounds = LOGICAL_RANGES.get(self.logical or "")
        if bounds is not None:
            low, high, what = bounds
            i = _first_present((values < low) | (values > high), arr, nulls_ok)
            if i is not None:
                raise where.fail(
                    i,
                    _py(arr, i),
                    f"does not fit Avro {self.logical}: {int(values[i])} is outside "
                    f"{low}..{high} ({what}), which readers cannot take back",
                )
        return values


#: What ISO-8601 text in a date or timestamp field is parsed as (``infer(parse_dates=True)``
#: types text columns the same way): a date; a timestamp with a zone for an instant
#: (``timestamp-*``); one without for local time (``local-timestamp-*``). Microseconds, or
#: nanoseconds for ``*-nanos``; ``_rescale`` then floors to milliseconds.
_TEXT_TEMPORAL: Mapping[str, pa.DataType] = {
    "date": pa.date32(),
    **{
        f"{prefix}timestamp-{unit}": pa.timestamp(
            "ns" if unit == "nanos" else "us", tz="UTC" if prefix == "" else None
        )
        for prefix in ("", "local-")
        for unit in ("millis", "micros", "nanos")
    },
}

_TEXT_TEMPORAL_WANTS = {
    "date": "a date, YYYY-MM-DD",
    "timestamp": "a timestamp with a UTC offset or Z (YYYY-MM-DDThh:mm:ss[.ffffff]+hh:mm), "
    "as an instant needs",
    "local-timestamp": "a timestamp without a time zone (YYYY-MM-DDThh:mm:ss[.ffffff]), "
    "as local time needs",
}


def _parse_text(arr: pa.Array, target: pa.DataType, logical: str, where: _Where) -> pa.Array:
    """ISO-8601 text as ``target`` (the Arrow type of ``logical``), in one cast; the first
    value that does not parse is found by bisection and named with its row."""
    parsed = cast_or_none(arr, target)
    if parsed is not None:
        return parsed
    i = _first_failing(arr, lambda part: cast_or_none(part, target) is not None)
    kind = logical if logical == "date" else logical.rpartition("-")[0]
    raise where.fail(
        i, _py(arr, i), f"does not parse as {_TEXT_TEMPORAL_WANTS[kind]}, for Avro {logical}"
    )


def _first_present(bad: npt.NDArray[np.bool_], arr: pa.Array, nulls_ok: bool) -> int | None:
    """The first index flagged ``bad`` that is not a null slot (those hold anything)."""
    if nulls_ok and arr.null_count:
        bad = bad & _validity(arr)
    if not bad.any():
        return None
    return int(np.flatnonzero(bad)[0])


def _whole_numbers(arr: pa.Array, where: _Where, avro: str, *, nulls_ok: bool) -> _I64:
    """A float array's values as int64: each must be a finite whole number within 64 bits
    (pandas keeps integers with nulls as float64); null slots become 0."""
    x = _primitive_values(arr, np.dtype(arr.type.to_pandas_dtype())).astype(np.float64)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(x) & (np.floor(x) == x) & (x >= -(2.0**63)) & (x < 2.0**63)
    i = _first_present(~ok, arr, nulls_ok)
    if i is not None:
        raise where.fail(
            i, _py(arr, i), f'is not a whole number within 64 bits, which Avro "{avro}" needs'
        )
    return np.where(ok, x, 0.0).astype(np.int64)


class _FloatNode(_Node):
    def __init__(self, avro: str) -> None:
        self.avro = avro

    def family(self) -> str:
        return "numeric"

    def plan(self, arr: pa.Array, where: _Where) -> _Plan:
        return _FixedWidthPlan(self.checked(_unwrap(arr), where))

    def checked(
        self, arr: pa.Array, where: _Where, *, nulls_ok: bool = False
    ) -> npt.NDArray[np.uint8]:
        """The little-endian bytes of every value, ``(n, 4 or 8)``, checked."""
        t = arr.type
        if not nulls_ok:
            _check_no_nulls(arr, where, f'"{self.avro}"')
        if pa.types.is_floating(t):
            values = _primitive_values(arr, np.dtype(t.to_pandas_dtype())).astype(
                np.float64, copy=False
            )
        elif pa.types.is_integer(t):
            # as Python would: int → double (→ float)
            values = _integers(arr, where).astype(np.float64)
        else:
            raise UnsupportedLayoutError(f'Arrow type {t} is not a number, for Avro "{self.avro}"')
        if self.avro == "double":
            return values.astype("<f8", copy=False).view(np.uint8).reshape(-1, 8)
        finite = np.isfinite(values)
        too_big = finite & (np.abs(values) > _FLOAT32_MAX)
        if too_big.any():
            # fastavro refuses these too (struct.pack("<f") overflows); rounding to the largest
            # float may still fit, so check what float32 makes of it.
            with np.errstate(over="ignore"):
                as32 = values.astype(np.float32)
            bad = too_big & ~np.isfinite(as32)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise where.fail(i, _py(arr, i), 'is beyond the range of Avro "float" (32-bit)')
        return values.astype("<f4").view(np.uint8).reshape(-1, 4)


class _BinaryNode(_Node):
    """``bytes`` and ``string`` (and ``uuid`` on string)."""

    def __init__(self, avro: str, logical: str | None) -> None:
        self.avro = avro
        self.logical = logical

    def family(self) -> str:
        return "text"

    def plan(self, arr: pa.Array, where: _Where) -> _Plan:
        arr = _unwrap(arr)
        t = arr.type
        _check_no_nulls(arr, where, f'"{self.avro}"')
        if self.avro == "string" and isinstance(t, pa.BaseExtensionType):
            # arrow.uuid → its 36-character text form
            return _uuid_text(_fixed_parts(arr.storage, 16))
        if not _text_or_binary(t):
            raise UnsupportedLayoutError(
                f'Arrow type {t} has no columnar conversion to Avro "{self.avro}"'
            )
        self.check(arr, where)
        offsets, data = _binary_parts(arr)
        return _BytesPlan(np.diff(offsets), data)

    def check(self, arr: pa.Array, where: _Where) -> None:
        """Text from binary input must be UTF-8, and a uuid its RFC 4122 text (null slots are
        not looked at); Arrow strings are UTF-8 already."""
        if self.avro != "string":
            return
        if not is_string_like(arr.type):
            _check_utf8(arr, where)
        if self.logical == "uuid" and len(arr):
            text = arr if is_string_like(arr.type) else arr.view(_TEXT_VIEW[_binary_kind(arr.type)])
            matches = pc.match_substring_regex(text, UUID_PATTERN).fill_null(True)
            bad = ~np.asarray(matches.to_numpy(zero_copy_only=False), np.bool_)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise where.fail(
                    i,
                    _py(arr, i),
                    "is not a uuid as Avro writes it (RFC 4122 text, "
                    "8-4-4-4-12 hex digits, e.g. 123e4567-e89b-12d3-a456-426614174000)",
                )


def _is_binary(t: pa.DataType) -> bool:
    return bool(pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_binary_view(t))


def _text_or_binary(t: pa.DataType) -> bool:
    return is_string_like(t) or _is_binary(t)


def _binary_kind(t: pa.DataType) -> str:
    if pa.types.is_large_binary(t):
        return "large"
    return "view" if pa.types.is_binary_view(t) else "plain"


#: The string type each binary layout is viewed as (same buffers) to check it as text.
_TEXT_VIEW = {"plain": pa.string(), "large": pa.large_string(), "view": pa.string_view()}


def _casts(arr: pa.Array, target: pa.DataType) -> bool:
    try:
        arr.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def _first_failing(arr: pa.Array, ok: Callable[[pa.Array], bool]) -> int:
    """The first index of ``arr`` (which fails ``ok`` as a whole) whose value fails ``ok``.

    Bisection over slices: each step tests half of what is left, so the values are looked at
    about twice in all, by columnar calls, never one Python call per value.
    """
    low, high = 0, len(arr)  # the first failing value is in [low, high)
    while high - low > 1:
        middle = (low + high) // 2
        if ok(arr.slice(low, middle - low)):
            low = middle
        else:
            high = middle
    return low


def _utf8(arr: pa.Array) -> bool:
    try:
        arr.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _check_utf8(arr: pa.Array, where: _Where) -> None:
    """Raise for the first value of a binary array that is not UTF-8, found columnar.

    ASCII bytes are UTF-8: one numpy ``max`` over the bytes settles most text. Otherwise
    pyarrow's full validation of the array viewed as strings checks it in one pass; only when
    that fails is the first bad value found, by :func:`_first_failing`.
    """
    if not pa.types.is_binary_view(arr.type):
        _, data = _binary_parts(arr)
        if not len(data) or int(data.max()) < 0x80:
            return
    text = arr.view(_TEXT_VIEW[_binary_kind(arr.type)])
    if _utf8(text):
        return
    i = _first_failing(text, _utf8)
    raise where.fail(i, _py(arr, i), 'is not valid UTF-8, which Avro "string" must be')


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_UUID_SLOTS = np.array([i for i in range(36) if i not in (8, 13, 18, 23)], dtype=np.intp)


def _uuid_text(raw: npt.NDArray[np.uint8]) -> _Plan:
    n = raw.shape[0]
    digits = np.empty((n, 32), np.uint8)
    digits[:, 0::2] = _HEX[raw >> 4]
    digits[:, 1::2] = _HEX[raw & 0x0F]
    text = np.full((n, 37), ord("-"), np.uint8)
    text[:, 0] = 72  # varint of the length 36
    text[:, 1 + _UUID_SLOTS] = digits
    return _FixedWidthPlan(text)


class _FixedNode(_Node):
    avro = "fixed"

    def __init__(self, size: int, logical: str | None) -> None:
        self.size = size
        self.logical = logical

    def family(self) -> str:
        return "duration" if self.logical == "duration" else "text"

    def plan(self, arr: pa.Array, where: _Where) -> _Plan:
        arr = _unwrap(arr)
        t = arr.type
        _check_no_nulls(arr, where, f'"fixed" (size {self.size})')
        if self.logical == "duration" and self.size == 12:
            if t == pa.month_day_nano_interval():
                return _duration_plan(arr, where)
            if pa.types.is_duration(t):
                raw = _primitive_values(arr, np.int64)
                millis = _rescale(raw, t.unit, "ms", where, arr)
                zeros = np.zeros(len(arr), np.int64)
                return _duration_matrix(zeros, zeros, millis, arr, where)
        if pa.types.is_fixed_size_binary(t) and t.byte_width == self.size:
            return _FixedWidthPlan(_fixed_parts(arr, self.size))
        if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
            offsets, data = _binary_parts(arr)
            lengths = np.diff(offsets)
            wrong = lengths != self.size
            if wrong.any():
                i = int(np.flatnonzero(wrong)[0])
                raise where.fail(
                    i, _py(arr, i), f'has {int(lengths[i])} bytes; Avro "fixed" needs {self.size}'
                )
            return _FixedWidthPlan(data.reshape(len(arr), self.size))
        raise UnsupportedLayoutError(
            f"Arrow type {t} has no columnar conversion to Avro fixed({self.size})"
        )


def _duration_plan(arr: pa.Array, where: _Where) -> _Plan:
    n = len(arr)
    buffer = arr.buffers()[1]
    if buffer is None or n == 0:
        z = np.zeros(n, np.int64)
        return _duration_matrix(z, z, z, arr, where)
    rec = np.dtype([("months", "<i4"), ("days", "<i4"), ("nanos", "<i8")])
    values = np.frombuffer(buffer, dtype=rec)[arr.offset : arr.offset + n]
    millis = values["nanos"].astype(np.int64) // 1_000_000
    return _duration_matrix(
        values["months"].astype(np.int64), values["days"].astype(np.int64), millis, arr, where
    )


def _duration_matrix(months: _I64, days: _I64, millis: _I64, arr: pa.Array, where: _Where) -> _Plan:
    for part, name in ((months, "months"), (days, "days"), (millis, "milliseconds")):
        bad = (part < 0) | (part > _UINT32_MAX)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise where.fail(
                i, _py(arr, i), f"has {name} outside 0..2**32-1, which Avro duration cannot hold"
            )
    matrix = np.stack([months, days, millis], axis=1).astype("<u4")
    return _FixedWidthPlan(matrix.view(np.uint8).reshape(len(months), 12))


class _EnumNode(_Node):
    avro = "enum"

    def __init__(self, name: str, symbols: Sequence[str]) -> None:
        self.name = name
        self.symbols = list(symbols)
        self.symbol_array = pa.array(self.symbols, pa.string())

    def family(self) -> str:
        return "text"

    def _unknown(self, arr: pa.Array, i: int, where: _Where) -> EncodeError:
        shown = ", ".join(self.symbols[:10]) + (", …" if len(self.symbols) > 10 else "")
        return where.fail(i, _py(arr, i), f"is not a symbol of enum {self.name!r} ({shown})")

    def plan(self, arr: pa.Array, where: _Where) -> _Plan:
        t = arr.type
        if isinstance(t, pa.BaseExtensionType):
            arr = arr.storage
            t = arr.type
        _check_no_nulls(arr, where, f"enum {self.name!r}")
        if pa.types.is_dictionary(t) and (
            pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)
        ):
            lookup = pc.index_in(arr.dictionary, value_set=self.symbol_array)
            table = np.asarray(lookup.fill_null(-1).to_numpy(zero_copy_only=False), np.int64)
            codes = _integers(arr.indices, where)
            indices = table[codes] if len(table) else np.full(len(codes), -1, np.int64)
        elif pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
            found = pc.index_in(arr, value_set=self.symbol_array)
            indices = np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), np.int64)
        else:
            raise UnsupportedLayoutError(
                f"Arrow type {t} is not strings or a string dictionary, for an enum"
            )
        unknown = indices < 0
        if unknown.any():
            raise self._unknown(arr, int(np.flatnonzero(unknown)[0]), where)
        return _VarintPlan(indices)


class _DecimalNode(_Node):
    def __init__(self, avro: str, precision: int, scale: int, size: int | None) -> None:
        self.avro = avro
        self.logical = "decimal"
        self.precision = precision
        self.scale = scale
        self.size = size

    def family(self) -> str:
        return "decimal"

    def plan(self, arr: pa.Array, where: _Where) -> _Plan:
        arr = _unwrap(arr)
        t = arr.type
        _check_no_nulls(arr, where, f"decimal({self.precision}, {self.scale})")
        if not pa.types.is_decimal(t):
            raise UnsupportedLayoutError(f"Arrow type {t} is not a decimal, for Avro decimal")
        if t.scale != self.scale or t.byte_width < 16:
            width = max(t.precision + max(self.scale - t.scale, 0), 1)
            target = (
                pa.decimal128(width, self.scale)
                if width <= 38
                else pa.decimal256(min(width, 76), self.scale)
            )
            try:
                arr = arr.cast(target)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                i = _first_failing(arr, lambda part: _casts(part, target))
                raise where.fail(
                    i,
                    _py(arr, i),
                    f"does not convert from {t} to decimal({self.precision}, {self.scale}) "
                    "without loss",
                ) from None
            t = arr.type
        n = len(arr)
        words_per = t.byte_width // 8
        buffer = arr.buffers()[1]
        words = (
            np.frombuffer(buffer, dtype="<u8")[
                arr.offset * words_per : (arr.offset + n) * words_per
            ]
            .reshape(n, words_per)
            .copy()
            if buffer is not None and n
            else np.zeros((n, words_per), np.uint64)
        )
        negative = (words[:, -1] >> np.uint64(63)).astype(np.bool_)
        magnitude = words.copy()
        if negative.any():
            neg = magnitude[negative]
            neg = ~neg
            carry = np.ones(len(neg), np.bool_)
            for j in range(words_per):
                neg[:, j] += carry.astype(np.uint64)
                carry = carry & (neg[:, j] == 0)
            magnitude[negative] = neg
        limit = 10**self.precision
        limit_words = [np.uint64((limit >> (64 * j)) & (2**64 - 1)) for j in range(words_per)]
        too_big = np.zeros(n, np.bool_)
        decided = np.zeros(n, np.bool_)
        for j in range(words_per - 1, -1, -1):
            gt = ~decided & (magnitude[:, j] > limit_words[j])
            lt = ~decided & (magnitude[:, j] < limit_words[j])
            too_big |= gt
            decided |= gt | lt
        too_big |= ~decided
        if limit >= 2 ** (64 * words_per - 1):
            too_big[:] = False
        if too_big.any():
            i = int(np.flatnonzero(too_big)[0])
            raise where.fail(
                i,
                _py(arr, i),
                f"has more digits than decimal({self.precision}, {self.scale}) allows",
            )
        width = 8 * words_per
        big = words.view(np.uint8).reshape(n, width)[:, ::-1]  # big-endian two's complement
        if self.size is not None:
            size = self.size
            if size <= width:
                return _FixedWidthPlan(np.ascontiguousarray(big[:, width - size :]))
            pad = np.where(negative, np.uint8(0xFF), np.uint8(0))[:, None]
            return _FixedWidthPlan(np.hstack([np.repeat(pad, size - width, axis=1), big]))
        mag_bytes = magnitude.view(np.uint8).reshape(n, width)
        nonzero = mag_bytes != 0
        any_nonzero = nonzero.any(axis=1)
        top = width - 1 - np.argmax(nonzero[:, ::-1], axis=1)
        top_byte = mag_bytes[np.arange(n), top]
        # fastavro: (|unscaled|.bit_length() + 8) // 8 bytes
        lengths = np.where(any_nonzero, top + 1 + (top_byte >= 0x80), 1).astype(np.int64)
        mask = np.arange(width)[None, :] >= (width - lengths)[:, None]
        return _BytesPlan(lengths, np.ascontiguousarray(big)[mask])


class _Field:
    __slots__ = ("column", "default", "name", "node", "schema")

    def __init__(
        self, name: str, column: str, node: _Node, default: bytes | None, schema: Any
    ) -> None:
        self.name = name
        self.column = column
        self.node = node
        self.default = default
        self.schema = schema


class _RecordNode(_Node):
    avro = "record"

    def __init__(self, name: str, fields: list[_Field]) -> None:
        self.name = name
        self.fields = fields

    def family(self) -> str:
        return "mapping"

    def plan_columns(
        self,
        columns: Mapping[str, pa.Array],
        n: int,
        where: _Where,
        *,
        extra: Extra,
        on_unsupported: Callable[[_Field, pa.Array, _Where, UnsupportedLayoutError], _Plan]
        | None = None,
    ) -> _Plan:
        used: set[str] = set()
        plans: list[_Plan] = []
        for field in self.fields:
            column = field.column if field.column in columns else field.name
            here = where.child(f".{field.name}" if where.path else field.name)
            if column not in columns:
                if field.default is None:
                    spelled = (
                        f"{field.column!r} (field {field.name!r})"
                        if field.column != field.name
                        else repr(field.name)
                    )
                    raise EncodeError(
                        f"missing column {spelled} at {here.path!r}: the field has no default, "
                        "so the data must have it",
                        column=here.path,
                    )
                plans.append(_ConstPlan(n, field.default))
                continue
            used.add(column)
            arr = columns[column]
            try:
                plans.append(field.node.plan(arr, here))
            except UnsupportedLayoutError as exc:
                if on_unsupported is None:
                    raise
                plans.append(on_unsupported(field, arr, here, exc))
        if extra == "error":
            unknown = [c for c in columns if c not in used]
            if unknown:
                where_ = f" in {where.path!r}" if where.path else ""
                raise EncodeError(
                    f"column{'s' if len(unknown) > 1 else ''} "
                    f"{', '.join(repr(c) for c in unknown)}{where_} not in the schema "
                    f"(record {self.name!r}); drop them or pass extra='ignore'",
                    column=f"{where.path}.{unknown[0]}" if where.path else unknown[0],
                )
        return _RecordPlan(n, plans)

    def plan(self, arr: pa.Array, where: _Where) -> _Plan:
        if not pa.types.is_struct(arr.type):
            raise UnsupportedLayoutError(
                f"Arrow type {arr.type} is not a struct, for record {self.name!r}"
            )
        _check_no_nulls(arr, where, f"record {self.name!r}")
        columns = {arr.type.field(i).name: arr.field(i) for i in range(arr.type.num_fields)}
        return self.plan_columns(columns, len(arr), where, extra=where.extra)


def _list_parts(arr: pa.Array) -> tuple[_I64, pa.Array]:
    t = arr.type
    if not (pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_map(t)):
        raise UnsupportedLayoutError(f"Arrow type {t} is not a list or map")
    n = len(arr)
    offsets = np.asarray(arr.offsets.to_numpy(zero_copy_only=False), np.int64)[: n + 1]
    if not len(offsets):
        offsets = np.zeros(1, np.int64)
    first, last = int(offsets[0]), int(offsets[-1])
    values = arr.values.slice(first, last - first)
    return offsets - first, values


def _child_where(where: _Where, offsets: _I64, step: str) -> _Where:
    return where.child(step, lambda j: where.rowmap(int(np.searchsorted(offsets, j, "right") - 1)))


class _ArrayNode(_Node):
    avro = "array"

    def __init__(self, items: _Node) -> None:
        self.items = items

    def family(self) -> str:
        return "sequence"

    def plan(self, arr: pa.Array, where: _Where) -> _Plan:
        arr = _unwrap(arr)
        t = arr.type
        if not (pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)):
            raise UnsupportedLayoutError(f"Arrow type {t} is not a list, for an Avro array")
        _check_no_nulls(arr, where, "the array")
        if pa.types.is_fixed_size_list(t):
            arr = arr.cast(pa.list_(t.value_field))
        offsets, values = _list_parts(arr)
        child = self.items.plan(values, _child_where(where, offsets, "[]"))
        return _BlockPlan(offsets, child)


class _MapNode(_Node):
    avro = "map"

    def __init__(self, values: _Node) -> None:
        self.values = values
        self.keys = _BinaryNode("string", None)

    def family(self) -> str:
        return "mapping"

    def plan(self, arr: pa.Array, where: _Where) -> _Plan:
        arr = _unwrap(arr)
        if not pa.types.is_map(arr.type):
            raise UnsupportedLayoutError(f"Arrow type {arr.type} is not a map, for an Avro map")
        _check_no_nulls(arr, where, "the map")
        offsets, entries = _list_parts(arr)
        here = _child_where(where, offsets, "{}")
        key_plan = self.keys.plan(entries.field(0), here.child(".key"))
        value_plan = self.values.plan(entries.field(1), here)
        return _BlockPlan(offsets, _RecordPlan(len(entries), [key_plan, value_plan]))


_ARROW_FAMILY: list[tuple[Callable[[pa.DataType], bool], str]] = [
    (pa.types.is_boolean, "numeric"),
    (pa.types.is_integer, "numeric"),
    (pa.types.is_floating, "numeric"),
    (pa.types.is_string, "text"),
    (pa.types.is_large_string, "text"),
    (pa.types.is_string_view, "text"),
    (pa.types.is_binary, "text"),
    (pa.types.is_large_binary, "text"),
    (pa.types.is_fixed_size_binary, "text"),
    (pa.types.is_dictionary, "text"),
    (pa.types.is_temporal, "temporal"),
    (pa.types.is_decimal, "decimal"),
    (pa.types.is_struct, "mapping"),
    (pa.types.is_map, "mapping"),
    (pa.types.is_list, "sequence"),
    (pa.types.is_large_list, "sequence"),
    (pa.types.is_interval, "duration"),
]


def _arrow_family(t: pa.DataType) -> str | None:
    if isinstance(t, pa.BaseExtensionType):
        return "text" if t.extension_name == "arrow.uuid" else _arrow_family(t.storage_type)
    for test, family in _ARROW_FAMILY:
        if test(t):
            return family
    return None


class _UnionNode(_Node):
    avro = "union"

    def __init__(self, branches: list[_Node]) -> None:
        self.branches = branches
        nulls = [i for i, b in enumerate(branches) if isinstance(b, _NullNode)]
        self.null_index = nulls[0] if nulls else None
        self.others = [i for i, b in enumerate(branches) if not isinstance(b, _NullNode)]

    def family(self) -> str:
        return "union"

    def _null_branch(self, arr: pa.Array, rows: npt.NDArray[np.intp], where: _Where) -> int:
        if self.null_index is None:
            raise where.fail(int(rows[0]), None, 'is null, and the union has no "null" branch')
        return self.null_index

    def plan(self, arr: pa.Array, where: _Where) -> _Plan:
        if pa.types.is_union(arr.type):
            return self._plan_union(arr, where)
        arr = _unwrap(arr) if not pa.types.is_dictionary(arr.type) else arr
        n = len(arr)
        valid = _validity(arr)
        if not self.others:
            plan = self.branches[0].plan(arr, where)
            return _UnionPlan(np.zeros(n, np.int64), [(np.arange(n, dtype=np.intp), plan)])
        if len(self.others) == 1:
            target = self.others[0]
        else:
            family = _arrow_family(arr.type)
            matches = [i for i in self.others if self.branches[i].family() == family]
            if len(matches) != 1:
                raise UnsupportedLayoutError(
                    f"Arrow type {arr.type} is not a union and matches "
                    f"{len(matches)} of the union's branches by kind, so the branch is chosen "
                    "value by value"
                )
            target = matches[0]
        if valid.all():
            branches = np.full(n, target, np.int64)
            plan = self.branches[target].plan(arr, where)
            return _UnionPlan(branches, [(np.arange(n, dtype=np.intp), plan)])
        if self.null_index is None:
            self._null_branch(arr, np.flatnonzero(~valid), where)
        null_index = self.null_index
        assert null_index is not None
        rows = np.flatnonzero(valid)
        if not len(rows):
            return _UnionPlan(np.full(n, null_index, np.int64), [])
        present = pc.drop_null(arr)
        plan = self.branches[target].plan(present, _taken(where, rows))
        if target < 64 and null_index < 64:
            return _UnionPlan.from_mask(valid, rows, 2 * target, 2 * null_index, plan)
        branches = np.where(valid, target, null_index).astype(np.int64)
        return _UnionPlan(branches, [(rows, plan)])

    def _plan_union(self, arr: pa.Array, where: _Where) -> _Plan:
        t = arr.type
        if t.mode != "dense":
            raise UnsupportedLayoutError("a sparse Arrow union has no columnar path")
        if t.num_fields != len(self.branches):
            raise UnsupportedLayoutError(
                f"the Arrow union has {t.num_fields} children and the Avro union "
                f"{len(self.branches)} branches"
            )
        n = len(arr)
        codes = _primitive_values(arr, np.int8).astype(np.int64)
        code_to_child = np.full(128, -1, np.int64)
        for child, code in enumerate(t.type_codes):
            code_to_child[code] = child
        child_of = code_to_child[codes]
        buffers = arr.buffers()
        value_offsets = np.frombuffer(buffers[2], dtype=np.int32)[arr.offset : arr.offset + n]
        branches = child_of.copy()
        parts: list[tuple[npt.NDArray[np.intp], _Plan]] = []
        for k, node in enumerate(self.branches):
            rows = np.flatnonzero(child_of == k)
            if not len(rows):
                continue
            values = arr.field(k).take(pa.array(value_offsets[rows]))
            valid = _validity(values)
            if isinstance(node, _NullNode):
                continue
            if not valid.all():
                null_rows = rows[~valid]
                branches[null_rows] = self._null_branch(arr, null_rows, where)
                rows = rows[valid]
                values = values.filter(pa.array(valid))
                if not len(rows):
                    continue
            parts.append((rows, node.plan(values, _taken(where, rows))))
        return _UnionPlan(branches, parts)


# --------------------------------------------------------------------------------------------
# compiling a parsed schema


def _encode_default(schema: Any, value: Any, named: Mapping[str, Any]) -> bytes:
    """The Avro binary of a field default (JSON form), by the specification's rules.

    Defaults are in the underlying type; a union's default is for its first branch; bytes and
    fixed defaults are strings whose code points 0–255 are the bytes.
    """
    if isinstance(schema, str) and schema in named:
        schema = named[schema]
    if isinstance(schema, list):
        return b"\x00" + _encode_default(schema[0], value, named)
    kind = schema["type"] if isinstance(schema, dict) else schema
    if isinstance(kind, (dict, list)):
        return _encode_default(kind, value, named)
    if kind == "null":
        return b""
    if kind == "boolean":
        return b"\x01" if value else b"\x00"
    if kind in ("int", "long"):
        return _varint_bytes(int(value))
    if kind == "float":
        return struct.pack("<f", float(value))
    if kind == "double":
        return struct.pack("<d", float(value))
    if kind == "string":
        raw = str(value).encode("utf-8")
        return _varint_bytes(len(raw)) + raw
    if kind == "bytes":
        raw = str(value).encode("latin-1")
        return _varint_bytes(len(raw)) + raw
    if kind == "fixed":
        return str(value).encode("latin-1")
    if kind == "enum":
        return _varint_bytes(list(schema["symbols"]).index(value))
    if kind == "array":
        items = [_encode_default(schema["items"], v, named) for v in value]
        head = _varint_bytes(len(items)) if items else b""
        return head + b"".join(items) + b"\x00"
    if kind == "map":
        parts = [
            _encode_default("string", k, named) + _encode_default(schema["values"], v, named)
            for k, v in value.items()
        ]
        head = _varint_bytes(len(parts)) if parts else b""
        return head + b"".join(parts) + b"\x00"
    if kind in ("record", "error"):
        out = []
        for field in schema["fields"]:
            if field["name"] in value:
                out.append(_encode_default(field["type"], value[field["name"]], named))
            else:
                out.append(_encode_default(field["type"], field["default"], named))
        return b"".join(out)
    raise ValueError(f"unknown Avro type {kind!r}")


def _varint_bytes(value: int) -> bytes:
    u = (value << 1) ^ (value >> 63)
    out = bytearray()
    while True:
        byte = u & 0x7F
        u >>= 7
        if u:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


class _RecursiveNode(_Node):
    """A reference to a record that contains itself: Arrow types cannot nest without end."""

    avro = "record"

    def __init__(self, name: str) -> None:
        self.name = name

    def family(self) -> str:
        return "mapping"

    def plan(self, arr: pa.Array, where: _Where) -> _Plan:
        raise UnsupportedLayoutError(
            f"record {self.name!r} is recursive, which the columnar writer does not follow"
        )


class _Compiler:
    def __init__(self, named: Mapping[str, Any]) -> None:
        self.named = dict(named)
        self.active: set[str] = set()

    def node(self, schema: Any) -> _Node:
        if isinstance(schema, list):
            return _UnionNode([self.node(b) for b in schema])
        if isinstance(schema, str):
            if schema in self.active:
                return _RecursiveNode(schema)
            if schema in self.named:
                return self.node(self.named[schema])
            return self.primitive(schema, None, schema)
        kind = schema["type"]
        if isinstance(kind, (dict, list)):
            return self.node(kind)
        logical = schema.get("logicalType")
        if kind in ("record", "error"):
            name = str(schema["name"])
            self.active.add(name)
            try:
                return self.record(schema)
            finally:
                self.active.discard(name)
        return self.other(schema, kind, logical)

    def record(self, schema: Any) -> _Node:
        fields = []
        for f in schema["fields"]:
            default = (
                _encode_default(f["type"], f["default"], self.named) if "default" in f else None
            )
            column = f.get(ORIGINAL_NAME, f["name"])
            fields.append(_Field(f["name"], str(column), self.node(f["type"]), default, f))
        return _RecordNode(schema["name"], fields)

    def other(self, schema: Any, kind: str, logical: Any) -> _Node:
        if kind == "enum":
            return _EnumNode(schema["name"], schema["symbols"])
        if kind == "fixed":
            size = int(schema["size"])
            if logical == "decimal" and "precision" in schema:
                return _DecimalNode(
                    "fixed", int(schema["precision"]), int(schema.get("scale", 0)), size
                )
            return _FixedNode(size, logical if isinstance(logical, str) else None)
        if kind == "array":
            return _ArrayNode(self.node(schema["items"]))
        if kind == "map":
            return _MapNode(self.node(schema["values"]))
        return self.primitive(kind, logical if isinstance(logical, str) else None, schema)

    def primitive(self, kind: str, logical: str | None, schema: Any) -> _Node:
        if kind == "null":
            return _NullNode()
        if kind == "boolean":
            return _BooleanNode()
        if kind in ("int", "long"):
            known = {
                "int": ("date", "time-millis"),
                "long": (
                    "time-micros",
                    "timestamp-millis",
                    "timestamp-micros",
                    "timestamp-nanos",
                    "local-timestamp-millis",
                    "local-timestamp-micros",
                    "local-timestamp-nanos",
                ),
            }
            return _IntNode(kind, logical if logical in known[kind] else None)
        if kind in ("float", "double"):
            return _FloatNode(kind)
        if kind == "bytes":
            if logical == "decimal" and isinstance(schema, dict) and "precision" in schema:
                return _DecimalNode(
                    "bytes", int(schema["precision"]), int(schema.get("scale", 0)), None
                )
            return _BinaryNode("bytes", None)
        if kind == "string":
            return _BinaryNode("string", "uuid" if logical == "uuid" else None)
        if kind in self.named:
            return self.node(self.named[kind])
        raise ValueError(f"unknown Avro type {kind!r}")


class _Compiled:
    """A schema compiled for encoding: the root node, how columns map, fastavro's parse."""

    def __init__(self, parsed: Any) -> None:
        self.parsed = parsed
        self.named: dict[str, Any] = (
            dict(parsed.get("__named_schemas", {})) if isinstance(parsed, dict) else {}
        )
        root = _Compiler(self.named).node(_strip(parsed))
        if isinstance(root, _RecordNode):
            self.root = root
            self.is_record = True
        else:
            self.root = _RecordNode("(root)", [_Field("value", "value", root, None, parsed)])
            self.is_record = False


def _strip(parsed: Any) -> Any:
    if isinstance(parsed, dict):
        return {k: v for k, v in parsed.items() if not k.startswith("__")}
    return parsed


_CACHE: OrderedDict[tuple[str, str], _Compiled] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 64


def compiled(schema: Any) -> _Compiled:
    """The compiled form of a :class:`~schemakit.schema.Schema` (cached by its text)."""
    key = (schema.schema_type, schema.text)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    result = _Compiled(schema._parsed)
    with _CACHE_LOCK:
        _CACHE[key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


# --------------------------------------------------------------------------------------------
# the direct path: a record of flat fields, straight from the Arrow buffers (numba only)


def _address(values: npt.NDArray[Any]) -> int:
    address: int = values.__array_interface__["data"][0]
    return address


class _Flat:
    """Descriptor rows (see ``_D_*``) of a record's flat fields, and what keeps them alive."""

    def __init__(self) -> None:
        self.rows: list[list[int]] = []
        self.keep: list[Any] = []
        #: upper bound of the bytes of one row, not counting the variable-length data
        self.per_row = 0
        #: upper bound of the variable-length data of all rows
        self.data_bytes = 0

    def add(
        self,
        kind: int,
        values: int,
        *,
        data: int = 0,
        width: int = 0,
        union: tuple[int, int] | None = None,
        nulls: pa.Array | None = None,
    ) -> None:
        bitmap = bit0 = 0
        if nulls is not None and nulls.null_count:
            validity = nulls.buffers()[0]
            assert validity is not None
            bitmap, bit0 = validity.address, nulls.offset
        valid, null = union if union is not None else (-1, -1)
        self.rows.append([kind, values, data, bitmap, bit0, width, valid, null])
        self.per_row += (union is not None) + (width if kind in (_K_FIXED, _K_CONST) else 10)

    def array(self, values: npt.NDArray[Any], kind: int, **options: Any) -> None:
        values = np.ascontiguousarray(values)
        self.keep.append(values)
        self.add(kind, _address(values), **options)

    def table(self) -> _I64:
        return np.array(self.rows, np.int64).reshape(len(self.rows), _D_COLUMNS)


def _flat_plan(plan: _Plan, flat: _Flat, union: tuple[int, int] | None) -> bool:
    """A plan of one flat value per row as a descriptor row."""
    if isinstance(plan, _VarintPlan):
        flat.array(plan.u, _K_U64, union=union)
    elif isinstance(plan, _FixedWidthPlan):
        width = plan.matrix.shape[1]
        flat.array(
            plan.matrix.reshape(-1) if width else np.zeros(1, np.uint8),
            _K_FIXED,
            width=width,
            union=union,
        )
    elif isinstance(plan, _ConstPlan):
        flat.array(
            plan.piece if len(plan.piece) else np.zeros(1, np.uint8),
            _K_CONST,
            width=len(plan.piece),
            union=union,
        )
    elif isinstance(plan, _BytesPlan):
        offsets = np.zeros(len(plan.lengths) + 1, np.int64)
        np.cumsum(plan.lengths, out=offsets[1:])
        data = plan.data if len(plan.data) else np.zeros(1, np.uint8)
        data = np.ascontiguousarray(data)
        flat.keep.append(data)
        kind = _K_BYTES64 if plan.prefix_u is not None else _K_RAW64
        flat.array(offsets, kind, data=_address(data), union=union)
        flat.data_bytes += int(offsets[-1])
    else:
        return False
    return True


def _flat_value(
    node: _Node, arr: pa.Array, where: _Where, flat: _Flat, union: tuple[int, int] | None
) -> bool:
    """Describe one column for the direct kernels; False when it is not flat.

    Checks raise :class:`EncodeError` as :meth:`_Node.plan` does. Under a union whose column
    has nulls, the checks also see the null slots (whatever bytes they hold): a failure
    there answers False, and the planned path then finds the real error, if any.
    """
    nulls = union is not None and arr.null_count > 0
    if nulls:
        if arr.buffers()[0] is None:
            return False
        try:
            return _flat_nullable(node, arr, where, flat, union)
        except (EncodeError, UnsupportedLayoutError):
            return False
    try:
        if isinstance(node, _IntNode):
            values = node.checked(_unwrap(arr), where).astype(np.int64, copy=False)
            flat.array(values, _K_LONG, union=union)
            return True
        if isinstance(node, _FloatNode):
            raw = node.checked(_unwrap(arr), where)
            flat.array(raw.reshape(-1), _K_FIXED, width=raw.shape[1], union=union)
            return True
    except UnsupportedLayoutError:
        return False
    if isinstance(node, _BinaryNode) and _plain_binary(arr.type):
        _check_no_nulls(arr, where, f'"{node.avro}"')
        node.check(arr, where)
        return _flat_binary(arr, flat, union)
    if isinstance(node, _RecordNode):
        if union is not None or not pa.types.is_struct(arr.type) or arr.null_count:
            return False
        columns = {arr.type.field(i).name: arr.field(i) for i in range(arr.type.num_fields)}
        return _flat_record(node, columns, where, flat)
    if isinstance(node, _UnionNode):
        return union is None and _flat_union(node, arr, where, flat)
    try:
        plan = node.plan(arr, where)
    except UnsupportedLayoutError:
        return False
    return _flat_plan(plan, flat, union)


def _plain_binary(t: pa.DataType) -> bool:
    return bool(
        pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or pa.types.is_binary(t)
        or pa.types.is_large_binary(t)
    )


def _flat_binary(
    arr: pa.Array, flat: _Flat, union: tuple[int, int] | None, nulls: pa.Array | None = None
) -> bool:
    if not len(arr):
        flat.array(np.zeros(1, np.int64), _K_BYTES64, union=union)
        return True
    large = pa.types.is_large_string(arr.type) or pa.types.is_large_binary(arr.type)
    buffers = arr.buffers()
    offsets, data = buffers[1], buffers[2]
    assert offsets is not None
    step = 8 if large else 4
    ends = np.frombuffer(offsets, np.int64 if large else np.int32)
    flat.data_bytes += int(ends[arr.offset + len(arr)]) - int(ends[arr.offset])
    flat.keep.append(arr)
    flat.add(
        _K_BYTES64 if large else _K_BYTES32,
        offsets.address + step * arr.offset,
        data=data.address if data is not None else 0,
        union=union,
        nulls=nulls,
    )
    return True


def _flat_nullable(
    node: _Node, arr: pa.Array, where: _Where, flat: _Flat, union: tuple[int, int] | None
) -> bool:
    """A primitive under ``["null", T]`` with nulls: its buffers read in place, nulls skipped."""
    if isinstance(node, _IntNode):
        arr = _unwrap(arr)
        values = node.checked(arr, where, nulls_ok=True).astype(np.int64, copy=False)
        flat.array(values, _K_LONG, union=union, nulls=arr)
    elif isinstance(node, _FloatNode):
        arr = _unwrap(arr)
        raw = node.checked(arr, where, nulls_ok=True)
        flat.array(raw.reshape(-1), _K_FIXED, width=raw.shape[1], union=union, nulls=arr)
    elif isinstance(node, _BinaryNode) and _plain_binary(arr.type):
        node.check(arr, where)
        return _flat_binary(arr, flat, union, nulls=arr)
    else:
        return False
    flat.keep.append(arr)
    return True


def _flat_union(node: _UnionNode, arr: pa.Array, where: _Where, flat: _Flat) -> bool:
    """``["null", T]`` (either order) or a union whose branch the Arrow type picks."""
    if pa.types.is_union(arr.type) or pa.types.is_dictionary(arr.type) or not node.others:
        return False
    arr = _unwrap(arr)
    if len(node.others) == 1:
        target = node.others[0]
    else:
        family = _arrow_family(arr.type)
        matches = [i for i in node.others if node.branches[i].family() == family]
        if len(matches) != 1:
            return False
        target = matches[0]
    null = node.null_index
    if arr.null_count and null is None:
        return False  # the planned path names the null
    if target >= 64 or (null is not None and null >= 64):
        return False
    before = len(flat.rows)
    union = (2 * target, 2 * (null or 0))
    if not _flat_value(node.branches[target], arr, where, flat, union):
        return False
    return len(flat.rows) == before + 1


def _flat_record(
    record: _RecordNode, columns: Mapping[str, pa.Array], where: _Where, flat: _Flat
) -> bool:
    """Describe every field of ``record``; False (nothing raised) when one is not flat, or
    when a column is missing without default or is extra: the planned path raises those."""
    used: set[str] = set()
    for field in record.fields:
        column = field.column if field.column in columns else field.name
        if column not in columns:
            if field.default is None:
                return False
            if field.default:
                flat.array(
                    np.frombuffer(field.default, np.uint8), _K_CONST, width=len(field.default)
                )
            continue
        used.add(column)
        here = where.child(f".{field.name}" if where.path else field.name)
        if not _flat_value(field.node, columns[column], here, flat, None):
            return False
    return not (where.extra == "error" and any(c not in used for c in columns))


def _direct(
    root: _RecordNode, columns: Mapping[str, pa.Array], where: _Where, prefix: bytes
) -> _Flat | None:
    """The direct description of a window, or None (then it is planned and written by field)."""
    flat = _Flat()
    if prefix:
        flat.array(np.frombuffer(prefix, np.uint8), _K_CONST, width=len(prefix))
    return flat if _flat_record(root, columns, where, flat) else None


# --------------------------------------------------------------------------------------------
# entry point


def _windows(table: pa.Table, chunk_rows: int) -> Iterator[tuple[int, dict[str, pa.Array]]]:
    """Row windows of at most ``chunk_rows`` with one contiguous array per column.

    A window ends where a column's chunk ends when that leaves it at least a quarter of
    ``chunk_rows`` (pandas' strings come in 32,768-row chunks), so it reads every column in
    place; otherwise a column whose chunks are smaller is concatenated for the window.
    """
    names = table.schema.names
    if len(set(names)) != len(names):
        twice = next(name for i, name in enumerate(names) if name in names[:i])
        raise EncodeError(
            f"column name {twice!r} appears twice in the data; rename or drop one",
            column=twice,
            value=twice,
        )
    n = table.num_rows
    ends: set[int] = set()
    for column in table.columns:
        ends.update(np.cumsum([len(c) for c in column.chunks]).tolist())
    boundaries = np.array(sorted(ends), np.int64)
    start = 0
    while start < n:
        stop = min(start + chunk_rows, n)
        after = boundaries[np.searchsorted(boundaries, start, "right") :]
        if len(after) and int(after[0]) < stop and int(after[0]) - start >= chunk_rows // 4:
            stop = int(after[0])
        window = table.slice(start, stop - start)
        columns = {}
        for name, column in zip(names, window.columns, strict=True):
            chunks = column.chunks
            if len(chunks) == 1:
                columns[name] = chunks[0]
            elif not chunks:
                columns[name] = pa.array([], column.type)
            else:
                columns[name] = pa.concat_arrays(chunks)
        yield window.num_rows, columns
        start = stop


def _as_table(data: Any) -> pa.Table:
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, pa.Table):
        return data
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        from schemakit._sources import pandas_table

        return pandas_table(data)
    raise TypeError(
        "encode_bodies takes a pyarrow Table or RecordBatch or a pandas DataFrame, not "
        f"{type(data).__name__}"
    )


def encode_bodies(
    data: pa.Table | pa.RecordBatch | Any,
    schema: Any,
    *,
    extra: Extra = "error",
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    prefix: bytes = b"",
    on_rows: Callable[[int], object] | None = None,
) -> pa.BinaryArray:
    """Encode every row of ``data`` as an Avro binary body (no framing), column by column.

    Parameters
    ----------
    data : pyarrow.Table, pyarrow.RecordBatch or pandas.DataFrame
        One column per schema field (a field with the ``schemakit.original_name`` attribute
        reads the column of that name). A DataFrame is converted with
        ``pa.Table.from_pandas(preserve_index=False)``. For a schema that is not a record, the
        one column is called ``"value"``.
    schema : Schema
        An Avro :class:`~schemakit.schema.Schema`.
    extra : {"error", "ignore"}
        What columns (and struct children) that the schema does not name do.
    chunk_rows : int
        Rows encoded per pass.
    prefix : bytes
        Written before every body in the same pass (``encode_records`` passes the Confluent
        header this way, which saves a copy over ``frame``).
    on_rows : callable, optional
        Called with the number of rows of each window once it is planned (progress bars).

    Returns
    -------
    pyarrow.BinaryArray
        One body per row, byte-identical to ``fastavro.schemaless_writer``.

    Raises
    ------
    EncodeError
        A value that does not fit (int out of range, null in a non-nullable field, a string
        that is not an enum symbol, a decimal beyond its precision), a missing column without
        default, or an extra column; naming the column, row and value. Raised before any
        body is returned.

    Warns
    -----
    PerformanceWarning
        For each column encoded row by row, naming it and why.

    See Also
    --------
    Avro specification, "Binary Encoding"; :func:`schemakit.codec.frame`.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from schemakit import Schema
    >>> s = Schema.parse({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]})
    >>> encode_bodies(pa.table({"a": pa.array([1, -1], pa.int32())}), s).to_pylist()
    [b'\\x02', b'\\x01']
    """
    if extra not in _EXTRA_VALUES:
        raise ValueError(
            f"extra must be one of {', '.join(map(repr, _EXTRA_VALUES))}, not {extra!r}"
        )
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise ValueError(f"chunk_rows must be a positive int, not {chunk_rows!r}")
    if getattr(schema, "schema_type", None) != "AVRO":
        raise TypeError("encode_bodies needs an Avro schemakit Schema")
    plan_of = compiled(schema)
    table = _as_table(data)
    from schemakit.codec import _fallback

    warned: set[str] = set()

    def fallback(field: _Field, arr: pa.Array, where: _Where, exc: UnsupportedLayoutError) -> _Plan:
        if where.path not in warned:
            warned.add(where.path)
            warnings.warn(
                f"column {where.path!r} is encoded row by row with fastavro: {exc.reason}",
                PerformanceWarning,
                stacklevel=4,
            )
        lengths, data_ = _fallback.encode_rowwise(
            arr,
            field.schema["type"] if plan_of.is_record else plan_of.parsed,
            plan_of.named,
            where.path,
            where.rowmap,
        )
        return _BytesPlan(lengths, data_, prefixed=False)

    out = _Output(table.num_rows)
    base = 0
    pending: Future[None] | None = None
    writing = np.zeros(1, np.int64)  # the offsets of the window being written
    kernels = _kernels()
    pool = ThreadPoolExecutor(1) if table.num_rows > chunk_rows and kernels else None
    try:
        for n, columns in _windows(table, chunk_rows):
            where = _Where("", _offset_rows(base), extra)
            flat = _direct(plan_of.root, columns, where, prefix) if kernels else None
            offsets = np.empty(n + 1, np.int64)
            run: Callable[[_U8], None]
            if flat is not None and kernels is not None:
                # rows written in one pass, into room for their upper bound
                bound = flat.per_row * n + flat.data_bytes
                run = _FlatJob(kernels, flat, n, offsets, columns).run
            else:
                plan = plan_of.root.plan_columns(
                    columns, n, where, extra=extra, on_unsupported=fallback
                )
                if prefix:
                    plan = _RecordPlan(n, [_ConstPlan(n, prefix), plan])
                offsets[0] = 0
                np.cumsum(plan.sizes, out=offsets[1:])
                bound = int(offsets[-1])
                run = _PlanJob(plan, offsets).run
            if pending is not None:
                # the window before, written on the pool: committed once, then forgotten
                pending.result()
                out.commit(writing)
                pending = None
            room = out.reserve(bound, n)
            if pool is not None and flat is None:
                # write this window (compiled kernels, no GIL) while the next one is planned;
                # a direct window has next to nothing to plan, so it is written right here
                pending = pool.submit(run, room)
                writing = offsets
            else:
                run(room)
                out.commit(offsets)
            base += n
            if on_rows is not None:
                on_rows(n)
        if pending is not None:
            pending.result()
            out.commit(writing)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return out.array()


def encode_records(
    data: pa.Table | pa.RecordBatch | Any,
    schema: Any,
    schema_id: int,
    *,
    extra: Extra = "error",
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    on_rows: Callable[[int], object] | None = None,
) -> pa.BinaryArray:
    """Confluent-framed records in one pass: ``frame(encode_bodies(data, schema), schema_id)``.

    Same parameters, errors and warnings as :func:`encode_bodies`, plus ``schema_id``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from schemakit import Schema
    >>> s = Schema.parse({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]})
    >>> encode_records(pa.table({"a": pa.array([1], pa.int32())}), s, 3).to_pylist()
    [b'\\x00\\x00\\x00\\x00\\x03\\x02']
    """
    from schemakit.codec._framing import header

    return encode_bodies(
        data, schema, extra=extra, chunk_rows=chunk_rows, prefix=header(schema_id), on_rows=on_rows
    )


class _FlatJob:
    """One window for the direct write kernel; holds every buffer its descriptors point at."""

    def __init__(self, kernels: _Kernels, flat: _Flat, n: int, offsets: _I64, columns: Any) -> None:
        self.kernels, self.desc, self.n, self.offsets = kernels, flat.table(), n, offsets
        self.keep = (flat, columns)

    def run(self, buf: _U8) -> None:
        self.kernels.flat_write(self.desc, self.n, buf, self.offsets)


class _PlanJob:
    """One planned window, written field by field (or by the fused kernel)."""

    def __init__(self, plan: _Plan, offsets: _I64) -> None:
        self.plan, self.offsets = plan, offsets

    def run(self, buf: _U8) -> None:
        _write_rows(self.plan, buf, self.offsets[:-1])


class _Output:
    """The bodies of every window, one after the other in one buffer (no final copy).

    Room is reserved for a window's upper bound before it is written; the first reservation
    guesses the whole table from that window, and a later one that does not fit grows the
    buffer. Pages past what is written are never touched, so an upper bound costs address
    space, not memory.
    """

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.buf = np.empty(0, np.uint8)
        self.at = 0
        self.done = 0
        #: Arrow's int32 offsets of every row, filled as windows are committed
        self.offsets = np.zeros(rows + 1, np.int32)

    def reserve(self, bound: int, n: int) -> _U8:
        need = self.at + bound
        if need > len(self.buf):
            left = max(self.rows - self.done, n)
            guess = self.at + (bound * left) // max(n, 1)
            size = max(need, min(guess, _MAX_OUTPUT + bound), len(self.buf) * 3 // 2)
            grown = np.empty(size, np.uint8)
            grown[: self.at] = self.buf[: self.at]
            self.buf = grown
        return self.buf[self.at : need]

    def commit(self, offsets: _I64) -> None:
        """Take a written window's offsets (relative to its start; int64, n + 1)."""
        m = len(offsets) - 1
        end = self.at + int(offsets[-1])
        if end > _MAX_OUTPUT:
            raise ValueError("the encoded bodies exceed 2 GiB; encode the data in smaller batches")
        np.add(
            offsets[1:],
            self.at,
            out=self.offsets[self.done + 1 : self.done + m + 1],
            casting="unsafe",
        )
        self.at = end
        self.done += m

    def array(self) -> pa.BinaryArray:
        return pa.Array.from_buffers(
            pa.binary(),
            self.done,
            [None, pa.py_buffer(self.offsets[: self.done + 1]), pa.py_buffer(self.buf[: self.at])],
        )


_MAX_OUTPUT = int(np.iinfo(np.int32).max)


def _offset_rows(start: int) -> RowMap:
    return lambda i: start + i
