"""JSON Schema bodies: Arrow rows ↔ UTF-8 JSON as confluent-kafka's ``JSONSerializer`` writes it.

The Confluent JSON framing is the usual 5-byte header (see :mod:`schemakit.codec._framing`)
followed by the UTF-8 JSON text of one value. confluent-kafka dumps that value with
``orjson.dumps`` when orjson is importable and otherwise with
``json.dumps(obj, separators=(",", ":"), ensure_ascii=False)``; :func:`dumps_json` makes the same
choice, so schemakit's bodies are byte-identical to ``JSONSerializer``'s in the same environment.

JSON serialization is inherently per value: this module is the one documented place where the
batch path makes one Python call per row (``Table.to_pylist`` and a ``json.dumps`` per row).
Arrow's and DuckDB's JSON writers are not byte-identical to Confluent's output (spacing, float
spelling, escaping), so they are not used.

Arrow ↔ JSON value mapping (both ways; types as
:func:`schemakit._arrow_types.json_to_arrow_schema` gives them):

- timestamp → ISO 8601 string (``datetime.isoformat``; tz-aware values keep their offset),
  date32/64 → ``YYYY-MM-DD``, time32/64 → ``HH:MM:SS[.ffffff]``; decoded with ``fromisoformat``.
- binary (``contentEncoding: base64``) → standard base64 text.
- decimal (``format: decimal``) → the decimal's string (``str(Decimal)``), as inference emits.
- map → JSON object; struct → object (nulls kept as ``null``); list → array.
- Everything else (string, integer, number, boolean, null, dictionary-encoded strings) as is.
- On decode, a value under an unconstrained schema (Arrow string) that is not a JSON string is
  kept as its JSON text.

Validation uses ``jsonschema`` with the validator class the schema's ``$schema`` names (Draft
2020-12 by default), without format assertions, as ``JSONSerializer`` validates.

Hostile bodies (limits in :mod:`schemakit.codec._json_limits`): a body nested deeper than
``MAX_JSON_DEPTH`` (128), ``NaN`` / ``Infinity``, a number Python or the Arrow column cannot
hold, or a lone-surrogate escape is that row's ``DecodeError`` (or, with ``errors="null"``, a
null row and a report entry), in the batch and the one-record path alike; nothing that a row
holds fails the batch. What JSON has no text for (NaN, infinities, nesting past the limit, lone
surrogates) is never written: it is an ``EncodeError`` naming the row and column.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import decimal
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import pyarrow as pa

from schemakit._arrow_types import json_to_arrow_schema
from schemakit.codec._framing import binary_parts
from schemakit.codec._json_limits import (
    MAX_JSON_DEPTH,
    first_non_finite,
    scan_bodies,
    scan_body,
    too_deep,
    type_depth,
    unwritable,
)
from schemakit.errors import DecodeError, EncodeError
from schemakit.schema import Schema

__all__ = [
    "JSON_DECODE_REASONS",
    "MAX_JSON_DEPTH",
    "JsonRecordCodec",
    "decode_any_bodies",
    "decode_json_bodies",
    "dumps_json",
    "encode_any_bodies",
    "encode_json_bodies",
]

#: The reasons a JSON body is refused, by :func:`decode_json_bodies` and
#: :meth:`JsonRecordCodec.decode` alike, each with how a one-record message says it.
#: ``invalid JSON`` includes ``NaN`` and ``Infinity``; ``invalid UTF-8`` includes a ``\\u``
#: escape of a lone surrogate (which is not Unicode text); ``number out of range`` is an integer
#: longer than Python reads (``sys.get_int_max_str_digits``), a number a double cannot hold
#: (``1e400``) or, in the batch path, a value its Arrow column (int64, float64) cannot hold.
JSON_DECODE_REASONS: Mapping[str, str] = {
    "null record": "is null",
    "invalid UTF-8": "is not valid UTF-8",
    "invalid JSON": "is not valid JSON",
    "nesting too deep": "nests too deep",
    "number out of range": "holds a number out of range",
    "schema validation failed": "does not match its JSON schema",
}
_NULL, _UTF8, _SYNTAX, _DEEP, _NUMBER, _SCHEMA = JSON_DECODE_REASONS
_TOO_DEEP = f"the body nests more than {MAX_JSON_DEPTH} deep (MAX_JSON_DEPTH)"
_INT64 = (-(2**63), 2**63 - 1)

_Report = list[tuple[int, str, str]]


class _RefusedError(ValueError):
    """A body (or value) refused while it is parsed or converted, with its reason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _shown(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:20]}…{text[-8:]} ({len(text)} characters)"


def _no_constant(name: str) -> Any:
    raise _RefusedError(_SYNTAX, f"{name} is not JSON (JSON has no NaN or infinities)")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # a JSON number literal is never NaN
        raise _RefusedError(_NUMBER, f"the number {_shown(text)} does not fit a double")
    return value


#: The one JSON parser of bodies: refuses NaN / Infinity and numbers that overflow a double.
_DECODER = json.JSONDecoder(parse_float=_finite, parse_constant=_no_constant)


def _stdlib_dumps(obj: Any) -> bytes:
    # allow_nan=False only as a backstop: non-finite floats are refused, with row and column,
    # before anything is dumped.
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def _pick_dumps() -> Callable[[Any], bytes]:
    try:
        import orjson  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return _stdlib_dumps
    dumps: Callable[[Any], bytes] = orjson.dumps
    return dumps


#: Dump one JSON value to UTF-8 bytes exactly as confluent-kafka's ``JSONSerializer`` does.
dumps_json: Callable[[Any], bytes] = _pick_dumps()


def _validator(schema: Schema) -> Any:
    import jsonschema.validators

    doc = schema.to_dict()
    cls = jsonschema.validators.validator_for(doc, default=jsonschema.Draft202012Validator)
    return cls(doc)


def _check_schema(schema: Schema) -> None:
    if schema.schema_type != "JSON":
        raise TypeError(f"expected a JSON Schema, got a {schema.schema_type} schema")


def _first_error(validator: Any, value: Any) -> Any:
    import jsonschema.exceptions

    return jsonschema.exceptions.best_match(validator.iter_errors(value))


class JsonRecordCodec:
    """One JSON value at a time (the single-record Serializer and Deserializer paths).

    The validator is built once per schema; a call is one ``jsonschema`` validation plus one
    dump or parse, as confluent-kafka's ``JSONSerializer`` / ``JSONDeserializer`` do.
    """

    def __init__(self, schema: Schema) -> None:
        _check_schema(schema)
        self.schema = schema
        self._validator = _validator(schema)

    def encode(self, value: Any, *, subject: str) -> bytes:
        """``value`` as UTF-8 JSON bytes, after validating it (``EncodeError`` names where).

        Refused before validation: a value nested deeper than :data:`MAX_JSON_DEPTH`, NaN or
        an infinity, a lone surrogate in a string or key.
        """
        problem = unwritable(value)
        if problem is not None:
            path, why, offender = problem
            message = f"record for subject {subject!r} cannot be written as JSON at {path}: {why}"
            raise EncodeError(message, column=_column(path), value=offender)
        error = _first_error(self._validator, value)
        if error is not None:
            path = error.json_path
            message = (
                f"record does not match the JSON schema of subject {subject!r} at "
                f"{path}: {error.message}"
            )
            raise EncodeError(message, column=_column(path), value=error.instance)
        try:
            return dumps_json(value)
        except (TypeError, ValueError) as exc:
            message = f"record for subject {subject!r} is not JSON-serializable: {exc}"
            raise EncodeError(message) from exc

    def decode(self, body: bytes, *, schema_id: int, validate: bool) -> Any:
        """The JSON value of ``body``; ``DecodeError`` naming the schema id and the reason.

        The body is parsed by the same rules as :func:`decode_json_bodies` (reasons in
        ``JSON_DECODE_REASONS``); the checks of an Arrow column's type are the batch path's.
        """
        opens, suspect = scan_body(body)
        reason, message, value = _parse(body, opens=opens, suspect=suspect)
        if reason is None and validate:
            reason, message = _invalid(self._validator, value)
        if reason is not None:
            text = (
                f"the record body (schema id {schema_id}) {JSON_DECODE_REASONS[reason]}: {message}"
            )
            raise DecodeError(text, schema_id=schema_id, reason=reason)
        return value


def _column(path: str) -> str:
    """A JSON path (``$.a[1]``) as an ``EncodeError`` column (``a[1]``)."""
    return path[2:] if path.startswith("$.") else path


def _parse(body: bytes, *, opens: int, suspect: bool) -> tuple[str | None, str, Any]:
    """``(reason, message, value)`` for one body; ``reason`` is None when it parsed.

    ``opens`` and ``suspect`` come from :func:`scan_bodies`: only a body with more than
    ``MAX_JSON_DEPTH`` opening brackets is walked for its depth, and only one with a
    surrogate-like escape is checked for a lone surrogate.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _UTF8, str(exc), None
    try:
        value = _DECODER.decode(text)
    except _RefusedError as exc:
        return exc.reason, exc.message, None
    except json.JSONDecodeError as exc:
        return _SYNTAX, str(exc), None
    except RecursionError:
        return _DEEP, _TOO_DEEP, None
    except ValueError as exc:  # an integer longer than int() reads
        return _NUMBER, f"the integer is too long to read ({str(exc).split(';')[0]})", None
    if opens > MAX_JSON_DEPTH and too_deep(value):
        return _DEEP, _TOO_DEEP, None
    if suspect:
        try:
            _stdlib_dumps(value)
        except UnicodeEncodeError as exc:
            point = f"U+{ord(exc.object[exc.start]):04X}"
            message = f"a \\u escape decodes to the lone surrogate {point}, which is not text"
            return _UTF8, message, None
    return None, "", value


def _invalid(validator: Any, value: Any) -> tuple[str | None, str]:
    """``(reason, message)`` if ``value`` fails the schema, else ``(None, "")``."""
    try:
        error = _first_error(validator, value)
    except (RecursionError, OverflowError, ValueError, TypeError) as exc:
        # A hostile value can make a validator keyword fail (a huge int under a float
        # multipleOf): that is the value's fault, reported as such.
        return _SCHEMA, f"the value cannot be validated: {type(exc).__name__}: {exc}"
    if error is None:
        return None, ""
    return _SCHEMA, f"at {error.json_path}: {error.message}"


# --------------------------------------------------------------------------------------------
# Arrow values → JSON values
# --------------------------------------------------------------------------------------------


def _to_json(value: Any, dtype: pa.DataType) -> Any:
    if value is None:
        return None
    if pa.types.is_struct(dtype):
        return {f.name: _to_json(value.get(f.name), f.type) for f in dtype}
    if pa.types.is_map(dtype):
        return {str(k): _to_json(v, dtype.item_type) for k, v in value}
    if (
        pa.types.is_list(dtype)
        or pa.types.is_large_list(dtype)
        or pa.types.is_fixed_size_list(dtype)
    ):
        return [_to_json(v, dtype.value_type) for v in value]
    if pa.types.is_dictionary(dtype):
        return _to_json(value, dtype.value_type)
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, _dt.timedelta):
        raise TypeError("durations have no JSON Schema mapping")
    return value


def encode_json_bodies(
    table: pa.Table | pa.RecordBatch, schema: Schema, *, rows: Sequence[int] | None = None
) -> pa.BinaryArray:
    """Confluent JSON bodies (no header), one per row of ``table``, validated first.

    Parameters
    ----------
    table : pyarrow.Table or pyarrow.RecordBatch
        One column per top-level property.
    schema : Schema
        A ``schema_type="JSON"`` schema; every row is validated against it before any body is
        returned.
    rows : sequence of int, optional
        The row index to report for each row (default ``0..n-1``).

    Returns
    -------
    pyarrow.BinaryArray
        The UTF-8 JSON of each row, byte-identical to ``JSONSerializer``'s body.

    Raises
    ------
    EncodeError
        A row that fails the schema (``row``, ``column`` = the JSON path, ``value``), a NaN or
        infinite float (``column`` = its path, ``a.b``, ``a[]``, ``a{}``), a value with no JSON
        mapping, or a column whose type nests deeper than ``MAX_JSON_DEPTH``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> s = Schema({"type": "object", "properties": {"a": {"type": "integer"}}}, schema_type="JSON")
    >>> encode_json_bodies(pa.table({"a": [1]}), s).to_pylist()
    [b'{"a":1}']
    """
    _check_schema(schema)
    validator = _validator(schema)
    types = {f.name: f.type for f in table.schema}
    # A schema whose root is not an object reads as one column "value" (json_to_arrow_schema);
    # its bodies are that column's values, not {"value": ...}.
    bare = table.schema.names == ["value"] and schema.to_dict().get("type") != "object"
    for name, dtype in types.items():
        depth = type_depth(dtype) + (0 if bare else 1)
        if depth > MAX_JSON_DEPTH:
            raise EncodeError(
                f"column {name!r} ({dtype}) would write bodies nested {depth} deep, more than "
                f"{MAX_JSON_DEPTH} (MAX_JSON_DEPTH)",
                column=name,
            )
    # NaN and infinities, found columnar: raised when the loop reaches that row, so the
    # earliest bad row of either kind is the one reported.
    non_finite = first_non_finite(table)
    bodies: list[bytes] = []
    for i, raw in enumerate(_python_rows(table, rows)):
        row = i if rows is None else int(rows[i])
        if non_finite is not None and non_finite[0] == i:
            _, column, number = non_finite
            raise EncodeError(
                f"row {row}: {number!r} in column {column!r} is not JSON (JSON has no NaN or "
                "infinities)",
                column=column,
                row=row,
                value=number,
            )
        try:
            value: Any = {k: _to_json(v, types[k]) for k, v in raw.items()}
            if bare:
                value = value["value"]
        except TypeError as exc:
            raise EncodeError(f"row {row}: {exc}", row=row) from None
        error = _first_error(validator, value)
        if error is not None:
            path = error.json_path
            raise EncodeError(
                f"row {row} fails the JSON schema at {path}: {error.message}",
                column=_column(path),
                row=row,
                value=error.instance,
            )
        bodies.append(dumps_json(value))
    return pa.array(bodies, pa.binary())


def _python_rows(
    table: pa.Table | pa.RecordBatch, rows: Sequence[int] | None
) -> list[dict[str, Any]]:
    """``table.to_pylist()``, or an ``EncodeError`` naming the first value Python cannot hold.

    A timestamp or date beyond Python's years 1-9999 has no ``datetime`` (and so no ISO text);
    pyarrow then fails the whole conversion, so the cell is found, on that path only, one value
    at a time.
    """
    try:
        converted: list[dict[str, Any]] = table.to_pylist()
    except (OverflowError, ValueError):
        pass
    else:
        return converted
    for name in table.column_names:
        column = table.column(name)
        try:
            column.to_pylist()
        except (OverflowError, ValueError):
            for i in range(len(column)):
                try:
                    column[i].as_py()
                except (OverflowError, ValueError) as exc:
                    row = i if rows is None else int(rows[i])
                    message = (
                        f"row {row}: column {name!r} ({column.type}) holds a value out of range "
                        f"of Python's datetime, so it has no JSON text: {exc}"
                    )
                    raise EncodeError(message, column=name, row=row) from None
    again: list[dict[str, Any]] = table.to_pylist()  # pragma: no cover - no one value at fault
    return again


# --------------------------------------------------------------------------------------------
# JSON values → Arrow values
# --------------------------------------------------------------------------------------------


def _from_json(value: Any, dtype: pa.DataType) -> Any:
    if value is None:
        return None
    if pa.types.is_struct(dtype):
        if not isinstance(value, Mapping):
            raise ValueError(f"expected an object, got {type(value).__name__}")
        return {f.name: _from_json(value.get(f.name), f.type) for f in dtype}
    if pa.types.is_map(dtype):
        if not isinstance(value, Mapping):
            raise ValueError(f"expected an object, got {type(value).__name__}")
        return [(k, _from_json(v, dtype.item_type)) for k, v in value.items()]
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        if not isinstance(value, list):
            raise ValueError(f"expected an array, got {type(value).__name__}")
        return [_from_json(v, dtype.value_type) for v in value]
    if pa.types.is_timestamp(dtype):
        parsed = _dt.datetime.fromisoformat(value)
        if dtype.tz is not None and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=_dt.UTC)
        return parsed
    if pa.types.is_date(dtype):
        return _dt.date.fromisoformat(value)
    if pa.types.is_time(dtype):
        return _dt.time.fromisoformat(value)
    if pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype):
        return base64.b64decode(value, validate=True)
    if pa.types.is_decimal(dtype):
        return decimal.Decimal(str(value))
    if pa.types.is_string(dtype) and not isinstance(value, str):
        return _stdlib_dumps(value).decode("utf-8")
    if type(value) is int:
        if pa.types.is_int64(dtype) and not _INT64[0] <= value <= _INT64[1]:
            raise _RefusedError(_NUMBER, f"the integer {_shown(str(value))} does not fit int64")
        if pa.types.is_floating(dtype):
            # A JSON number read into a double, as any JSON reader does (pyarrow refuses an
            # int it cannot represent exactly).
            try:
                return float(value)
            except OverflowError:
                message = f"the integer {_shown(str(value))} does not fit a double"
                raise _RefusedError(_NUMBER, message) from None
    return value


def decode_json_bodies(
    bodies: pa.Array,
    schema: Schema | None,
    *,
    rows: Sequence[int] | None = None,
    schema_id: int | None = None,
    errors: Literal["raise", "null"] = "raise",
    reader: Schema | None = None,
) -> pa.Table | tuple[pa.Table, _Report]:
    """Confluent JSON bodies (no header) → a pyarrow Table of the schema's Arrow types.

    Parameters
    ----------
    bodies : pyarrow.BinaryArray
        One UTF-8 JSON body per row (``large_binary``/``binary_view`` accepted).
    schema : Schema or None
        The writer's JSON schema: bodies are validated against it and the table takes
        ``json_to_arrow_schema(schema.to_dict())``. Without one, each body must be an object and
        the types are what ``pa.Table.from_pylist`` infers (bodies whose types disagree raise
        ``DecodeError`` without a row, whatever ``errors`` says: no row is the bad one).
    rows : sequence of int, optional
        The row index to report for each body (default ``0..n-1``).
    schema_id : int, optional
        Put into errors.
    errors : {"raise", "null"}
        ``"raise"`` raises :class:`DecodeError` at the first bad body; ``"null"`` makes bad rows
        null and returns ``(table, [(row, reason, message), ...])``.
    reader : Schema, optional
        A JSON schema whose Arrow types the table takes instead of ``schema``'s (JSON Schema has
        no resolution rules: bodies are validated against ``schema``, the writer, and each
        column of ``reader`` is read from the property of the same name, absent → null).

    Raises
    ------
    DecodeError
        A null body, invalid UTF-8, invalid JSON (``NaN`` included), nesting deeper than
        ``MAX_JSON_DEPTH``, a number out of range or a value that fails the schema or does not
        fit its Arrow column (reasons in ``JSON_DECODE_REASONS``), naming the row; with
        ``errors="null"`` each bad row is null instead and reported.
    """
    if errors not in ("raise", "null"):
        raise ValueError(f"errors must be 'raise' or 'null', not {errors!r}")
    if schema is not None:
        _check_schema(schema)
    if reader is not None:
        _check_schema(reader)
    validator = _validator(schema) if schema is not None else None
    shape = reader if reader is not None else schema
    arrow_schema = json_to_arrow_schema(shape.to_dict()) if shape is not None else None
    single = (
        shape is not None
        and arrow_schema is not None
        and arrow_schema.names == ["value"]
        and shape.to_dict().get("type") != "object"
    )
    offsets, values, valid = binary_parts(bodies)
    data = values.tobytes()
    # Columnar first: which bodies may nest too deep or spell a lone surrogate.
    opens, suspect = scan_bodies(offsets, values)
    n = len(offsets) - 1
    out: list[dict[str, Any] | None] = []
    failed: dict[int, tuple[str, str]] = {}  # position → (reason, message)
    for i in range(n):
        body = data[offsets[i] : offsets[i + 1]] if valid[i] else None
        reason, message, result = _decode_one(
            body,
            int(opens[i]),
            bool(suspect[i]),
            validator,
            arrow_schema,
            single=single,
        )
        out.append(result)
        if reason is not None:
            failed[i] = (reason, message)
            if errors == "raise":
                break  # rows after the first bad one cannot change what is raised
    table = _table(out, arrow_schema, failed)
    report: _Report = []
    for i in sorted(failed):
        row = i if rows is None else int(rows[i])
        reason, message = failed[i]
        if errors == "raise":
            where = f"row {row}" if schema_id is None else f"row {row} (schema id {schema_id})"
            raise DecodeError(
                f"{where}: {reason}: {message}", row=row, schema_id=schema_id, reason=reason
            )
        report.append((row, reason, message))
    return (table, report) if errors == "null" else table


def _decode_one(
    body: bytes | None,
    opens: int,
    suspect: bool,
    validator: Any,
    arrow_schema: pa.Schema | None,
    *,
    single: bool,
) -> tuple[str | None, str, dict[str, Any] | None]:
    if body is None:
        return _NULL, "the body is null", None
    reason, message, value = _parse(body, opens=opens, suspect=suspect)
    if reason is not None:
        return reason, message, None
    if validator is not None:
        reason, message = _invalid(validator, value)
        if reason is not None:
            return reason, message, None
    if single:
        value = {"value": value}
    if not isinstance(value, dict):
        return _SCHEMA, f"expected an object, got {type(value).__name__}", None
    if arrow_schema is None:
        return None, "", value
    try:
        converted = {f.name: _from_json(value.get(f.name), f.type) for f in arrow_schema}
    except _RefusedError as exc:
        return exc.reason, exc.message, None
    except (ValueError, TypeError, binascii.Error, decimal.InvalidOperation) as exc:
        return _SCHEMA, f"value does not fit its Arrow type: {exc}", None
    return None, "", converted


#: What pyarrow raises for a Python value its column's type cannot hold.
_UNFIT = (pa.ArrowException, OverflowError, ValueError, TypeError)


def _table(
    out: list[dict[str, Any] | None],
    arrow_schema: pa.Schema | None,
    failed: dict[int, tuple[str, str]],
) -> pa.Table:
    """The table of ``out`` (None rows, bodies that failed, go in as all-null).

    A value can still not fit its Arrow column where no check above foresaw it (a decimal
    beyond its precision): the rows at fault are found by halving, added to ``failed`` and
    nulled, so one such row never fails the batch.
    """
    if arrow_schema is None:
        try:
            return pa.Table.from_pylist([r if r is not None else {} for r in out])
        except _UNFIT as exc:
            raise DecodeError(
                f"the bodies do not share one Arrow type (give a schema): {exc}", reason=_SCHEMA
            ) from exc
    if failed:
        # null rows (bad bodies) go in as all-null, so fields become nullable
        arrow_schema = pa.schema([f.with_nullable(True) for f in arrow_schema])
    try:
        return _from_rows(out, arrow_schema)
    except _UNFIT:
        pass
    unfit: dict[int, str] = {}
    _find_unfit(out, [i for i, r in enumerate(out) if r is not None], arrow_schema, unfit)
    for i, message in unfit.items():
        out[i] = None
        failed[i] = (_SCHEMA, f"value does not fit its Arrow type: {message}")
    return _from_rows(out, pa.schema([f.with_nullable(True) for f in arrow_schema]))


def _from_rows(out: list[dict[str, Any] | None], arrow_schema: pa.Schema) -> pa.Table:
    empty: dict[str, Any] = {}
    return pa.Table.from_pylist([r if r is not None else empty for r in out], schema=arrow_schema)


def _find_unfit(
    out: list[dict[str, Any] | None],
    positions: list[int],
    arrow_schema: pa.Schema,
    unfit: dict[int, str],
) -> None:
    """Which of ``positions`` pyarrow refuses, by halving (``O(bad · log n)`` builds)."""
    try:
        _from_rows([out[i] for i in positions], arrow_schema)
        return
    except _UNFIT as exc:
        if len(positions) == 1:
            unfit[positions[0]] = str(exc)
            return
    half = len(positions) // 2
    _find_unfit(out, positions[:half], arrow_schema, unfit)
    _find_unfit(out, positions[half:], arrow_schema, unfit)


# --------------------------------------------------------------------------------------------
# Dispatch by schema type: the hook serde calls
# --------------------------------------------------------------------------------------------


def encode_any_bodies(
    table: pa.Table | pa.RecordBatch,
    schema: Schema,
    *,
    extra: Literal["error", "ignore"] = "error",
    on_rows: Callable[[int], Any] | None = None,
    **avro_options: Any,
) -> pa.BinaryArray:
    """Bodies for ``schema``: :func:`encode_json_bodies` for JSON, else the Avro writer.

    ``extra`` applies to Avro only (a JSON schema's ``additionalProperties`` decides);
    ``on_rows`` (a progress callback) is called once with the row count for JSON.
    """
    if schema.schema_type == "JSON":
        bodies = encode_json_bodies(table, schema)
        if on_rows is not None:
            on_rows(table.num_rows)
        return bodies
    from schemakit.codec._writer import encode_bodies

    if on_rows is not None:
        avro_options["on_rows"] = on_rows
    result: pa.BinaryArray = encode_bodies(table, schema, extra=extra, **avro_options)
    return result


def decode_any_bodies(
    bodies: pa.Array | tuple[Any, ...],
    writer: Schema,
    reader: Schema | None = None,
    *,
    rows: Any = None,
    schema_id: int | None = None,
    errors: Literal["raise", "null"] = "raise",
) -> pa.Table | tuple[pa.Table, _Report]:
    """Bodies written with ``writer`` → a Table of ``reader``'s types, JSON or Avro.

    Raises
    ------
    TypeError
        A JSON writer with an Avro reader or the other way round.
    """
    if writer.schema_type == "JSON" or (reader is not None and reader.schema_type == "JSON"):
        if writer.schema_type != "JSON" or (reader is not None and reader.schema_type != "JSON"):
            raise TypeError(
                f"cannot read records written with a {writer.schema_type} schema into a "
                f"{reader.schema_type if reader is not None else 'AVRO'} reader schema"
            )
        return decode_json_bodies(
            bodies, writer, rows=rows, schema_id=schema_id, errors=errors, reader=reader
        )
    from schemakit.codec._reader import decode_bodies

    result: pa.Table | tuple[pa.Table, _Report] = decode_bodies(
        bodies, writer, reader, rows=rows, schema_id=schema_id, errors=errors
    )
    return result
