"""sk.encode and sk.Serializer: subjects, registration, schema choice, output kinds."""

from __future__ import annotations

import io
import struct
from typing import Any

import fastavro
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import schemakit as sk
from schemakit.serde import Serializer, encode, subject_name

FLIGHT = {
    "type": "record",
    "name": "Flight",
    "namespace": "nyc",
    "fields": [
        {"name": "carrier", "type": "string"},
        {"name": "delay", "type": ["null", "double"], "default": None},
    ],
}


@pytest.fixture
def registry() -> sk.Registry:
    return sk.Registry(":memory:")


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"carrier": ["UA", "AA", "B6"], "delay": [1.5, None, -3.0]}, index=[7, 8, 9]
    )


def read(record: bytes, schema: sk.Schema) -> tuple[int, Any]:
    magic, schema_id = struct.unpack(">bI", record[:5])
    assert magic == 0
    return schema_id, fastavro.schemaless_reader(io.BytesIO(record[5:]), schema._parsed, None)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"topic": "flights"}, "flights-value"),
        ({"topic": "flights", "key": True}, "flights-key"),
        ({"topic": "flights", "strategy": "record"}, "nyc.Flight"),
        ({"topic": "flights", "strategy": "topic_record"}, "flights-nyc.Flight"),
    ],
)
def test_subject_name_strategies(kwargs: dict[str, Any], expected: str) -> None:
    assert subject_name(schema=sk.Schema.parse(FLIGHT), **kwargs) == expected


def test_subject_name_needs_what_the_strategy_uses() -> None:
    with pytest.raises(ValueError, match="needs a topic"):
        subject_name(schema=sk.Schema.parse(FLIGHT))
    with pytest.raises(ValueError, match="needs a record schema"):
        subject_name(topic="t", strategy="record")
    with pytest.raises(ValueError, match="'topic', 'record', 'topic_record'"):
        subject_name(topic="t", strategy="nope")  # type: ignore[arg-type]


def test_encode_dataframe_registers_and_keeps_the_index(
    registry: sk.Registry, frame: pd.DataFrame
) -> None:
    records = encode(frame, topic="flights", registry=registry, schema=FLIGHT)
    assert isinstance(records, pd.Series)
    assert records.dtype == pd.ArrowDtype(pa.binary())
    assert records.index.tolist() == [7, 8, 9]
    registered = registry.get_latest("flights-value")
    assert registered.schema == sk.Schema.parse(FLIGHT)
    rows = [read(r, registered.schema) for r in records]
    assert rows == [
        (registered.id, {"carrier": "UA", "delay": 1.5}),
        (registered.id, {"carrier": "AA", "delay": None}),
        (registered.id, {"carrier": "B6", "delay": -3.0}),
    ]


def test_encode_arrow_returns_a_binary_array_identical_to_fastavro(
    registry: sk.Registry, frame: pd.DataFrame
) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    records = encode(table, "flights-value", registry=registry, schema=FLIGHT)
    assert isinstance(records, pa.BinaryArray)
    parsed = fastavro.parse_schema(FLIGHT)
    for record, row in zip(records.to_pylist(), table.to_pylist(), strict=True):
        body = io.BytesIO()
        fastavro.schemaless_writer(body, parsed, row)
        assert record == struct.pack(">bI", 0, 1) + body.getvalue()


def test_inferred_schema_is_named_after_the_topic_then_reuses_the_registered_name(
    registry: sk.Registry, frame: pd.DataFrame
) -> None:
    encode(frame, topic="flight_delays", registry=registry)
    first = registry.get_latest("flight_delays-value").schema
    assert first._parsed["name"] == "FlightDelays"
    # A subject registered under another name: re-inference keeps that name and namespace,
    # so the schema stays compatible (Avro matches records by name).
    registry.register("flights-value", FLIGHT)
    encode(frame, topic="flights", registry=registry)
    latest = registry.get_latest("flights-value")
    assert latest.schema._parsed["name"] == "nyc.Flight"
    assert latest.version == 1  # the re-inferred schema is the registered one


def test_encode_is_idempotent_and_use_latest_writes_with_the_latest(
    registry: sk.Registry, frame: pd.DataFrame
) -> None:
    encode(frame, topic="flights", registry=registry, schema=FLIGHT)
    encode(frame, topic="flights", registry=registry, schema=FLIGHT)
    assert registry.versions("flights-value") == [1]
    records = encode(frame, topic="flights", registry=registry, use_latest=True)
    assert read(records.iloc[0], sk.Schema.parse(FLIGHT))[0] == 1
    with pytest.raises(ValueError, match="not both"):
        encode(frame, topic="flights", registry=registry, schema=FLIGHT, use_latest=True)


def test_auto_register_false_needs_the_schema_registered(
    registry: sk.Registry, frame: pd.DataFrame
) -> None:
    with pytest.raises(sk.SchemaNotFoundError, match="auto_register=False"):
        encode(frame, topic="flights", registry=registry, schema=FLIGHT, auto_register=False)
    assert registry.subjects() == []
    registry.register("flights-value", FLIGHT)
    records = encode(frame, topic="flights", registry=registry, schema=FLIGHT, auto_register=False)
    assert len(records) == 3


def test_bad_values_register_nothing(registry: sk.Registry) -> None:
    bad = pd.DataFrame({"carrier": ["UA", None], "delay": [1.0, 2.0]})
    with pytest.raises(sk.SchemakitError, match="carrier") as info:
        encode(bad, topic="flights", registry=registry, schema=FLIGHT)
    assert "row 1" in str(info.value)
    assert registry.subjects() == []


def test_incompatible_schema_is_refused(registry: sk.Registry, frame: pd.DataFrame) -> None:
    encode(frame, topic="flights", registry=registry, schema=FLIGHT)
    narrowed = {**FLIGHT, "fields": [{"name": "carrier", "type": "int"}]}
    ints = pd.DataFrame({"carrier": np.array([1, 2], dtype=np.int32)})
    with pytest.raises(sk.IncompatibleSchemaError) as info:
        encode(ints, topic="flights", registry=registry, schema=narrowed)
    assert info.value.messages
    assert registry.versions("flights-value") == [1]


def test_subject_and_topic_are_exclusive_and_one_is_needed(
    registry: sk.Registry, frame: pd.DataFrame
) -> None:
    with pytest.raises(ValueError, match="not both"):
        encode(frame, "s", topic="t", registry=registry, schema=FLIGHT)
    with pytest.raises(ValueError, match="needs a subject"):
        encode(frame, registry=registry, schema=FLIGHT)
    with pytest.raises(TypeError, match="expected a pandas DataFrame"):
        encode([1, 2], "s", registry=registry, schema=FLIGHT)


def test_serializer_single_records_match_fastavro_and_the_batch_path(
    registry: sk.Registry, frame: pd.DataFrame
) -> None:
    ser = Serializer(registry, "flights-value", FLIGHT)
    assert registry.subjects() == []  # registered on first use, not before
    one = ser.encode({"carrier": "UA", "delay": 1.5})
    assert registry.subjects() == ["flights-value"]
    assert ser.schema_id == 1
    assert one == encode(frame, "flights-value", registry=registry, schema=FLIGHT).iloc[0]
    batch = ser.encode_batch(frame)
    assert (
        batch.tolist() == encode(frame, "flights-value", registry=registry, schema=FLIGHT).tolist()
    )
    with pytest.raises(sk.EncodeError, match="column 'carrier' at row 0: value 3"):
        ser.encode({"carrier": 3, "delay": 1.0})  # as sk.encode words it


def test_serializer_needs_a_schema_or_use_latest(registry: sk.Registry) -> None:
    with pytest.raises(ValueError, match="use_latest"):
        Serializer(registry, "flights-value")
    registry.register("flights-value", FLIGHT)
    ser = Serializer(registry, "flights-value", use_latest=True)
    assert ser.schema == sk.Schema.parse(FLIGHT)
