"""Streams in and out of sk.encode / sk.decode, and decoding in steps (progress bars)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import schemakit as sk
import schemakit.serde as serde

SCHEMA = {
    "type": "record",
    "name": "Reading",
    "fields": [
        {"name": "sensor", "type": "string"},
        {"name": "value", "type": ["null", "double"], "default": None},
    ],
}


@pytest.fixture
def registry() -> sk.Registry:
    return sk.Registry(":memory:")


def batches(n: int, size: int) -> Iterator[pa.RecordBatch]:
    for start in range(0, n, size):
        rows = np.arange(start, min(start + size, n))
        values = pa.array(rows * 0.5, mask=rows % 7 == 0)
        yield pa.record_batch({"sensor": pa.array([f"s{r}" for r in rows]), "value": values})


def test_iterator_of_batches_encodes_lazily_batch_by_batch(registry: sk.Registry) -> None:
    stream = sk.encode(batches(1000, 300), topic="readings", registry=registry, schema=SCHEMA)
    assert registry.subjects() == []  # registered once the first batch was written
    first = next(stream)
    assert registry.versions("readings-value") == [1]
    parts = [first, *stream]
    assert [len(p) for p in parts] == [300, 300, 300, 100]
    whole = sk.encode(
        pa.Table.from_batches(list(batches(1000, 300))),
        topic="readings",
        registry=registry,
        schema=SCHEMA,
    )
    assert pa.concat_arrays(parts).equals(whole)


def test_a_stream_needs_a_schema_unless_it_is_a_duckdb_relation(registry: sk.Registry) -> None:
    with pytest.raises(ValueError, match="needs schema= or use_latest=True"):
        sk.encode(batches(10, 5), topic="readings", registry=registry)
    con = duckdb.connect()
    relation = con.sql("SELECT 's' || i AS sensor, i * 0.5 AS value FROM range(70000) t(i)")
    parts = list(sk.encode(relation, topic="readings", registry=registry))
    assert sum(len(p) for p in parts) == 70000
    assert len(parts) >= 2  # read in batches, not all at once
    back = sk.decode(pa.concat_arrays(parts), registry, output="arrow")
    assert back.column("sensor")[69999].as_py() == "s69999"
    con.close()


def test_record_batch_reader_with_use_latest(registry: sk.Registry) -> None:
    registry.register("readings-value", SCHEMA)
    reader = pa.RecordBatchReader.from_batches(next(batches(10, 10)).schema, batches(25, 10))
    parts = list(sk.encode(reader, topic="readings", registry=registry, use_latest=True))
    assert [len(p) for p in parts] == [10, 10, 5]


def test_iterator_of_record_batches_decodes_into_one_reader_schema(
    registry: sk.Registry,
) -> None:
    parts = list(sk.encode(batches(100, 40), topic="readings", registry=registry, schema=SCHEMA))
    evolved = {
        **SCHEMA,
        "fields": [*SCHEMA["fields"], {"name": "unit", "type": "string", "default": "C"}],
    }
    later = sk.encode(
        pd.DataFrame({"sensor": ["x"], "value": [1.0], "unit": ["F"]}),
        topic="readings",
        registry=registry,
        schema=evolved,
    )
    frames = list(sk.decode(iter([*parts, later]), registry))
    assert [len(f) for f in frames] == [40, 40, 20, 1]
    # The first batch fixed the reader schema (version 1): the later batch is read into it.
    assert list(frames[-1].columns) == ["sensor", "value"]
    assert frames[0]["value"].isna().sum() == 6  # rows 0, 7, ..., 35


def test_decoding_in_steps_keeps_row_numbers_and_order(
    registry: sk.Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serde, "DECODE_STEP_ROWS", 7)
    records = sk.encode(
        pa.Table.from_batches(list(batches(30, 30))),
        topic="readings",
        registry=registry,
        schema=SCHEMA,
    ).to_pylist()
    records[17] = records[17][:-1]  # truncated
    with pytest.raises(sk.DecodeError) as info:
        sk.decode(records, registry, progress=False)
    assert info.value.row == 17
    back = sk.decode(records, registry, errors="null", output="arrow", progress=False)
    assert back.num_rows == 30
    assert back.column("sensor").to_pylist()[16:19] == ["s16", None, "s18"]
    assert back.column("sensor").to_pylist()[29] == "s29"
