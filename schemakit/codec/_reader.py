"""Columnar Avro binary reader: one Avro body per row → an Arrow table, by the read plan.

The reader walks the plan :func:`schemakit._resolve.resolve` returns for reader × writer
(it never re-derives a resolution rule) in **lockstep**: every row has a cursor into the
concatenated bodies, and each plan node is decoded for all rows at once with numpy at their
cursors, which it then advances. Varints are a bounded loop of at most 10 byte steps over the
rows still reading; floats, fixed and decimals are fancy-index gathers; strings and bytes
gather their payloads into one buffer whose Arrow offsets are the cumulative lengths; unions
split the rows by branch index, decode each branch on its subset and interleave. Arrays and
maps go a block at a time: items of fixed width, zero width or single varints get their start
positions vectorized (arithmetic, or a running count of bytes below 0x80) and are read like a
column; with numba, any flat item layout (strings, map entries, flat records) is walked by one
compiled kernel for its positions. Other items walk "item slots": step ``k`` decodes the
``k``-th item of every row that has one (loops run over item index, never over rows).

With numba installed (imported lazily, compiled with ``cache=True``) the varint, gather and
walk loops are compiled, and a record of flat fields (primitives, ``["null", T]`` of them,
their logical types and promotions) is read by one fused kernel in a single pass over its rows
(from :data:`FUSED_MIN_ROWS` rows), which also copies string and bytes payloads while they are
in cache, and splits the rows into two halves on two threads from :data:`PARALLEL_MIN_ROWS`
rows; without it, numpy gives the same tables (the tests run both). Framed records are read in
place (``decode_bodies`` takes each body's start and end in the records' buffer).

Errors are collected per row while decoding: a row whose body is bad is marked with the
first reason met and its cursor is parked at its end, so it costs nothing more and never
allocates: every length and item count is checked against the bytes left in its body before
anything is gathered. ``errors="raise"`` then raises :class:`~schemakit.errors.DecodeError`
for the lowest bad row; ``errors="null"`` returns that row as nulls and reports it.

Output types are :func:`schemakit._arrow_types.avro_to_arrow_schema` of the reader schema;
record fields carrying ``"schemakit.original_name"`` get that name back.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, overload

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from schemakit._arrow_types import ORIGINAL_NAME, avro_to_arrow_schema
from schemakit._names import PRIMITIVE_TYPES, collect_named
from schemakit._resolve import (
    ArrayPlan,
    EnumPlan,
    FixedPlan,
    MapPlan,
    NamedRef,
    Plan,
    PrimitivePlan,
    PromotePlan,
    ReaderUnionPlan,
    RecordPlan,
    Resolution,
    UnionPlan,
    resolve,
)
from schemakit._typing import check_option
from schemakit.codec._framing import binary_parts
from schemakit.codec._jit import LazyKernels
from schemakit.errors import DecodeError, IncompatibleSchemaError

if TYPE_CHECKING:
    from schemakit.schema import Schema

__all__ = [
    "DECODE_REASONS",
    "FUSED_MIN_ROWS",
    "PARALLEL_MIN_ROWS",
    "USE_NUMBA",
    "DecodeErrors",
    "decode_bodies",
]

DecodeErrors: TypeAlias = Literal["raise", "null"]
_ERRORS_VALUES = ("raise", "null")

_I64: TypeAlias = npt.NDArray[np.int64]
_U8: TypeAlias = npt.NDArray[np.uint8]
_Bool: TypeAlias = npt.NDArray[np.bool_]

#: Reasons a body is bad, by code (0 = fine). The message adds the field path and detail.
DECODE_REASONS: Mapping[int, str] = {
    1: "truncated body",
    2: "trailing bytes",
    3: "negative length",
    4: "length exceeds the body",
    5: "varint longer than 10 bytes",
    6: "union branch out of range",
    7: "enum index out of range",
    8: "negative item count",
    9: "item count exceeds the body",
    10: "int out of range",
    11: "invalid UTF-8",
    12: "decimal wider than its Arrow type",
    13: "null body",
    14: "time of day out of range",
    15: "decimal exceeds its precision",
}
_TRUNCATED, _TRAILING, _NEG_LEN, _BIG_LEN, _LONG_VARINT = 1, 2, 3, 4, 5
_BAD_BRANCH, _BAD_ENUM, _NEG_COUNT, _BIG_COUNT, _INT_RANGE = 6, 7, 8, 9, 10
_BAD_UTF8, _WIDE_DECIMAL, _NULL_BODY, _BAD_TIME = 11, 12, 13, 14
_BIG_DECIMAL = 15
_DAY = {"ms": 86_400_000, "us": 86_400_000_000}

#: Items that encode to zero bytes (null, empty records, fixed of size 0) are not bounded by
#: the bytes left, so a block may hold at most this many plus 8 per byte left in the body,
#: and a batch at most this many per row plus 8 per byte of input in all.
_ZERO_WIDTH_SLACK = 64
#: The item limit in words, for the messages of "item count exceeds the body".
ITEM_LIMIT = (
    f"the limit: items of zero bytes (null, empty records) at most 8 per byte of the body plus "
    f"{_ZERO_WIDTH_SLACK}, other items at most one per byte left"
)

_VARINT_SHIFTS = np.arange(0, 70, 7, dtype=np.uint64)


# --------------------------------------------------------------------------------------------
# optional compiled kernels (numba, imported on first use, cached on disk); numpy twins below


def _py_read_varints(buf: Any, pos: Any, end: Any, out: Any, err: Any) -> None:  # pragma: no cover
    for i in range(len(pos)):
        p = pos[i]
        e = end[i]
        result = np.uint64(0)
        shift = np.uint64(0)
        code = 0
        for k in range(10):
            if p >= e:
                code = 1
                break
            b = np.uint64(buf[p])
            p += 1
            result |= (b & np.uint64(127)) << shift
            shift += np.uint64(7)
            if b < 128:
                break
            if k == 9:
                code = 5
        if code != 0:
            err[i] = code
            pos[i] = e
            out[i] = 0
        else:
            pos[i] = p
            out[i] = np.int64(result >> np.uint64(1)) ^ -np.int64(result & np.uint64(1))


def _py_gather(buf: Any, starts: Any, lengths: Any, out: Any) -> None:  # pragma: no cover
    k = 0
    for i in range(len(starts)):
        s = starts[i]
        for j in range(lengths[i]):
            out[k] = buf[s + j]
            k += 1


def _py_gather_fixed(buf: Any, pos: Any, ok: Any, out: Any) -> None:  # pragma: no cover
    width = out.shape[1]
    for i in range(len(pos)):
        if ok[i]:
            p = pos[i]
            for j in range(width):
                out[i, j] = buf[p + j]


# op codes of the fused flat-record kernel (one per writer field)
_OP_NULL, _OP_BOOL, _OP_INT, _OP_LONG, _OP_FLOAT, _OP_DOUBLE, _OP_BYTES = 0, 1, 2, 3, 4, 5, 6
_FUSED_OPS = {
    "null": _OP_NULL,
    "boolean": _OP_BOOL,
    "int": _OP_INT,
    "long": _OP_LONG,
    "float": _OP_FLOAT,
    "double": _OP_DOUBLE,
    "bytes": _OP_BYTES,
    "string": _OP_BYTES,
}


def _py_fused(  # pragma: no cover - compiled
    buf: Any,
    pos: Any,
    end: Any,
    ops: Any,
    nulls: Any,
    vals: Any,
    lens: Any,
    valid: Any,
    err: Any,
    errfield: Any,
    slot: Any,
    payload: Any,
    fill: Any,
    high: Any,
    lo: int,
    hi: int,
) -> None:
    """Read rows ``lo`` to ``hi`` of a flat record in one pass.

    Field ``f`` has op ``ops[f]``; ``nulls[f]`` is -1, or the branch index of ``"null"`` in a
    two-branch writer union ``["null", T]`` (either order). Values land in ``vals[f, i]``
    (integers, boolean, float/double bits, payload start) and ``lens[f, i]`` (payload length);
    ``valid[f, i]`` is set for the rows of a union field that hold a value.
    A bytes field with ``slot[f] = s >= 0`` also has its payload copied, while its bytes are
    in cache, to ``payload[s]`` after the ones before (``fill[s]`` bytes so far); ``vals`` then
    holds the start there, and ``high[s]`` ORs the bytes copied (below 0x80: all ASCII, which
    is valid UTF-8). Varints with ten bytes left in the body are read without a bound check
    per byte.
    """
    nfields = len(ops)
    seven = np.uint64(7)
    low = np.uint64(127)
    one = np.uint64(1)
    for i in range(lo, hi):
        p = pos[i]
        e = end[i]
        code = 0
        for f in range(nfields):
            op = ops[f]
            if nulls[f] >= 0:
                # the union branch index: 0 or 1, so one byte unless written oddly
                if p >= e:
                    code = 1
                    errfield[i] = f
                    break
                first = np.int64(buf[p])
                if first < 128:
                    p += 1
                    branch = (first >> 1) ^ -(first & 1)
                else:
                    result = np.uint64(0)
                    shift = np.uint64(0)
                    for k in range(10):
                        if p >= e:
                            code = 1
                            break
                        b = np.uint64(buf[p])
                        p += 1
                        result |= (b & low) << shift
                        shift += seven
                        if b < 128:
                            break
                        if k == 9:
                            code = 5
                    if code != 0:
                        errfield[i] = f
                        break
                    branch = np.int64(result >> one) ^ -np.int64(result & one)
                if branch != 0 and branch != 1:
                    code = 6
                    errfield[i] = f
                    break
                if branch == nulls[f]:
                    continue
                valid[f, i] = True
            if op == 0:
                continue
            if op == 5:
                if e - p < 8:
                    code = 1
                    errfield[i] = f
                    break
                bits = (
                    np.uint64(buf[p])
                    | (np.uint64(buf[p + 1]) << np.uint64(8))
                    | (np.uint64(buf[p + 2]) << np.uint64(16))
                    | (np.uint64(buf[p + 3]) << np.uint64(24))
                    | (np.uint64(buf[p + 4]) << np.uint64(32))
                    | (np.uint64(buf[p + 5]) << np.uint64(40))
                    | (np.uint64(buf[p + 6]) << np.uint64(48))
                    | (np.uint64(buf[p + 7]) << np.uint64(56))
                )
                p += 8
                vals[f, i] = np.int64(bits)
                continue
            if op == 4:
                if e - p < 4:
                    code = 1
                    errfield[i] = f
                    break
                bits = (
                    np.uint64(buf[p])
                    | (np.uint64(buf[p + 1]) << np.uint64(8))
                    | (np.uint64(buf[p + 2]) << np.uint64(16))
                    | (np.uint64(buf[p + 3]) << np.uint64(24))
                )
                p += 4
                vals[f, i] = np.int64(bits)
                continue
            if op == 1:
                if p >= e:
                    code = 1
                    errfield[i] = f
                    break
                vals[f, i] = np.int64(buf[p])
                p += 1
                continue
            result = np.uint64(0)
            if e - p >= 10:
                b = np.uint64(buf[p])
                p += 1
                result = b & low
                shift = seven
                k = 1
                while b >= 128:
                    if k == 10:
                        code = 5
                        break
                    b = np.uint64(buf[p])
                    p += 1
                    result |= (b & low) << shift
                    shift += seven
                    k += 1
            else:
                shift = np.uint64(0)
                for k in range(10):
                    if p >= e:
                        code = 1
                        break
                    b = np.uint64(buf[p])
                    p += 1
                    result |= (b & low) << shift
                    shift += seven
                    if b < 128:
                        break
                    if k == 9:
                        code = 5
            if code != 0:
                errfield[i] = f
                break
            value = np.int64(result >> one) ^ -np.int64(result & one)
            if op == 2:
                if value < -2147483648 or value > 2147483647:
                    code = 10
                    errfield[i] = f
                    break
                vals[f, i] = value
            elif op == 3:
                vals[f, i] = value
            else:
                if value < 0:
                    code = 3
                    errfield[i] = f
                    break
                if value > e - p:
                    code = 4
                    errfield[i] = f
                    break
                s = slot[f]
                if s >= 0:
                    c = fill[s]
                    acc = 0
                    for j in range(value):
                        x = buf[p + j]
                        payload[s, c + j] = x
                        acc |= x
                    high[s] |= acc
                    fill[s] = c + value
                    vals[f, i] = c
                else:
                    vals[f, i] = p
                lens[f, i] = value
                p += value
        if code != 0:
            err[i] = code
            pos[i] = e
        else:
            pos[i] = p


def _py_walk(  # pragma: no cover - compiled
    buf: Any, pos: Any, end: Any, counts: Any, layout: Any, out: Any
) -> None:
    """Start of every item of one block per slot, items laid out as ``layout``.

    ``layout`` ops: ``w >= 0`` a fixed run of ``w`` bytes, ``-1`` a varint, ``-2`` a varint
    length then that many bytes. After a bad item, the slot's later items start where it did
    (reading them repeats its error) and the cursor goes to the end of the body.
    """
    j = 0
    for i in range(len(pos)):
        p = pos[i]
        e = end[i]
        bad = False
        failed_at = p
        for _ in range(counts[i]):
            if bad:
                out[j] = failed_at
                j += 1
                continue
            out[j] = p
            j += 1
            start = p
            for op in layout:
                if op >= 0:
                    if e - p < op:
                        bad = True
                        break
                    p += op
                    continue
                result = np.uint64(0)
                shift = np.uint64(0)
                ok = False
                for _t in range(10):
                    if p >= e:
                        break
                    b = np.uint64(buf[p])
                    p += 1
                    result |= (b & np.uint64(127)) << shift
                    shift += np.uint64(7)
                    if b < 128:
                        ok = True
                        break
                if not ok:
                    bad = True
                    break
                if op == -2:
                    length = np.int64(result >> np.uint64(1)) ^ -np.int64(result & np.uint64(1))
                    if length < 0 or length > e - p:
                        bad = True
                        break
                    p += length
            if bad:
                failed_at = start
        pos[i] = e if bad else p


class _Kernels:
    def __init__(self, jit: Callable[[Any], Any]) -> None:
        self.read_varints = jit(_py_read_varints)
        self.gather = jit(_py_gather)
        self.gather_fixed = jit(_py_gather_fixed)
        self.fused = jit(_py_fused)
        self.walk = jit(_py_walk)


_KERNELS = LazyKernels(_Kernels)
#: False turns the numba kernels off (the tests do, to cover the numpy path).
USE_NUMBA = True
#: Records of flat fields are read by the fused kernel from this many rows (tests set 0).
FUSED_MIN_ROWS = 64
#: ... and as two halves on two threads from this many rows, when there are two CPUs.
PARALLEL_MIN_ROWS = 32_768
_CPUS = os.cpu_count() or 1


def _kernels() -> _Kernels | None:
    return _KERNELS.get() if USE_NUMBA else None


# --------------------------------------------------------------------------------------------
# state


class _Batch:
    """The bytes, and the first error of every top-level row."""

    def __init__(self, buf: _U8, n: int) -> None:
        self.buf = buf
        self.errs = np.zeros(n, np.int8)
        self.where = np.zeros(n, np.int32)
        self.paths: list[str] = []
        self.names: dict[str, Any] = {}
        #: items of zero bytes (null, empty records) the batch may still produce
        self.zero_budget = 8 * len(buf) + _ZERO_WIDTH_SLACK * n
        self._marks: _I64 | None = None

    def terminators(self) -> _I64:
        """``marks[p]``: how many bytes below 0x80 (varint ends) precede position ``p``."""
        if self._marks is None:
            marks = np.zeros(len(self.buf) + 1, np.int64)
            np.cumsum(self.buf < 128, out=marks[1:])
            self._marks = marks
        return self._marks

    def fail(self, owners: _I64, code: int, path: str) -> None:
        if not len(owners):
            return
        fresh = owners[self.errs[owners] == 0]
        if not len(fresh):
            return
        self.errs[fresh] = code
        self.where[fresh] = len(self.paths)
        self.paths.append(path)


class _Slots:
    """Cursors of the values being decoded: position, end of their body, owning row."""

    __slots__ = ("end", "owner", "pos")

    def __init__(self, pos: _I64, end: _I64, owner: _I64) -> None:
        self.pos = pos
        self.end = end
        self.owner = owner

    def __len__(self) -> int:
        return len(self.pos)

    def take(self, index: npt.NDArray[np.intp]) -> _Slots:
        return _Slots(self.pos[index], self.end[index], self.owner[index])

    def park(self, bad: _Bool) -> None:
        """Move the cursors of ``bad`` slots to their end: nothing more is read for them."""
        self.pos[bad] = self.end[bad]


def _fail(batch: _Batch, slots: _Slots, bad: _Bool, code: int, path: str) -> None:
    if bad.any():
        batch.fail(slots.owner[bad], code, path)
        slots.park(bad)


# --------------------------------------------------------------------------------------------
# primitive readers (all vectorized over the slots)


def _read_longs(batch: _Batch, slots: _Slots, path: str) -> _I64:
    """Zigzag varints at every cursor; bad ones are 0 and their rows marked."""
    n = len(slots)
    out = np.zeros(n, np.int64)
    if not n:
        return out
    kernels = _kernels()
    if kernels is not None:
        err = np.zeros(n, np.int8)
        kernels.read_varints(batch.buf, slots.pos, slots.end, out, err)
        if err.any():
            for code in (_TRUNCATED, _LONG_VARINT):
                hit = err == code
                if hit.any():
                    batch.fail(slots.owner[hit], code, path)
        return out
    buf = batch.buf
    result = np.zeros(n, np.uint64)
    active = np.arange(n)
    pos, end = slots.pos, slots.end
    for k in range(10):
        at = pos[active]
        short = at >= end[active]
        if short.any():
            lost = active[short]
            batch.fail(slots.owner[lost], _TRUNCATED, path)
            pos[lost] = end[lost]
            result[lost] = 0
            active = active[~short]
            at = at[~short]
            if not len(active):
                break
        b = buf[at].astype(np.uint64)
        result[active] |= (b & np.uint64(0x7F)) << _VARINT_SHIFTS[k]
        pos[active] = at + 1
        active = active[b >= 128]
        if not len(active):
            break
    if len(active):
        batch.fail(slots.owner[active], _LONG_VARINT, path)
        pos[active] = end[active]
        result[active] = 0
    signed = (result >> np.uint64(1)).view(np.int64) ^ -(result & np.uint64(1)).view(np.int64)
    out[:] = signed
    return out


def _read_ints(batch: _Batch, slots: _Slots, path: str) -> _I64:
    values = _read_longs(batch, slots, path)
    bad = (values < -(2**31)) | (values > 2**31 - 1)
    if bad.any():
        _fail(batch, slots, bad, _INT_RANGE, path)
        values[bad] = 0
    return values


def _read_fixed_width(batch: _Batch, slots: _Slots, width: int, path: str) -> _U8:
    """``width`` bytes at every cursor as an (n, width) matrix; short ones are zeros."""
    n = len(slots)
    ok = slots.end - slots.pos >= width
    if not ok.all():
        _fail(batch, slots, ~ok, _TRUNCATED, path)
    if not width or not n:
        return np.zeros((n, width), np.uint8)
    kernels = _kernels()
    if kernels is not None:
        matrix: _U8 = np.zeros((n, width), np.uint8)
        kernels.gather_fixed(batch.buf, slots.pos, ok, matrix)
    elif ok.all():
        matrix = batch.buf[slots.pos[:, None] + np.arange(width)]
    else:
        matrix = np.zeros((n, width), np.uint8)
        matrix[ok] = batch.buf[slots.pos[ok][:, None] + np.arange(width)]
    slots.pos[ok] += width
    return matrix


def _read_lengths(batch: _Batch, slots: _Slots, path: str) -> tuple[_I64, _I64]:
    """Length-prefixed payloads: their starts and lengths (0 where bad); cursors advance."""
    lengths = _read_longs(batch, slots, path)
    neg = lengths < 0
    if neg.any():
        _fail(batch, slots, neg, _NEG_LEN, path)
        lengths[neg] = 0
    big = lengths > slots.end - slots.pos
    if big.any():
        _fail(batch, slots, big, _BIG_LEN, path)
        lengths[big] = 0
    starts = slots.pos.copy()
    slots.pos += lengths
    return starts, lengths


def _gather(buf: _U8, starts: _I64, lengths: _I64) -> _U8:
    total = int(lengths.sum()) if len(lengths) else 0
    out = np.empty(total, np.uint8)
    if not total:
        return out
    kernels = _kernels()
    if kernels is not None:
        kernels.gather(buf, starts, lengths, out)
        return out
    before = np.empty(len(lengths), np.int64)
    before[0] = 0
    np.cumsum(lengths[:-1], out=before[1:])
    index = np.repeat(starts - before, lengths)
    index += np.arange(total, dtype=np.int64)
    out[:] = buf[index]
    return out


def _compare(limbs: npt.NDArray[np.uint64], bound: int) -> npt.NDArray[np.int8]:
    """Sign of ``value - bound`` for two's-complement little-endian 64-bit limbs, per row."""
    k = limbs.shape[1]
    target = np.frombuffer(bound.to_bytes(8 * k, "little", signed=True), np.uint64)
    result = np.zeros(len(limbs), np.int8)
    decided = np.zeros(len(limbs), np.bool_)
    for j in range(k - 1, -1, -1):
        column = limbs[:, j]
        if j == k - 1:
            a: npt.NDArray[Any] = column.view(np.int64)
            b: Any = target[j : j + 1].view(np.int64)[0]
        else:
            a, b = column, target[j]
        lt, gt = a < b, a > b
        result[~decided & lt] = -1
        result[~decided & gt] = 1
        decided |= lt | gt
    return result


def _offsets(lengths: _I64) -> _I64:
    offsets = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return offsets


def _binary_array(
    batch: _Batch, slots: _Slots, starts: _I64, lengths: _I64, dtype: pa.DataType, path: str
) -> pa.Array:
    return _binary_from(batch, slots, _gather(batch.buf, starts, lengths), lengths, dtype, path)


def _binary_from(
    batch: _Batch,
    slots: _Slots,
    data: _U8,
    lengths: _I64,
    dtype: pa.DataType,
    path: str,
    *,
    ascii: bool = False,
) -> pa.Array:
    """A string or binary array of ``dtype`` over ``data`` (the values, one after another);
    strings are checked for UTF-8 unless ``data`` is known to be ASCII."""
    offsets = _offsets(lengths)
    large = offsets[-1] > np.iinfo(np.int32).max
    base = (pa.large_string() if large else pa.string()) if dtype == pa.string() else None
    if base is None:
        base = pa.large_binary() if large else pa.binary()
    width = np.int64 if large else np.int32
    arr = pa.Array.from_buffers(
        base,
        len(lengths),
        [None, pa.py_buffer(offsets.astype(width)), pa.py_buffer(data)],
    )
    if (pa.types.is_string(base) or pa.types.is_large_string(base)) and not ascii:
        arr = _check_utf8(batch, slots, arr, path)
    return arr if arr.type == dtype else arr.cast(dtype)


def _check_utf8(batch: _Batch, slots: _Slots, arr: pa.Array, path: str) -> pa.Array:
    try:
        arr.validate(full=True)
        return arr
    except pa.ArrowInvalid:
        pass
    # Only bad data gets here: find the offending values (one Python call per value).
    as_bytes = arr.view(pa.large_binary() if pa.types.is_large_string(arr.type) else pa.binary())
    bad = np.zeros(len(arr), np.bool_)
    for i, value in enumerate(as_bytes.to_pylist()):
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            bad[i] = True
    _fail(batch, slots, bad, _BAD_UTF8, path)
    fixed = pa.compute.if_else(pa.array(bad), pa.scalar(b"", as_bytes.type), as_bytes)
    return fixed.view(arr.type)


def _numeric_array(values: npt.NDArray[Any], dtype: pa.DataType) -> pa.Array:
    """A fixed-width Arrow array of ``dtype`` over ``values`` (already the right width)."""
    return pa.Array.from_buffers(dtype, len(values), [None, pa.py_buffer(values)])


_INT32_TYPES = (pa.int32(), pa.date32(), pa.time32("ms"))


def _finish_integers(values: _I64, dtype: pa.DataType) -> pa.Array:
    if pa.types.is_floating(dtype):
        width = np.float32 if dtype == pa.float32() else np.float64
        return _numeric_array(values.astype(width), dtype)
    if dtype in _INT32_TYPES or pa.types.is_time32(dtype):
        return _numeric_array(values.astype(np.int32), dtype)
    return _numeric_array(values, dtype)


# --------------------------------------------------------------------------------------------
# the plan walk


def _deref(node: Any, names: Mapping[str, Any]) -> Any:
    while isinstance(node, str) and node not in PRIMITIVE_TYPES:
        node = names[node]
    if isinstance(node, dict) and isinstance(node.get("type"), (dict, list)):
        return _deref(node["type"], names)
    if isinstance(node, dict) and node.get("type") in PRIMITIVE_TYPES and len(node) == 1:
        return node["type"]
    return node


def _union_shape(rnode: list[Any]) -> Literal["null", "nullable", "dense"]:
    others = [b for b in rnode if b != "null"]
    if not others:
        return "null"
    return "nullable" if len(others) == 1 else "dense"


class _Reader:
    def __init__(self, batch: _Batch, resolution: Resolution, rnames: Mapping[str, Any]) -> None:
        self.batch = batch
        self.named = resolution.named
        self.rnames = rnames
        self.wnames = batch.names

    # -- dispatch --------------------------------------------------------------------------

    def read(self, plan: Plan, rnode: Any, dtype: pa.DataType, slots: _Slots, path: str) -> Any:
        while isinstance(plan, NamedRef):
            plan = self.named[(plan.reader_name, plan.writer_name)]
        r = _deref(rnode, self.rnames)
        if isinstance(plan, UnionPlan):
            return self.writer_union(plan, r, dtype, slots, path)
        if isinstance(plan, ReaderUnionPlan):
            return self.reader_union(plan, r, dtype, slots, path)
        if isinstance(plan, RecordPlan):
            return self.record(plan, r, dtype, slots, path)
        if isinstance(plan, ArrayPlan):
            return self.array(plan, r, dtype, slots, path)
        if isinstance(plan, MapPlan):
            return self.map(plan, r, dtype, slots, path)
        if isinstance(plan, EnumPlan):
            return self.enum(plan, r, slots, path)
        if isinstance(plan, FixedPlan):
            matrix = _read_fixed_width(self.batch, slots, plan.size, path)
            return self.from_fixed(matrix, dtype, slots, path)
        if isinstance(plan, PromotePlan):
            return self.primitive(plan.writer, plan.reader, dtype, slots, path)
        return self.primitive(plan.type, plan.type, dtype, slots, path)

    # -- leaves ----------------------------------------------------------------------------

    def primitive(
        self, writer: str, reader: str, dtype: pa.DataType, slots: _Slots, path: str
    ) -> pa.Array:
        batch, n = self.batch, len(slots)
        if writer == "null":
            return pa.nulls(n, dtype)
        if writer == "boolean":
            matrix = _read_fixed_width(batch, slots, 1, path)
            bits = np.packbits(matrix[:, 0] != 0, bitorder="little")
            return pa.Array.from_buffers(pa.bool_(), n, [None, pa.py_buffer(bits)])
        if writer in ("int", "long"):
            read = _read_ints if writer == "int" else _read_longs
            return self.integers(read(batch, slots, path), dtype, slots, path)
        if writer in ("float", "double"):
            width = 4 if writer == "float" else 8
            matrix = _read_fixed_width(batch, slots, width, path)
            values = matrix.reshape(-1).view(np.float32 if width == 4 else np.float64)
            if dtype == pa.float64():
                values = values.astype(np.float64)
            return _numeric_array(np.ascontiguousarray(values), dtype)
        # bytes or string, read as bytes, string, decimal or uuid text
        starts, lengths = _read_lengths(batch, slots, path)
        if pa.types.is_decimal(dtype):
            return self.decimal(starts, lengths, dtype, slots, path)
        return _binary_array(batch, slots, starts, lengths, dtype, path)

    def from_fixed(self, matrix: _U8, dtype: pa.DataType, slots: _Slots, path: str) -> pa.Array:
        n, width = matrix.shape
        if pa.types.is_decimal(dtype):
            starts = np.arange(n, dtype=np.int64) * width
            lengths = np.full(n, width, np.int64)
            return self.decimal(starts, lengths, dtype, slots, path, source=matrix.reshape(-1))
        data = np.ascontiguousarray(matrix).reshape(-1)
        return pa.Array.from_buffers(pa.binary(width), n, [None, pa.py_buffer(data)])

    def decimal(
        self,
        starts: _I64,
        lengths: _I64,
        dtype: pa.DataType,
        slots: _Slots,
        path: str,
        *,
        source: _U8 | None = None,
    ) -> pa.Array:
        """Big-endian two's complement of any length → sign-extended little-endian words."""
        buf = self.batch.buf if source is None else source
        n = len(starts)
        width = dtype.byte_width
        wide = lengths > width
        if wide.any():
            # Longer than the word: fine only when the extra leading bytes are sign extension.
            for i in np.flatnonzero(wide):  # rare: only over-long encodings get here
                s, ln = int(starts[i]), int(lengths[i])
                head = buf[s : s + ln - width]
                sign = 0xFF if buf[s + ln - width] >= 128 else 0
                if (head == sign).all():
                    starts[i] = s + ln - width
                    lengths[i] = width
            still = lengths > width
            if still.any():
                _fail(self.batch, slots, still, _WIDE_DECIMAL, path)
                lengths[still] = 0
        words = np.zeros((n, width), np.uint8)
        if n and len(buf):
            j = np.arange(width)
            inside = j[None, :] < lengths[:, None]
            src = starts[:, None] + lengths[:, None] - 1 - j[None, :]
            src = np.where(inside, src, 0)
            gathered = buf[src]
            negative = (lengths > 0) & (buf[np.where(lengths > 0, starts, 0)] >= 128)
            fill = np.where(negative, 0xFF, 0).astype(np.uint8)
            words = np.where(inside, gathered, fill[:, None]).astype(np.uint8)
        words = np.ascontiguousarray(words)
        if n:
            limbs = words.view(np.uint64)  # (n, width // 8), least significant first
            bound = 10**dtype.precision
            over = _compare(limbs, bound) >= 0
            under = _compare(limbs, -bound) <= 0
            bad = over | under
            if bad.any():
                _fail(self.batch, slots, bad, _BIG_DECIMAL, path)
                words[bad] = 0
        data = words.reshape(-1)
        return pa.Array.from_buffers(dtype, n, [None, pa.py_buffer(data)])

    def enum(self, plan: EnumPlan, r: Any, slots: _Slots, path: str) -> pa.Array:
        index = _read_ints(self.batch, slots, path)
        mapping = np.asarray(plan.mapping, np.int64)
        bad = (index < 0) | (index >= len(mapping))
        if bad.any():
            _fail(self.batch, slots, bad, _BAD_ENUM, path)
        mapped = np.where(bad, -1, mapping[np.where(bad, 0, index)] if len(mapping) else -1)
        mask = mapped < 0
        indices = pa.array(np.where(mask, 0, mapped).astype(np.int32), mask=mask)
        return pa.DictionaryArray.from_arrays(indices, pa.array(r["symbols"], pa.string()))

    # -- records, arrays, maps -------------------------------------------------------------

    def fused_spec(self, plan: RecordPlan, r: dict[str, Any]) -> list[tuple[int, int]] | None:
        """``(op, null branch)`` per writer field when the fused kernel can read the record."""
        by_writer = {f.writer_index: f for f in plan.fields}
        skips = {s.writer_index: s for s in plan.skip}
        spec: list[tuple[int, int]] = []
        for wi in range(plan.writer_field_count):
            if wi in skips:
                w = _deref(skips[wi].schema, self.wnames)
                if isinstance(w, str) and w in _FUSED_OPS:
                    spec.append((_FUSED_OPS[w], -1))
                    continue
                if isinstance(w, list) and len(w) == 2 and "null" in w:
                    other = _deref(w[1 - w.index("null")], self.wnames)
                    if isinstance(other, str) and other in _FUSED_OPS:
                        spec.append((_FUSED_OPS[other], w.index("null")))
                        continue
                return None
            fplan = by_writer[wi].plan
            assert fplan is not None
            rnode = _deref(r["fields"][plan.fields.index(by_writer[wi])]["type"], self.rnames)
            if (
                isinstance(fplan, ReaderUnionPlan)
                and isinstance(rnode, list)
                and _union_shape(rnode) == "nullable"
                and rnode[fplan.reader_index] != "null"
            ):
                fplan = fplan.plan
            kind = _writer_type(fplan)
            if kind is not None:
                spec.append((_FUSED_OPS[kind], -1))
                continue
            if not (
                isinstance(fplan, UnionPlan)
                and len(fplan.branches) == 2
                and isinstance(rnode, list)
                and _union_shape(rnode) == "nullable"
            ):
                return None
            kinds = [_writer_type(b) for _, b in fplan.branches]
            if kinds.count("null") != 1 or None in kinds:
                return None
            other_kind = kinds[1 - kinds.index("null")]
            assert other_kind is not None
            spec.append((_FUSED_OPS[other_kind], kinds.index("null")))
        return spec

    def fused_record(
        self,
        plan: RecordPlan,
        r: dict[str, Any],
        dtype: pa.DataType,
        slots: _Slots,
        path: str,
        spec: list[tuple[int, int]],
        kernels: _Kernels,
    ) -> list[pa.Array | None]:
        """Read a flat record row by row in one compiled pass; children per reader field."""
        n = len(slots)
        nf = len(spec)
        ops = np.array([op for op, _ in spec], np.int64)
        nulls = np.array([null for _, null in spec], np.int64)
        vals = np.empty((nf, n), np.int64)  # null slots and bad rows keep garbage
        lens = np.zeros((nf, n), np.int64)
        valid = np.zeros((nf, n), np.bool_)
        err = np.zeros(n, np.int8)
        errfield = np.zeros(n, np.int64)
        # string and bytes fields the reader keeps (not decimals) get their payload copied
        slot = np.full(nf, -1, np.int64)
        for i, fplan in enumerate(plan.fields):
            wi = fplan.writer_index
            if wi is not None and ops[wi] == _OP_BYTES:
                ftype = dtype.field(i).type
                if not pa.types.is_decimal(ftype) and slot[wi] < 0:
                    slot[wi] = int(slot.max()) + 1
        copies = int(slot.max()) + 1
        # Large batches are read as two halves on two threads (the kernel runs without the
        # GIL); each half copies its payloads to its own buffers, joined afterwards.
        cut = n // 2 if n >= PARALLEL_MIN_ROWS and _CPUS > 1 else n
        parts = [(0, cut), (cut, n)] if cut < n else [(0, n)]
        payloads: list[tuple[_U8, _I64, _I64]] = []
        for lo, hi in parts:
            room = int((slots.end[lo:hi] - slots.pos[lo:hi]).sum()) if copies else 0
            # np.empty: the pages past what each field fills are never touched
            payloads.append(
                (
                    np.empty((copies, room), np.uint8) if copies else np.zeros((1, 1), np.uint8),
                    np.zeros(max(copies, 1), np.int64),
                    np.zeros(max(copies, 1), np.int64),
                )
            )
        buf = self.batch.buf
        args = (slots.pos, slots.end, ops, nulls, vals, lens, valid, err, errfield, slot)
        jobs: list[tuple[Any, ...]] = [
            (*args, payload, fill, high, lo, hi)
            for (lo, hi), (payload, fill, high) in zip(parts, payloads, strict=True)
        ]
        if len(jobs) == 1:
            kernels.fused(buf, *jobs[0])
        else:
            with ThreadPoolExecutor(1) as pool:
                other = pool.submit(kernels.fused, buf, *jobs[1])
                kernels.fused(buf, *jobs[0])
                other.result()
        names = {s.writer_index: s.name for s in plan.skip}
        names.update({f.writer_index: f.name for f in plan.fields if f.writer_index is not None})
        if err.any():
            bad = np.flatnonzero(err)
            vals[:, bad] = 0  # fields after the one that failed were not written
            for code, field in set(zip(err[bad].tolist(), errfield[bad].tolist(), strict=True)):
                hit = bad[(err[bad] == code) & (errfield[bad] == field)]
                self.batch.fail(slots.owner[hit], code, f"{path}.{names[field]}")
        children: list[pa.Array | None] = [None] * len(plan.fields)
        for i, fplan in enumerate(plan.fields):
            wi = fplan.writer_index
            if wi is None:
                continue
            ftype = dtype.field(i).type
            kind = _FUSED_KINDS[int(ops[wi])]
            fpath = f"{path}.{fplan.name}"
            if kind == "null":
                children[i] = pa.nulls(n, ftype)
                continue
            gaps = nulls[wi] >= 0 and not valid[wi].all()
            if gaps:
                vals[wi][~valid[wi]] = 0  # the kernel left null slots unwritten
            if slot[wi] >= 0:
                k = slot[wi]
                data = (
                    np.concatenate([payload[k, : fill[k]] for payload, fill, _ in payloads])
                    if len(payloads) > 1
                    else payloads[0][0][k, : payloads[0][1][k]].copy()
                )
                ascii = all(int(high[k]) < 0x80 for _, _, high in payloads)
                arr = _binary_from(self.batch, slots, data, lens[wi], ftype, fpath, ascii=ascii)
            else:
                arr = self.finish(kind, vals[wi], lens[wi], ftype, slots, fpath)
            if gaps:
                bitmap = pa.py_buffer(np.packbits(valid[wi], bitorder="little"))
                arr = pa.Array.from_buffers(arr.type, n, [bitmap, *arr.buffers()[1:]])
            children[i] = arr
        return children

    def finish(
        self, kind: str, vals: _I64, lens: _I64, dtype: pa.DataType, slots: _Slots, path: str
    ) -> pa.Array:
        """Arrow array of ``dtype`` from the fused kernel's raw values of writer ``kind``."""
        n = len(vals)
        if kind == "boolean":
            bits = np.packbits(vals != 0, bitorder="little")
            return pa.Array.from_buffers(pa.bool_(), n, [None, pa.py_buffer(bits)])
        if kind in ("int", "long"):
            return self.integers(vals, dtype, slots, path)
        if kind == "float":
            floats = vals.astype(np.uint32).view(np.float32)
            if dtype == pa.float64():
                return _numeric_array(floats.astype(np.float64), dtype)
            return _numeric_array(floats, dtype)
        if kind == "double":
            return _numeric_array(vals.view(np.float64), dtype)
        if pa.types.is_decimal(dtype):
            return self.decimal(vals.copy(), lens.copy(), dtype, slots, path)
        return _binary_array(self.batch, slots, vals, lens, dtype, path)

    def integers(self, values: _I64, dtype: pa.DataType, slots: _Slots, path: str) -> pa.Array:
        if pa.types.is_time(dtype):
            # Arrow holds a time of day: [0, 24 h) in its unit.
            bad = (values < 0) | (values >= _DAY[dtype.unit])
            if bad.any():
                _fail(self.batch, slots, bad, _BAD_TIME, path)
                values = np.where(bad, 0, values)
        return _finish_integers(values, dtype)

    def record(
        self, plan: RecordPlan, r: dict[str, Any], dtype: pa.DataType, slots: _Slots, path: str
    ) -> pa.Array:
        n = len(slots)
        kernels = _kernels()
        spec = self.fused_spec(plan, r) if kernels is not None and n >= FUSED_MIN_ROWS else None
        if kernels is not None and spec:
            fused = self.fused_record(plan, r, dtype, slots, path, spec, kernels)
            for i, fplan in enumerate(plan.fields):
                if fplan.writer_index is None:
                    one = _default_array(
                        r["fields"][i]["type"], fplan.default, dtype.field(i).type, self
                    )
                    fused[i] = one.take(pa.array(np.zeros(n, np.int64)))
            return _struct(fused, list(dtype), n)
        by_writer = {f.writer_index: (i, f) for i, f in enumerate(plan.fields)}
        skips = {s.writer_index: s for s in plan.skip}
        rfields = r["fields"]
        children: list[pa.Array | None] = [None] * len(plan.fields)
        for wi in range(plan.writer_field_count):
            if wi in skips:
                skip = skips[wi]
                self.skip(skip.schema, slots, f"{path}.{skip.name}")
                continue
            i, fplan = by_writer[wi]
            assert fplan.plan is not None
            children[i] = self.read(
                fplan.plan, rfields[i]["type"], dtype.field(i).type, slots, f"{path}.{fplan.name}"
            )
        for i, fplan in enumerate(plan.fields):
            if fplan.writer_index is None:
                one = _default_array(rfields[i]["type"], fplan.default, dtype.field(i).type, self)
                children[i] = one.take(pa.array(np.zeros(n, np.int64)))
        return _struct(children, list(dtype), n)

    def blocks(
        self, item_min: int, bulk: _Bulk | None, slots: _Slots, counts: _I64, path: str
    ) -> Iterator[tuple[npt.NDArray[np.intp], _I64, _I64 | None]]:
        """Walk the blocks of arrays/maps: per step, the slots that read one more item, that
        item's index within its slot's array, and (bulk steps) where each item starts.

        The caller reads those items before asking for the next step (block headers follow
        the items); ``counts`` holds the items each slot read so far. With ``bulk`` set, a
        whole block comes in one step (its slot repeated once per item, the cursors already
        past the block): ``0`` items of zero bytes, ``w > 0`` items of ``w`` bytes, ``-1``
        single varints (their ends found from the bytes below 0x80), a tuple: items of that
        layout walked by the compiled kernel (see ``_py_walk``).
        """
        batch = self.batch
        n = len(slots)
        remaining = np.zeros(n, np.int64)
        active = np.arange(n)
        if item_min == 0:
            bulk = 0
        while len(active):
            need = active[remaining[active] == 0]
            if len(need):
                sub = slots.take(need)
                c = _read_longs(batch, sub, path)
                neg = c < 0
                if neg.any():
                    size_sub = sub.take(np.flatnonzero(neg))
                    size = _read_longs(batch, size_sub, path)
                    sub.pos[neg] = size_sub.pos
                    c[neg] = -c[neg]
                    badsize = size < 0
                    if badsize.any():
                        bad = np.zeros(len(need), np.bool_)
                        bad[np.flatnonzero(neg)[badsize]] = True
                        _fail(batch, sub, bad, _NEG_LEN, path)
                        c[bad] = 0
                    neg_count = c < 0  # -(−2**63) overflows
                    if neg_count.any():
                        _fail(batch, sub, neg_count, _NEG_COUNT, path)
                        c[neg_count] = 0
                left = sub.end - sub.pos
                if item_min == 0:
                    limit = left * 8 + _ZERO_WIDTH_SLACK
                elif isinstance(bulk, int) and bulk > 0:
                    limit = left // bulk
                else:
                    limit = left
                big = c > limit
                if item_min == 0:
                    # items of zero bytes: also bounded across the batch, so nesting them
                    # cannot multiply the bound
                    big |= np.cumsum(np.where(big, 0, c)) > batch.zero_budget
                if big.any():
                    _fail(batch, sub, big, _BIG_COUNT, path)
                    c[big] = 0
                if item_min == 0:
                    batch.zero_budget -= int(c.sum())
                slots.pos[need] = sub.pos
                done = need[c == 0]
                if bulk is not None:
                    has = c > 0
                    owners, sizes = need[has], c[has]
                    if len(owners):
                        total = int(sizes.sum())
                        first = np.repeat(_offsets(sizes)[:-1], sizes)
                        step = np.arange(total) - first
                        within = np.repeat(counts[owners], sizes) + step
                        positions = self.bulk_positions(bulk, owners, sizes, step, slots, path)
                        yield np.repeat(owners, sizes), within, positions
                        counts[owners] += sizes
                    keep = np.ones(n, np.bool_)
                    keep[done] = False
                    active = active[keep[active]]
                    continue
                remaining[need] = c
                if len(done):
                    keep = np.ones(n, np.bool_)
                    keep[done] = False
                    active = active[keep[active]]
                if not len(active):
                    break
            yield active, counts[active].copy(), None
            counts[active] += 1
            remaining[active] -= 1

    def bulk_positions(
        self, bulk: _Bulk, owners: _I64, sizes: _I64, step: _I64, slots: _Slots, path: str
    ) -> _I64:
        """Where each item of a bulk block starts; moves the owners' cursors past the block."""
        if isinstance(bulk, tuple):
            kernels = _kernels()
            assert kernels is not None
            out = np.empty(int(sizes.sum()), np.int64)
            pos = slots.pos[owners]
            kernels.walk(
                self.batch.buf, pos, slots.end[owners], sizes, np.array(bulk, np.int64), out
            )
            slots.pos[owners] = pos
            return out
        at = np.repeat(slots.pos[owners], sizes)
        if bulk >= 0:
            slots.pos[owners] += sizes * bulk
            return at + step * bulk
        # varints: item k ends at the k-th byte below 0x80 from the block start
        ends = np.repeat(slots.end[owners], sizes)
        marks = self.batch.terminators()
        term = np.searchsorted(marks, marks[at] + step + 1, side="left") - 1
        short = term >= ends
        starts = np.empty_like(term)
        starts[:] = at
        follow = step > 0
        starts[follow] = term[np.flatnonzero(follow) - 1] + 1
        starts[short] = ends[short]  # reading there fails: "truncated body"
        last = _offsets(sizes)[1:] - 1
        bad_owner = np.add.reduceat(short.astype(np.int64), _offsets(sizes)[:-1]) > 0
        slots.pos[owners] = np.where(bad_owner, slots.end[owners], term[last] + 1)
        return starts

    def items(
        self,
        plan: Plan,
        rnode: Any,
        dtype: pa.DataType,
        slots: _Slots,
        path: str,
        *,
        with_keys: bool = False,
    ) -> tuple[_I64, pa.Array, pa.Array | None]:
        item_min = _min_size(plan, self)
        bulk: _Bulk | None = _bulk_kind(plan, self)
        if with_keys:
            layout = _plan_layout(plan, self)
            bulk = None if layout is None else _walkable((-2, *layout), self)
        elif bulk is None:
            layout = _plan_layout(plan, self)
            bulk = None if layout is None else _walkable(layout, self)
        counts = np.zeros(len(slots), np.int64)
        pieces: list[pa.Array] = []
        key_pieces: list[pa.Array] = []
        steps: list[tuple[npt.NDArray[np.intp], _I64]] = []
        minimum = item_min if not with_keys else 1
        for active, within, positions in self.blocks(minimum, bulk, slots, counts, path):
            steps.append((active, within))
            if positions is not None:
                sub = _Slots(positions, slots.end[active], slots.owner[active])
                if with_keys:
                    starts, lengths = _read_lengths(self.batch, sub, path)
                    key_pieces.append(
                        _binary_array(self.batch, sub, starts, lengths, pa.string(), path)
                    )
                pieces.append(self.read(plan, rnode, dtype, sub, path))
                continue
            sub = slots.take(active)
            if with_keys:
                starts, lengths = _read_lengths(self.batch, sub, path)
                key_pieces.append(
                    _binary_array(self.batch, sub, starts, lengths, pa.string(), path)
                )
            pieces.append(self.read(plan, rnode, dtype, sub, path))
            slots.pos[active] = sub.pos
        offsets = _offsets(counts)
        total = int(offsets[-1])
        if not pieces:
            empty = _empty(dtype)
            return offsets, empty, (pa.array([], pa.string()) if with_keys else None)
        order = np.concatenate([offsets[a] + k for a, k in steps])
        inverse = np.empty(total, np.int64)
        inverse[order] = np.arange(total)
        take = pa.array(inverse)
        values = _concat(pieces, dtype).take(take)
        keys = _concat(key_pieces, pa.string()).take(take) if with_keys else None
        return offsets, values, keys

    def array(
        self, plan: ArrayPlan, r: Any, dtype: pa.DataType, slots: _Slots, path: str
    ) -> pa.Array:
        offsets, values, _ = self.items(
            plan.items, r["items"], dtype.value_type, slots, f"{path}[]"
        )
        return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), values, type=dtype)

    def map(self, plan: MapPlan, r: Any, dtype: pa.DataType, slots: _Slots, path: str) -> pa.Array:
        offsets, values, keys = self.items(
            plan.values, r["values"], dtype.item_type, slots, f"{path}{{}}", with_keys=True
        )
        assert keys is not None
        return pa.MapArray.from_arrays(pa.array(offsets.astype(np.int32)), keys, values, type=dtype)

    # -- unions ----------------------------------------------------------------------------

    def writer_union(
        self, plan: UnionPlan, r: Any, dtype: pa.DataType, slots: _Slots, path: str
    ) -> pa.Array:
        branch = _read_ints(self.batch, slots, path)
        bad = (branch < 0) | (branch >= len(plan.branches))
        if bad.any():
            _fail(self.batch, slots, bad, _BAD_BRANCH, path)
            branch[bad] = -1
        parts: list[tuple[npt.NDArray[np.intp], int | None, pa.Array]] = []
        shape = _union_shape(r) if isinstance(r, list) else None
        for b, (rindex, bplan) in enumerate(plan.branches):
            rows = np.flatnonzero(branch == b)
            if not len(rows):
                continue
            sub = slots.take(rows)
            if rindex is None:
                arr = self.read(bplan, r, dtype, sub, path)
            else:
                arr = self.read_branch(bplan, r, rindex, shape, dtype, sub, f"{path}/{rindex}")
            slots.pos[rows] = sub.pos
            parts.append((rows, rindex, arr))
        bad_rows = np.flatnonzero(branch < 0)
        n = len(slots)
        if shape != "dense":
            if len(bad_rows):
                parts.append((bad_rows, None, pa.nulls(len(bad_rows), dtype)))
            filled_parts = [p for p in parts if p[2].null_count < len(p[2])]
            if len(filled_parts) <= 1:
                # the common nullable case: one branch with values, the rest null
                if not filled_parts:
                    return pa.nulls(n, dtype)
                return _spread(filled_parts[0][2], filled_parts[0][0], n)
            order = np.concatenate([p[0] for p in parts])
            inverse = np.empty(n, np.int64)
            inverse[order] = np.arange(n)
            return _concat([p[2] for p in parts], dtype).take(pa.array(inverse))
        # a dense union reader: one child per reader branch
        nchildren = dtype.num_fields
        child_parts: list[list[pa.Array]] = [[] for _ in range(nchildren)]
        codes = np.zeros(n, np.int8)
        value_offsets = np.zeros(n, np.int32)
        filled = np.zeros(nchildren, np.int64)
        if len(bad_rows):
            parts.append((bad_rows, 0, pa.nulls(len(bad_rows), dtype.field(0).type)))
        for rows, rindex, arr in parts:
            c = 0 if rindex is None else rindex
            codes[rows] = c
            value_offsets[rows] = filled[c] + np.arange(len(rows))
            filled[c] += len(rows)
            child_parts[c].append(arr)
        children = [_concat(child_parts[c], dtype.field(c).type) for c in range(nchildren)]
        return pa.UnionArray.from_dense(
            pa.array(codes, pa.int8()),
            pa.array(value_offsets, pa.int32()),
            children,
            [dtype.field(c).name for c in range(nchildren)],
            list(range(nchildren)),
        )

    def read_branch(
        self,
        plan: Plan,
        r: list[Any],
        rindex: int,
        shape: str | None,
        dtype: pa.DataType,
        slots: _Slots,
        path: str,
    ) -> pa.Array:
        """Read into reader union branch ``rindex``: its own type (dense) or the union's."""
        if shape == "dense":
            return self.read(plan, r[rindex], dtype.field(rindex).type, slots, path)
        if r[rindex] == "null":
            self.read(plan, "null", pa.null(), slots, path)
            return pa.nulls(len(slots), dtype)
        return self.read(plan, r[rindex], dtype, slots, path)

    def reader_union(
        self, plan: ReaderUnionPlan, r: list[Any], dtype: pa.DataType, slots: _Slots, path: str
    ) -> pa.Array:
        shape = _union_shape(r)
        arr = self.read_branch(
            plan.plan, r, plan.reader_index, shape, dtype, slots, f"{path}/{plan.reader_index}"
        )
        if shape != "dense":
            return arr
        n = len(slots)
        children = [
            arr if c == plan.reader_index else _empty(dtype.field(c).type)
            for c in range(dtype.num_fields)
        ]
        return pa.UnionArray.from_dense(
            pa.array(np.full(n, plan.reader_index, np.int8), pa.int8()),
            pa.array(np.arange(n, dtype=np.int32), pa.int32()),
            children,
            [dtype.field(c).name for c in range(dtype.num_fields)],
            list(range(dtype.num_fields)),
        )

    # -- skipping writer fields the reader does not have -----------------------------------

    def skip(self, wnode: Any, slots: _Slots, path: str) -> None:
        batch = self.batch
        w = _deref(wnode, self.wnames)
        if not len(slots):
            return
        if isinstance(w, list):
            branch = _read_ints(batch, slots, path)
            bad = (branch < 0) | (branch >= len(w))
            if bad.any():
                _fail(batch, slots, bad, _BAD_BRANCH, path)
            for b, wb in enumerate(w):
                rows = np.flatnonzero((branch == b) & ~bad)
                if len(rows):
                    sub = slots.take(rows)
                    self.skip(wb, sub, path)
                    slots.pos[rows] = sub.pos
            return
        kind = w if isinstance(w, str) else w["type"]
        if kind == "null":
            return
        if kind in ("boolean", "float", "double", "fixed"):
            width = {"boolean": 1, "float": 4, "double": 8}.get(kind)
            size = width if width is not None else int(w["size"])
            ok = slots.end - slots.pos >= size
            _fail(batch, slots, ~ok, _TRUNCATED, path)
            slots.pos[ok] += size
        elif kind in ("int", "long", "enum"):
            _read_longs(batch, slots, path)
        elif kind in ("bytes", "string"):
            _read_lengths(batch, slots, path)
        elif kind in ("record", "error"):
            for f in w["fields"]:
                self.skip(f["type"], slots, f"{path}.{f['name']}")
        elif kind in ("array", "map"):
            child = w["items"] if kind == "array" else w["values"]
            item_min = 1 if kind == "map" else _writer_min_size(child, self.wnames, set())
            counts = np.zeros(len(slots), np.int64)
            bulk: _Bulk | None = _writer_bulk_kind(child, self.wnames)
            if kind == "map" or bulk is None:
                layout = _writer_layout(child, self.wnames, set())
                prefix: tuple[int, ...] = (-2,) if kind == "map" else ()
                bulk = None if layout is None else _walkable((*prefix, *layout), self)
            for active, _, positions in self.blocks(item_min, bulk, slots, counts, path):
                if positions is not None:
                    sub = _Slots(positions, slots.end[active], slots.owner[active])
                    if kind == "map":
                        _read_lengths(batch, sub, path)
                    self.skip(child, sub, path)
                    continue
                sub = slots.take(active)
                if kind == "map":
                    _read_lengths(batch, sub, path)
                self.skip(child, sub, path)
                slots.pos[active] = sub.pos


# --------------------------------------------------------------------------------------------
# helpers: sizes, empty arrays, concatenation, defaults


_FUSED_KINDS = {0: "null", 1: "boolean", 2: "int", 3: "long", 4: "float", 5: "double", 6: "bytes"}


def _writer_type(plan: Plan) -> str | None:
    """The writer's primitive type of a primitive or promotion plan, else None."""
    if isinstance(plan, PrimitivePlan) and plan.type in _FUSED_OPS:
        return plan.type
    if isinstance(plan, PromotePlan) and plan.writer in _FUSED_OPS:
        return plan.writer
    return None


_Bulk: TypeAlias = int | tuple[int, ...]
_LAYOUT_OP = {"string": -2, "bytes": -2}


def _walkable(layout: tuple[int, ...], reader: _Reader) -> tuple[int, ...] | None:
    """A layout for the compiled walk (numba only; the numpy path reads item by item)."""
    return layout if _kernels() is not None else None


def _plan_layout(plan: Plan, reader: _Reader) -> tuple[int, ...] | None:
    """The writer-side byte layout of a flat item (no unions, arrays or maps), else None."""
    while isinstance(plan, NamedRef):
        plan = reader.named[(plan.reader_name, plan.writer_name)]
    kind = _writer_type(plan)
    if kind is not None:
        return (_LAYOUT_OP.get(kind, _BULK_WIDTH.get(kind, -1)),)
    if isinstance(plan, FixedPlan):
        return (plan.size,)
    if isinstance(plan, EnumPlan):
        return (-1,)
    if isinstance(plan, RecordPlan):
        by_writer = {f.writer_index: f.plan for f in plan.fields}
        skips = {s.writer_index: s.schema for s in plan.skip}
        out: list[int] = []
        for wi in range(plan.writer_field_count):
            fplan = by_writer.get(wi)
            if fplan is not None:
                sub = _plan_layout(fplan, reader)
            else:
                sub = _writer_layout(skips[wi], reader.wnames, set())
            if sub is None:
                return None
            out.extend(sub)
        return tuple(out)
    return None


def _writer_layout(node: Any, names: Mapping[str, Any], seen: set[str]) -> tuple[int, ...] | None:
    w = _deref(node, names)
    if isinstance(w, str):
        return (_LAYOUT_OP.get(w, _BULK_WIDTH.get(w, -1)),)
    if isinstance(w, list):
        return None
    kind = w["type"]
    if kind == "fixed":
        return (int(w["size"]),)
    if kind == "enum":
        return (-1,)
    if kind in ("record", "error") and w["name"] not in seen:
        out: list[int] = []
        for f in w["fields"]:
            sub = _writer_layout(f["type"], names, seen | {w["name"]})
            if sub is None:
                return None
            out.extend(sub)
        return tuple(out)
    return None


_BULK_WIDTH = {"null": 0, "boolean": 1, "float": 4, "double": 8, "int": -1, "long": -1}


def _bulk_kind(plan: Plan, reader: _Reader) -> int | None:
    """Bulk reading of array items (see ``_Reader.blocks``): width, -1 for a varint, or None."""
    while isinstance(plan, NamedRef):
        plan = reader.named[(plan.reader_name, plan.writer_name)]
    if isinstance(plan, FixedPlan):
        return plan.size
    if isinstance(plan, EnumPlan):
        return -1
    kind = _writer_type(plan)
    return None if kind is None else _BULK_WIDTH.get(kind)


def _writer_bulk_kind(node: Any, names: Mapping[str, Any]) -> int | None:
    w = _deref(node, names)
    if isinstance(w, str):
        return _BULK_WIDTH.get(w)
    if isinstance(w, dict) and w.get("type") == "fixed":
        return int(w["size"])
    if isinstance(w, dict) and w.get("type") == "enum":
        return -1
    return None


def _writer_min_size(node: Any, names: Mapping[str, Any], seen: set[str]) -> int:
    w = _deref(node, names)
    if isinstance(w, list):
        return 1
    kind = w if isinstance(w, str) else w["type"]
    if kind == "null":
        return 0
    if kind in ("float",):
        return 4
    if kind == "double":
        return 8
    if kind == "fixed":
        return int(w["size"])
    if kind in ("record", "error"):
        if w["name"] in seen:
            return 0
        inner = seen | {w["name"]}
        return sum(_writer_min_size(f["type"], names, inner) for f in w["fields"])
    return 1


def _min_size(plan: Plan, reader: _Reader) -> int:
    """The fewest bytes the writer side of ``plan`` encodes to."""
    if isinstance(plan, NamedRef):
        return _min_size(reader.named[(plan.reader_name, plan.writer_name)], reader)
    if isinstance(plan, PrimitivePlan):
        return _writer_min_size(plan.type, {}, set())
    if isinstance(plan, PromotePlan):
        return _writer_min_size(plan.writer, {}, set())
    if isinstance(plan, FixedPlan):
        return plan.size
    if isinstance(plan, ReaderUnionPlan):
        return _min_size(plan.plan, reader)
    if isinstance(plan, RecordPlan):
        total = sum(_min_size(f.plan, reader) for f in plan.fields if f.plan is not None)
        return total + sum(_writer_min_size(s.schema, reader.wnames, set()) for s in plan.skip)
    return 1


def _spread(arr: pa.Array, rows: npt.NDArray[np.intp], n: int) -> pa.Array:
    """An array of ``n`` nulls with ``arr``'s values at ``rows``."""
    dtype = arr.type
    valid = np.zeros(n, np.bool_)
    valid[rows] = True
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    width = dtype.bit_width if pa.types.is_primitive(dtype) else 0
    fixed = pa.types.is_fixed_size_binary(dtype) or pa.types.is_decimal(dtype)
    sized = fixed and dtype.byte_width > 0
    if not arr.null_count and not arr.offset and (sized or (width and width % 8 == 0)):
        size = dtype.byte_width
        data = np.frombuffer(arr.buffers()[1], np.uint8)[: len(arr) * size].reshape(-1, size)
        out = np.zeros((n, size), np.uint8)
        out[rows] = data
        return pa.Array.from_buffers(dtype, n, [bitmap, pa.py_buffer(out)])
    index = np.zeros(n, np.int64)
    index[rows] = np.arange(len(rows))
    return arr.take(pa.array(index, mask=~valid))


def _flatten(struct: pa.StructArray, children: Sequence[pa.Array], bad: _Bool) -> list[pa.Array]:
    """``struct.flatten()``, except that a union column (which has no validity bitmap, so Arrow
    aborts the process when asked to push one into it) gets its bad rows as nulls of branch 0."""
    if not any(pa.types.is_union(c.type) for c in children):
        return list(struct.flatten())
    rows = np.flatnonzero(bad)
    out: list[pa.Array] = []
    for child in children:
        if not pa.types.is_union(child.type):
            out.append(_masked(child, bad))
            continue
        dtype = child.type
        codes = np.asarray(child.type_codes.to_numpy(zero_copy_only=False), np.int8).copy()
        offsets = np.asarray(child.offsets.to_numpy(zero_copy_only=False), np.int32).copy()
        fields = [child.field(c) for c in range(dtype.num_fields)]
        first = fields[0]
        fields[0] = _concat([first, pa.nulls(len(rows), first.type)], first.type)
        codes[rows] = dtype.type_codes[0]
        offsets[rows] = len(first) + np.arange(len(rows), dtype=np.int32)
        out.append(
            pa.UnionArray.from_dense(
                pa.array(codes, pa.int8()),
                pa.array(offsets, pa.int32()),
                fields,
                [dtype.field(c).name for c in range(dtype.num_fields)],
                list(dtype.type_codes),
            )
        )
    return out


def _masked(child: pa.Array, bad: _Bool) -> pa.Array:
    wrapped = pa.StructArray.from_arrays([child], names=["v"], mask=pa.array(bad))
    return wrapped.flatten()[0]


def _settle(arr: pa.Array, nullable: bool, rnode: Any, rnames: Mapping[str, Any]) -> pa.Array:
    """``arr`` with no null where its type says a field is never null (``nullable``: itself).

    A null parent (a null record, a failed row, a null default) leaves nulls in its children,
    which Arrow ignores under the parent's null; but pandas converts a child as a whole (a
    ``long`` child with one null becomes float in every row) and the type promises no null
    there. Such slots get their type's zero value instead: 0, ``""``, ``[]``, a record of
    zeros, the first enum symbol (from ``rnode``, the reader schema of ``arr``). Columnar: a
    node without such nulls costs one null count.
    """
    dtype = arr.type
    r = _deref(rnode, rnames)
    if isinstance(r, list) and not pa.types.is_union(dtype):
        others = [b for b in r if b != "null"]  # ["null", T] is T's type, nullable
        return _settle(arr, nullable, others[0], rnames) if others else arr
    fill = not nullable and arr.null_count > 0
    if pa.types.is_struct(dtype):
        kids = [arr.field(i) for i in range(dtype.num_fields)]
        settled = [
            _settle(k, dtype.field(i).nullable, r["fields"][i]["type"], rnames)
            for i, k in enumerate(kids)
        ]
        if not fill and all(s is k for s, k in zip(settled, kids, strict=True)):
            return arr
        mask = arr.is_null() if arr.null_count and not fill else None
        return _struct(settled, list(dtype), len(arr), mask)
    if pa.types.is_map(dtype) or pa.types.is_list(dtype):
        if fill and _null_segments(arr):
            # a null slot over items (Arrow allows it; the reader writes none): no fast path
            return _settle(pc.fill_null(arr, pa.scalar([], dtype)), nullable, rnode, rnames)
        values = arr.values
        if pa.types.is_map(dtype):
            # the entries: a struct never null, of a key never null and the value
            item = values.field(1)
            settled_item = _settle(item, dtype.item_field.nullable, r["values"], rnames)
            settled = (
                values
                if settled_item is item
                else _struct([values.field(0), settled_item], list(values.type), len(values))
            )
        else:
            settled = _settle(values, dtype.value_field.nullable, r["items"], rnames)
        if not fill and settled is values:
            return arr
        validity = None if fill else arr.buffers()[0]
        return pa.Array.from_buffers(
            dtype, len(arr), [validity, arr.buffers()[1]], offset=arr.offset, children=[settled]
        )
    if pa.types.is_union(dtype):
        # a union without a "null" branch holds no null in any branch
        kids = [arr.field(i) for i in range(dtype.num_fields)]
        settled = [_settle(k, nullable, r[i], rnames) for i, k in enumerate(kids)]
        if all(s is k for s, k in zip(settled, kids, strict=True)):
            return arr
        return pa.Array.from_buffers(
            dtype, len(arr), arr.buffers()[:3], offset=arr.offset, children=settled
        )
    if not fill or pa.types.is_null(dtype):
        return arr
    if pa.types.is_dictionary(dtype):
        # a null array of the type (under a null parent) has no symbols: take the reader's
        symbols = arr.dictionary if len(arr.dictionary) else pa.array(r["symbols"], pa.string())
        if not len(symbols):
            return arr  # an enum without symbols has no value to give
        return pa.DictionaryArray.from_arrays(pc.fill_null(arr.indices, 0), symbols)
    return pc.fill_null(arr, _zero(dtype))


def _null_segments(arr: pa.Array) -> bool:
    """Whether a null slot of a list or map array spans items."""
    offsets = np.frombuffer(arr.buffers()[1], np.int32)[arr.offset : arr.offset + len(arr) + 1]
    null = np.asarray(arr.is_null().to_numpy(zero_copy_only=False), np.bool_)
    return bool((np.diff(offsets)[null] > 0).any())


def _zero(dtype: pa.DataType) -> pa.Scalar:
    """The zero value of a leaf type: 0 (any width, unit or scale), false, empty bytes/text."""
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return pa.scalar("", dtype)
    if pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype):
        return pa.scalar(b"", dtype)
    width = 1 if pa.types.is_boolean(dtype) else max(dtype.byte_width, 1)
    return pa.Array.from_buffers(dtype, 1, [None, pa.py_buffer(bytes(width))])[0]


def _empty(dtype: pa.DataType) -> pa.Array:
    return pa.nulls(0, dtype)


def _struct(
    children: Sequence[pa.Array], fields: Sequence[pa.Field], n: int, mask: pa.Array | None = None
) -> pa.StructArray:
    if children:
        return pa.StructArray.from_arrays(list(children), fields=list(fields), mask=mask)
    validity = None
    if mask is not None:
        bits = np.packbits(~np.asarray(mask.to_numpy(zero_copy_only=False)), bitorder="little")
        validity = pa.py_buffer(bits)
    return pa.Array.from_buffers(pa.struct([]), n, [validity], children=[])


def _concat(pieces: Sequence[pa.Array], dtype: pa.DataType) -> pa.Array:
    if not pieces:
        return _empty(dtype)
    if len(pieces) == 1:
        return pieces[0]
    return pa.concat_arrays(list(pieces))


def _default_array(rnode: Any, value: Any, dtype: pa.DataType, reader: _Reader) -> pa.Array:
    """A one-element array of ``dtype`` holding the JSON default ``value`` of ``rnode``.

    Bytes and fixed defaults are strings whose code points 0–255 are the bytes (Avro
    specification; fastavro differs, see DESIGN.md's last section).
    """
    r = _deref(rnode, reader.rnames)
    if isinstance(r, list):
        shape = _union_shape(r)
        if shape == "dense":
            child = _default_array(r[0], value, dtype.field(0).type, reader)
            return pa.UnionArray.from_dense(
                pa.array([0], pa.int8()),
                pa.array([0], pa.int32()),
                [child] + [_empty(dtype.field(c).type) for c in range(1, dtype.num_fields)],
                [dtype.field(c).name for c in range(dtype.num_fields)],
                list(range(dtype.num_fields)),
            )
        if value is None or r[0] == "null":
            return pa.nulls(1, dtype)
        return _default_array(r[0], value, dtype, reader)
    kind = r if isinstance(r, str) else r["type"]
    if kind == "null" or value is None:
        return pa.nulls(1, dtype)
    if kind in ("record", "error"):
        children = [
            _default_array(
                f["type"], value.get(f["name"], f.get("default")), dtype.field(i).type, reader
            )
            for i, f in enumerate(r["fields"])
        ]
        return _struct(children, list(dtype), 1)
    if kind == "enum":
        indices = pa.array([list(r["symbols"]).index(value)], pa.int32())
        return pa.DictionaryArray.from_arrays(indices, pa.array(r["symbols"], pa.string()))
    if kind == "array":
        items = [_default_array(r["items"], v, dtype.value_type, reader) for v in value]
        values = _concat(items, dtype.value_type)
        return pa.ListArray.from_arrays(pa.array([0, len(items)], pa.int32()), values, type=dtype)
    if kind == "map":
        keys = pa.array(list(value), pa.string())
        vals = [_default_array(r["values"], v, dtype.item_type, reader) for v in value.values()]
        return pa.MapArray.from_arrays(
            pa.array([0, len(vals)], pa.int32()), keys, _concat(vals, dtype.item_type), type=dtype
        )
    if kind in ("bytes", "fixed") and isinstance(value, str):
        raw = value.encode("latin-1")
        if pa.types.is_decimal(dtype):
            unscaled = int.from_bytes(raw, "big", signed=True) if raw else 0
            import decimal

            exact = decimal.Context(prec=100)
            return pa.array([decimal.Decimal(unscaled).scaleb(-dtype.scale, context=exact)], dtype)
        return pa.array([raw], dtype)
    if pa.types.is_timestamp(dtype) or pa.types.is_time(dtype) or pa.types.is_date(dtype):
        storage = pa.int32() if dtype.bit_width == 32 else pa.int64()
        return pa.array([int(value)], storage).view(dtype)
    return pa.array([value], dtype)


# --------------------------------------------------------------------------------------------
# entry point


def _renamed(dtype: pa.DataType, rnode: Any, rnames: Mapping[str, Any]) -> pa.DataType:
    """``dtype`` with every record field named as the data spelled it (ORIGINAL_NAME)."""
    r = _deref(rnode, rnames)
    if isinstance(r, list):
        others = [b for b in r if b != "null"]
        if pa.types.is_union(dtype):
            return pa.dense_union(
                [
                    dtype.field(i).with_type(_renamed(dtype.field(i).type, b, rnames))
                    for i, b in enumerate(r)
                ],
                type_codes=list(range(len(r))),
            )
        return _renamed(dtype, others[0], rnames) if others else dtype
    if isinstance(r, str):
        return dtype
    kind = r["type"]
    if kind in ("record", "error"):
        return pa.struct(
            [
                pa.field(
                    f.get(ORIGINAL_NAME, f["name"]),
                    _renamed(dtype.field(i).type, f["type"], rnames),
                    nullable=dtype.field(i).nullable,
                )
                for i, f in enumerate(r["fields"])
            ]
        )
    if kind == "array":
        item = dtype.value_field
        return pa.list_(item.with_type(_renamed(item.type, r["items"], rnames)))
    if kind == "map":
        item = dtype.item_field
        return pa.map_(dtype.key_field, item.with_type(_renamed(item.type, r["values"], rnames)))
    return dtype


def _arrow_root(reader: Schema, rnames: Mapping[str, Any]) -> tuple[pa.DataType, bool]:
    """The Arrow type the root decodes to (a struct for a record) and whether it is a record."""
    arrow = avro_to_arrow_schema(reader.to_dict())
    parsed = reader._parsed
    if isinstance(parsed, dict) and parsed.get("type") in ("record", "error"):
        return _renamed(pa.struct(list(arrow)), parsed, rnames), True
    return _renamed(arrow.field(0).type, parsed, rnames), False


@overload
def decode_bodies(
    bodies: pa.Array | tuple[Any, ...],
    writer: Schema,
    reader: Schema | None = None,
    *,
    first_row: int = 0,
    rows: Any = None,
    schema_id: int | None = None,
    errors: Literal["raise"] = "raise",
) -> pa.Table: ...


@overload
def decode_bodies(
    bodies: pa.Array | tuple[Any, ...],
    writer: Schema,
    reader: Schema | None = None,
    *,
    first_row: int = 0,
    rows: Any = None,
    schema_id: int | None = None,
    errors: Literal["null"],
) -> tuple[pa.Table, list[tuple[int, str, str]]]: ...


def decode_bodies(
    bodies: pa.Array | tuple[Any, ...],
    writer: Schema,
    reader: Schema | None = None,
    *,
    first_row: int = 0,
    rows: Any = None,
    schema_id: int | None = None,
    errors: DecodeErrors = "raise",
) -> pa.Table | tuple[pa.Table, list[tuple[int, str, str]]]:
    """Decode Avro bodies written with ``writer`` into an Arrow table of ``reader``'s type.

    Parameters
    ----------
    bodies : pyarrow.BinaryArray, (offsets, values) or (starts, ends, values)
        One Avro binary body per row, without the Confluent header (``large_binary`` and
        ``binary_view`` are accepted; or the int64 offsets, ``len + 1``, and the uint8 values
        buffer they index; or each body's int64 start and end in that buffer, which lets
        framed records be read in place, headers skipped).
    writer : Schema
        The Avro schema the bodies were written with.
    reader : Schema, optional
        The schema to read them as (Avro schema resolution); ``writer`` when not given.
    first_row : int
        Row index of the first body, for messages (``row = first_row + i``).
    rows : array of int, optional
        The row index of every body, for messages (overrides ``first_row``).
    schema_id : int, optional
        Named in messages and carried by :class:`~schemakit.errors.DecodeError`.
    errors : {"raise", "null"}
        ``"raise"``: raise for the lowest bad row. ``"null"``: return ``(table, bad)``, the
        bad rows null (every column becomes nullable) and ``bad`` a list of
        ``(row, reason, message)``.

    Returns
    -------
    pyarrow.Table or (pyarrow.Table, list)
        Columns of :func:`~schemakit._arrow_types.avro_to_arrow_schema` of the reader, named as
        the data spelled them (``"schemakit.original_name"``). A non-record schema gives one
        column ``"value"``.

    Raises
    ------
    DecodeError
        A bad body (``errors="raise"``), naming the row, the reason and the field path.
    IncompatibleSchemaError
        The reader cannot read the writer at all (the resolution's breaks).
    ValueError
        An unknown ``errors`` value.

    See Also
    --------
    Avro specification, "Binary Encoding" and "Schema Resolution".

    Examples
    --------
    >>> import pyarrow as pa
    >>> from schemakit import Schema
    >>> s = Schema.parse({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]})
    >>> decode_bodies(pa.array([b"\\x02", b"\\x03"], pa.binary()), s).to_pydict()
    {'a': [1, -2]}
    """
    mode = check_option("errors", errors, _ERRORS_VALUES)
    reader = writer if reader is None else reader
    resolution = resolve(reader, writer)
    if resolution.plan is None:
        raise IncompatibleSchemaError(
            "the reader schema cannot read the writer schema: " + "; ".join(resolution.messages),
            messages=resolution.messages,
        )
    if isinstance(bodies, tuple) and len(bodies) == 3:
        starts = np.asarray(bodies[0], np.int64)
        ends = np.asarray(bodies[1], np.int64)
        values = np.asarray(bodies[2], np.uint8)
        valid = np.ones(len(starts), np.bool_)
    else:
        if isinstance(bodies, tuple):
            offsets = np.asarray(bodies[0], np.int64)
            values = np.asarray(bodies[1], np.uint8)
            valid = np.ones(len(offsets) - 1, np.bool_)
        else:
            offsets, values, valid = binary_parts(bodies)
        starts, ends = offsets[:-1], offsets[1:]
    n = len(starts)
    row_ids = (
        np.arange(first_row, first_row + n, dtype=np.int64)
        if rows is None
        else np.asarray(rows, np.int64)
    )
    if len(row_ids) != n:
        raise ValueError(f"rows has {len(row_ids)} entries for {n} bodies")
    if len(ends) != n or (
        n and (starts.min() < 0 or ends.max() > len(values) or (ends < starts).any())
    ):
        raise ValueError("body offsets do not fit the values buffer")

    batch = _Batch(np.ascontiguousarray(values), n)
    collect_named(writer._parsed, batch.names)
    rnames: dict[str, Any] = {}
    collect_named(reader._parsed, rnames)
    slots = _Slots(starts.copy(), ends.copy(), np.arange(n, dtype=np.int64))
    if not valid.all():
        _fail(batch, slots, ~valid, _NULL_BODY, "")
    dtype, is_record = _arrow_root(reader, rnames)
    walker = _Reader(batch, resolution, rnames)
    result = walker.read(resolution.plan, reader._parsed, dtype, slots, "")
    trailing = slots.pos != slots.end
    if trailing.any():
        batch.fail(slots.owner[trailing], _TRAILING, "")

    bad_rows = np.flatnonzero(batch.errs)
    report = [
        (
            int(row_ids[i]),
            DECODE_REASONS[int(batch.errs[i])],
            _message(batch, int(i), row_ids, schema_id, slots),
        )
        for i in bad_rows[: (1 if mode == "raise" else len(bad_rows))]
    ]
    if mode == "raise" and report:
        row, reason, message = report[0]
        raise DecodeError(message, row=row, schema_id=schema_id, reason=reason)

    mask = pa.array(batch.errs != 0) if mode == "null" and len(bad_rows) else None
    arrow = avro_to_arrow_schema(reader.to_dict())
    if not is_record:
        result = pa.StructArray.from_arrays(
            [result], fields=[pa.field("value", result.type, nullable=arrow.field(0).nullable)]
        )
    children = [result.field(i) for i in range(result.type.num_fields)]
    struct = _struct(children, list(result.type), n, mask)
    columns = _flatten(struct, children, batch.errs != 0) if mask is not None else children
    schema = pa.schema(
        [
            pa.field(f.name, f.type, nullable=(mode == "null") or arrow.field(i).nullable)
            for i, f in enumerate(result.type)
        ]
    )
    rtypes = [f["type"] for f in reader._parsed["fields"]] if is_record else [reader._parsed]
    columns = [
        _settle(c, f.nullable, t, rnames) for c, f, t in zip(columns, schema, rtypes, strict=True)
    ]
    if columns:
        table = pa.Table.from_arrays(columns, schema=schema)
    else:  # a record without fields still has its rows
        table = pa.Table.from_batches([pa.RecordBatch.from_struct_array(struct)])
    if mode == "null":
        return table, report
    return table


def _message(batch: _Batch, i: int, row_ids: _I64, schema_id: int | None, slots: _Slots) -> str:
    code = int(batch.errs[i])
    reason = DECODE_REASONS[code]
    path = batch.paths[int(batch.where[i])] if batch.paths else ""
    where = f" at field {path.lstrip('.')!r}" if path else ""
    sid = f" (schema id {schema_id})" if schema_id is not None else ""
    if code == _TRAILING:
        extra = int(slots.end[i] - slots.pos[i])
        detail = f": {extra} byte(s) left after the record"
    elif code == _BIG_COUNT:
        detail = f" ({ITEM_LIMIT})"
    else:
        detail = ""
    return f"row {int(row_ids[i])}{sid}: {reason}{where}{detail}"
