"""The Arrow ⇄ Avro type table (schemakit._arrow_types), row by row, top level and nested."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

import fastavro
import pyarrow as pa
import pytest

from schemakit._arrow_types import (
    avro_to_arrow_schema,
    avro_to_arrow_type,
    json_to_arrow_schema,
    json_to_arrow_type,
)
from schemakit.errors import InferenceError, SchemaParseError
from schemakit.infer import infer


def _logical(base: str, logical: str, **extra: Any) -> dict[str, Any]:
    return {"type": base, "logicalType": logical, **extra}


class _Placeholder:
    """Stands for a named type whose name comes from the field path."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __repr__(self) -> str:
        return f"<{self.kind} named from the path>"


FIXED = _Placeholder("fixed")
ENUM = _Placeholder("enum")

# (Arrow type, a value of it, expected Avro type) — one row per row of DESIGN.md's type map.
TYPE_MAP: list[tuple[pa.DataType, Any, Any]] = [
    (pa.int8(), 1, "int"),
    (pa.int16(), 1, "int"),
    (pa.int32(), 1, "int"),
    (pa.uint8(), 1, "int"),
    (pa.uint16(), 1, "int"),
    (pa.int64(), 1, "long"),
    (pa.uint32(), 1, "long"),
    (pa.uint64(), 1, "long"),
    (pa.float16(), 1.5, "float"),
    (pa.float32(), 1.5, "float"),
    (pa.float64(), 1.5, "double"),
    (pa.bool_(), True, "boolean"),
    (pa.string(), "a", "string"),
    (pa.large_string(), "a", "string"),
    (pa.string_view(), "a", "string"),
    (pa.binary(), b"a", "bytes"),
    (pa.large_binary(), b"a", "bytes"),
    (pa.binary_view(), b"a", "bytes"),
    (pa.binary(4), b"abcd", FIXED),
    (pa.date32(), dt.date(2020, 1, 2), _logical("int", "date")),
    (pa.date64(), dt.date(2020, 1, 2), _logical("int", "date")),
    (pa.time32("s"), dt.time(1, 2, 3), _logical("int", "time-millis")),
    (pa.time32("ms"), dt.time(1, 2, 3), _logical("int", "time-millis")),
    (pa.time64("us"), dt.time(1, 2, 3), _logical("long", "time-micros")),
    (pa.time64("ns"), dt.time(1, 2, 3), _logical("long", "time-micros")),
    (pa.timestamp("s", tz="UTC"), dt.datetime(2020, 1, 2), _logical("long", "timestamp-millis")),
    (pa.timestamp("ms", tz="UTC"), dt.datetime(2020, 1, 2), _logical("long", "timestamp-millis")),
    (
        pa.timestamp("us", tz="Europe/Paris"),
        dt.datetime(2020, 1, 2),
        _logical("long", "timestamp-micros"),
    ),
    (pa.timestamp("ns", tz="UTC"), dt.datetime(2020, 1, 2), _logical("long", "timestamp-nanos")),
    (pa.timestamp("s"), dt.datetime(2020, 1, 2), _logical("long", "local-timestamp-millis")),
    (pa.timestamp("ms"), dt.datetime(2020, 1, 2), _logical("long", "local-timestamp-millis")),
    (pa.timestamp("us"), dt.datetime(2020, 1, 2), _logical("long", "local-timestamp-micros")),
    (pa.timestamp("ns"), dt.datetime(2020, 1, 2), _logical("long", "local-timestamp-nanos")),
    (
        pa.decimal32(7, 2),
        decimal.Decimal("1.25"),
        _logical("bytes", "decimal", precision=7, scale=2),
    ),
    (
        pa.decimal64(15, 3),
        decimal.Decimal("1.25"),
        _logical("bytes", "decimal", precision=15, scale=3),
    ),
    (
        pa.decimal128(10, 2),
        decimal.Decimal("1.25"),
        _logical("bytes", "decimal", precision=10, scale=2),
    ),
    (
        pa.decimal256(50, 5),
        decimal.Decimal("1.25"),
        _logical("bytes", "decimal", precision=50, scale=5),
    ),
    (pa.uuid(), uuid.UUID(int=7).bytes, _logical("string", "uuid")),
    (pa.dictionary(pa.int8(), pa.string()), "a", ENUM),
    (pa.dictionary(pa.int32(), pa.int64()), 5, "long"),
    (pa.list_(pa.int32()), [1], {"type": "array", "items": "int"}),
    (pa.large_list(pa.int32()), [1], {"type": "array", "items": "int"}),
    (pa.list_(pa.int32(), 2), [1, 2], {"type": "array", "items": "int"}),
    (pa.map_(pa.string(), pa.int64()), [("k", 1)], {"type": "map", "values": "long"}),
    (pa.null(), None, "null"),
]


def _expected(expected: Any, name: str, arrow: pa.DataType) -> Any:
    if expected is FIXED:
        return {"type": "fixed", "name": name, "size": arrow.byte_width}
    if expected is ENUM:
        return {"type": "enum", "name": name, "symbols": ["a"]}
    return expected


def _column(arrow: pa.DataType, value: Any) -> pa.Array:
    if pa.types.is_dictionary(arrow):
        return pa.array([value], arrow.value_type).dictionary_encode().cast(arrow)
    if isinstance(arrow, pa.ExtensionType):
        return pa.ExtensionArray.from_storage(arrow, pa.array([value], arrow.storage_type))
    return pa.array([value], arrow)


def _field_type(arrow: pa.DataType, value: Any) -> Any:
    table = pa.table({"c": _column(arrow, value)})
    return infer(table, name="R").to_dict()["fields"][0]["type"]


@pytest.mark.parametrize(("arrow", "value", "expected"), TYPE_MAP, ids=lambda x: str(x)[:40])
def test_type_map_top_level(arrow: pa.DataType, value: Any, expected: Any) -> None:
    got = _field_type(arrow, value)
    if expected == "null":
        assert got == "null"
    else:
        assert got == _expected(expected, "R_c", arrow)


@pytest.mark.parametrize(("arrow", "value", "expected"), TYPE_MAP, ids=lambda x: str(x)[:40])
def test_type_map_nested(arrow: pa.DataType, value: Any, expected: Any) -> None:
    # list<struct<x: map<string, list<T>>>>, one row, no nulls but T's own null type.
    inner = _column(arrow, value)
    deep = pa.ListArray.from_arrays(pa.array([0, 1], pa.int32()), inner)
    entries = pa.MapArray.from_arrays(pa.array([0, 1], pa.int32()), pa.array(["k"]), deep)
    struct = pa.StructArray.from_arrays([entries], names=["x"])
    column = pa.ListArray.from_arrays(pa.array([0, 1], pa.int32()), struct)
    schema = infer(pa.table({"c": column}), name="R").to_dict()
    outer = schema["fields"][0]["type"]
    record = outer["items"]
    assert record["name"] == "R_c"
    leaf = record["fields"][0]["type"]["values"]["items"]
    if expected == "null":
        assert leaf == "null"
    else:
        assert leaf == _expected(expected, "R_c_x", arrow)
    fastavro.parse_schema(schema)


@pytest.mark.parametrize(
    ("arrow", "fragment"),
    [
        (pa.duration("s"), "no duration type"),
        (pa.month_day_nano_interval(), "no Avro equivalent"),
        (pa.decimal128(5, -2), "scale"),
        (pa.map_(pa.int32(), pa.string()), "string keys"),
    ],
)
def test_types_avro_cannot_hold(arrow: pa.DataType, fragment: str) -> None:
    table = pa.table({"bad col": pa.array([], arrow)})
    with pytest.raises(InferenceError, match=fragment) as info:
        infer(table)
    assert info.value.column == "bad col"
    assert "'bad col'" in str(info.value)


# Avro → Arrow --------------------------------------------------------------------------------

AVRO_TO_ARROW: list[tuple[Any, pa.DataType]] = [
    ("null", pa.null()),
    ("boolean", pa.bool_()),
    ("int", pa.int32()),
    ("long", pa.int64()),
    ("float", pa.float32()),
    ("double", pa.float64()),
    ("bytes", pa.binary()),
    ("string", pa.string()),
    ({"type": "string"}, pa.string()),
    (_logical("int", "date"), pa.date32()),
    (_logical("int", "time-millis"), pa.time32("ms")),
    (_logical("long", "time-micros"), pa.time64("us")),
    (_logical("long", "timestamp-millis"), pa.timestamp("ms", tz="UTC")),
    (_logical("long", "timestamp-micros"), pa.timestamp("us", tz="UTC")),
    (_logical("long", "timestamp-nanos"), pa.timestamp("ns", tz="UTC")),
    (_logical("long", "local-timestamp-millis"), pa.timestamp("ms")),
    (_logical("long", "local-timestamp-micros"), pa.timestamp("us")),
    (_logical("long", "local-timestamp-nanos"), pa.timestamp("ns")),
    (_logical("bytes", "decimal", precision=10, scale=2), pa.decimal128(10, 2)),
    (_logical("bytes", "decimal", precision=40, scale=2), pa.decimal256(40, 2)),
    (_logical("bytes", "decimal", precision=3, scale=5), pa.binary()),  # invalid: ignored
    (_logical("int", "timestamp-millis"), pa.int32()),  # wrong base: ignored
    (_logical("string", "uuid"), pa.string()),
    (_logical("string", "no-such-type"), pa.string()),
    ({"type": "fixed", "name": "F", "size": 3}, pa.binary(3)),
    (
        {"type": "fixed", "name": "D", "size": 8, "logicalType": "decimal", "precision": 10},
        pa.decimal128(10, 0),
    ),
    ({"type": "enum", "name": "E", "symbols": ["A"]}, pa.dictionary(pa.int32(), pa.string())),
    ({"type": "array", "items": ["null", "int"]}, pa.list_(pa.field("item", pa.int32()))),
    (
        {"type": "map", "values": "int"},
        pa.map_(pa.string(), pa.field("value", pa.int32(), nullable=False)),
    ),
    (["null", "string"], pa.string()),
    (["string", "null"], pa.string()),
    (
        ["null", "int", "string"],
        pa.dense_union(
            [
                pa.field("null", pa.null()),
                pa.field("int", pa.int32()),
                pa.field("string", pa.string()),
            ],
            type_codes=[0, 1, 2],
        ),
    ),
]


@pytest.mark.parametrize(("avro", "arrow"), AVRO_TO_ARROW, ids=lambda x: str(x)[:50])
def test_avro_to_arrow_type(avro: Any, arrow: pa.DataType) -> None:
    assert avro_to_arrow_type(avro) == arrow


def test_avro_to_arrow_schema_resolves_named_references_and_nullability() -> None:
    schema = {
        "type": "record",
        "name": "R",
        "namespace": "ns",
        "fields": [
            {
                "name": "a",
                "type": {"type": "record", "name": "P", "fields": [{"name": "x", "type": "int"}]},
            },
            {"name": "b", "type": ["null", "P"]},
            {"name": "c", "type": "ns.P"},
            {"name": "d", "type": {"type": "enum", "name": "E", "symbols": ["X"]}},
            {"name": "e", "type": {"type": "array", "items": "E"}},
        ],
    }
    point = pa.struct([pa.field("x", pa.int32(), nullable=False)])
    assert avro_to_arrow_schema(schema) == pa.schema(
        [
            pa.field("a", point, nullable=False),
            pa.field("b", point),
            pa.field("c", point, nullable=False),
            pa.field("d", pa.dictionary(pa.int32(), pa.string()), nullable=False),
            pa.field(
                "e",
                pa.list_(pa.field("item", pa.dictionary(pa.int32(), pa.string()), nullable=False)),
                nullable=False,
            ),
        ]
    )


def test_avro_to_arrow_schema_of_a_non_record_is_one_value_column() -> None:
    assert avro_to_arrow_schema(["null", "long"]) == pa.schema([pa.field("value", pa.int64())])


@pytest.mark.parametrize(
    ("avro", "fragment"),
    [
        (
            {"type": "record", "name": "L", "fields": [{"name": "n", "type": ["null", "L"]}]},
            "recursive",
        ),
        (
            {"type": "record", "name": "R", "fields": [{"name": "n", "type": "Nope"}]},
            "unknown type",
        ),
    ],
)
def test_avro_to_arrow_errors_name_the_path(avro: Any, fragment: str) -> None:
    with pytest.raises(SchemaParseError, match=fragment) as info:
        avro_to_arrow_schema(avro)
    assert info.value.path is not None
    assert info.value.path.startswith("/fields/0/type")


# JSON Schema → Arrow -------------------------------------------------------------------------

JSON_TO_ARROW: list[tuple[Any, pa.DataType]] = [
    ({"type": "integer"}, pa.int64()),
    ({"type": "number"}, pa.float64()),
    ({"type": "boolean"}, pa.bool_()),
    ({"type": "string"}, pa.string()),
    ({"type": "null"}, pa.null()),
    ({"type": "string", "format": "date-time"}, pa.timestamp("us", tz="UTC")),
    ({"type": "string", "format": "local-date-time"}, pa.timestamp("us")),
    ({"type": "string", "format": "date"}, pa.date32()),
    ({"type": "string", "format": "time"}, pa.time64("us")),
    ({"type": "string", "format": "uuid"}, pa.string()),
    ({"type": "string", "contentEncoding": "base64"}, pa.binary()),
    ({"type": "string", "format": "decimal", "x-precision": 9, "x-scale": 2}, pa.decimal128(9, 2)),
    ({"enum": ["a", "b"]}, pa.dictionary(pa.int32(), pa.string())),
    ({"type": ["string", "null"]}, pa.string()),
    (
        {"type": "array", "items": {"type": "integer"}},
        pa.list_(pa.field("item", pa.int64(), nullable=False)),
    ),
    (
        {"type": "object", "additionalProperties": {"type": "number"}},
        pa.map_(pa.string(), pa.field("value", pa.float64(), nullable=False)),
    ),
    (
        {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
        pa.struct([pa.field("a", pa.int64(), nullable=False)]),
    ),
    ({"anyOf": [{"type": "integer"}, {"type": "null"}]}, pa.int64()),
    ({}, pa.string()),
]


@pytest.mark.parametrize(("json_schema", "arrow"), JSON_TO_ARROW, ids=lambda x: str(x)[:50])
def test_json_to_arrow_type(json_schema: Any, arrow: pa.DataType) -> None:
    assert json_to_arrow_type(json_schema) == arrow


def test_json_to_arrow_schema_required_refs_and_nullability() -> None:
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {"P": {"type": "object", "properties": {"x": {"type": "integer"}}}},
        "properties": {
            "a": {"type": "integer"},
            "b": {"type": ["integer", "null"]},
            "c": {"$ref": "#/$defs/P"},
            "d": {"type": "string"},
        },
        "required": ["a", "b", "c"],
    }
    assert json_to_arrow_schema(document) == pa.schema(
        [
            pa.field("a", pa.int64(), nullable=False),
            pa.field("b", pa.int64()),
            pa.field("c", pa.struct([pa.field("x", pa.int64())]), nullable=False),
            pa.field("d", pa.string()),
        ]
    )
