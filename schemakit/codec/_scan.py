"""One record's Avro body checked by the batch decoder's rules, before fastavro may read it.

fastavro's row reader is fast but trusts its input: it recurses in C (a deep recursive record
crashes the process), allocates whatever a block count says (``array<null>`` of 2**40 items)
and returns out-of-range values as they come (an ``int`` holding 2**40, enum index -1 as the
last symbol). :class:`BodyScanner` walks the bytes once, without building any value, by the
rules and limits of :mod:`schemakit.codec._reader` and its reason table
(:data:`~schemakit.codec._reader.DECODE_REASONS`): varints of at most 10 bytes, ints in range,
lengths and item counts within the bytes left (items of zero bytes within the same budget the
batch path allows: 8 per byte of the record plus 64), union branches and enum indexes in range,
valid UTF-8, times of day within a day, decimals within their precision; and nesting (records,
arrays and maps; unions do not nest) at most :data:`MAX_DEPTH` deep, counted on an explicit
stack, never on the C stack. Only a body that passes reaches fastavro.

The walk is one compiled loop (numba) over a flat node table compiled once per writer schema;
a recursive named type is a back edge in that table. Without numba the same loop runs as
Python, slowly but with the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from schemakit._arrow_types import avro_to_arrow_schema
from schemakit._names import collect_named
from schemakit.codec import _reader
from schemakit.codec._jit import LazyKernels
from schemakit.codec._reader import _ZERO_WIDTH_SLACK, DECODE_REASONS, ITEM_LIMIT

__all__ = [
    "DEPTH_REASON",
    "MAX_DEPTH",
    "PYTHON_RANGE_REASON",
    "BodyScanner",
    "ScanFailure",
    "fastavro_schema",
]

#: Deepest nesting of records, arrays and maps one record may have (a linked list of this many
#: nodes). fastavro's reader recurses on the C stack; this keeps it far from the stack's end.
MAX_DEPTH = 500
#: The reason a body nested deeper than :data:`MAX_DEPTH` gets.
DEPTH_REASON = "nested deeper than the limit"
#: The reason of a well-formed body holding a date or time Python cannot (beyond year 9999):
#: the batch decoder returns it in Arrow, a Python value cannot hold it.
PYTHON_RANGE_REASON = "date or time beyond what Python holds"

# node kinds; leaves first
_NULL, _BOOL, _INT, _LONG, _FLOAT, _DOUBLE, _BYTES, _STRING, _FIXED, _ENUM = range(10)
_UNION, _RECORD, _ARRAY, _MAP = 10, 11, 12, 13
_KIND = {
    "null": _NULL,
    "boolean": _BOOL,
    "int": _INT,
    "long": _LONG,
    "float": _FLOAT,
    "double": _DOUBLE,
    "bytes": _BYTES,
    "string": _STRING,
}
# checks on a leaf's value (column 2 of the node table)
_NO_CHECK, _TIME_MS, _TIME_US, _DECIMAL = 0, 1, 2, 3
_DAY_MS, _DAY_US = 86_400_000, 86_400_000_000
# column 5 of an array or map node: how a block's item count is bounded (see _reader.blocks)
_ZERO_WIDTH = -1
# reason codes, as in DECODE_REASONS; 16 is this module's depth limit
_TRUNCATED, _TRAILING, _NEG_LEN, _BIG_LEN, _LONG_VARINT = 1, 2, 3, 4, 5
_BAD_BRANCH, _BAD_ENUM, _NEG_COUNT, _BIG_COUNT, _INT_RANGE = 6, 7, 8, 9, 10
_BAD_UTF8, _WIDE_DECIMAL, _BAD_TIME, _BIG_DECIMAL, _TOO_DEEP = 11, 12, 14, 15, 16
_REASONS: Mapping[int, str] = {**DECODE_REASONS, _TOO_DEEP: DEPTH_REASON}
# what the one varint read of the walk is for
_WANT_LEAF, _WANT_COUNT, _WANT_SIZE = 0, 1, 2
_WIDTH = {"null": 0, "boolean": 1, "float": 4, "double": 8}
_NO_DECIMALS = np.empty(0, np.int64)  # never written: a schema without decimals


def _py_scan(buf: Any, pos: Any, program: Any, out: Any) -> Any:  # pragma: no cover - compiled
    """Walk the body ``buf[pos:]``: ``(code, node, position, decimals)``, code 0 when fine.

    ``program`` is ``[root, max_depth, node count]``, then the node table (six columns a node),
    then the children. ``out`` receives ``(node, start, length)`` of every decimal value met,
    in order, for the caller to check (Python integers of any width); ``decimals`` of them.
    Few arguments and only scalars returned: the call's fixed cost is most of the time on a
    small record. Every varint is read at one place below; ``want`` says what it is for.
    """
    end = len(buf)
    root, max_depth, count_nodes = program[0], program[1], program[2]
    nodes = program[3 : 3 + 6 * count_nodes].reshape(count_nodes, 6)
    kids = program[3 + 6 * count_nodes :]
    budget: Any = 8 * end + _ZERO_WIDTH_SLACK
    stack_node = np.empty(max_depth + 1, np.int64)
    stack_left = np.empty(max_depth + 1, np.int64)
    decimals = out.reshape(-1, 3)
    nd = 0
    sp = 0
    node = root
    top = -1
    pending: Any = 0  # a negative block count whose byte size is read next
    while True:
        want = _WANT_LEAF
        if node >= 0:
            kind = nodes[node, 0]
            if kind >= _RECORD:  # a record, array or map: a frame on the explicit stack
                if sp == max_depth:
                    return _TOO_DEEP, node, pos, nd
                stack_node[sp] = node
                stack_left[sp] = 0
                sp += 1
                node = -1
                continue
            width = nodes[node, 1]
            if kind in (_NULL, _BOOL, _FLOAT, _DOUBLE, _FIXED):
                if end - pos < width:
                    return _TRUNCATED, node, pos, nd
                if nodes[node, 2] == _DECIMAL:
                    decimals[nd, 0] = node
                    decimals[nd, 1] = pos
                    decimals[nd, 2] = width
                    nd += 1
                pos += width
                node = -1
                continue
        else:
            if sp == 0:
                return 0, -1, pos, nd
            top = stack_node[sp - 1]
            kind = nodes[top, 0]
            left = stack_left[sp - 1]
            if kind == _RECORD:
                if left < nodes[top, 4]:
                    stack_left[sp - 1] = left + 1
                    node = kids[nodes[top, 3] + left]
                else:
                    sp -= 1
                continue
            if left > 0:  # the next item; a map's items alternate key, value
                stack_left[sp - 1] = left - 1
                node = kids[nodes[top, 3] + (1 if kind == _MAP and left % 2 == 1 else 0)]
                continue
            want = _WANT_SIZE if pending != 0 else _WANT_COUNT
        # one varint
        result = np.uint64(0)
        shift = np.uint64(0)
        code = _LONG_VARINT
        for _k in range(10):
            if pos >= end:
                code = _TRUNCATED
                break
            b = np.uint64(buf[pos])
            pos += 1
            result |= (b & np.uint64(127)) << shift
            shift += np.uint64(7)
            if b < 128:
                code = 0
                break
        value = np.int64(result >> np.uint64(1)) ^ -np.int64(result & np.uint64(1))
        if want != _WANT_LEAF:
            if code != 0:
                return code, top, pos, nd
            if want == _WANT_COUNT:
                count = value
                if count < 0:  # a negative count is followed by the block's size in bytes
                    pending = count
                    continue  # the next varint read is that size
            else:
                if value < 0:
                    return _NEG_LEN, top, pos, nd
                if pending == -(2**63):  # its negation overflows
                    return _NEG_COUNT, top, pos, nd
                count = -pending
                pending = 0
            rule = nodes[top, 5]
            room = end - pos
            limit = room * 8 + _ZERO_WIDTH_SLACK if rule == _ZERO_WIDTH else room // rule
            if count > limit:
                return _BIG_COUNT, top, pos, nd
            if rule == _ZERO_WIDTH:
                # zero-byte items are also bounded in all, so nesting cannot multiply the bound
                if count > budget:
                    return _BIG_COUNT, top, pos, nd
                budget -= count
            if count == 0:
                sp -= 1
            else:
                stack_left[sp - 1] = 2 * count if kind == _MAP else count
            continue
        if code != 0:
            return code, node, pos, nd
        if kind == _UNION:
            if value < 0 or value >= nodes[node, 4]:
                return _BAD_BRANCH, node, pos, nd
            node = kids[nodes[node, 3] + value]  # the branch replaces the union: no frame
            continue
        if kind in (_INT, _ENUM) and (value < -(2**31) or value > 2**31 - 1):
            return _INT_RANGE, node, pos, nd
        if kind == _ENUM and (value < 0 or value >= nodes[node, 1]):
            return _BAD_ENUM, node, pos, nd
        check = nodes[node, 2]
        if check == _TIME_MS and (value < 0 or value >= _DAY_MS):
            return _BAD_TIME, node, pos, nd
        if check == _TIME_US and (value < 0 or value >= _DAY_US):
            return _BAD_TIME, node, pos, nd
        if kind in (_BYTES, _STRING):
            if value < 0:
                return _NEG_LEN, node, pos, nd
            if value > end - pos:
                return _BIG_LEN, node, pos, nd
            stop = pos + value
            if kind == _STRING:  # well-formed UTF-8: no overlongs, surrogates or > U+10FFFF
                i = pos
                while i < stop:
                    c = buf[i]
                    if c < 0x80:
                        i += 1
                        continue
                    if 0xC2 <= c <= 0xDF:
                        extra, lo, hi = 1, 0x80, 0xBF
                    elif 0xE0 <= c <= 0xEF:
                        extra = 2
                        lo = 0xA0 if c == 0xE0 else 0x80
                        hi = 0x9F if c == 0xED else 0xBF
                    elif 0xF0 <= c <= 0xF4:
                        extra = 3
                        lo = 0x90 if c == 0xF0 else 0x80
                        hi = 0x8F if c == 0xF4 else 0xBF
                    else:
                        return _BAD_UTF8, node, pos, nd
                    if stop - i <= extra or buf[i + 1] < lo or buf[i + 1] > hi:
                        return _BAD_UTF8, node, pos, nd
                    for j in range(2, extra + 1):
                        if buf[i + j] < 0x80 or buf[i + j] > 0xBF:
                            return _BAD_UTF8, node, pos, nd
                    i += extra + 1
            if check == _DECIMAL:
                decimals[nd, 0] = node
                decimals[nd, 1] = pos
                decimals[nd, 2] = value
                nd += 1
            pos = stop
        node = -1


class _Kernels:
    def __init__(self, jit: Any) -> None:
        self.scan = jit(_py_scan)


_KERNELS = LazyKernels(_Kernels)


@dataclass(frozen=True)
class ScanFailure:
    """Why a body failed: the reason (as the batch decoder words it), the field path, and the
    limit it passed, in words (``""`` when the reason is not a limit)."""

    reason: str
    path: str
    limit: str = ""


class BodyScanner:
    """Checks single Avro bodies written with one writer schema; immutable, thread-safe.

    Parameters
    ----------
    writer : object
        fastavro's ``parse_schema`` output of the writer schema.
    max_depth : int
        Deepest nesting of records, arrays and maps allowed (:data:`MAX_DEPTH`).
    """

    def __init__(self, writer: Any, *, max_depth: int = MAX_DEPTH) -> None:
        self._names: dict[str, Any] = {}
        collect_named(writer, self._names)
        self._rows: list[list[int]] = []
        self._kids: list[int] = []
        self._paths: list[str] = []
        self._named: dict[str, int] = {}
        self._decimals: dict[int, tuple[int, int]] = {}  # node -> (Arrow byte width, precision)
        self._todo: list[tuple[int, Any, str]] = []
        root = self._node(writer, "")
        while self._todo:
            self._fill(*self._todo.pop())
        self._nodes = np.array(self._rows, np.int64).reshape(-1, 6)
        self._kid_array = np.array(self._kids, np.int64)
        self._set_rules()
        self._max_depth = max_depth
        head = np.array([root, max_depth, len(self._nodes)], np.int64)
        self._program = np.concatenate([head, self._nodes.reshape(-1), self._kid_array])

    # -- compiling the node table ---------------------------------------------------------

    def _row(self, kind: int, arg: int, path: str, check: int = _NO_CHECK) -> int:
        self._rows.append([kind, arg, check, 0, 0, 1])
        self._paths.append(path)
        return len(self._rows) - 1

    def _node(self, schema: Any, path: str) -> int:
        if isinstance(schema, str) and schema in self._named:
            return self._named[schema]
        if isinstance(schema, str) and schema in self._names:
            schema = self._names[schema]
        if isinstance(schema, list):
            index = self._row(_UNION, 0, path)
            self._todo.append((index, schema, path))
            return index
        if isinstance(schema, str):
            return self._row(_KIND[schema], _WIDTH.get(schema, 0), path)
        kind = schema["type"]
        if isinstance(kind, dict | list):
            return self._node(kind, path)
        if kind in ("record", "error", "array", "map"):
            code = {"array": _ARRAY, "map": _MAP}.get(kind, _RECORD)
            index = self._row(code, 0, path)
            if code == _RECORD:
                self._named[schema["name"]] = index
            self._todo.append((index, schema, path))
            return index
        if kind == "enum":
            index = self._row(_ENUM, len(schema["symbols"]), path)
        elif kind == "fixed":
            index = self._row(_FIXED, int(schema["size"]), path)
        else:
            index = self._row(_KIND[kind], _WIDTH.get(kind, 0), path)
        if kind in ("enum", "fixed"):
            self._named[schema["name"]] = index
        if "logicalType" in schema:
            self._logical(index, schema)
        return index

    def _logical(self, index: int, schema: Mapping[str, Any]) -> None:
        """The checks the batch decoder makes on a logical type's Arrow value."""
        wrapper = {"type": "record", "name": "_", "fields": [{"name": "v", "type": schema}]}
        dtype = avro_to_arrow_schema(wrapper).field(0).type
        if pa.types.is_time(dtype):
            self._rows[index][2] = _TIME_MS if dtype.unit == "ms" else _TIME_US
        elif pa.types.is_decimal(dtype):
            self._rows[index][2] = _DECIMAL
            self._decimals[index] = (dtype.byte_width, dtype.precision)

    def _fill(self, index: int, schema: Any, path: str) -> None:
        if isinstance(schema, list):
            children = [self._node(b, f"{path}/{i}") for i, b in enumerate(schema)]
        elif schema["type"] == "array":
            children = [self._node(schema["items"], f"{path}[]")]
        elif schema["type"] == "map":
            key = self._row(_STRING, 0, f"{path}{{}}")
            children = [key, self._node(schema["values"], f"{path}{{}}")]
        else:
            children = [self._node(f["type"], f"{path}.{f['name']}") for f in schema["fields"]]
        self._rows[index][3] = len(self._kids)
        self._rows[index][4] = len(children)
        self._kids.extend(children)

    def _set_rules(self) -> None:
        """How each array's or map's block counts are bounded, as the batch decoder does."""
        nodes = self._nodes
        for index in np.flatnonzero((nodes[:, 0] == _ARRAY) | (nodes[:, 0] == _MAP)):
            item = int(self._kid_array[nodes[index, 3] + (1 if nodes[index, 0] == _MAP else 0)])
            if nodes[index, 0] == _MAP or self._min_size(item, set()) > 0:
                kind, width = int(nodes[item, 0]), int(nodes[item, 1])
                bulk = kind in (_BOOL, _FLOAT, _DOUBLE, _FIXED) and nodes[index, 0] == _ARRAY
                nodes[index, 5] = width if bulk else 1
            else:
                nodes[index, 5] = _ZERO_WIDTH

    def _min_size(self, index: int, seen: set[int]) -> int:
        """The fewest bytes node ``index`` encodes to (a record met again counts 0)."""
        kind = int(self._nodes[index, 0])
        if kind in (_NULL, _BOOL, _FLOAT, _DOUBLE, _FIXED):
            return int(self._nodes[index, 1])
        if kind != _RECORD:
            return 1
        if index in seen:
            return 0
        start, count = int(self._nodes[index, 3]), int(self._nodes[index, 4])
        inner = seen | {index}
        return sum(self._min_size(int(k), inner) for k in self._kid_array[start : start + count])

    # -- checking ---------------------------------------------------------------------------

    def check(self, record: bytes, start: int) -> tuple[ScanFailure | None, int]:
        """Check the body ``record[start:]``: the failure (``None`` when it is fine) and where
        the body ended (bytes after it are the caller's business).

        ``record`` is ``bytes``: numba reads it in place (no array is made for it).
        """
        out = np.empty(3 * (len(record) + 1), np.int64) if self._decimals else _NO_DECIMALS
        kernels = _KERNELS.get() if _reader.USE_NUMBA else None
        scan = kernels.scan if kernels is not None else _py_scan
        code, node, pos, count = scan(record, start, self._program, out)
        if count:  # decimals met before any failure come first
            decimals = out.reshape(-1, 3)
            for i in range(int(count)):
                where, at, length = (int(v) for v in decimals[i])
                failed = self._decimal(record, where, at, length)
                if failed:
                    return ScanFailure(_REASONS[failed], self._paths[where]), int(pos)
        if code:
            limit = {
                _BIG_COUNT: ITEM_LIMIT,
                _TOO_DEEP: f"{self._max_depth} levels of records, arrays and maps: max_depth",
            }.get(int(code), "")
            return ScanFailure(_REASONS[int(code)], self._paths[int(node)], limit), int(pos)
        return None, int(pos)

    def _decimal(self, record: bytes, node: int, at: int, length: int) -> int:
        width, precision = self._decimals[node]
        digits = record[at : at + length]
        if length > width:  # fine only when the extra leading bytes are sign extension
            sign = 0xFF if digits[length - width] >= 128 else 0
            if any(b != sign for b in digits[: length - width]):
                return _WIDE_DECIMAL
        value = int.from_bytes(digits, "big", signed=True)
        return _BIG_DECIMAL if abs(value) >= 10**precision else 0


def fastavro_schema(schema: Any) -> Any:
    """fastavro's parsed form of a schema (its ``to_dict()``) that reads values as the batch
    decoder returns them: ``uuid`` as its text (fastavro would make a ``uuid.UUID``, and
    refuse text that is not one, where the batch decoder returns the string).

    Schemas are at most ``MAX_SCHEMA_DEPTH`` deep, so the walk may recurse.
    """
    import fastavro

    def plain(node: Any) -> Any:
        if isinstance(node, list):
            return [plain(n) for n in node]
        if not isinstance(node, dict):
            return node
        out = {k: plain(v) for k, v in node.items()}
        if out.get("logicalType") == "uuid":
            del out["logicalType"]
        return out

    return fastavro.parse_schema(plain(schema))
