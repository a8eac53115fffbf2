"""JSON Schema bodies (schemakit.codec._json): round trips, validation errors, bad bodies."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pyarrow as pa
import pytest

from schemakit.codec._json import decode_json_bodies, dumps_json, encode_json_bodies
from schemakit.errors import DecodeError, EncodeError
from schemakit.schema import Schema

DOC = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "score": {"type": ["number", "null"]},
        "ok": {"type": "boolean"},
        "at": {"type": "string", "format": "date-time"},
        "day": {"type": ["string", "null"], "format": "date"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "addr": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "zip": {"type": ["integer", "null"]}},
            "required": ["city"],
        },
        "blob": {"type": ["string", "null"], "contentEncoding": "base64"},
        "price": {"type": ["string", "null"], "format": "decimal", "x-precision": 9, "x-scale": 2},
    },
    "required": ["id", "name", "ok", "at", "tags", "addr"],
}
SCHEMA = Schema(DOC, schema_type="JSON")
UTC = dt.UTC

ROWS = [
    {
        "id": 1,
        "name": 'zoë ✓ "q"',
        "score": 1.5,
        "ok": True,
        "at": dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        "day": dt.date(2024, 2, 29),
        "tags": ["a", "b"],
        "addr": {"city": "Oslo", "zip": 150},
        "blob": b"\x00\xff",
        "price": Decimal("12.34"),
    },
    {
        "id": -(2**62),
        "name": "",
        "score": None,
        "ok": False,
        "at": dt.datetime(1970, 1, 1, tzinfo=UTC),
        "day": None,
        "tags": [],
        "addr": {"city": "x", "zip": None},
        "blob": None,
        "price": None,
    },
]


def table() -> pa.Table:
    return pa.Table.from_pylist(ROWS, schema=pa.schema(json_schema_fields()))


def json_schema_fields() -> list[pa.Field]:
    from schemakit._arrow_types import json_to_arrow_schema

    return list(json_to_arrow_schema(DOC))


def test_encode_bytes_are_compact_utf8_json() -> None:
    bodies = encode_json_bodies(table(), SCHEMA).to_pylist()
    first = json.loads(bodies[0])
    assert first["at"] == "2024-01-02T03:04:05.000006+00:00"
    assert first["day"] == "2024-02-29"
    assert first["blob"] == "AP8="
    assert first["price"] == "12.34"
    assert "zoë ✓".encode() in bodies[0]
    assert bodies[0] == dumps_json(first)
    assert b", " not in bodies[1]
    assert b": " not in bodies[1]


def test_round_trip() -> None:
    bodies = encode_json_bodies(table(), SCHEMA)
    back = decode_json_bodies(bodies, SCHEMA)
    assert isinstance(back, pa.Table)
    assert back.to_pylist() == table().to_pylist()
    assert back.schema.field("at").type == pa.timestamp("us", tz="UTC")
    assert back.schema.field("price").type == pa.decimal128(9, 2)


def test_encode_validation_error_names_row_and_path() -> None:
    rows = [dict(ROWS[0]), dict(ROWS[1], addr={"zip": 1})]
    bad = pa.Table.from_pylist(rows)
    with pytest.raises(EncodeError) as info:
        encode_json_bodies(bad, SCHEMA)
    assert info.value.row == 1
    # Arrow has no "missing" struct field: the absent city is null, and null is not a string.
    assert info.value.column == "addr.city"
    assert "$.addr.city" in str(info.value)
    assert "None is not of type 'string'" in str(info.value)


def test_encode_validation_error_nested_path_and_rows() -> None:
    bad = pa.table({"id": [1, 2], "name": ["a", "b"], "tags": [["x"], ["y", None]]})
    schema = Schema(
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
        },
        schema_type="JSON",
    )
    with pytest.raises(EncodeError) as info:
        encode_json_bodies(bad, schema, rows=[10, 11])
    assert info.value.row == 11
    assert info.value.column == "tags[1]"
    assert info.value.value is None


def test_encode_rejects_avro_schema() -> None:
    avro = Schema({"type": "record", "name": "r", "fields": []})
    with pytest.raises(TypeError):
        encode_json_bodies(pa.table({}), avro)


GOOD = b'{"id":1,"name":"a","ok":true,"at":"2024-01-01T00:00:00Z","tags":[],"addr":{"city":"c"}}'
BAD_BODIES = [
    (b"\xff\xfe{}", "invalid UTF-8"),
    (b'{"id":', "invalid JSON"),
    (b'{"id":"one"}', "schema validation failed"),
]


@pytest.mark.parametrize(("body", "reason"), BAD_BODIES)
def test_decode_bad_body_raises(body: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode_json_bodies(pa.array([GOOD, body], pa.binary()), SCHEMA, schema_id=7)
    assert info.value.row == 1
    assert info.value.reason == reason
    assert info.value.schema_id == 7
    assert "row 1" in str(info.value)


def test_decode_errors_null_reports_and_nulls_rows() -> None:
    bodies = pa.array([GOOD, *(b for b, _ in BAD_BODIES), None, GOOD], pa.binary())
    out = decode_json_bodies(bodies, SCHEMA, rows=[5, 6, 7, 8, 9, 10], errors="null")
    assert isinstance(out, tuple)
    got, report = out
    assert [(r, reason) for r, reason, _ in report] == [
        (6, "invalid UTF-8"),
        (7, "invalid JSON"),
        (8, "schema validation failed"),
        (9, "null record"),
    ]
    assert got.num_rows == 6
    ids = got.column("id").to_pylist()
    assert ids == [1, None, None, None, None, 1]
    assert got.column("at")[0].as_py() == dt.datetime(2024, 1, 1, tzinfo=UTC)
    assert report[2][2].startswith("at $")


def test_decode_without_schema() -> None:
    got = decode_json_bodies(pa.array([b'{"a":1}', b'{"a":2}'], pa.binary()), None)
    assert isinstance(got, pa.Table)
    assert got.to_pylist() == [{"a": 1}, {"a": 2}]


def test_decode_errors_option_checked() -> None:
    with pytest.raises(ValueError, match="errors"):
        decode_json_bodies(pa.array([GOOD], pa.binary()), SCHEMA, errors="skip")  # type: ignore[arg-type]


def test_dispatch_routes_json_and_avro() -> None:
    from schemakit.codec._json import decode_any_bodies, encode_any_bodies

    seen: list[int] = []
    bodies = encode_any_bodies(table(), SCHEMA, on_rows=seen.append)
    assert seen == [2]
    assert bodies.to_pylist() == encode_json_bodies(table(), SCHEMA).to_pylist()
    back = decode_any_bodies(bodies, SCHEMA, SCHEMA, rows=[0, 1], schema_id=3)
    assert isinstance(back, pa.Table)
    assert back.to_pylist() == table().to_pylist()
    avro = Schema({"type": "record", "name": "r", "fields": [{"name": "a", "type": "long"}]})
    avro_bodies = encode_any_bodies(pa.table({"a": [1, 2]}), avro)
    assert avro_bodies.to_pylist() == [b"\x02", b"\x04"]
    avro_back = decode_any_bodies(avro_bodies, avro, None, errors="null")
    assert isinstance(avro_back, tuple)
    assert avro_back[0].column("a").to_pylist() == [1, 2]
    with pytest.raises(TypeError, match="AVRO"):
        decode_any_bodies(avro_bodies, SCHEMA, avro)


def test_decode_with_json_reader_schema() -> None:
    reader = Schema(
        {"type": "object", "properties": {"id": {"type": "integer"}, "new": {"type": "string"}}},
        schema_type="JSON",
    )
    got = decode_json_bodies(pa.array([GOOD], pa.binary()), SCHEMA, reader=reader)
    assert isinstance(got, pa.Table)
    assert got.to_pylist() == [{"id": 1, "new": None}]


def test_non_object_root_round_trip() -> None:
    schema = Schema({"type": "array", "items": {"type": "integer"}}, schema_type="JSON")
    bodies = encode_json_bodies(pa.table({"value": [[1, 2], []]}), schema)
    assert bodies.to_pylist() == [b"[1,2]", b"[]"]
    back = decode_json_bodies(bodies, schema)
    assert isinstance(back, pa.Table)
    assert back.column("value").to_pylist() == [[1, 2], []]
