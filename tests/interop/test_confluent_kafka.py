"""Interop with the confluent-kafka Python client's Avro serde (no broker, mock registry).

Both sides use the same schema under the same id: the schema is registered first in a fresh
confluent ``mock://`` registry client and in a fresh ``sk.Registry(":memory:")``, where each
hands out id 1. Then:

1. confluent ``AvroSerializer`` records decode with :func:`sk.decode` to the same rows;
2. :func:`sk.encode` records decode with confluent ``AvroDeserializer`` to the same rows;
3. the bytes of both producers are identical, record by record;
4. :class:`sk.Serializer` and confluent's serializer write the same bytes per record, and
   :class:`sk.Deserializer` reads confluent's records.

Value representations differ by design (confluent/fastavro give ``uuid.UUID`` for uuid strings,
dicts for maps; Arrow gives str and lists of key/value pairs, and ``zoneinfo`` UTC rather than
``datetime.timezone.utc``), so rows are compared after :func:`_normalize`, which keeps every
value's meaning (instants are compared as instants, decimals as ``Decimal``).

Two schemakit bugs this file found are fixed and stay covered: sk.decode on a null optional
nested record with required fields, and a plain-pandas dict column written to an Avro map with
filler keys.

Requires ``confluent-kafka[avro]`` (tested with 2.16.1).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

import schemakit as sk
from schemakit._arrow_types import avro_to_arrow_schema

TOPIC = "orders"
SUBJECT = f"{TOPIC}-value"  # confluent's default TopicNameStrategy for a value
UTC = dt.UTC

SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "Order",
    "namespace": "com.example.interop",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "created", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {
            "name": "shipped",
            "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}],
            "default": None,
        },
        {
            "name": "amount",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2},
        },
        {"name": "uid", "type": {"type": "string", "logicalType": "uuid"}},
        {
            "name": "status",
            "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID", "SHIPPED"]},
        },
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "attrs", "type": {"type": "map", "values": ["null", "double"]}},
        {"name": "note", "type": ["null", "string"], "default": None},
        {"name": "score", "type": ["null", "float"], "default": None},
        {"name": "flag", "type": "boolean"},
        {
            "name": "customer",
            "type": {
                "type": "record",
                "name": "Customer",
                "fields": [
                    {"name": "name", "type": "string"},
                    {"name": "age", "type": ["null", "int"], "default": None},
                    {
                        "name": "address",
                        "type": [
                            "null",
                            {
                                "type": "record",
                                "name": "Address",
                                "fields": [
                                    {"name": "city", "type": "string"},
                                    {"name": "zip", "type": ["null", "int"], "default": None},
                                ],
                            },
                        ],
                        "default": None,
                    },
                ],
            },
        },
        {
            "name": "lines",
            "type": {
                "type": "array",
                "items": {
                    "type": "record",
                    "name": "Line",
                    "fields": [
                        {"name": "sku", "type": "string"},
                        {"name": "qty", "type": "int"},
                        {"name": "price", "type": ["null", "double"], "default": None},
                    ],
                },
            },
        },
    ],
}
SCHEMA_TEXT = json.dumps(SCHEMA)

ROWS: list[dict[str, Any]] = [
    {
        "id": 1,
        "day": dt.date(2024, 1, 2),
        "created": dt.datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC),
        "shipped": dt.datetime(2024, 1, 3, 8, 0, 0, 123456, tzinfo=UTC),
        "amount": Decimal("12.34"),
        "uid": str(uuid.UUID("12345678-1234-5678-1234-567812345678")),
        "status": "NEW",
        "tags": ["a", "b"],
        "attrs": {"x": 1.5, "y": None},
        "note": "first",
        "score": 0.5,
        "flag": True,
        "customer": {"name": "Ann", "age": 31, "address": {"city": "Oslo", "zip": 150}},
        "lines": [{"sku": "s-1", "qty": 2, "price": 3.5}, {"sku": "s-2", "qty": 1, "price": None}],
    },
    {
        # before the epoch: negative days, millis, micros; a negative decimal
        "id": -7,
        "day": dt.date(1969, 12, 31),
        "created": dt.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
        "shipped": dt.datetime(1900, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
        "amount": Decimal("-0.01"),
        "uid": str(uuid.UUID(int=0)),
        "status": "PAID",
        "tags": [],
        "attrs": {},
        "note": None,
        "score": None,
        "flag": False,
        "customer": {"name": "", "age": None, "address": None},
        "lines": [],
    },
    {
        # unicode, large magnitudes, a decimal needing several bytes
        "id": 2**62,
        "day": dt.date(2262, 4, 11),
        "created": dt.datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC),
        "shipped": None,
        "amount": Decimal("9999999999.99"),
        "uid": str(uuid.UUID(int=2**128 - 1)),
        "status": "SHIPPED",
        "tags": ["ünïcødé", "日本語", "🙂"],
        "attrs": {"ключ": -2.25, "": 0.0},
        "note": "ünïcødé 🙂",
        "score": -1.25,
        "flag": True,
        "customer": {"name": "Zoë", "age": 0, "address": {"city": "Zürich", "zip": None}},
        "lines": [{"sku": "日本", "qty": -3, "price": 1e300}],
    },
    {
        # zero values: the epoch, zero decimal (empty-magnitude edge), 128 (two-byte varint)
        "id": 0,
        "day": dt.date(1970, 1, 1),
        "created": dt.datetime(1970, 1, 1, tzinfo=UTC),
        "shipped": dt.datetime(1970, 1, 1, tzinfo=UTC),
        "amount": Decimal("0.00"),
        "uid": str(uuid.UUID("00000000-0000-4000-8000-000000000000")),
        "status": "NEW",
        "tags": ["x" * 128],
        "attrs": {"k": None},
        "note": "",
        "score": 0.0,
        "flag": False,
        "customer": {"name": "Bo", "age": -1, "address": {"city": "", "zip": 0}},
        "lines": [{"sku": "", "qty": 0, "price": 0.0}],
    },
    {
        "id": 5,
        "day": dt.date(2000, 2, 29),
        "created": dt.datetime(2000, 2, 29, 12, 0, 0, 1000, tzinfo=UTC),
        "shipped": dt.datetime(2000, 2, 29, 12, 0, 0, 999999, tzinfo=UTC),
        "amount": Decimal("-9999999999.99"),
        "uid": str(uuid.UUID("f47ac10b-58cc-4372-a567-0e02b2c3d479")),
        "status": "PAID",
        "tags": ["one"],
        "attrs": {"a": 1.0, "b": 2.0, "c": None},
        "note": "last",
        "score": 3.0,
        "flag": True,
        "customer": {"name": "Cy", "age": 99, "address": None},
        "lines": [{"sku": f"s{i}", "qty": i, "price": i / 4} for i in range(3)],
    },
]


def _normalize(value: Any) -> Any:
    """A representation-independent form of a decoded value, keeping its meaning.

    - maps: dicts (Arrow gives lists of (key, value) pairs);
    - uuid: ``uuid.UUID`` (fastavro gives UUID objects, Arrow gives str);
    - aware datetimes: converted to ``datetime.timezone.utc`` (Arrow gives ``zoneinfo`` UTC),
      naive datetimes are refused (they would hide a timezone discrepancy);
    - nested records and arrays recursively.
    """
    if isinstance(value, dict):
        return {k: _normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    if isinstance(value, dt.datetime):
        assert value.tzinfo is not None, f"naive datetime {value!r}"
        return value.astimezone(UTC)
    return value


def _row(record: dict[str, Any]) -> dict[str, Any]:
    """A decoded row in the canonical form ``_normalize`` compares."""
    out = dict(record)
    if isinstance(out["attrs"], list):
        out["attrs"] = dict(out["attrs"])
    out["uid"] = uuid.UUID(str(out["uid"]))
    return _normalize(out)


EXPECTED = [_row(r) for r in ROWS]


def _arrow_rows(table: pa.Table) -> list[dict[str, Any]]:
    return [_row(r) for r in table.to_pylist()]


@pytest.fixture
def client() -> SchemaRegistryClient:
    """A fresh confluent mock registry (``mock://``), unique per test."""
    return SchemaRegistryClient.new_client({"url": f"mock://{uuid.uuid4().hex}"})


@pytest.fixture
def registry() -> sk.Registry:
    reg = sk.Registry(":memory:")
    yield reg
    reg.close()


@pytest.fixture
def schema_id(client: SchemaRegistryClient, registry: sk.Registry) -> int:
    """Register the schema on both sides first, so both give it the same id (1)."""
    from confluent_kafka.schema_registry import Schema

    confluent = client.register_schema(SUBJECT, Schema(SCHEMA_TEXT, "AVRO"))
    ours = registry.register(SUBJECT, SCHEMA_TEXT)
    assert confluent == ours.id == 1
    return ours.id


@pytest.fixture
def ctx() -> SerializationContext:
    return SerializationContext(TOPIC, MessageField.VALUE)


@pytest.fixture
def confluent_records(
    client: SchemaRegistryClient, schema_id: int, ctx: SerializationContext
) -> list[bytes]:
    serializer = AvroSerializer(
        client,
        SCHEMA_TEXT,
        conf={"auto.register.schemas": True, "use.latest.version": False},
    )
    records = [serializer(row, ctx) for row in ROWS]
    # Confluent wire format, magic byte 0 and the shared id.
    assert all(r[:5] == b"\x00" + schema_id.to_bytes(4, "big") for r in records)
    return records


def _table() -> pa.Table:
    return pa.Table.from_pylist(ROWS, schema=avro_to_arrow_schema(SCHEMA))


def _frame() -> pd.DataFrame:
    return _table().to_pandas(types_mapper=pd.ArrowDtype)


def test_same_schema_id_on_both_sides(
    client: SchemaRegistryClient, registry: sk.Registry, schema_id: int
) -> None:
    from confluent_kafka.schema_registry import Schema

    assert registry.get_by_id(schema_id) is not None
    assert json.loads(client.get_schema(schema_id).schema_str) == SCHEMA
    # Registering again is idempotent on both sides.
    assert client.register_schema(SUBJECT, Schema(SCHEMA_TEXT, "AVRO")) == schema_id
    assert registry.register(SUBJECT, SCHEMA_TEXT).id == schema_id


def test_arrow_table_matches_rows() -> None:
    """The fixture table holds exactly the rows (guards the other tests' inputs)."""
    table = _table()
    assert table.num_rows == len(ROWS)
    assert table.schema.field("amount").type == pa.decimal128(12, 2)
    assert table.schema.field("shipped").type == pa.timestamp("us", tz="UTC")
    assert _arrow_rows(table) == EXPECTED


#: Rows whose optional nested record is present: unaffected by the bug above.
PRESENT = [i for i, row in enumerate(ROWS) if row["customer"]["address"] is not None]


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(PRESENT, id="address-present"),
        pytest.param(list(range(len(ROWS))), id="all-rows"),
    ],
)
def test_sk_decode_reads_confluent_records_arrow(
    rows: list[int], confluent_records: list[bytes], registry: sk.Registry
) -> None:
    assert len(PRESENT) >= 3
    decoded = sk.decode([confluent_records[i] for i in rows], registry, output="arrow")
    assert decoded.schema == avro_to_arrow_schema(SCHEMA)
    assert _arrow_rows(decoded) == [EXPECTED[i] for i in rows]


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(PRESENT, id="address-present"),
        pytest.param(list(range(len(ROWS))), id="all-rows"),
    ],
)
def test_sk_decode_reads_confluent_records_pandas(
    rows: list[int], confluent_records: list[bytes], registry: sk.Registry
) -> None:
    series = pd.Series([confluent_records[i] for i in rows], index=[10 * i for i in rows])
    frame = sk.decode(series, registry, dtype_backend="pyarrow")
    assert list(frame.columns) == [f["name"] for f in SCHEMA["fields"]]
    assert list(frame.index) == [10 * i for i in rows]
    back = pa.Table.from_pandas(frame, preserve_index=False)
    assert _arrow_rows(back) == [EXPECTED[i] for i in rows]


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(PRESENT, id="address-present"),
        pytest.param(list(range(len(ROWS))), id="all-rows"),
    ],
)
def test_sk_decode_with_reader_schema(
    rows: list[int], confluent_records: list[bytes], registry: sk.Registry
) -> None:
    records = [confluent_records[i] for i in rows]
    decoded = sk.decode(records, registry, reader_schema=SCHEMA_TEXT, output="arrow")
    assert _arrow_rows(decoded) == [EXPECTED[i] for i in rows]


def test_sk_decode_null_optional_nested_record_minimal(registry: sk.Registry) -> None:
    """The bug above, minimal: one optional record with one required field, one null row."""
    client = SchemaRegistryClient.new_client({"url": f"mock://{uuid.uuid4().hex}"})
    schema = json.dumps(
        {
            "type": "record",
            "name": "R",
            "fields": [
                {
                    "name": "a",
                    "type": [
                        "null",
                        {
                            "type": "record",
                            "name": "A",
                            "fields": [{"name": "c", "type": "string"}],
                        },
                    ],
                    "default": None,
                }
            ],
        }
    )
    ctx = SerializationContext("minimal", MessageField.VALUE)
    records = [AvroSerializer(client, schema)(r, ctx) for r in ({"a": {"c": "x"}}, {"a": None})]
    assert registry.register("minimal-value", schema).id == 1
    assert sk.decode(records, registry, output="arrow").to_pylist() == [
        {"a": {"c": "x"}},
        {"a": None},
    ]


# (2) schemakit → confluent


@pytest.mark.parametrize("source", ["arrow", "pandas"])
def test_confluent_reads_sk_encode(
    source: str,
    client: SchemaRegistryClient,
    registry: sk.Registry,
    schema_id: int,
    ctx: SerializationContext,
) -> None:
    data = _table() if source == "arrow" else _frame()
    encoded = sk.encode(data, SUBJECT, registry=registry, schema=SCHEMA_TEXT)
    records = encoded.to_pylist() if source == "arrow" else encoded.tolist()
    assert len(records) == len(ROWS)
    deserializer = AvroDeserializer(client)
    decoded = [deserializer(record, ctx) for record in records]
    assert [_row(d) for d in decoded] == EXPECTED
    # confluent/fastavro's own representations: aware UTC datetimes, Decimal, UUID.
    assert decoded[0]["created"] == ROWS[0]["created"]
    assert decoded[0]["created"].utcoffset() == dt.timedelta(0)
    assert decoded[0]["amount"] == Decimal("12.34")
    assert isinstance(decoded[0]["uid"], uuid.UUID)


# (3) identical bytes


@pytest.mark.parametrize("source", ["arrow", "pandas"])
def test_sk_encode_bytes_equal_confluent_bytes(
    source: str, confluent_records: list[bytes], registry: sk.Registry
) -> None:
    data = _table() if source == "arrow" else _frame()
    encoded = sk.encode(data, SUBJECT, registry=registry, schema=SCHEMA_TEXT)
    ours = encoded.to_pylist() if source == "arrow" else encoded.tolist()
    assert len(ours) == len(confluent_records)
    for i, (mine, theirs) in enumerate(zip(ours, confluent_records, strict=True)):
        assert mine == theirs, f"row {i}: schemakit {mine!r} != confluent {theirs!r}"


def test_sk_encode_with_use_latest_bytes_equal(
    confluent_records: list[bytes], registry: sk.Registry
) -> None:
    encoded = sk.encode(_table(), SUBJECT, registry=registry, use_latest=True)
    assert encoded.to_pylist() == confluent_records


# (4) record-at-a-time Serializer / Deserializer


def test_sk_serializer_bytes_equal_confluent_bytes(
    confluent_records: list[bytes], registry: sk.Registry, schema_id: int
) -> None:
    serializer = sk.Serializer(registry, SUBJECT, SCHEMA_TEXT)
    assert serializer.schema_id == schema_id
    for i, (row, theirs) in enumerate(zip(ROWS, confluent_records, strict=True)):
        assert serializer.encode(row) == theirs, f"row {i}"
    assert serializer.encode_batch(_table()).to_pylist() == confluent_records


def test_sk_deserializer_reads_confluent_records(
    confluent_records: list[bytes], registry: sk.Registry
) -> None:
    deserializer = sk.Deserializer(registry)
    decoded = [deserializer.decode(record) for record in confluent_records]
    assert [_row(d) for d in decoded] == EXPECTED
    with_reader = sk.Deserializer(registry, reader_schema=SCHEMA_TEXT)
    assert [_row(with_reader.decode(r)) for r in confluent_records] == EXPECTED
    batch = deserializer.decode_batch([confluent_records[i] for i in PRESENT], output="arrow")
    assert _arrow_rows(batch) == [EXPECTED[i] for i in PRESENT]


def test_sk_deserializer_decode_batch_all_rows(
    confluent_records: list[bytes], registry: sk.Registry
) -> None:
    batch = sk.Deserializer(registry).decode_batch(confluent_records, output="arrow")
    assert _arrow_rows(batch) == EXPECTED


def test_confluent_reads_sk_serializer(
    client: SchemaRegistryClient,
    registry: sk.Registry,
    schema_id: int,
    ctx: SerializationContext,
) -> None:
    serializer = sk.Serializer(registry, SUBJECT, SCHEMA_TEXT)
    deserializer = AvroDeserializer(client)
    decoded = [deserializer(serializer.encode(row), ctx) for row in ROWS]
    assert [_row(d) for d in decoded] == EXPECTED


# A plain pandas DataFrame of the same dicts (object columns, pyarrow's own inference).
#
# KNOWN DISCREPANCY: pyarrow infers a dict column as a struct of the union of all rows' keys,
# and schemakit writes that struct into the Avro map with EVERY key, absent ones as explicit
# nulls (the map values are nullable here), so e.g. {"x": 1.5, "y": None} is written as an
# 8-entry map. confluent/fastavro writes each dict's own keys. schemakit only warns
# (PerformanceWarning "encoded row by row"), it does not refuse or drop the filler keys. The
# other columns of the plain frame match byte for byte (checked below).


# A plain DataFrame of the rows holds the map column as Python dicts; pyarrow alone would make
# it a struct of every key seen in any row. Converted with the schema's map type, each row keeps
# its own keys, columnar (no PerformanceWarning, which the suite turns into an error).
def test_plain_pandas_frame_map_bytes_equal_confluent(
    confluent_records: list[bytes], registry: sk.Registry
) -> None:
    frame = pd.DataFrame(ROWS)
    encoded = sk.encode(frame, SUBJECT, registry=registry, schema=SCHEMA_TEXT).tolist()
    decoded = [sk.Deserializer(registry).decode(r)["attrs"] for r in encoded]
    assert decoded == [row["attrs"] for row in ROWS]
    assert encoded == confluent_records
