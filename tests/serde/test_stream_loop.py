"""The producer loop over a stream: sk.encode of batches without a schema, per batch.

On a subject that has versions, a batch whose values fit the latest version is written with it;
one that does not gets a new inferred schema, named like the latest and as nullable, which is
registered and checked, and is the latest for the batches after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schemakit as sk
import schemakit.serde as serde

Stream = Callable[[list[pa.RecordBatch]], object]


def _batch(start: int, nulls: list[bool]) -> pa.RecordBatch:
    names = [None if null else f"n{start + k}" for k, null in enumerate(nulls)]
    ids = pa.array(range(start, start + len(nulls)), pa.int64())
    return pa.record_batch({"id": ids, "name": pa.array(names, pa.string())})


def _iterator(batches: list[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    return iter(batches)


def _reader(batches: list[pa.RecordBatch]) -> pa.RecordBatchReader:
    return pa.RecordBatchReader.from_batches(batches[0].schema, batches)


def _relation(batches: list[pa.RecordBatch]) -> duckdb.DuckDBPyRelation:
    table = pa.Table.from_batches(batches)
    return duckdb.connect().from_arrow(table).order("id")


STREAMS: dict[str, Stream] = {"iterator": _iterator, "reader": _reader, "relation": _relation}


def _masks(count: int) -> list[list[bool]]:
    """``count`` batches of 20 rows: a null in ``name`` in every other batch, at moving rows."""
    return [[i % 2 == 0 and k == (3 * i) % 20 for k in range(20)] for i in range(count)]


def _decoded(parts: list[pa.BinaryArray], registry: sk.Registry) -> pa.Table:
    return sk.decode(pa.concat_arrays(parts), registry, output="arrow", progress=False)


@pytest.mark.parametrize("kind", sorted(STREAMS))
def test_fifty_batches_as_a_stream_make_one_version(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serde, "DEFAULT_STREAM_ROWS", 20)  # a relation in batches of 20 too
    registry = sk.Registry(":memory:")
    batches = [_batch(20 * i, mask) for i, mask in enumerate(_masks(50))]
    # the loop's first call: a batch with a null registers ["null", "string"]
    sk.encode(batches[0], topic="people", registry=registry, progress=False)
    parts = list(sk.encode(STREAMS[kind](batches), topic="people", registry=registry))
    assert len(parts) == 50
    assert registry.versions("people-value") == [1]
    back = _decoded(parts, registry)
    expected = pa.Table.from_batches(batches)
    assert back.column("id").to_pylist() == expected.column("id").to_pylist()
    assert back.column("name").to_pylist() == expected.column("name").to_pylist()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(sorted(STREAMS)),
    masks=st.lists(st.lists(st.booleans(), min_size=1, max_size=8), min_size=1, max_size=12),
)
def test_nulls_coming_and_going_never_add_a_version(
    kind: str, masks: list[list[bool]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serde, "DEFAULT_STREAM_ROWS", 5)
    registry = sk.Registry(":memory:")
    registry.register(
        "people-value",
        {
            "type": "record",
            "name": "Person",
            "namespace": "crm",
            "fields": [
                {"name": "id", "type": "long"},
                {"name": "name", "type": ["null", "string"], "default": None},
            ],
        },
    )
    starts = [sum(len(m) for m in masks[:i]) for i in range(len(masks))]
    batches = [_batch(start, mask) for start, mask in zip(starts, masks, strict=True)]
    parts = list(sk.encode(STREAMS[kind](batches), topic="people", registry=registry))
    assert registry.versions("people-value") == [1]
    back = _decoded(parts, registry)
    assert back.column("name").to_pylist() == pa.Table.from_batches(batches)["name"].to_pylist()


@pytest.mark.parametrize("kind", sorted(STREAMS))
def test_a_batch_that_does_not_fit_gets_one_new_checked_version(kind: str) -> None:
    registry = sk.Registry(":memory:")
    registry.register(
        "people-value",
        {
            "type": "record",
            "name": "Person",
            "namespace": "crm",
            "fields": [{"name": "id", "type": "long"}],
        },
    )
    first = pa.record_batch({"id": pa.array([1, 2], pa.int64())})
    batches = [first.append_column("name", pa.array([None, None], pa.string()))]
    for start in (3, 5):
        ids = pa.array([start, start + 1], pa.int64())
        batches.append(pa.record_batch({"id": ids, "name": pa.array(["c", None], pa.string())}))
    parts = list(sk.encode(STREAMS[kind](batches), topic="people", registry=registry))
    # the first batch's name column is all null and version 1 has no "name": it does not fit
    assert registry.versions("people-value") == [1, 2]
    latest = registry.get_latest("people-value")
    assert (latest.schema.to_dict()["name"], latest.schema.to_dict()["namespace"]) == (
        "Person",
        "crm",
    )
    ids = {int.from_bytes(p[0].as_py()[1:5], "big") for p in parts}
    assert ids == {latest.id}
    back = _decoded(parts, registry)
    assert back.column("name").to_pylist() == [None, None, "c", None, "c", None]


@pytest.mark.parametrize("kind", sorted(STREAMS))
def test_a_batch_that_breaks_the_level_is_refused_and_registers_nothing(kind: str) -> None:
    registry = sk.Registry(":memory:")
    registry.register(
        "people-value",
        {"type": "record", "name": "Person", "fields": [{"name": "id", "type": "long"}]},
    )
    breaks = pa.record_batch({"id": pa.array([2], pa.int64()), "age": pa.array([7], pa.int64())})
    stream = sk.encode(STREAMS[kind]([breaks, breaks]), topic="people", registry=registry)
    # a required "age" cannot read version 1's rows, which have none
    with pytest.raises(sk.IncompatibleSchemaError) as info:
        list(stream)
    assert any("age" in message for message in info.value.messages)
    assert registry.versions("people-value") == [1]
