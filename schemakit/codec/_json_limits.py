"""What a JSON body may hold: the one nesting limit, and the values JSON has no text for.

RFC 8259 sets no nesting limit, but every reader has one (Jackson, which Confluent's Java
clients use, 1000; serde_json 128), and schemakit's readers recurse: Python's ``json`` parser,
``jsonschema`` (about four Python frames per level) and the Arrow conversion. A body nested
100,000 deep must be that row's error, not a ``RecursionError`` that depends on how deep the
caller's stack already is, so schemakit reads and writes bodies nested at most
:data:`MAX_JSON_DEPTH` deep (serde_json's limit), checked before anything recurses.

JSON has no NaN or infinities either: Python's ``json`` writes ``NaN`` / ``Infinity`` and reads
them back, ``orjson`` writes them as ``null``; neither is what a JSON reader in another language
accepts, so they are refused both ways (as are numbers a double cannot hold, ``1e400``, which
Python reads as infinity).

The checks here are the cheap parts: columnar scans of a batch (bracket counts and
surrogate-escape candidates per body, non-finite floats per Arrow column) and iterative walks of
one value, so the one-value-per-call work of :mod:`schemakit.codec._json` runs only where a scan
says a body needs it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "MAX_JSON_DEPTH",
    "OPEN_BYTES",
    "first_non_finite",
    "scan_bodies",
    "scan_body",
    "too_deep",
    "type_depth",
    "unwritable",
]

#: The deepest a JSON body may nest: ``{"a": [1]}`` is 2 deep, ``1`` is 0. A body nested deeper
#: is a ``DecodeError`` (reason ``"nesting too deep"``); a value or table that would write one
#: is an ``EncodeError``.
MAX_JSON_DEPTH = 128

_I64: TypeAlias = npt.NDArray[np.int64]
_U8: TypeAlias = npt.NDArray[np.uint8]
_Bool: TypeAlias = npt.NDArray[np.bool_]

#: Bytes scanned at once: bounds the scratch arrays whatever the batch or body size.
_WINDOW = 1 << 20

#: The bytes that open a nesting level (outside strings; inside them they only overcount).
OPEN_BYTES = b"[{"
_OPENS = np.zeros(256, np.bool_)
_OPENS[list(OPEN_BYTES)] = True
_HEX_SURROGATE = np.zeros(256, np.bool_)  # the third hex digit of \uD800-\uDFFF
_HEX_SURROGATE[list(b"89abcdefABCDEF")] = True


def scan_bodies(offsets: _I64, data: _U8) -> tuple[_I64, _Bool]:
    """Per body, the ``[`` and ``{`` bytes it holds and whether it may hold a ``\\uD8xx`` escape.

    The bracket count bounds the body's depth (brackets inside strings count too, so it can
    only overestimate): a body with at most :data:`MAX_JSON_DEPTH` of them needs no depth walk.
    A ``\\u`` escape of ``D800``-``DFFF`` is the only way JSON text spells a lone surrogate,
    which Python's ``json`` decodes to a ``str`` that is not Unicode text; bodies without one
    need no surrogate check. Columnar, in windows of ``_WINDOW`` bytes.

    Parameters
    ----------
    offsets : numpy.ndarray of int64
        ``len + 1`` offsets of the bodies into ``data``.
    data : numpy.ndarray of uint8
        The values buffer.
    """
    n = len(offsets) - 1
    first, last = int(offsets[0]), int(offsets[-1])
    # opens_before[i]: brackets in data[first:offsets[i]], filled window by window.
    opens_before = np.zeros(n + 1, np.int64)
    candidates: list[_I64] = []
    seen = 0
    for lo in range(first, last, _WINDOW):
        hi = min(lo + _WINDOW, last)
        window = data[lo:hi]
        opens = np.flatnonzero(_OPENS[window]) + lo
        # the offsets in (lo, hi]: offsets are sorted, so a slice of them
        inside = slice(*np.searchsorted(offsets, [lo, hi], side="right"))
        opens_before[inside] = seen + np.searchsorted(opens, offsets[inside], side="left")
        seen += len(opens)
        slashes = np.flatnonzero(window == ord("\\")) + lo
        ahead = np.minimum(slashes[:, None] + np.arange(1, 4), len(data) - 1)
        follow = data[ahead] if len(slashes) else np.zeros((0, 3), np.uint8)
        hit = (
            (follow[:, 0] == ord("u"))
            & ((follow[:, 1] | 0x20) == ord("d"))
            & _HEX_SURROGATE[follow[:, 2]]
        )
        candidates.append(slashes[hit])
    counts = np.diff(opens_before)
    flagged = np.zeros(n, np.bool_)
    at = np.concatenate(candidates) if candidates else np.zeros(0, np.int64)
    if len(at):
        rows = np.searchsorted(offsets, at, side="right") - 1
        flagged[rows[(rows >= 0) & (rows < n)]] = True
    return counts.astype(np.int64), flagged


def scan_body(body: bytes) -> tuple[int, bool]:
    """:func:`scan_bodies` of one body, with a shortcut for the common body.

    A body without ``\\u`` needs no numpy: its bracket count is C ``bytes.count`` calls.
    """
    opens = sum(body.count(bytes((byte,))) for byte in OPEN_BYTES)
    if b"\\u" not in body:
        return opens, False
    counts, flagged = scan_bodies(np.array([0, len(body)], np.int64), np.frombuffer(body, np.uint8))
    return int(counts[0]), bool(flagged[0])


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a parsed JSON value nests deeper than ``limit`` (iterative, stops early)."""
    stack: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return False


def _lone_surrogate(text: str) -> str | None:
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"U+{ord(text[exc.start]):04X}"
    return None


def unwritable(value: Any, limit: int = MAX_JSON_DEPTH) -> tuple[str, str, Any] | None:
    """The first part of a Python value that no JSON body can hold: ``(path, why, offender)``.

    Checked, iteratively (so a cycle or a value 100,000 deep is refused, not followed): nesting
    deeper than ``limit``, a float that is NaN or infinite, a string or key with a lone
    surrogate. ``path`` is a JSON path (``$.a[1].b``); a value nested too deep is named by its
    top-level field, a bad key by the object that holds it.
    """
    # (node, depth of the containers around it, its path, the top-level field's path)
    stack: list[tuple[Any, int, str, str]] = [(value, 0, "$", "$")]
    children: list[tuple[Any, int, str, str]] = []
    while stack:
        node, depth, path, top = stack.pop()
        if isinstance(node, float):
            if not math.isfinite(node):
                return path, f"{node!r} is not JSON (JSON has no NaN or infinities)", node
        elif isinstance(node, str):
            bad = _lone_surrogate(node)
            if bad is not None:
                return path, f"the string holds the lone surrogate {bad}, not Unicode text", node
        elif isinstance(node, dict | list | tuple):
            if depth >= limit:
                return top, f"the value nests more than {limit} deep (MAX_JSON_DEPTH)", None
            if isinstance(node, dict):
                for key, child in node.items():
                    bad = _lone_surrogate(key) if isinstance(key, str) else None
                    if bad is not None:
                        return path, f"the key {key!r} holds the lone surrogate {bad}", key
                    where = f"{path}.{key}"
                    children.append((child, depth + 1, where, where if depth == 0 else top))
            else:
                for i, child in enumerate(node):
                    where = f"{path}[{i}]"
                    children.append((child, depth + 1, where, where if depth == 0 else top))
            stack.extend(reversed(children))  # visited in document order
            children.clear()
    return None


def type_depth(dtype: pa.DataType) -> int:
    """How deep the JSON of an Arrow value of ``dtype`` can nest (iterative; leaves are 0)."""
    deepest = 0
    stack = [(dtype, 0)]
    while stack:
        current, depth = stack.pop()
        if pa.types.is_dictionary(current):
            stack.append((current.value_type, depth))
            continue
        children = _child_types(current)
        if children is None:
            deepest = max(deepest, depth)
        else:
            deepest = max(deepest, depth + 1)
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _child_types(dtype: pa.DataType) -> list[pa.DataType] | None:
    if pa.types.is_struct(dtype) or pa.types.is_union(dtype):
        return [dtype.field(i).type for i in range(dtype.num_fields)]
    if pa.types.is_map(dtype):
        return [dtype.item_type]
    if (
        pa.types.is_list(dtype)
        or pa.types.is_large_list(dtype)
        or pa.types.is_fixed_size_list(dtype)
        or pa.types.is_list_view(dtype)
        or pa.types.is_large_list_view(dtype)
    ):
        return [dtype.value_type]
    return None


def first_non_finite(table: pa.Table | pa.RecordBatch) -> tuple[int, str, float] | None:
    """The earliest row holding a NaN or infinite float: ``(row position, column path, value)``.

    Columnar: each floating leaf of each column (inside structs, lists, maps, unions) is checked
    with ``pyarrow.compute.is_finite`` and its positions mapped back to top-level rows; values
    under a null parent are not written, so they do not count. Paths as ``EncodeError``'s:
    ``a.b``, ``a[]`` for list items, ``a{}`` for map values.
    """
    best: tuple[int, str, float] | None = None
    for name in table.column_names:
        column = table.column(name)
        chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
        start = 0
        for chunk in chunks:
            rows = np.arange(start, start + len(chunk), dtype=np.int64)
            for path, leaf, owners in _float_leaves(chunk, name, rows):
                bad = ~np.asarray(
                    pc.fill_null(pc.is_finite(leaf), True).to_numpy(zero_copy_only=False),
                    dtype=np.bool_,
                )
                if bad.any():
                    at = int(np.flatnonzero(bad)[np.argmin(owners[bad])])
                    row = int(owners[at])
                    if best is None or row < best[0]:
                        best = (row, path, float(leaf[at].as_py()))
            start += len(chunk)
    return best


def _float_leaves(array: pa.Array, path: str, rows: _I64) -> Iterator[tuple[str, pa.Array, _I64]]:
    """Each floating-point leaf under ``array``, with the top-level row of each of its slots."""
    dtype = array.type
    if pa.types.is_floating(dtype):
        yield path, array, rows
    elif pa.types.is_dictionary(dtype):
        yield from _float_leaves(array.dictionary_decode(), path, rows)
    elif pa.types.is_struct(dtype):
        for i in range(dtype.num_fields):
            # struct_field applies the slice offset and the parent's nulls.
            child = pc.struct_field(array, [i])
            yield from _float_leaves(child, f"{path}.{dtype.field(i).name}", rows)
    elif pa.types.is_map(dtype):
        # A map is a list of key/value structs: view it as one to flatten it.
        entries = pa.Array.from_buffers(
            pa.list_(array.values.type),
            len(array),
            array.buffers()[:2],
            offset=array.offset,
            children=[array.values],
        )
        owners = rows[_parents(entries)]
        yield from _float_leaves(
            pc.struct_field(pc.list_flatten(entries), [1]), f"{path}{{}}", owners
        )
    elif pa.types.is_union(dtype):
        # The type-code and offset buffers are read at the slice; a sparse child comes sliced.
        span = slice(array.offset, array.offset + len(array))
        codes = np.frombuffer(array.buffers()[1], np.int8)[span]
        dense = dtype.mode == "dense"
        slots = (
            np.frombuffer(array.buffers()[2], np.int32)[span].astype(np.int64)
            if dense
            else np.arange(len(array), dtype=np.int64)
        )
        for i in range(dtype.num_fields):
            child = array.field(i)
            mine = codes == dtype.type_codes[i]
            owners = np.full(len(child), -1, np.int64)
            owners[slots[mine]] = rows[mine]
            used = np.flatnonzero(owners >= 0)
            yield from _float_leaves(child.take(pa.array(used)), path, owners[used])
    elif _child_types(dtype) is not None:
        yield from _float_leaves(pc.list_flatten(array), f"{path}[]", rows[_parents(array)])


def _parents(array: pa.Array) -> _I64:
    return np.asarray(pc.list_parent_indices(array).to_numpy(zero_copy_only=False), np.int64)
