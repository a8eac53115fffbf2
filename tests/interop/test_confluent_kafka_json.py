"""Interop with confluent-kafka's JSON Schema serde (no broker, ``mock://`` registry).

1. ``JSONSerializer``'s body (after the 5-byte header) equals :func:`encode_json_bodies`'s bytes
   for the same rows;
2. schemakit's framed records (``frame`` with the id confluent used) decode with
   ``JSONDeserializer`` to the same dicts;
3. ``JSONSerializer``'s records decode with :func:`decode_json_bodies` to the same rows.

Requires ``confluent-kafka`` (tested with 2.16.1).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import confluent_kafka.schema_registry as sr
import confluent_kafka.schema_registry.json_schema as json_serde
import confluent_kafka.serialization as serialization
import pyarrow as pa
import pytest

from schemakit._arrow_types import json_to_arrow_schema
from schemakit.codec import frame, parse_headers
from schemakit.codec._json import decode_json_bodies, encode_json_bodies
from schemakit.schema import Schema as SkSchema

DOC: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Order",
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "price": {"type": ["number", "null"]},
        "paid": {"type": "boolean"},
        "at": {"type": "string", "format": "date-time"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "ship": {
            "type": ["object", "null"],
            "properties": {"city": {"type": "string"}, "n": {"type": "integer"}},
            "required": ["city", "n"],
        },
    },
    "required": ["id", "name", "paid", "at", "tags"],
}
TEXT = json.dumps(DOC)

DICTS: list[dict[str, Any]] = [
    {
        "id": 1,
        "name": 'zoë ✓ "quoted" \\ \n tab\t \u2028 😀',
        "price": 9.99,
        "paid": True,
        "at": "2024-01-02T03:04:05.000006+00:00",
        "tags": ["a", "b"],
        "ship": {"city": "Oslo", "n": 3},
    },
    {
        "id": -(2**53),
        "name": "",
        "price": None,
        "paid": False,
        "at": "1970-01-01T00:00:00+00:00",
        "tags": [],
        "ship": None,
    },
    {
        "id": 2**62,
        "name": "\x00\x1f",
        "price": 1e16,
        "paid": True,
        "at": "2000-02-29T12:00:00+00:00",
        "tags": ["x"],
        "ship": {"city": "", "n": 0},
    },
    {
        "id": 0,
        "name": "n",
        "price": -0.0,
        "paid": False,
        "at": "2000-02-29T12:00:00.500000+00:00",
        "tags": [],
        "ship": None,
    },
]

TOPIC = "orders"


def _ctx() -> Any:
    return serialization.SerializationContext(TOPIC, serialization.MessageField.VALUE)


@pytest.fixture
def confluent() -> tuple[Any, Any]:
    client = sr.SchemaRegistryClient.new_client({"url": "mock://json"})
    schema = sr.Schema(TEXT, "JSON")
    ser = json_serde.JSONSerializer(schema, client)
    des = json_serde.JSONDeserializer(schema, schema_registry_client=client)
    return ser, des


def _arrow_rows() -> pa.Table:
    """DICTS as Arrow rows of the schema's types (date-time strings → UTC timestamps)."""
    rows = [dict(d, at=dt.datetime.fromisoformat(d["at"])) for d in DICTS]
    return pa.Table.from_pylist(rows, schema=json_to_arrow_schema(DOC))


def test_serializer_bodies_equal_schemakit_bodies(confluent: tuple[Any, Any]) -> None:
    ser, _ = confluent
    records = [ser(d, _ctx()) for d in DICTS]
    theirs = [r[5:] for r in records]
    ours = encode_json_bodies(_arrow_rows(), SkSchema(TEXT, schema_type="JSON")).to_pylist()
    assert ours == theirs


def test_schemakit_records_decode_with_json_deserializer(confluent: tuple[Any, Any]) -> None:
    ser, des = confluent
    schema_id = parse_headers(pa.array([ser(DICTS[0], _ctx())], pa.binary())).ids[0]
    bodies = encode_json_bodies(_arrow_rows(), SkSchema(TEXT, schema_type="JSON"))
    records = frame(bodies, int(schema_id)).to_pylist()
    assert [des(r, _ctx()) for r in records] == DICTS


def test_serializer_records_decode_with_schemakit(confluent: tuple[Any, Any]) -> None:
    ser, _ = confluent
    records = pa.array([ser(d, _ctx()) for d in DICTS], pa.binary())
    headers = parse_headers(records)
    assert headers.ok
    bodies = pa.array([r[5:] for r in records.to_pylist()], pa.binary())
    got = decode_json_bodies(
        bodies, SkSchema(TEXT, schema_type="JSON"), schema_id=int(headers.ids[0])
    )
    assert isinstance(got, pa.Table)
    assert got.to_pylist() == _arrow_rows().to_pylist()


def test_single_record_serializer_writes_jsonserializers_bytes(confluent: tuple[Any, Any]) -> None:
    import schemakit as sk

    ser, des = confluent
    registry = sk.Registry(":memory:")
    ours = sk.Serializer(registry, "orders-value", SkSchema(TEXT, schema_type="JSON"))
    for value in DICTS:
        record = ours.encode(value)
        assert record[5:] == ser(value, _ctx())[5:]
        assert des(record, _ctx()) == value  # their deserializer reads ours
        # ours reads their body (framed with our registry's id: their registry is a mock)
        theirs = record[:5] + ser(value, _ctx())[5:]
        assert sk.Deserializer(registry).decode(theirs) == value


def test_single_record_json_errors_name_where(confluent: tuple[Any, Any]) -> None:
    import schemakit as sk

    registry = sk.Registry(":memory:")
    ours = sk.Serializer(registry, "orders-value", SkSchema(TEXT, schema_type="JSON"))
    with pytest.raises(sk.EncodeError, match=r"subject 'orders-value' at \$\.tags"):
        ours.encode(dict(DICTS[0], tags="not a list"))
    head = ours.encode(DICTS[0])[:5]
    wrong = json.dumps(dict(DICTS[1], id="one")).encode()
    reader = sk.Deserializer(registry)
    with pytest.raises(sk.DecodeError, match=r"schema id 1\) does not match .* at \$\.id") as info:
        reader.decode(head + wrong)
    assert info.value.reason == "schema validation failed"
    with pytest.raises(sk.DecodeError, match="not valid JSON") as info:
        reader.decode(head + b"{")
    assert info.value.schema_id == 1
    anything = sk.Serializer(
        registry, "any-value", SkSchema('{"type": "object"}', schema_type="JSON")
    )
    with pytest.raises(sk.EncodeError, match="'any-value' is not JSON-serializable"):
        anything.encode({"a": object()})
    with pytest.raises(sk.DecodeError, match="not valid UTF-8"):
        reader.decode(head + b'{"id": "\xff"}')
    # validate=False reads what parses, as confluent's deserializer without validation would
    assert sk.Deserializer(registry, validate=False).decode(head + wrong)["id"] == "one"
