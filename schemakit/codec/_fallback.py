"""The row-wise fastavro path, for columns the columnar writer does not cover.

:mod:`schemakit.codec._writer` calls :func:`encode_rowwise` for one column at a time (after
emitting a :class:`~schemakit.errors.PerformanceWarning` naming it and why); the pieces it
returns are interleaved with the columnar fields like any other column. Values go through
``to_pylist`` and a small conversion to what fastavro expects (maps as dicts, struct keys as
field names, naive timestamps as UTC, nanosecond timestamps and durations as the specification
encodes them, which fastavro does not); fastavro's exceptions become
:class:`~schemakit.errors.EncodeError` naming the column, row and value.
"""

from __future__ import annotations

import datetime
import io
import re
import struct
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from schemakit._arrow_types import ORIGINAL_NAME
from schemakit.codec._writer import LOGICAL_RANGES, UUID_PATTERN
from schemakit.errors import EncodeError

__all__ = ["encode_rowwise"]

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_NANOS = ("timestamp-nanos", "local-timestamp-nanos")


def _resolve(schema: Any, named: Mapping[str, Any]) -> Any:
    while isinstance(schema, str) and schema in named:
        schema = named[schema]
    if isinstance(schema, dict) and isinstance(schema.get("type"), (dict, list)):
        return _resolve(schema["type"], named)
    return schema


def _nanos(value: datetime.datetime) -> int:
    whole = getattr(value, "value", None)  # pandas.Timestamp keeps nanoseconds
    if isinstance(whole, int) and value.tzinfo is not None:
        return whole
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    delta = value - _EPOCH
    extra = int(getattr(value, "nanosecond", 0))
    return ((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds) * 1000 + extra


class _Branch:
    """A value of an Arrow union child, written with fastavro's tuple notation."""

    __slots__ = ("index", "name", "value")

    def __init__(self, index: int, name: str, value: Any) -> None:
        self.index = index
        self.name = name
        self.value = value


def _branch_name(branch: Any, named: Mapping[str, Any]) -> str:
    if isinstance(branch, str):
        return branch
    kind = branch["type"] if isinstance(branch, dict) else branch
    if kind in ("record", "error", "enum", "fixed"):
        return str(branch["name"])
    return str(kind) if isinstance(kind, str) else _branch_name(kind, named)


def _union_values(arr: pa.Array, schema: Any, named: Mapping[str, Any]) -> list[Any] | None:
    """For an Arrow union column and an Avro union of as many branches: values with branches."""
    schema = _resolve(schema, named)
    if not isinstance(schema, list) or arr.type.num_fields != len(schema):
        return None
    n = len(arr)
    codes = np.frombuffer(arr.buffers()[1], dtype=np.int8)[arr.offset : arr.offset + n]
    child_of = {code: k for k, code in enumerate(arr.type.type_codes)}
    names = [_branch_name(b, named) for b in schema]
    out: list[Any] = []
    for value, code in zip(arr.to_pylist(), codes.tolist(), strict=True):
        k = child_of[code]
        out.append(None if value is None else _Branch(k, names[k], value))
    return out


def prepare(value: Any, schema: Any, named: Mapping[str, Any]) -> Any:
    """Turn a ``to_pylist`` value into what fastavro's writer expects for ``schema``."""
    if value is None:
        return None
    schema = _resolve(schema, named)
    if isinstance(schema, list) and isinstance(value, _Branch):
        return (value.name, prepare(value.value, schema[value.index], named))
    if isinstance(schema, list):
        for branch in schema:
            resolved = _resolve(branch, named)
            kind = resolved.get("type") if isinstance(resolved, dict) else resolved
            if kind == "map" and isinstance(value, list):
                return prepare(value, resolved, named)
            if kind in ("record", "error") and isinstance(value, dict):
                return prepare(value, resolved, named)
            if (
                isinstance(value, datetime.datetime)
                and isinstance(resolved, dict)
                and str(resolved.get("logicalType", "")).endswith(("millis", "micros", "nanos"))
            ):
                return prepare(value, resolved, named)
        return value
    kind = schema["type"] if isinstance(schema, dict) else schema
    if kind == "string" and isinstance(value, bytes | bytearray):
        # binary input for text, as the columnar writer takes it: UTF-8 or an error
        value = bytes(value).decode("utf-8")
    if not isinstance(schema, dict):
        return value
    logical = schema.get("logicalType")
    _check_logical(value, kind, logical)
    if kind in ("record", "error") and isinstance(value, Mapping):
        out = {}
        for field in schema["fields"]:
            key = field.get(ORIGINAL_NAME, field["name"])
            if key not in value:
                key = field["name"]
            if key in value:
                out[field["name"]] = prepare(value[key], field["type"], named)
        return out
    if kind == "array" and isinstance(value, list):
        return [prepare(v, schema["items"], named) for v in value]
    if kind == "map":
        pairs = value.items() if isinstance(value, Mapping) else value
        return {k: prepare(v, schema["values"], named) for k, v in pairs}
    if kind == "long" and isinstance(value, datetime.datetime):
        if logical in _NANOS:
            return _nanos(value)
        if logical in ("timestamp-millis", "timestamp-micros") and value.tzinfo is None:
            return value.replace(tzinfo=datetime.UTC)
    if kind == "fixed" and logical == "duration" and not isinstance(value, bytes | bytearray):
        if isinstance(value, datetime.timedelta):
            months, days, millis = 0, 0, value // datetime.timedelta(milliseconds=1)
        else:
            months, days, nanos = value
            millis = nanos // 1_000_000
        return struct.pack("<III", months, days, millis)
    return value


_UUID = re.compile(UUID_PATTERN)


def _check_logical(value: Any, kind: Any, logical: Any) -> None:
    """The columnar writer's logical-type checks, for one value (fastavro has none of them)."""
    bounds = LOGICAL_RANGES.get(logical) if isinstance(logical, str) else None
    if bounds is not None and isinstance(value, int) and not isinstance(value, bool):
        low, high, what = bounds
        if not low <= value <= high:
            raise ValueError(f"{logical} is outside {low}..{high} ({what})")
    if (
        kind == "string"
        and logical == "uuid"
        and isinstance(value, str)
        and not _UUID.fullmatch(value)
    ):
        raise ValueError("not a uuid as Avro writes it (RFC 4122 text, 8-4-4-4-12 hex)")


def _unreadable(
    arr: pa.Array, path: str, rowmap: Callable[[int], int], exc: Exception
) -> Exception:
    """The error for the first value of ``arr`` that has no Python form (this path is row-wise
    already), naming it by what Arrow stores."""
    for i in range(len(arr)):
        scalar: Any = arr[i]
        try:
            scalar.as_py()
        except (ValueError, OverflowError):
            while isinstance(getattr(scalar, "value", None), pa.Scalar):
                scalar = scalar.value  # run-end encoded, extension: the stored scalar
            value = getattr(scalar, "value", None)
            row = rowmap(i)
            message = (
                f"cannot encode column {path!r} at row {row}: value {value!r} "
                f"({scalar.type}) has no Python form for fastavro ({exc})"
            )
            return EncodeError(message, column=path, row=row, value=value)
    return exc


def encode_rowwise(
    arr: pa.Array,
    schema: Any,
    named: Mapping[str, Any],
    path: str,
    rowmap: Callable[[int], int],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """Encode each value of ``arr`` with fastavro; return the piece lengths and their bytes.

    Raises
    ------
    EncodeError
        For a value fastavro cannot write, naming ``path``, the row and the value.
    """
    from fastavro._validation_py import _validate
    from fastavro._write_py import write_data
    from fastavro.io.binary_encoder import BinaryEncoder
    from fastavro.validation import ValidationError

    write: Callable[..., None] = write_data
    check: Callable[..., bool] = _validate

    named_schemas = dict(named)
    out = io.BytesIO()
    encoder: Any = BinaryEncoder(out)  # type: ignore[no-untyped-call]
    lengths = np.zeros(len(arr), np.int64)
    options: dict[str, Any] = {}
    before = 0
    values = _union_values(arr, schema, named) if pa.types.is_union(arr.type) else None
    if values is None:
        try:
            values = arr.to_pylist()
        except (ValueError, OverflowError) as exc:  # e.g. a date Python cannot hold
            raise _unreadable(arr, path, rowmap, exc) from exc
    for i, value in enumerate(values):
        try:
            datum = prepare(value, schema, named)
            if isinstance(value, _Branch):
                # validate against the branch the Arrow union names
                check(datum[1], _resolve(schema, named)[value.index], named_schemas, "", True, {})
            else:
                check(datum, schema, named_schemas, "", True, {})
            write(encoder, datum, schema, named_schemas, "", options)
            encoder.flush()
        except (
            ValidationError,
            ValueError,
            TypeError,
            OverflowError,
            KeyError,
            struct.error,
        ) as exc:
            row = rowmap(i)
            if isinstance(value, _Branch):
                value = value.value
            message = (
                f"cannot encode column {path!r} at row {row}: value {value!r} does not fit "
                f"the schema ({exc})"
            )
            raise EncodeError(message, column=path, row=row, value=value) from exc
        now = out.tell()
        lengths[i] = now - before
        before = now
    return lengths, np.frombuffer(out.getvalue(), dtype=np.uint8)
