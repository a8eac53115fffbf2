"""The one-pass kernels: the writer's direct path over Arrow buffers and the reader's fused
record, on the layouts they read in place (slices, chunk boundaries, null slots holding
garbage, windows of very different sizes), each against fastavro or a round trip.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import schemakit as sk
from schemakit import Schema
from schemakit.codec import _framing, _reader, _writer, decode_bodies, encode_bodies

from ._oracle import fastavro_bodies, record


@pytest.fixture(params=["numba", "numpy"])
def kernels(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "numpy":
        monkeypatch.setattr(_writer, "USE_NUMBA", False)
        monkeypatch.setattr(_reader, "USE_NUMBA", False)
        monkeypatch.setattr(_framing, "USE_NUMBA", False)
    mode: str = request.param
    return mode


def _garbage_int64(values: list[int], valid: list[bool]) -> pa.Array:
    """An int64 array whose null slots hold ``values`` too (Arrow leaves them undefined)."""
    data = pa.py_buffer(np.array(values, np.int64).tobytes())
    bits = pa.py_buffer(np.packbits(np.array(valid), bitorder="little").tobytes())
    return pa.Array.from_buffers(pa.int64(), len(values), [bits, data])


def test_null_slots_out_of_range_do_not_fail(kernels: str) -> None:
    schema = record({"name": "v", "type": ["null", "int"]})
    arr = _garbage_int64([1, 2**40, -3, -(2**45)], [True, False, True, False])
    bodies = encode_bodies(pa.table({"v": arr}), Schema.parse(schema)).to_pylist()
    assert bodies == fastavro_bodies(schema, [{"v": 1}, {"v": None}, {"v": -3}, {"v": None}])


def test_value_out_of_range_under_union_names_its_row(kernels: str) -> None:
    schema = Schema.parse(record({"name": "v", "type": ["null", "int"]}))
    arr = pa.array([1, None, 2**40], pa.int64())
    with pytest.raises(sk.EncodeError, match="row 2"):
        encode_bodies(pa.table({"v": arr}), schema)


def test_slices_and_misaligned_chunks(kernels: str) -> None:
    schema = record(
        {"name": "s", "type": ["null", "string"], "default": None},
        {"name": "b", "type": "bytes"},
        {"name": "d", "type": ["double", "null"]},
        {"name": "n", "type": "long"},
        {"name": "f", "type": "float"},
        {"name": "t", "type": "boolean"},
    )
    rows = [
        {
            "s": None if i % 3 == 0 else "é" * (i % 5),
            "b": bytes(range(i % 7)),
            "d": None if i % 4 == 1 else i / 3,
            "n": (-1) ** i * 7**i,
            "f": i * 0.5,
            "t": i % 2 == 0,
        }
        for i in range(23)
    ]
    full = pa.Table.from_pylist(rows, schema=Schema.parse(schema).to_arrow())
    # columns chunked at different places, and a slice that starts inside a bitmap byte
    table = pa.Table.from_arrays(
        [
            pa.chunked_array([c.slice(0, 5), c.slice(5, 11), c.slice(16)])
            if i % 2
            else pa.chunked_array([c.slice(0, 9), c.slice(9)])
            for i, c in enumerate(full.columns)
        ],
        schema=full.schema,
    ).slice(3, 17)
    for chunk_rows in (1, 4, 6, 64):
        bodies = encode_bodies(table, Schema.parse(schema), chunk_rows=chunk_rows)
        assert bodies.to_pylist() == fastavro_bodies(schema, rows[3:20]), chunk_rows


def test_later_windows_larger_than_the_first(kernels: str) -> None:
    # the first window's bound guesses the whole output; later ones must make room
    schema = record({"name": "s", "type": "string"}, {"name": "n", "type": "long"})
    texts = ["a"] * 8 + ["x" * 5000] * 40
    table = pa.table({"s": texts, "n": list(range(len(texts)))})
    bodies = encode_bodies(table, Schema.parse(schema), chunk_rows=8)
    expected = fastavro_bodies(schema, table.to_pylist())
    assert bodies.to_pylist() == expected


def test_empty_table(kernels: str) -> None:
    schema = Schema.parse(record({"name": "n", "type": "long"}))
    bodies = encode_bodies(pa.table({"n": pa.array([], pa.int64())}), schema)
    assert bodies.to_pylist() == []


def test_fused_reader_nullable_time_with_nulls(kernels: str) -> None:
    # null slots are never written by the fused kernel: they must not be range-checked
    schema = Schema.parse(
        record(
            {"name": "t", "type": ["null", {"type": "int", "logicalType": "time-millis"}]},
            {"name": "s", "type": ["null", "string"]},
        )
    )
    n = 3 * _reader.FUSED_MIN_ROWS
    rows = [{"t": None if i % 2 else i * 1000, "s": None if i % 3 else str(i)} for i in range(n)]
    bodies = pa.array(fastavro_bodies(schema.to_dict(), rows), pa.binary())
    table = decode_bodies(bodies, schema)
    assert table.column("t").null_count == n // 2
    assert table.column("s").to_pylist() == [r["s"] for r in rows]


def test_fused_reader_reads_a_long_union_index(kernels: str) -> None:
    # a union index written in two bytes (0x80 0x00 is 0) is still the index 0
    schema = Schema.parse(record({"name": "v", "type": ["null", "long"]}))
    n = 2 * _reader.FUSED_MIN_ROWS
    bodies = pa.array([b"\x80\x00", b"\x02\x04"] * (n // 2), pa.binary())
    assert decode_bodies(bodies, schema).column("v").to_pylist() == [None, 2] * (n // 2)


def test_decode_reads_framed_records_in_place(kernels: str) -> None:
    reg = sk.Registry(":memory:")
    table = pa.table({"a": list(range(300)), "b": [str(i) for i in range(300)]})
    records = sk.encode(table, "t-value", registry=reg, progress=False)
    # a slice: bodies read where they lie in the parent's buffer
    back = sk.decode(records.slice(7, 200), reg, output="arrow", progress=False)
    assert back.to_pylist() == table.slice(7, 200).to_pylist()


def test_fused_reader_in_two_halves(monkeypatch: pytest.MonkeyPatch) -> None:
    # two threads, each with its own payload buffers, joined in row order
    monkeypatch.setattr(_reader, "PARALLEL_MIN_ROWS", 2)
    monkeypatch.setattr(_reader, "_CPUS", 2)
    schema = Schema.parse(
        record(
            {"name": "s", "type": ["null", "string"]},
            {"name": "n", "type": "long"},
            {"name": "b", "type": "bytes"},
        )
    )
    n = 3 * _reader.FUSED_MIN_ROWS + 1
    rows = [
        {"s": None if i % 4 == 0 else "ß" * (i % 9), "n": i * 7919, "b": bytes([i % 256]) * (i % 5)}
        for i in range(n)
    ]
    bodies = fastavro_bodies(schema.to_dict(), rows)
    bodies[n - 3] = bodies[n - 3][:-1] if bodies[n - 3] else b"\xff"  # a bad row in the 2nd half
    table, bad = decode_bodies(pa.array(bodies, pa.binary()), schema, errors="null")
    assert [row for row, _, _ in bad] == [n - 3]
    expected = [None if i == n - 3 else r["s"] for i, r in enumerate(rows)]
    assert table.column("s").to_pylist() == expected
    assert table.column("b").to_pylist()[:5] == [r["b"] for r in rows[:5]]
