"""Every EncodeError names the column (field path), the row and the value; nothing is returned."""

from __future__ import annotations

import decimal
import pickle
from typing import Any

import pyarrow as pa
import pytest

from schemakit import Schema
from schemakit.codec import encode_bodies
from schemakit.errors import EncodeError, SchemakitError

from ._oracle import record


def _enc(fields: list[dict[str, Any]], table: pa.Table, **kwargs: Any) -> pa.BinaryArray:
    return encode_bodies(table, Schema.parse(record(*fields)), **kwargs)


ENUM = {"type": "enum", "name": "E", "symbols": ["A", "B"]}

#: (id, fields, table, column, row, value, message fragment)
ERRORS: list[tuple[str, list[dict[str, Any]], pa.Table, str, int | None, Any, str]] = [
    (
        "int out of range",
        [{"name": "a", "type": "int"}],
        pa.table({"a": pa.array([1, 2, 2**31], pa.int64())}),
        "a",
        2,
        2**31,
        'does not fit Avro "int"',
    ),
    (
        "int below range",
        [{"name": "a", "type": "int"}],
        pa.table({"a": pa.array([-(2**31) - 1], pa.int64())}),
        "a",
        0,
        -(2**31) - 1,
        'does not fit Avro "int"',
    ),
    (
        "uint64 above long",
        [{"name": "a", "type": "long"}],
        pa.table({"a": pa.array([0, 2**63], pa.uint64())}),
        "a",
        1,
        2**63,
        "64-bit signed Avro long",
    ),
    (
        "null in non-nullable",
        [{"name": "a", "type": "string"}],
        pa.table({"a": ["x", None]}),
        "a",
        1,
        None,
        "is null, but",
    ),
    (
        "null in nested non-nullable",
        [{"name": "s", "type": record({"name": "x", "type": "long"}, name="S")}],
        pa.table({"s": [{"x": 1}, {"x": None}]}),
        "s.x",
        1,
        None,
        "is null",
    ),
    (
        "null inside an array",
        [{"name": "a", "type": {"type": "array", "items": "int"}}],
        pa.table({"a": pa.array([[1], [2, None]], pa.list_(pa.int32()))}),
        "a[]",
        1,
        None,
        "is null",
    ),
    (
        "int too big inside a map, row of a later list",
        [{"name": "m", "type": {"type": "map", "values": "int"}}],
        pa.table(
            {
                "m": pa.array(
                    [[("a", 1)], [], [("b", 2), ("c", 2**40)]], pa.map_(pa.string(), pa.int64())
                )
            }
        ),
        "m{}",
        2,
        2**40,
        'does not fit Avro "int"',
    ),
    (
        "null union without null branch",
        [{"name": "a", "type": ["int", "string"]}],
        pa.table({"a": pa.array([1, None], pa.int32())}),
        "a",
        1,
        None,
        'no "null" branch',
    ),
    (
        "string not an enum symbol",
        [{"name": "e", "type": ENUM}],
        pa.table({"e": ["A", "B", "C"]}),
        "e",
        2,
        "C",
        "is not a symbol of enum 'E' (A, B)",
    ),
    (
        "dictionary value not an enum symbol",
        [{"name": "e", "type": ENUM}],
        pa.table({"e": pa.array(["A", "Z", "A"]).dictionary_encode()}),
        "e",
        1,
        "Z",
        "is not a symbol of enum",
    ),
    (
        "decimal beyond precision",
        [
            {
                "name": "d",
                "type": {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2},
            }
        ],
        pa.table(
            {
                "d": pa.array(
                    [decimal.Decimal("1.00"), decimal.Decimal("-100.00")], pa.decimal128(10, 2)
                )
            }
        ),
        "d",
        1,
        decimal.Decimal("-100.00"),
        "more digits than decimal(4, 2)",
    ),
    (
        "fixed of the wrong size",
        [{"name": "f", "type": {"type": "fixed", "name": "F", "size": 2}}],
        pa.table({"f": pa.array([b"ab", b"abc"], pa.binary())}),
        "f",
        1,
        b"abc",
        "needs 2",
    ),
    (
        "float beyond float32",
        [{"name": "f", "type": "float"}],
        pa.table({"f": pa.array([1.0, 1e300])}),
        "f",
        1,
        1e300,
        'range of Avro "float"',
    ),
    (
        "null type given a value",
        [{"name": "n", "type": "null"}],
        pa.table({"n": pa.array([None, 3], pa.int64())}),
        "n",
        1,
        3,
        'Avro type is "null"',
    ),
    (
        "timestamp overflow when converting seconds to nanos",
        [{"name": "t", "type": {"type": "long", "logicalType": "timestamp-nanos"}}],
        pa.table({"t": pa.array([0, 2**62], pa.timestamp("s", tz="UTC"))}),
        "t",
        1,
        None,
        "overflows",
    ),
    (
        "duration with a negative part",
        [
            {
                "name": "d",
                "type": {"type": "fixed", "name": "Dur", "size": 12, "logicalType": "duration"},
            }
        ],
        pa.table({"d": pa.array([(1, 2, 3_000_000), (0, -1, 0)], pa.month_day_nano_interval())}),
        "d",
        1,
        None,
        "days outside",
    ),
]


@pytest.mark.parametrize(
    ("fields", "table", "column", "row", "value", "fragment"),
    [e[1:] for e in ERRORS],
    ids=[e[0] for e in ERRORS],
)
def test_encode_error(
    fields: list[dict[str, Any]],
    table: pa.Table,
    column: str,
    row: int | None,
    value: Any,
    fragment: str,
) -> None:
    with pytest.raises(EncodeError) as info:
        _enc(fields, table)
    err = info.value
    assert err.column == column
    assert err.row == row
    if value is not None:
        assert err.value == value
    message = str(err)
    assert fragment in message
    assert repr(column) in message
    assert f"row {row}" in message
    assert isinstance(err, ValueError)
    assert isinstance(err, SchemakitError)
    assert err.error_code == 42201


def test_error_row_counts_across_chunks() -> None:
    table = pa.table({"a": pa.array([0] * 20 + [2**40], pa.int64())})
    with pytest.raises(EncodeError) as info:
        _enc([{"name": "a", "type": "int"}], table, chunk_rows=6)
    assert info.value.row == 20


def test_error_row_through_nullable_and_list() -> None:
    field = {"name": "a", "type": ["null", {"type": "array", "items": ["null", "int"]}]}
    table = pa.table({"a": pa.array([None, [1], None, [None, 2**33]], pa.list_(pa.int64()))})
    with pytest.raises(EncodeError) as info:
        _enc([field], table)
    assert (info.value.column, info.value.row, info.value.value) == ("a[]", 3, 2**33)


def test_missing_column_without_default() -> None:
    fields = [{"name": "a", "type": "int"}, {"name": "b", "type": "string"}]
    with pytest.raises(EncodeError, match=r"missing column 'b'.*no default") as info:
        _enc(fields, pa.table({"a": pa.array([1], pa.int32())}))
    assert info.value.column == "b"
    assert info.value.row is None


def test_missing_column_names_the_original_name() -> None:
    fields = [{"name": "a_b", "type": "int", "schemakit.original_name": "a b"}]
    with pytest.raises(EncodeError, match=r"missing column 'a b' \(field 'a_b'\)"):
        _enc(fields, pa.table({"x": [1]}), extra="ignore")


def test_missing_nested_field() -> None:
    fields = [
        {
            "name": "s",
            "type": record({"name": "x", "type": "long"}, {"name": "y", "type": "long"}, name="S"),
        }
    ]
    with pytest.raises(EncodeError, match=r"missing column 'y' at 's\.y'") as info:
        _enc(fields, pa.table({"s": [{"x": 1}]}))
    assert info.value.column == "s.y"


def test_extra_columns_are_an_error() -> None:
    with pytest.raises(
        EncodeError, match=r"columns 'x', 'y' not in the schema.*extra='ignore'"
    ) as info:
        _enc([{"name": "a", "type": "long"}], pa.table({"a": [1], "x": [1], "y": [2]}))
    assert info.value.column == "x"


def test_extra_nested_struct_child_is_an_error() -> None:
    fields = [{"name": "s", "type": record({"name": "x", "type": "long"}, name="S")}]
    with pytest.raises(EncodeError, match="'z' in 's' not in the schema") as info:
        _enc(fields, pa.table({"s": [{"x": 1, "z": 2}]}))
    assert info.value.column == "s.z"


def test_bad_options() -> None:
    s = Schema.parse(record({"name": "a", "type": "long"}))
    t = pa.table({"a": [1]})
    with pytest.raises(ValueError, match="extra must be one of 'error', 'ignore'"):
        encode_bodies(t, s, extra="drop")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="chunk_rows"):
        encode_bodies(t, s, chunk_rows=0)
    with pytest.raises(TypeError, match="Avro"):
        encode_bodies(t, Schema.parse('{"type": "object"}', schema_type="JSON"))
    with pytest.raises(TypeError, match="not list"):
        encode_bodies([1, 2], s)


def test_encode_error_pickles() -> None:
    err = EncodeError("boom", column="a.b", row=3, value=[1, 2])
    back = pickle.loads(pickle.dumps(err))
    assert (str(back), back.column, back.row, back.value) == ("boom", "a.b", 3, [1, 2])
