"""Confluent framing: ``0x00 | id (big-endian) | body``, built and parsed vectorized."""

from __future__ import annotations

import struct

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemakit.codec import HEADER_REASONS, frame, parse_headers


@settings(max_examples=100, deadline=None)
@given(
    bodies=st.lists(st.binary(max_size=40), max_size=30),
    schema_id=st.integers(0, 2**31 - 1),
    large=st.booleans(),
)
def test_frame_round_trip(bodies: list[bytes], schema_id: int, large: bool) -> None:
    array = pa.array(bodies, pa.large_binary() if large else pa.binary())
    records = frame(array, schema_id)
    expected = [b"\x00" + struct.pack(">I", schema_id) + b for b in bodies]
    assert records.type == pa.binary()
    assert records.to_pylist() == expected
    headers = parse_headers(records)
    assert headers.ok
    assert headers.ids.dtype == np.int64
    assert headers.ids.tolist() == [schema_id] * len(bodies)
    values = np.frombuffer(records.buffers()[2], np.uint8) if bodies else np.zeros(0, np.uint8)
    got = [
        values[o : o + n].tobytes()
        for o, n in zip(headers.body_offsets, headers.body_lengths, strict=True)
    ]
    assert got == bodies


def test_frame_of_a_slice() -> None:
    array = pa.array([b"a", b"bc", b"def"]).slice(1, 2)
    assert frame(array, 1).to_pylist() == [b"\x00\x00\x00\x00\x01bc", b"\x00\x00\x00\x00\x01def"]


def test_parse_headers_reports_every_bad_row() -> None:
    records = pa.array(
        [
            b"\x00\x00\x00\x00\x07body",
            b"\x02\x00\x00\x00\x07body",  # bad magic byte
            b"\x00\x00",  # too short
            None,
            b"\x01\x00\x00\x00\x07",  # magic byte 1: the GUID framing
            b"",
            b"\x00\xff\xff\xff\xff",  # id 2**32 - 1, empty body
        ],
        pa.binary(),
    )
    headers = parse_headers(records)
    assert headers.errors.tolist() == [0, 3, 2, 1, 4, 2, 0]
    assert headers.ids.tolist() == [7, -1, -1, -1, -1, -1, 2**32 - 1]
    assert headers.magic.tolist() == [0, 2, 0, -1, 1, -1, 0]
    assert headers.body_lengths.tolist() == [4, 0, 0, 0, 0, 0, 0]
    assert headers.first_error() == (1, "bad magic byte")
    assert not headers.ok
    assert HEADER_REASONS[4].startswith("magic byte 1")


def test_parse_headers_sliced_and_large() -> None:
    records = pa.array([b"x", b"\x00\x00\x00\x01\x00", b"\x05"], pa.large_binary()).slice(1, 2)
    headers = parse_headers(records)
    assert headers.ids.tolist() == [256, -1]
    assert headers.errors.tolist() == [0, 2]


def test_parse_headers_empty() -> None:
    headers = parse_headers(pa.array([], pa.binary()))
    assert headers.ok
    assert headers.first_error() is None


@pytest.mark.parametrize("bad", [-1, 2**31, 2**40])
def test_frame_rejects_ids_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError, match="schema_id must be between 0 and 2147483647"):
        frame(pa.array([b""]), bad)


def test_frame_rejects_non_int_id_and_null_bodies() -> None:
    with pytest.raises(TypeError, match="schema_id must be an int"):
        frame(pa.array([b""]), True)
    with pytest.raises(ValueError, match="row 1 is null"):
        frame(pa.array([b"a", None]), 1)
    with pytest.raises(TypeError, match="binary array"):
        frame(pa.array([1]), 1)


def test_encode_records_equals_frame_of_bodies() -> None:
    from schemakit import Schema
    from schemakit.codec import encode_bodies, encode_records

    schema = Schema.parse(
        {"type": "record", "name": "R", "fields": [{"name": "a", "type": ["null", "string"]}]}
    )
    table = pa.table({"a": ["x", None, "yz" * 100]})
    expected = frame(encode_bodies(table, schema), 2**31 - 1).to_pylist()
    assert encode_records(table, schema, 2**31 - 1, chunk_rows=2).to_pylist() == expected
    assert parse_headers(encode_records(table, schema, 9)).ids.tolist() == [9, 9, 9]
