"""The row-wise fastavro fallback: announced by PerformanceWarning, bytes still fastavro's."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from schemakit import Schema
from schemakit.codec import encode_bodies
from schemakit.errors import EncodeError, PerformanceWarning

from ._oracle import fastavro_bodies, record


def _encode_warns(schema: dict[str, Any], table: pa.Table, column: str) -> list[bytes]:
    with pytest.warns(PerformanceWarning, match=rf"column {column!r} is encoded row by row") as w:
        out = encode_bodies(table, Schema.parse(schema), chunk_rows=2).to_pylist()
    assert len(w) == 1  # once per column, not per chunk
    return out


def test_sparse_union_falls_back() -> None:
    schema = record({"name": "i", "type": "int"}, {"name": "u", "type": ["int", "string"]})
    union = pa.UnionArray.from_sparse(
        pa.array([0, 1, 0], pa.int8()),
        [pa.array([1, 0, 3], pa.int32()), pa.array(["", "b", ""])],
    )
    table = pa.table({"i": pa.array([1, 2, 3], pa.int32()), "u": union})
    got = _encode_warns(schema, table, "u")
    rows = [{"i": 1, "u": 1}, {"i": 2, "u": "b"}, {"i": 3, "u": 3}]
    assert got == fastavro_bodies(schema, rows)


def test_ambiguous_union_falls_back() -> None:
    """int64 values for ["int", "long"]: fastavro picks the branch per value."""
    schema = record({"name": "u", "type": ["null", "int", "long"]})
    table = pa.table({"u": pa.array([1, 2**40, None], pa.int64())})
    got = _encode_warns(schema, table, "u")
    assert got == fastavro_bodies(schema, [{"u": 1}, {"u": 2**40}, {"u": None}])


def test_fallback_inside_other_columns_keeps_interleaving() -> None:
    schema = record(
        {"name": "a", "type": "string"},
        {"name": "u", "type": ["float", "double", {"type": "map", "values": "long"}]},
        {"name": "z", "type": "long"},
    )
    table = pa.table({"a": ["x", "yy", ""], "u": pa.array([1.5, -2.0, 0.0]), "z": [1, 2, 3]})
    got = _encode_warns(schema, table, "u")
    rows = [
        {"a": "x", "u": 1.5, "z": 1},
        {"a": "yy", "u": -2.0, "z": 2},
        {"a": "", "u": 0.0, "z": 3},
    ]
    assert got == fastavro_bodies(schema, rows)


def test_fallback_maps_and_original_names() -> None:
    schema = record(
        {
            "name": "u",
            "type": [
                "string",
                {"type": "map", "values": "long"},
                record({"name": "a_b", "type": "long", "schemakit.original_name": "a b"}, name="S"),
            ],
        }
    )
    union = pa.UnionArray.from_sparse(
        pa.array([1, 2], pa.int8()),
        [
            pa.array(["", ""]),
            pa.array([[("k", 1)], []], pa.map_(pa.string(), pa.int64())),
            pa.array([{"a b": 0}, {"a b": 5}]),
        ],
    )
    got = _encode_warns(schema, pa.table({"u": union}), "u")
    assert got == fastavro_bodies(schema, [{"u": {"k": 1}}, {"u": ("S", {"a_b": 5})}])


def test_fallback_timestamps_nanos_and_naive() -> None:
    uuid = "123e4567-e89b-12d3-a456-426614174000"  # the text of a uuid (test_encode_checks)
    schema = record(
        {
            "name": "u",
            "type": [
                "null",
                {"type": "long", "logicalType": "timestamp-nanos"},
                {"type": "string", "logicalType": "uuid"},
            ],
        },
    )
    union = pa.UnionArray.from_sparse(
        pa.array([1, 2, 0], pa.int8()),
        [
            pa.nulls(3),
            pa.array([1_500, 0, 0], pa.timestamp("ns", tz="UTC")),
            pa.array([uuid] * 3),
        ],
    )
    got = _encode_warns(schema, pa.table({"u": union}), "u")
    # nanos as the specification encodes them (fastavro has no timestamp-nanos): a long count.
    nanos, text = fastavro_bodies("long", [1_500])[0], fastavro_bodies("string", [uuid])[0]
    assert got == [b"\x02" + nanos, b"\x04" + text, b"\x00"]


def test_fallback_errors_name_the_row() -> None:
    schema = record({"name": "u", "type": ["int", "string"]})
    union = pa.UnionArray.from_sparse(
        pa.array([0, 0], pa.int8()),
        [pa.array([1, 2**40], pa.int64()), pa.array(["", ""])],
    )
    with pytest.warns(PerformanceWarning), pytest.raises(EncodeError) as info:
        encode_bodies(pa.table({"u": union}), Schema.parse(schema))
    assert (info.value.column, info.value.row, info.value.value) == ("u", 1, 2**40)


@pytest.mark.parametrize(
    ("field_type", "array", "values"),
    [
        (
            {"type": "array", "items": "long"},
            pa.array([[1, 2], [], [3]], pa.list_view(pa.int64())),
            [[1, 2], [], [3]],
        ),
        ("long", pa.RunEndEncodedArray.from_arrays([2, 3], pa.array([7, -1])), [7, 7, -1]),
    ],
    ids=["list_view", "run_end_encoded"],
)
def test_other_layouts_fall_back(field_type: Any, array: pa.Array, values: list[Any]) -> None:
    schema = record({"name": "v", "type": field_type})
    got = _encode_warns(schema, pa.table({"v": array}), "v")
    assert got == fastavro_bodies(schema, [{"v": v} for v in values])


def test_recursive_record_falls_back() -> None:
    node = {
        "type": "record",
        "name": "Node",
        "fields": [{"name": "value", "type": "long"}, {"name": "next", "type": ["null", "Node"]}],
    }
    schema = record({"name": "id", "type": "int"}, {"name": "head", "type": ["null", node]})
    rows = [
        {"id": 1, "head": None},
        {"id": 2, "head": {"value": 5, "next": None}},
        {"id": 3, "head": {"value": 6, "next": {"value": 7, "next": None}}},
    ]
    table = pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int32()),
            "head": pa.array([r["head"] for r in rows]),
        }
    )
    with pytest.warns(PerformanceWarning, match="'head'.*'Node' is recursive"):
        got = encode_bodies(table, Schema.parse(schema)).to_pylist()
    assert got == fastavro_bodies(schema, rows)
