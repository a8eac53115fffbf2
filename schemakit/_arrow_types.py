"""The one Arrow ⇄ Avro type table, and JSON Schema → Arrow.

Arrow → Avro, leaf types (nested types — struct, list, map, dictionary, union — are walked by
``infer``, which names records, enums and fixed types and decides nullability):

=====================================================  ==========================================
Arrow                                                  Avro
=====================================================  ==========================================
null                                                   ``"null"``
bool                                                   ``"boolean"``
int8, int16, int32, uint8, uint16                      ``"int"``
int64, uint32, uint64                                  ``"long"`` (uint64 overflow: encode)
float16, float32                                       ``"float"``
float64                                                ``"double"``
string, large_string, string_view                      ``"string"``
binary, large_binary, binary_view                      ``"bytes"``
fixed_size_binary(n)                                   ``fixed`` of size n (named by ``infer``)
date32, date64                                         ``int`` / ``date``
time32 (s, ms)                                         ``int`` / ``time-millis``
time64 (us, ns)                                        ``long`` / ``time-micros`` (ns truncated)
timestamp with tz, unit s or ms / us / ns              ``long`` / ``timestamp-millis|micros|nanos``
timestamp without tz, unit s or ms / us / ns           ``long`` / ``local-timestamp-millis|…``
decimal32/64/128/256(p, s), 0 ≤ s ≤ p                  ``bytes`` / ``decimal`` (p, s)
extension ``arrow.uuid``                               ``string`` / ``uuid``
other extension types                                  their storage type
duration, interval, negative-scale decimal             :class:`~schemakit.errors.InferenceError`
=====================================================  ==========================================

Avro → Arrow (:func:`avro_to_arrow_type`) is the inverse with the narrowest faithful type:
int → int32, long → int64, float → float32, double → float64, string → string, bytes → binary,
enum → ``dictionary(int32, string)``, fixed → ``fixed_size_binary``, array → ``list``, map →
``map(string, …)``, record → ``struct``, ``date`` → date32, ``time-millis`` → time32[ms],
``time-micros`` → time64[us], ``timestamp-*`` → timestamp with ``tz="UTC"``,
``local-timestamp-*`` → timestamp without tz, ``decimal`` → decimal128 (decimal256 when the
precision exceeds 38), ``uuid`` → string (the Avro data is the text form). A union of ``"null"``
and one type is that type, nullable; any other union is a ``dense_union`` whose children are
the branches in order (type code = branch index, a ``"null"`` branch becomes a null-typed child).
Logical types that are unknown or invalid are ignored, as the specification says (the
underlying type is used). A schema that is not a record becomes a one-column Arrow schema whose
column is called ``"value"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from schemakit._names import fullname, resolve_local_ref, split_fullname
from schemakit.errors import InferenceError, SchemaParseError

__all__ = [
    "ORIGINAL_NAME",
    "avro_to_arrow_schema",
    "avro_to_arrow_type",
    "is_string_like",
    "json_to_arrow_schema",
    "json_to_arrow_type",
    "leaf_avro_type",
]

#: Field attribute that keeps a column's name as the data spelled it, when it had to be sanitized.
ORIGINAL_NAME = "schemakit.original_name"

_TIMESTAMP_UNIT = {"s": "millis", "ms": "millis", "us": "micros", "ns": "nanos"}


def is_string_like(dtype: pa.DataType) -> bool:
    """Whether ``dtype`` holds text: string, large_string or string_view."""
    t = pa.types
    return bool(t.is_string(dtype) or t.is_large_string(dtype) or t.is_string_view(dtype))


def _is_uuid(dtype: pa.DataType) -> bool:
    return isinstance(dtype, pa.BaseExtensionType) and dtype.extension_name == "arrow.uuid"


def leaf_avro_type(dtype: pa.DataType, *, column: str) -> Any:
    """The Avro type (JSON form) of a non-nested Arrow type, by the module's table.

    ``fixed`` comes back without a ``name``: the caller names it from the field path.
    Nested types (struct, list, map, dictionary, union) and extension types other than uuid are
    the caller's to unwrap.

    Raises
    ------
    InferenceError
        For Arrow types Avro cannot represent (duration, intervals, negative decimal scale),
        naming ``column``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> leaf_avro_type(pa.timestamp("us", tz="UTC"), column="ts")
    {'type': 'long', 'logicalType': 'timestamp-micros'}
    >>> leaf_avro_type(pa.uint16(), column="n")
    'int'
    """
    t = pa.types
    if _is_uuid(dtype):
        return {"type": "string", "logicalType": "uuid"}
    if t.is_null(dtype):
        return "null"
    if t.is_boolean(dtype):
        return "boolean"
    if t.is_int8(dtype) or t.is_int16(dtype) or t.is_int32(dtype):
        return "int"
    if t.is_uint8(dtype) or t.is_uint16(dtype):
        return "int"
    if t.is_int64(dtype) or t.is_uint32(dtype) or t.is_uint64(dtype):
        return "long"
    if t.is_float16(dtype) or t.is_float32(dtype):
        return "float"
    if t.is_float64(dtype):
        return "double"
    if is_string_like(dtype):
        return "string"
    if t.is_binary(dtype) or t.is_large_binary(dtype) or t.is_binary_view(dtype):
        return "bytes"
    if t.is_fixed_size_binary(dtype):
        return {"type": "fixed", "size": dtype.byte_width}
    if t.is_date(dtype):
        return {"type": "int", "logicalType": "date"}
    if t.is_time32(dtype):
        return {"type": "int", "logicalType": "time-millis"}
    if t.is_time64(dtype):
        return {"type": "long", "logicalType": "time-micros"}
    if t.is_timestamp(dtype):
        prefix = "timestamp" if dtype.tz is not None else "local-timestamp"
        return {"type": "long", "logicalType": f"{prefix}-{_TIMESTAMP_UNIT[dtype.unit]}"}
    if t.is_decimal(dtype):
        if dtype.scale < 0 or dtype.scale > dtype.precision:
            raise InferenceError(
                f"column {column!r} has type {dtype}, whose scale Avro's decimal cannot hold "
                "(0 <= scale <= precision); cast it to a decimal with such a scale",
                column=column,
            )
        return {
            "type": "bytes",
            "logicalType": "decimal",
            "precision": dtype.precision,
            "scale": dtype.scale,
        }
    if t.is_duration(dtype):
        raise InferenceError(
            f"column {column!r} has type {dtype}, and Avro has no duration type; cast it to an "
            "integer count (e.g. int64 of the same unit) or to a string",
            column=column,
        )
    raise InferenceError(
        f"column {column!r} has Arrow type {dtype}, which has no Avro equivalent",
        column=column,
    )


# --------------------------------------------------------------------------------------------
# Avro → Arrow


class _AvroToArrow:
    """Walk an Avro schema (JSON form), resolving named-type references."""

    def __init__(self) -> None:
        self.named: dict[str, Any] = {}
        self.in_progress: set[str] = set()
        # fullname -> the struct a record became: each reference reuses it, so a schema whose
        # records refer to one another many times converts in time linear in its size.
        self.structs: dict[str, pa.DataType] = {}

    def field_list(self, fields: Any, namespace: str | None, where: str) -> list[pa.Field]:
        if not isinstance(fields, list):
            raise SchemaParseError(f"{where}/fields must be a list", path=f"{where}/fields")
        out = []
        for i, f in enumerate(fields):
            here = f"{where}/fields/{i}"
            if not isinstance(f, Mapping) or not isinstance(f.get("name"), str):
                raise SchemaParseError(f"{here} is not a field with a name", path=here)
            dtype, nullable = self.convert(f.get("type"), namespace, f"{here}/type")
            out.append(pa.field(f["name"], dtype, nullable=nullable))
        return out

    def convert(self, schema: Any, namespace: str | None, where: str) -> tuple[pa.DataType, bool]:
        """Arrow type of ``schema`` and whether values may be null."""
        if isinstance(schema, list):
            return self.union(schema, namespace, where)
        if isinstance(schema, str):
            return self.named_or_primitive(schema, namespace, where), schema == "null"
        if not isinstance(schema, Mapping):
            raise SchemaParseError(f"{where}: {schema!r} is not an Avro schema", path=where)
        kind = schema.get("type")
        if kind not in ("record", "error", "enum", "fixed"):
            logical = self.logical(schema)
            if logical is not None:
                return logical, False
        if kind in ("record", "error"):
            name, space = self.define(schema, namespace, where)
            try:
                fields = self.field_list(schema.get("fields"), space, where)
            finally:
                self.in_progress.discard(name)
            self.structs[name] = pa.struct(fields)
            return self.structs[name], False
        if kind == "enum":
            self.define(schema, namespace, where, done=True)
            return pa.dictionary(pa.int32(), pa.string()), False
        if kind == "fixed":
            self.define(schema, namespace, where, done=True)
            size = schema.get("size")
            if not isinstance(size, int) or size < 0:
                raise SchemaParseError(f"{where}: fixed size must be an integer", path=where)
            logical = self.logical(schema)
            return (logical if logical is not None else pa.binary(size)), False
        if kind == "array":
            item, nullable = self.convert(schema.get("items"), namespace, f"{where}/items")
            return pa.list_(pa.field("item", item, nullable=nullable)), False
        if kind == "map":
            value, nullable = self.convert(schema.get("values"), namespace, f"{where}/values")
            return pa.map_(pa.string(), pa.field("value", value, nullable=nullable)), False
        if isinstance(kind, (str, list, dict)):
            return self.convert(kind, namespace, f"{where}/type")
        raise SchemaParseError(f"{where}: {schema!r} is not an Avro schema", path=where)

    def define(
        self, schema: Mapping[str, Any], namespace: str | None, where: str, *, done: bool = False
    ) -> tuple[str, str]:
        name = schema.get("name")
        if not isinstance(name, str):
            raise SchemaParseError(f"{where}: a named type needs a name", path=f"{where}/name")
        space, short = split_fullname(name, schema.get("namespace", namespace))
        full = fullname(short, space)
        if full in self.named:
            raise SchemaParseError(f"{where}: the name {full!r} is defined twice", path=where)
        self.named[full] = schema
        if not done:
            self.in_progress.add(full)
        return full, space

    def named_or_primitive(self, name: str, namespace: str | None, where: str) -> pa.DataType:
        primitive = {
            "null": pa.null(),
            "boolean": pa.bool_(),
            "int": pa.int32(),
            "long": pa.int64(),
            "float": pa.float32(),
            "double": pa.float64(),
            "bytes": pa.binary(),
            "string": pa.string(),
        }
        if name in primitive:
            return primitive[name]
        candidates = [fullname(name, namespace), name]
        for full in candidates:
            if full in self.in_progress:
                raise SchemaParseError(
                    f"{where}: {full!r} is recursive, which an Arrow type cannot represent",
                    path=where,
                )
            if full in self.structs:
                return self.structs[full]
            if full in self.named:
                defined = self.named[full]
                if defined.get("type") == "enum":
                    return pa.dictionary(pa.int32(), pa.string())
                if defined.get("type") == "fixed":
                    logical = self.logical(defined)
                    return logical if logical is not None else pa.binary(int(defined["size"]))
                space, _ = split_fullname(full, None)
                return pa.struct(self.field_list(defined.get("fields"), space, where))
        raise SchemaParseError(f"{where}: unknown type {name!r}", path=where)

    def union(self, branches: list[Any], namespace: str | None, where: str) -> tuple[Any, bool]:
        nullable = "null" in branches
        others = [b for b in branches if b != "null"]
        if not others:
            return pa.null(), True
        if len(others) == 1:
            index = branches.index(others[0])
            dtype, inner = self.convert(others[0], namespace, f"{where}/{index}")
            return dtype, nullable or inner
        children = []
        for i, branch in enumerate(branches):
            dtype, _ = self.convert(branch, namespace, f"{where}/{i}")
            children.append(pa.field(_branch_name(branch), dtype))
        return pa.dense_union(children, type_codes=list(range(len(children)))), nullable

    @staticmethod
    def logical(schema: Mapping[str, Any]) -> pa.DataType | None:
        """The Arrow type of a valid logical type, or None (ignored, as the spec says)."""
        logical = schema.get("logicalType")
        base = schema.get("type")
        if logical == "decimal" and base in ("bytes", "fixed"):
            precision, scale = schema.get("precision"), schema.get("scale", 0)
            if not (isinstance(precision, int) and isinstance(scale, int)):
                return None
            if not 0 < precision <= 76 or not 0 <= scale <= precision:
                return None
            if base == "fixed":
                size = schema.get("size")
                if not isinstance(size, int) or precision > int((8 * size - 1) * 0.30103):
                    return None
            maker = pa.decimal128 if precision <= 38 else pa.decimal256
            return maker(precision, scale)
        table: dict[tuple[Any, Any], pa.DataType] = {
            ("int", "date"): pa.date32(),
            ("int", "time-millis"): pa.time32("ms"),
            ("long", "time-micros"): pa.time64("us"),
            ("long", "timestamp-millis"): pa.timestamp("ms", tz="UTC"),
            ("long", "timestamp-micros"): pa.timestamp("us", tz="UTC"),
            ("long", "timestamp-nanos"): pa.timestamp("ns", tz="UTC"),
            ("long", "local-timestamp-millis"): pa.timestamp("ms"),
            ("long", "local-timestamp-micros"): pa.timestamp("us"),
            ("long", "local-timestamp-nanos"): pa.timestamp("ns"),
            ("string", "uuid"): pa.string(),
        }
        if isinstance(base, str) and isinstance(logical, str):
            return table.get((base, logical))
        return None


def _branch_name(branch: Any) -> str:
    if isinstance(branch, str):
        return branch.rpartition(".")[2]
    if isinstance(branch, Mapping):
        kind = branch.get("type")
        if kind in ("record", "error", "enum", "fixed") and isinstance(branch.get("name"), str):
            return str(branch["name"]).rpartition(".")[2]
        if isinstance(kind, str):
            return str(branch.get("logicalType", kind))
    return "union"


def avro_to_arrow_type(avro_type: Any) -> pa.DataType:
    """The Arrow type of an Avro type (JSON form), by the module's inverse table.

    Named types referenced by name must be defined earlier in ``avro_type`` itself.

    Raises
    ------
    SchemaParseError
        For what is not an Avro type, unknown names, and recursive types (Arrow has none).

    Examples
    --------
    >>> avro_to_arrow_type({"type": "long", "logicalType": "timestamp-millis"})
    TimestampType(timestamp[ms, tz=UTC])
    >>> avro_to_arrow_type(["null", {"type": "array", "items": "int"}])
    ListType(list<item: int32 not null>)
    """
    dtype, _ = _AvroToArrow().convert(avro_type, None, "")
    return dtype


def avro_to_arrow_schema(avro: Any) -> pa.Schema:
    """The Arrow schema of an Avro schema (JSON form, already parsed from text).

    A record becomes one column per field; a nullable union (``["null", T]``) becomes a nullable
    field of type T. Any other schema becomes one column called ``"value"``.

    Examples
    --------
    >>> avro_to_arrow_schema({
    ...     "type": "record", "name": "R",
    ...     "fields": [{"name": "a", "type": ["null", "string"]}, {"name": "b", "type": "int"}],
    ... })
    a: string
    b: int32 not null
    """
    walker = _AvroToArrow()
    if isinstance(avro, Mapping) and avro.get("type") in ("record", "error"):
        dtype, _ = walker.convert(avro, None, "")
        return pa.schema(list(dtype))
    dtype, nullable = walker.convert(avro, None, "")
    return pa.schema([pa.field("value", dtype, nullable=nullable)])


# --------------------------------------------------------------------------------------------
# JSON Schema → Arrow


class _JsonToArrow:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.resolving: set[str] = set()

    def resolve(self, ref: str, where: str) -> Mapping[str, Any]:
        if not ref.startswith("#"):
            raise SchemaParseError(
                f"{where}: only local $ref are supported, not {ref!r}", path=where
            )
        node = resolve_local_ref(self.root, ref)
        if node is None:
            raise SchemaParseError(f"{where}: $ref {ref!r} points nowhere", path=where)
        if not isinstance(node, Mapping):
            raise SchemaParseError(f"{where}: $ref {ref!r} is not a schema", path=where)
        return node

    def convert(self, schema: Any, where: str) -> tuple[pa.DataType, bool]:
        if schema is True or schema == {}:
            return pa.string(), True
        if not isinstance(schema, Mapping):
            raise SchemaParseError(f"{where}: {schema!r} is not a JSON schema", path=where)
        if "$ref" in schema:
            ref = str(schema["$ref"])
            if ref in self.resolving:
                raise SchemaParseError(
                    f"{where}: $ref {ref!r} is recursive, which an Arrow type cannot represent",
                    path=where,
                )
            self.resolving.add(ref)
            try:
                return self.convert(self.resolve(ref, where), where)
            finally:
                self.resolving.discard(ref)
        for key in ("anyOf", "oneOf"):
            if isinstance(schema.get(key), list):
                return self.alternatives(list(schema[key]), f"{where}/{key}")
        if "enum" in schema and isinstance(schema["enum"], list):
            values = schema["enum"]
            nullable = None in values
            if all(isinstance(v, str) for v in values if v is not None):
                return pa.dictionary(pa.int32(), pa.string()), nullable
            return pa.string(), nullable
        kind = schema.get("type")
        if isinstance(kind, list):
            nullable = "null" in kind
            kinds = [k for k in kind if k != "null"]
            if not kinds:
                return pa.null(), True
            if len(kinds) == 1:
                dtype, _ = self.single(kinds[0], schema, where)
                return dtype, nullable
            alternatives = [{**schema, "type": k} for k in kinds]
            if nullable:
                alternatives.insert(0, {"type": "null"})
            return self.alternatives(alternatives, where)
        if kind is None:
            if "properties" in schema or "additionalProperties" in schema:
                kind = "object"
            elif "items" in schema:
                kind = "array"
            else:
                return pa.string(), True
        return self.single(kind, schema, where)

    def alternatives(self, options: list[Any], where: str) -> tuple[pa.DataType, bool]:
        def is_null(option: Any) -> bool:
            return isinstance(option, Mapping) and option.get("type") == "null"

        nullable = any(is_null(o) for o in options)
        others = [o for o in options if not is_null(o)]
        if not others:
            return pa.null(), True
        if len(others) == 1:
            dtype, inner = self.convert(others[0], f"{where}/{options.index(others[0])}")
            return dtype, nullable or inner
        children = []
        for i, option in enumerate(options):
            dtype, _ = self.convert(option, f"{where}/{i}")
            name = option.get("type") if isinstance(option, Mapping) else None
            children.append(pa.field(name if isinstance(name, str) else f"branch{i}", dtype))
        return pa.dense_union(children, type_codes=list(range(len(children)))), nullable

    def single(self, kind: Any, schema: Mapping[str, Any], where: str) -> tuple[pa.DataType, bool]:
        if kind == "null":
            return pa.null(), True
        if kind == "boolean":
            return pa.bool_(), False
        if kind == "integer":
            return pa.int64(), False
        if kind == "number":
            return pa.float64(), False
        if kind == "string":
            return self.string(schema), False
        if kind == "array":
            items = schema.get("items", True)
            item, nullable = self.convert(items, f"{where}/items")
            return pa.list_(pa.field("item", item, nullable=nullable)), False
        if kind == "object":
            properties = schema.get("properties")
            if isinstance(properties, Mapping):
                required = set(schema.get("required", ()))
                fields = []
                for key, sub in properties.items():
                    dtype, nullable = self.convert(sub, f"{where}/properties/{key}")
                    fields.append(pa.field(key, dtype, nullable=nullable or key not in required))
                return pa.struct(fields), False
            extra = schema.get("additionalProperties")
            if isinstance(extra, Mapping) and extra:
                value, nullable = self.convert(extra, f"{where}/additionalProperties")
                return pa.map_(pa.string(), pa.field("value", value, nullable=nullable)), False
            return pa.string(), False
        raise SchemaParseError(f"{where}: unknown JSON Schema type {kind!r}", path=where)

    @staticmethod
    def string(schema: Mapping[str, Any]) -> pa.DataType:
        fmt = schema.get("format")
        if schema.get("contentEncoding") == "base64":
            return pa.binary()
        if fmt == "date-time":
            return pa.timestamp("us", tz="UTC")
        if fmt == "local-date-time":
            return pa.timestamp("us")
        if fmt == "date":
            return pa.date32()
        if fmt == "time":
            return pa.time64("us")
        if fmt == "decimal":
            precision, scale = schema.get("x-precision"), schema.get("x-scale", 0)
            if isinstance(precision, int) and isinstance(scale, int) and 0 <= scale <= precision:
                maker = pa.decimal128 if precision <= 38 else pa.decimal256
                return maker(precision, scale)
        return pa.string()


def json_to_arrow_type(json_schema: Any) -> pa.DataType:
    """The Arrow type of a JSON Schema (a standalone one; ``$ref`` resolve within it).

    Examples
    --------
    >>> json_to_arrow_type({"type": "string", "format": "date"})
    DataType(date32[day])
    """
    dtype, _ = _JsonToArrow(json_schema if isinstance(json_schema, Mapping) else {}).convert(
        json_schema, ""
    )
    return dtype


def json_to_arrow_schema(json_schema: Mapping[str, Any]) -> pa.Schema:
    """The Arrow schema of a JSON Schema document.

    An object schema becomes one column per property, nullable unless the property is
    ``required`` and its type excludes ``null``. Types: ``integer`` → int64, ``number`` →
    float64, ``boolean`` → bool, ``string`` → string, or by ``format``: ``date-time`` →
    timestamp[us, UTC], ``local-date-time`` → timestamp[us], ``date`` → date32, ``time`` →
    time64[us], ``decimal`` (with ``x-precision``/``x-scale``) → decimal128; ``contentEncoding:
    base64`` → binary; ``enum`` of strings → dictionary; ``array`` → list; ``object`` with
    ``properties`` → struct, with only an ``additionalProperties`` schema → map; an
    unconstrained schema → string (the JSON text). Type arrays and ``anyOf``/``oneOf`` with
    ``null`` make the value nullable; other alternatives become a ``dense_union``. Local
    ``$ref`` (``#/$defs/…``) are resolved. Any other schema becomes one column ``"value"``.

    Examples
    --------
    >>> json_to_arrow_schema({
    ...     "type": "object",
    ...     "properties": {"a": {"type": ["string", "null"]}, "b": {"type": "integer"}},
    ...     "required": ["b"],
    ... })
    a: string
    b: int64 not null
    """
    walker = _JsonToArrow(json_schema)
    dtype, nullable = walker.convert(json_schema, "")
    if pa.types.is_struct(dtype):
        return pa.schema(list(dtype))
    return pa.schema([pa.field("value", dtype, nullable=nullable)])
