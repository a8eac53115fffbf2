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
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import decimal
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import pyarrow as pa

from schemakit._arrow_types import json_to_arrow_schema
from schemakit.codec._framing import binary_parts
from schemakit.errors import DecodeError, EncodeError
from schemakit.schema import Schema

__all__ = [
    "JSON_DECODE_REASONS",
    "JsonRecordCodec",
    "decode_any_bodies",
    "decode_json_bodies",
    "dumps_json",
    "encode_any_bodies",
    "encode_json_bodies",
]

#: The reasons :func:`decode_json_bodies` reports.
JSON_DECODE_REASONS = ("null record", "invalid UTF-8", "invalid JSON", "schema validation failed")

_Report = list[tuple[int, str, str]]


def _stdlib_dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


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
        """``value`` as UTF-8 JSON bytes, after validating it (``EncodeError`` names where)."""
        from schemakit.errors import EncodeError

        error = _first_error(self._validator, value)
        if error is not None:
            message = (
                f"record does not match the JSON schema of subject {subject!r} at "
                f"{error.json_path}: {error.message}"
            )
            raise EncodeError(message)
        try:
            return dumps_json(value)
        except (TypeError, ValueError) as exc:
            message = f"record for subject {subject!r} is not JSON-serializable: {exc}"
            raise EncodeError(message) from exc

    def decode(self, body: bytes, *, schema_id: int, validate: bool) -> Any:
        """The JSON value of ``body``; ``DecodeError`` naming the schema id and the reason."""
        from schemakit.errors import DecodeError

        try:
            value = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError as exc:
            message = f"the record body (schema id {schema_id}) is not valid UTF-8: {exc}"
            raise DecodeError(message, schema_id=schema_id, reason="invalid UTF-8") from exc
        except json.JSONDecodeError as exc:
            message = f"the record body (schema id {schema_id}) is not valid JSON: {exc}"
            raise DecodeError(message, schema_id=schema_id, reason="invalid JSON") from exc
        if validate:
            error = _first_error(self._validator, value)
            if error is not None:
                message = (
                    f"the record (schema id {schema_id}) does not match its JSON schema at "
                    f"{error.json_path}: {error.message}"
                )
                raise DecodeError(message, schema_id=schema_id, reason="schema validation failed")
        return value


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
        A row that fails the schema (``row``, ``column`` = the JSON path, ``value``) or a value
        with no JSON mapping.

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
    bodies: list[bytes] = []
    for i, raw in enumerate(table.to_pylist()):
        row = i if rows is None else int(rows[i])
        try:
            value: Any = {k: _to_json(v, types[k]) for k, v in raw.items()}
            if bare:
                value = value["value"]
        except TypeError as exc:
            raise EncodeError(f"row {row}: {exc}", row=row) from None
        error = _first_error(validator, value)
        if error is not None:
            path = error.json_path
            column = path[2:] if path.startswith("$.") else path
            raise EncodeError(
                f"row {row} fails the JSON schema at {path}: {error.message}",
                column=column,
                row=row,
                value=error.instance,
            )
        bodies.append(dumps_json(value))
    return pa.array(bodies, pa.binary())


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
        the types are what ``pa.Table.from_pylist`` infers.
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
        A null body, invalid UTF-8, invalid JSON or a value that fails the schema (reasons in
        ``JSON_DECODE_REASONS``), naming the row.
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
    out: list[dict[str, Any] | None] = []
    report: _Report = []
    for i in range(len(offsets) - 1):
        row = i if rows is None else int(rows[i])
        reason, message, result = _decode_one(
            data[offsets[i] : offsets[i + 1]] if valid[i] else None,
            validator,
            arrow_schema,
            single=single,
        )
        if reason is not None:
            text = f"row {row}: {reason}: {message}"
            if schema_id is not None:
                text = f"row {row} (schema id {schema_id}): {reason}: {message}"
            if errors == "raise":
                raise DecodeError(text, row=row, schema_id=schema_id, reason=reason)
            report.append((row, reason, message))
        out.append(result)
    if arrow_schema is None:
        table = pa.Table.from_pylist([r if r is not None else {} for r in out])
    else:
        table = _table(out, arrow_schema)
    return (table, report) if errors == "null" else table


def _decode_one(
    body: bytes | None, validator: Any, arrow_schema: pa.Schema | None, *, single: bool
) -> tuple[str | None, str, dict[str, Any] | None]:
    if body is None:
        return "null record", "the body is null", None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "invalid UTF-8", str(exc), None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return "invalid JSON", str(exc), None
    if validator is not None:
        error = _first_error(validator, value)
        if error is not None:
            return "schema validation failed", f"at {error.json_path}: {error.message}", None
    if single:
        value = {"value": value}
    if not isinstance(value, dict):
        return "schema validation failed", f"expected an object, got {type(value).__name__}", None
    if arrow_schema is None:
        return None, "", value
    try:
        converted = {f.name: _from_json(value.get(f.name), f.type) for f in arrow_schema}
    except (ValueError, TypeError, binascii.Error, decimal.InvalidOperation) as exc:
        return "schema validation failed", f"value does not fit its Arrow type: {exc}", None
    return None, "", converted


def _table(out: list[dict[str, Any] | None], arrow_schema: pa.Schema) -> pa.Table:
    """Build the table; null rows (bad bodies) go in as all-null, so fields become nullable."""
    if any(r is None for r in out):
        arrow_schema = pa.schema([f.with_nullable(True) for f in arrow_schema])
    empty: dict[str, Any] = {}
    return pa.Table.from_pylist([r if r is not None else empty for r in out], schema=arrow_schema)


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
