"""Columnar Avro bodies equal fastavro's, type by type, with edge values (a rule table)."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import uuid
from typing import Any

import pyarrow as pa
import pytest

from schemakit import Schema
from schemakit.codec import encode_bodies

from ._oracle import fastavro_bodies, record

UTC = dt.UTC
I32 = (-(2**31), 2**31 - 1)
I64 = (-(2**63), 2**63 - 1)


def _t(avro_type: Any, logical: str | None = None, **extra: Any) -> Any:
    if logical is None and not extra:
        return avro_type
    out = {"type": avro_type, **extra}
    if logical:
        out["logicalType"] = logical
    return out


#: (id, field type, values) — each value is one row of a one-field record ``{"v": value}``.
CASES: list[tuple[str, Any, list[Any]]] = [
    ("null", "null", [None, None]),
    ("boolean", "boolean", [True, False]),
    ("int", "int", [0, -1, 1, 63, 64, -64, -65, 8191, 8192, *I32]),
    ("long", "long", [0, -1, 1, 2**31, -(2**31) - 1, 2**53 + 1, *I64]),
    ("float", "float", [0.0, -0.0, 1.5, -2.25, 3.4028234663852886e38, math.inf, -math.inf]),
    ("float-nan", "float", [math.nan]),
    ("double", "double", [0.0, -0.0, 1e-308, 5e-324, 1.7976931348623157e308, math.inf, -math.inf]),
    ("double-nan", "double", [math.nan]),
    ("bytes", "bytes", [b"", b"\x00", b"\xff" * 200, bytes(range(256))]),
    ("string", "string", ["", "a", "héllo wörld", "日本語", "🎉" * 40, "x" * 10_000]),
    ("enum", _t("enum", name="E", symbols=["A", "B", "C"]), ["A", "C", "B", "C"]),
    ("fixed", _t("fixed", name="F", size=4), [b"\x00\x00\x00\x00", b"abcd", b"\xff" * 4]),
    ("fixed-0", _t("fixed", name="F0", size=0), [b"", b""]),
    ("array-int", _t("array", items="int"), [[], [0], [1, -1, 2**31 - 1], list(range(200))]),
    ("array-string", _t("array", items="string"), [[], ["", "é"], ["x"] * 70]),
    ("map-long", _t("map", values="long"), [{}, {"a": 1}, {"": -1, "é": 2**40}]),
    ("map-array", _t("map", values=_t("array", items="double")), [{}, {"k": []}, {"k": [1.5]}]),
    ("null-first", ["null", "int"], [None, 0, None, -5]),
    ("null-second", ["string", "null"], ["", None, "x", None]),
    ("null-only", ["null"], [None, None]),
    (
        "nullable-record",
        ["null", record({"name": "a", "type": "int"}, name="Inner")],
        [None, {"a": 1}],
    ),
    ("nullable-array", [_t("array", items=["null", "long"]), "null"], [[None, 1], None, []]),
    ("date", _t("int", "date"), [dt.date(1970, 1, 1), dt.date(1, 1, 1), dt.date(9999, 12, 31)]),
    ("time-millis", _t("int", "time-millis"), [dt.time(0), dt.time(23, 59, 59, 999000)]),
    ("time-micros", _t("long", "time-micros"), [dt.time(0), dt.time(23, 59, 59, 999999)]),
    (
        "timestamp-millis",
        _t("long", "timestamp-millis"),
        [dt.datetime(1970, 1, 1, tzinfo=UTC), dt.datetime(1900, 1, 1, 0, 0, 0, 1000, tzinfo=UTC)],
    ),
    (
        "timestamp-micros",
        _t("long", "timestamp-micros"),
        [dt.datetime(2024, 2, 29, 12, 0, 0, 123456, tzinfo=UTC), dt.datetime(1, 1, 1, tzinfo=UTC)],
    ),
    (
        "local-timestamp-millis",
        _t("long", "local-timestamp-millis"),
        [dt.datetime(1969, 12, 31, 23, 59, 59, 999000), dt.datetime(2038, 1, 19, 3, 14, 8)],
    ),
    (
        "local-timestamp-micros",
        _t("long", "local-timestamp-micros"),
        [dt.datetime(1969, 12, 31, 23, 59, 59, 999999), dt.datetime(2100, 1, 1)],
    ),
    (
        "decimal-bytes",
        _t("bytes", "decimal", precision=10, scale=2),
        [
            decimal.Decimal(v)
            for v in (
                "0.00",
                "0.01",
                "-0.01",
                "1.27",
                "1.28",
                "-1.28",
                "-1.29",
                "99999999.99",
                "-99999999.99",
                "327.67",
                "-327.68",
            )
        ],
    ),
    (
        "decimal-bytes-38",
        _t("bytes", "decimal", precision=38, scale=0),
        [decimal.Decimal("9" * 38), decimal.Decimal("-" + "9" * 38), decimal.Decimal(-128)],
    ),
    (
        "decimal-bytes-wide",
        _t("bytes", "decimal", precision=50, scale=3),
        [decimal.Decimal("1" * 47 + ".125"), decimal.Decimal("-0.001"), decimal.Decimal(0)],
    ),
    (
        "decimal-fixed",
        _t("fixed", "decimal", name="D", size=5, precision=11, scale=3),
        [decimal.Decimal(v) for v in ("0.000", "-0.001", "12345678.901", "-12345678.901")],
    ),
    (
        "decimal-fixed-wide",
        _t("fixed", "decimal", name="DW", size=20, precision=40, scale=0),
        [decimal.Decimal("-1"), decimal.Decimal("9" * 40)],
    ),
    ("uuid", _t("string", "uuid"), [str(uuid.UUID(int=0)), str(uuid.UUID(int=2**128 - 1))]),
]

NESTED_LIST_STRUCT_MAP_LIST = _t(
    "array",
    items=record(
        {"name": "m", "type": _t("map", values=_t("array", items=["null", "int"]))},
        {"name": "s", "type": "string"},
        name="Item",
    ),
)
CASES.append(
    (
        "list<struct<map<list>>>",
        NESTED_LIST_STRUCT_MAP_LIST,
        [
            [],
            [{"m": {}, "s": ""}],
            [{"m": {"a": [1, None, -3], "b": []}, "s": "x"}, {"m": {"c": [None]}, "s": "é"}],
        ],
    )
)
CASES.append(
    (
        "record-depth-3",
        record(
            {
                "name": "a",
                "type": record(
                    {
                        "name": "b",
                        "type": record(
                            {"name": "c", "type": "long"},
                            {"name": "d", "type": ["null", "string"]},
                            name="L3",
                        ),
                    },
                    name="L2",
                ),
            },
            {"name": "z", "type": "boolean"},
            name="L1",
        ),
        [
            {"a": {"b": {"c": 1, "d": None}}, "z": True},
            {"a": {"b": {"c": -1, "d": "q"}}, "z": False},
        ],
    )
)


def _check(field_type: Any, values: list[Any]) -> None:
    schema = record({"name": "v", "type": field_type})
    rows = [{"v": v} for v in values]
    parsed = Schema.parse(schema)
    table = pa.Table.from_pylist(rows, schema=parsed.to_arrow())
    got = encode_bodies(table, parsed).to_pylist()
    assert got == fastavro_bodies(schema, rows)


@pytest.mark.parametrize(
    ("field_type", "values"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bodies_match_fastavro(field_type: Any, values: list[Any]) -> None:
    _check(field_type, values)


@pytest.mark.parametrize(
    ("field_type", "values"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_sliced_input_matches_fastavro(field_type: Any, values: list[Any]) -> None:
    """Arrow arrays with an offset (slices of bigger arrays) encode the same."""
    schema = record({"name": "v", "type": field_type})
    rows = [{"v": v} for v in values]
    parsed = Schema.parse(schema)
    padded = [rows[0], *rows, rows[-1]]
    table = pa.Table.from_pylist(padded, schema=parsed.to_arrow()).slice(1, len(rows))
    assert encode_bodies(table, parsed).to_pylist() == fastavro_bodies(schema, rows)


def test_many_fields_and_chunks() -> None:
    schema = record(
        {"name": "i", "type": "int"},
        {"name": "s", "type": ["null", "string"]},
        {"name": "d", "type": "double"},
        {"name": "a", "type": _t("array", items="long")},
    )
    rows = [
        {
            "i": i - 50,
            "s": None if i % 3 == 0 else "r" * (i % 7),
            "d": i / 7,
            "a": list(range(i % 4)),
        }
        for i in range(100)
    ]
    parsed = Schema.parse(schema)
    table = pa.Table.from_pylist(rows, schema=parsed.to_arrow())
    expected = fastavro_bodies(schema, rows)
    assert encode_bodies(table, parsed, chunk_rows=7).to_pylist() == expected
    chunked = pa.concat_tables([table.slice(0, 33), table.slice(33)])
    assert encode_bodies(chunked, parsed).to_pylist() == expected


def test_empty_table() -> None:
    parsed = Schema.parse(record({"name": "a", "type": "int"}))
    table = pa.table({"a": pa.array([], pa.int32())})
    out = encode_bodies(table, parsed)
    assert out.type == pa.binary()
    assert len(out) == 0


def test_record_with_no_fields() -> None:
    parsed = Schema.parse(record())
    out = encode_bodies(pa.table({"x": [1, 2]}).drop_columns(["x"]), parsed)
    assert out.to_pylist() == [b"", b""]


# -- input types other than the schema's own Arrow type ------------------------------------


#: (id, field type, Arrow array, the Python values fastavro gets)
CONVERSIONS: list[tuple[str, Any, pa.Array, list[Any]]] = [
    ("int8→int", "int", pa.array([-128, 127], pa.int8()), [-128, 127]),
    ("uint16→int", "int", pa.array([0, 65535], pa.uint16()), [0, 65535]),
    ("int64→int", "int", pa.array([-(2**31), 2**31 - 1], pa.int64()), [-(2**31), 2**31 - 1]),
    ("uint32→long", "long", pa.array([2**32 - 1], pa.uint32()), [2**32 - 1]),
    ("uint64→long", "long", pa.array([0, 2**63 - 1], pa.uint64()), [0, 2**63 - 1]),
    ("float64→float", "float", pa.array([0.1, 1e-50], pa.float64()), [0.1, 1e-50]),
    (
        "float32→double",
        "double",
        pa.array([0.1], pa.float32()),
        [float(pa.scalar(0.1, pa.float32()).as_py())],
    ),
    ("int64→double", "double", pa.array([2**53 + 1, -3], pa.int64()), [float(2**53 + 1), -3.0]),
    ("large_string", "string", pa.array(["a", ""], pa.large_string()), ["a", ""]),
    ("string_view", "string", pa.array(["a", "bcd" * 9], pa.string_view()), ["a", "bcd" * 9]),
    ("large_binary", "bytes", pa.array([b"a"], pa.large_binary()), [b"a"]),
    ("binary→fixed", _t("fixed", name="F", size=2), pa.array([b"ab"], pa.binary()), [b"ab"]),
    (
        "dictionary→string",
        "string",
        pa.array(["x", "y", "x"]).dictionary_encode(),
        ["x", "y", "x"],
    ),
    (
        "dictionary→enum",
        _t("enum", name="E", symbols=["y", "x", "z"]),
        pa.array(["x", "y", "x"]).dictionary_encode(),
        ["x", "y", "x"],
    ),
    (
        "string→enum",
        _t("enum", name="E", symbols=["y", "x"]),
        pa.array(["x", "y"], pa.large_string()),
        ["x", "y"],
    ),
    (
        "date64→date",
        _t("int", "date"),
        pa.array([dt.date(1969, 12, 31), dt.date(2000, 1, 1)], pa.date64()),
        [dt.date(1969, 12, 31), dt.date(2000, 1, 1)],
    ),
    (
        "time64[ns]→time-millis",
        _t("int", "time-millis"),
        pa.array([1_999_999_999], pa.time64("ns")),
        [dt.time(0, 0, 1, 999000)],
    ),
    (
        "time32[s]→time-micros",
        _t("long", "time-micros"),
        pa.array([3661], pa.time32("s")),
        [dt.time(1, 1, 1)],
    ),
    (
        "timestamp[ns]→timestamp-micros (floor)",
        _t("long", "timestamp-micros"),
        pa.array([-1, 1_999, -1_001], pa.timestamp("ns", tz="UTC")),
        [-1, 1, -2],
    ),
    (
        "timestamp[us]→timestamp-millis (floor)",
        _t("long", "timestamp-millis"),
        pa.array([-1, 1_999, 1_000_000], pa.timestamp("us", tz="Europe/Paris")),
        [
            dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
            dt.datetime(1970, 1, 1, 0, 0, 0, 1999, tzinfo=UTC),
            dt.datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC),
        ],
    ),
    (
        "timestamp[s]→timestamp-micros",
        _t("long", "timestamp-micros"),
        pa.array([-5, 1_700_000_000], pa.timestamp("s", tz="UTC")),
        [-5_000_000, 1_700_000_000_000_000],
    ),
    (
        "timestamp[us, tz]→local-timestamp-micros (wall clock)",
        _t("long", "local-timestamp-micros"),
        pa.array([dt.datetime(2024, 7, 1, 12, tzinfo=UTC)], pa.timestamp("us", tz="Europe/Paris")),
        [dt.datetime(2024, 7, 1, 14, 0)],
    ),
    (
        "int64→timestamp-millis (raw)",
        _t("long", "timestamp-millis"),
        pa.array([-1, 5], pa.int64()),
        [-1, 5],
    ),
    (
        "decimal scale 1→2",
        _t("bytes", "decimal", precision=6, scale=2),
        pa.array([decimal.Decimal("-1.5")], pa.decimal128(5, 1)),
        [decimal.Decimal("-1.50")],
    ),
    (
        "decimal256→bytes decimal",
        _t("bytes", "decimal", precision=10, scale=0),
        pa.array([decimal.Decimal(-129)], pa.decimal256(10, 0)),
        [decimal.Decimal(-129)],
    ),
    (
        "uuid extension→uuid string",
        _t("string", "uuid"),
        pa.array([uuid.UUID(int=0x0123456789ABCDEF0123456789ABCDEF).bytes], pa.uuid()),
        ["01234567-89ab-cdef-0123-456789abcdef"],
    ),
    (
        "fixed_size_list→array",
        _t("array", items="int"),
        pa.array([[1, 2], [3, 4]], pa.list_(pa.int32(), 2)),
        [[1, 2], [3, 4]],
    ),
]


@pytest.mark.parametrize(
    ("field_type", "array", "values"), [c[1:] for c in CONVERSIONS], ids=[c[0] for c in CONVERSIONS]
)
def test_arrow_conversions_match_fastavro(
    field_type: Any, array: pa.Array, values: list[Any]
) -> None:
    schema = record({"name": "v", "type": field_type})
    table = pa.table({"v": array})
    got = encode_bodies(table, Schema.parse(schema)).to_pylist()
    assert got == fastavro_bodies(schema, [{"v": v} for v in values])


# -- general unions ---------------------------------------------------------------------------


def test_dense_union_matches_fastavro_tuple_notation() -> None:
    branches = ["null", "int", "string", record({"name": "x", "type": "long"}, name="U")]
    schema = record({"name": "v", "type": branches})
    types = pa.array([0, 1, 2, 3, 1, 2], pa.int8())
    offsets = pa.array([0, 0, 0, 0, 1, 1], pa.int32())
    children = [
        pa.nulls(1),
        pa.array([5, -(2**31)], pa.int32()),
        pa.array(["é", ""]),
        pa.array([{"x": 7}], pa.struct([("x", pa.int64())])),
    ]
    union = pa.UnionArray.from_dense(types, offsets, children, ["null", "int", "string", "U"])
    got = encode_bodies(pa.table({"v": union}), Schema.parse(schema)).to_pylist()
    rows = [None, ("int", 5), ("string", "é"), ("U", {"x": 7}), ("int", -(2**31)), ("string", "")]
    assert got == fastavro_bodies(schema, [{"v": r} for r in rows])


def test_dense_union_null_child_value_takes_null_branch() -> None:
    schema = record({"name": "v", "type": ["int", "null", "string"]})
    union = pa.UnionArray.from_dense(
        pa.array([0, 2, 0], pa.int8()),
        pa.array([0, 0, 1], pa.int32()),
        [pa.array([1, None], pa.int32()), pa.nulls(0), pa.array(["a"])],
    )
    got = encode_bodies(pa.table({"v": union}), Schema.parse(schema)).to_pylist()
    assert got == fastavro_bodies(schema, [{"v": 1}, {"v": "a"}, {"v": None}])


def test_union_by_arrow_type() -> None:
    """A plain column for a union picks the one branch of its kind (nulls: the null branch)."""
    schema = record(
        {"name": "a", "type": ["null", "string", "long", _t("array", items="int")]},
        {"name": "b", "type": ["double", "boolean" if False else "string", "null"]},
    )
    table = pa.table({"a": pa.array([1, None, -2], pa.int64()), "b": pa.array([None, 1.5, -0.0])})
    got = encode_bodies(table, Schema.parse(schema)).to_pylist()
    rows = [{"a": 1, "b": None}, {"a": None, "b": 1.5}, {"a": -2, "b": -0.0}]
    assert got == fastavro_bodies(schema, rows)


# -- column names, defaults, schemas that are not records -----------------------------------


def test_original_name_reads_the_dataframe_column() -> None:
    schema = record(
        {"name": "dep_time", "type": "int", "schemakit.original_name": "dep time"},
        {
            "name": "n",
            "type": record(
                {"name": "a_b", "type": "string", "schemakit.original_name": "a-b"}, name="N"
            ),
        },
    )
    table = pa.table(
        {
            "dep time": pa.array([1, 2], pa.int32()),
            "n": pa.array([{"a-b": "x"}, {"a-b": "y"}]),
        }
    )
    got = encode_bodies(table, Schema.parse(schema)).to_pylist()
    rows = [{"dep_time": 1, "n": {"a_b": "x"}}, {"dep_time": 2, "n": {"a_b": "y"}}]
    assert got == fastavro_bodies(schema, rows)


def test_missing_columns_get_their_defaults() -> None:
    schema = record(
        {"name": "a", "type": "int"},
        {"name": "b", "type": "bytes", "default": "\u00ff\u0000A"},
        {"name": "c", "type": _t("fixed", name="F", size=2), "default": "\u00e9\u0001"},
        {"name": "d", "type": ["null", "string"], "default": None},
        {"name": "e", "type": ["long", "null"], "default": -3},
        {"name": "f", "type": _t("array", items="double"), "default": [1.5, 2]},
        {"name": "g", "type": _t("map", values="boolean"), "default": {"k": True}},
        {"name": "h", "type": _t("enum", name="E", symbols=["X", "Y"]), "default": "Y"},
        {
            "name": "i",
            "type": record(
                {"name": "p", "type": "string", "default": "def"},
                {"name": "q", "type": "float"},
                name="Inner",
            ),
            "default": {"q": 0.5},
        },
        {"name": "j", "type": _t("long", "timestamp-millis"), "default": 1000},
    )
    table = pa.table({"a": pa.array([7, 8], pa.int32())})
    got = encode_bodies(table, Schema.parse(schema)).to_pylist()
    # The specification's bytes: code points 0–255 are the bytes (fastavro would UTF-8 them).
    row = {
        "b": b"\xff\x00A",
        "c": b"\xe9\x01",
        "d": None,
        "e": -3,
        "f": [1.5, 2.0],
        "g": {"k": True},
        "h": "Y",
        "i": {"p": "def", "q": 0.5},
        "j": 1000,
    }
    assert got == fastavro_bodies(schema, [{"a": 7, **row}, {"a": 8, **row}])


def test_extra_ignore() -> None:
    schema = record({"name": "a", "type": "int"})
    table = pa.table({"a": pa.array([1], pa.int32()), "zzz": [1], "s": [{"x": 1}]})
    got = encode_bodies(table, Schema.parse(schema), extra="ignore").to_pylist()
    assert got == fastavro_bodies(schema, [{"a": 1}])


def test_nested_extra_ignore() -> None:
    schema = record({"name": "s", "type": record({"name": "x", "type": "long"}, name="S")})
    table = pa.table({"s": [{"x": 1, "y": "extra"}]})
    got = encode_bodies(table, Schema.parse(schema), extra="ignore").to_pylist()
    assert got == fastavro_bodies(schema, [{"s": {"x": 1}}])


@pytest.mark.parametrize(
    ("schema", "array", "values"),
    [
        ("long", pa.array([1, -1], pa.int64()), [1, -1]),
        (["null", "string"], pa.array(["a", None]), ["a", None]),
        (_t("array", items="int"), pa.array([[1], []], pa.list_(pa.int32())), [[1], []]),
    ],
)
def test_non_record_schema_reads_value_column(
    schema: Any, array: pa.Array, values: list[Any]
) -> None:
    got = encode_bodies(pa.table({"value": array}), Schema.parse(schema)).to_pylist()
    assert got == fastavro_bodies(schema, values)


def test_pandas_dataframe_input() -> None:
    import pandas as pd

    schema = record(
        {"name": "a", "type": "long"},
        {"name": "b", "type": ["null", "double"]},
        {"name": "c", "type": ["null", "string"]},
    )
    frame = pd.DataFrame(
        {"a": [1, 2, 3], "b": [1.5, None, 3.0], "c": ["x", None, "z"]}, index=[9, 8, 7]
    )
    got = encode_bodies(frame, Schema.parse(schema)).to_pylist()
    rows = [
        {"a": 1, "b": 1.5, "c": "x"},
        {"a": 2, "b": None, "c": None},
        {"a": 3, "b": 3.0, "c": "z"},
    ]
    assert got == fastavro_bodies(schema, rows)


def test_record_batch_input() -> None:
    schema = record({"name": "a", "type": "string"})
    batch = pa.record_batch({"a": ["x", "yy"]})
    assert encode_bodies(batch, Schema.parse(schema)).to_pylist() == fastavro_bodies(
        schema, [{"a": "x"}, {"a": "yy"}]
    )


def test_named_type_used_twice() -> None:
    point = record({"name": "x", "type": "int"}, name="P")
    schema = record({"name": "a", "type": point}, {"name": "b", "type": ["null", "P"]})
    rows = [{"a": {"x": 1}, "b": None}, {"a": {"x": 2}, "b": {"x": 3}}]
    parsed = Schema.parse(schema)
    table = pa.Table.from_pylist(rows, schema=parsed.to_arrow())
    assert encode_bodies(table, parsed).to_pylist() == fastavro_bodies(schema, rows)


# -- where fastavro has no support: the specification (DESIGN.md, last section) ------------


def test_timestamp_nanos_follow_the_specification() -> None:
    """timestamp-nanos / local-timestamp-nanos: a long count of nanoseconds (Avro 1.12)."""
    schema = record(
        {"name": "t", "type": _t("long", "timestamp-nanos")},
        {"name": "l", "type": _t("long", "local-timestamp-nanos")},
    )
    counts = [0, -1, 1_700_000_000_123_456_789, -(2**63)]
    table = pa.table(
        {
            "t": pa.array(counts, pa.timestamp("ns", tz="UTC")),
            "l": pa.array([5, 6, 7, 8], pa.timestamp("ns")),
        }
    )
    got = encode_bodies(table, Schema.parse(schema)).to_pylist()
    expected = [
        a + b
        for a, b in zip(
            fastavro_bodies("long", counts), fastavro_bodies("long", [5, 6, 7, 8]), strict=True
        )
    ]
    assert got == expected


def test_timestamp_micros_to_nanos_multiplies() -> None:
    schema = record({"name": "t", "type": _t("long", "timestamp-nanos")})
    table = pa.table({"t": pa.array([-3, 2], pa.timestamp("us", tz="UTC"))})
    got = encode_bodies(table, Schema.parse(schema)).to_pylist()
    assert got == fastavro_bodies("long", [-3000, 2000])


def test_duration_follows_the_specification() -> None:
    """duration: fixed(12), three little-endian unsigned 32-bit months, days, milliseconds."""
    import struct

    schema = record(
        {"name": "d", "type": _t("fixed", "duration", name="Dur", size=12)},
        {"name": "e", "type": ["null", "Dur"]},
    )
    table = pa.table(
        {
            "d": pa.array(
                [(1, 2, 3_999_999), (0, 0, 0), (2**31 - 1, 5, 2**32 * 10**6 - 1)],
                pa.month_day_nano_interval(),
            ),
            "e": pa.array(
                [None, dt.timedelta(milliseconds=1500), dt.timedelta(days=2)], pa.duration("us")
            ),
        }
    )
    got = encode_bodies(table, Schema.parse(schema)).to_pylist()
    assert got == [
        struct.pack("<III", 1, 2, 3) + b"\x00",
        struct.pack("<III", 0, 0, 0) + b"\x02" + struct.pack("<III", 0, 0, 1500),
        struct.pack("<III", 2**31 - 1, 5, 2**32 - 1)
        + b"\x02"
        + struct.pack("<III", 0, 0, 172_800_000),
    ]


def test_duration_from_fixed_bytes() -> None:
    schema = record({"name": "d", "type": _t("fixed", "duration", name="Dur", size=12)})
    raw = bytes(range(12))
    got = encode_bodies(pa.table({"d": pa.array([raw], pa.binary(12))}), Schema.parse(schema))
    assert got.to_pylist() == [raw]


# -- the numpy path (used when numba is not installed) ------------------------------------


@pytest.fixture
def numpy_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from schemakit.codec import _writer

    monkeypatch.setattr(_writer, "USE_NUMBA", False)


@pytest.mark.usefixtures("numpy_only")
@pytest.mark.parametrize(
    ("field_type", "values"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_numpy_path_matches_fastavro(field_type: Any, values: list[Any]) -> None:
    _check(field_type, values)


@pytest.mark.usefixtures("numpy_only")
def test_numpy_path_defaults_and_chunks() -> None:
    test_missing_columns_get_their_defaults()
    test_many_fields_and_chunks()


def test_union_with_more_than_64_branches() -> None:
    """Branch indexes of 64 and above take two varint bytes."""
    branches: list[Any] = [{"type": "fixed", "name": f"F{i}", "size": 1} for i in range(70)]
    schema = record({"name": "u", "type": branches}, {"name": "z", "type": "int"})
    chosen = [65, 3, 69, 64, 63]
    children = [pa.array([bytes([i])] * chosen.count(i), pa.binary(1)) for i in range(70)]
    seen: dict[int, int] = {}
    offsets = []
    for i in chosen:
        offsets.append(seen.get(i, 0))
        seen[i] = seen.get(i, 0) + 1
    union = pa.UnionArray.from_dense(
        pa.array(chosen, pa.int8()), pa.array(offsets, pa.int32()), children
    )
    table = pa.table({"u": union, "z": pa.array(range(5), pa.int32())})
    got = encode_bodies(table, Schema.parse(schema)).to_pylist()
    rows = [{"u": (f"F{i}", bytes([i])), "z": z} for z, i in enumerate(chosen)]
    assert got == fastavro_bodies(schema, rows)
