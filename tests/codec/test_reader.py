"""The columnar Avro reader: per-type tables, evolution, every error reason, hostile input.

fastavro is the oracle: bodies are written by ``fastavro.schemaless_writer`` and the decoded
rows compared with ``fastavro.schemaless_reader`` (with the reader schema for evolution),
except where DESIGN.md's last section says the specification wins (bytes/fixed defaults).
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import pickle
import random
import uuid
from typing import Any

import fastavro
import numpy as np
import pyarrow as pa
import pytest

from schemakit import Schema
from schemakit.codec import _reader
from schemakit.codec._reader import DECODE_REASONS, decode_bodies
from schemakit.errors import DecodeError, IncompatibleSchemaError

from ._oracle import fastavro_bodies, record

UTC = dt.UTC


@pytest.fixture(params=["fused", "numba", "numpy"])
def kernels(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the fused record kernel (from any row count), with the compiled
    lockstep kernels, and with the numpy path."""
    if request.param == "numpy":
        monkeypatch.setattr(_reader, "USE_NUMBA", False)
    monkeypatch.setattr(_reader, "FUSED_MIN_ROWS", 0 if request.param == "fused" else 10**9)
    return str(request.param)


def normalize(value: Any) -> Any:
    """Arrow ``to_pylist`` and fastavro values in one comparable form."""
    if value == {} or value == []:
        return []  # an empty map is an empty list of pairs in Arrow's to_pylist
    if isinstance(value, list) and all(isinstance(v, tuple) for v in value):
        return {k: normalize(v) for k, v in value}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, float) and value != value:
        return "NaN"
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return ("aware", value.astimezone(UTC).replace(tzinfo=None))
    return value


def oracle(writer: Any, reader: Any, bodies: list[bytes]) -> list[Any]:
    w = fastavro.parse_schema(writer)
    r = fastavro.parse_schema(reader)
    return [normalize(fastavro.schemaless_reader(io.BytesIO(b), w, r)) for b in bodies]


def decoded(writer: Any, bodies: list[bytes], reader: Any = None) -> list[Any]:
    table = decode_bodies(
        pa.array(bodies, pa.binary()),
        Schema.parse(writer),
        None if reader is None else Schema.parse(reader),
    )
    return [normalize(row) for row in table.to_pylist()]


# -- per type -------------------------------------------------------------------------------

ENUM = {"type": "enum", "name": "E", "symbols": ["A", "B", "C"]}
FIXED = {"type": "fixed", "name": "F", "size": 4}
DEC_BYTES = {"type": "bytes", "logicalType": "decimal", "precision": 20, "scale": 3}
DEC_FIXED = {
    "type": "fixed",
    "name": "D",
    "size": 8,
    "logicalType": "decimal",
    "precision": 18,
    "scale": 2,
}
DEC_WIDE = {"type": "bytes", "logicalType": "decimal", "precision": 50, "scale": 5}
D = decimal.Decimal

TYPES: list[tuple[str, Any, list[Any]]] = [
    ("null", "null", [None]),
    ("boolean", "boolean", [True, False]),
    ("int", "int", [0, 1, -1, 63, -64, 64, 2**31 - 1, -(2**31)]),
    ("long", "long", [0, -1, 2**63 - 1, -(2**63), 2**35]),
    ("float", "float", [0.0, -1.5, float("inf"), float("nan"), 3.4e38]),
    ("double", "double", [0.0, 1e-300, float("-inf"), float("nan"), 2.5]),
    ("string", "string", ["", "a", "héllo ✓", "x" * 300]),
    ("bytes", "bytes", [b"", b"\x00\xff", b"y" * 200]),
    ("enum", ENUM, ["A", "C", "B"]),
    ("fixed", FIXED, [b"abcd", b"\x00\x00\x00\x00"]),
    ("fixed0", {"type": "fixed", "name": "Z", "size": 0}, [b"", b""]),
    ("array", {"type": "array", "items": "long"}, [[], [1], list(range(70))]),
    (
        "array-nested",
        {"type": "array", "items": {"type": "array", "items": "string"}},
        [[], [[]], [["a", "b"], [], ["c"]]],
    ),
    ("map", {"type": "map", "values": "int"}, [{}, {"a": 1}, {"k" + str(i): i for i in range(40)}]),
    (
        "record",
        record({"name": "x", "type": "int"}, {"name": "y", "type": "string"}, name="S"),
        [{"x": 1, "y": "a"}, {"x": -2, "y": ""}],
    ),
    ("empty-record", record(name="Empty"), [{}, {}]),
    ("nullable", ["null", "string"], [None, "a", None]),
    ("nullable-last", ["long", "null"], [None, 5, -7]),
    ("nullable-record", ["null", record({"name": "x", "type": "int"}, name="S")], [None, {"x": 3}]),
    ("union", ["int", "string", "null", FIXED], [1, "a", None, b"wxyz"]),
    ("nullable-fixed0", ["null", {"type": "fixed", "name": "Z0", "size": 0}], [None, b""]),
    (
        "date",
        {"type": "int", "logicalType": "date"},
        [dt.date(1970, 1, 1), dt.date(1, 1, 1), dt.date(9999, 12, 31)],
    ),
    (
        "time-millis",
        {"type": "int", "logicalType": "time-millis"},
        [dt.time(0, 0), dt.time(23, 59, 59, 999000)],
    ),
    (
        "time-micros",
        {"type": "long", "logicalType": "time-micros"},
        [dt.time(0, 0), dt.time(12, 30, 1, 5)],
    ),
    (
        "timestamp-millis",
        {"type": "long", "logicalType": "timestamp-millis"},
        [dt.datetime(2020, 1, 1, 1, 2, 3, 4000, tzinfo=UTC), dt.datetime(1900, 1, 1, tzinfo=UTC)],
    ),
    (
        "timestamp-micros",
        {"type": "long", "logicalType": "timestamp-micros"},
        [dt.datetime(2020, 1, 1, 1, 2, 3, 4, tzinfo=UTC), dt.datetime(1960, 6, 1, tzinfo=UTC)],
    ),
    (
        "decimal-bytes",
        DEC_BYTES,
        [D("0.000"), D("-1.000"), D("12345678901234567.891"), D("-99999999999999999.999")],
    ),
    ("decimal-fixed", DEC_FIXED, [D("0.00"), D("-0.01"), D("9999999999999999.99")]),
    ("decimal256", DEC_WIDE, [D("0.00000"), D("-123456789012345678901234567890.12345")]),
    ("uuid", {"type": "string", "logicalType": "uuid"}, ["8d5d2d9e-4c2f-4c8e-9b1a-0a1b2c3d4e5f"]),
]


@pytest.mark.parametrize(("name", "avro", "values"), TYPES, ids=[t[0] for t in TYPES])
@pytest.mark.usefixtures("kernels")
def test_types_match_fastavro(name: str, avro: Any, values: list[Any]) -> None:
    schema = record({"name": "v", "type": avro}, {"name": "tail", "type": "int"})
    rows = [{"v": v, "tail": i} for i, v in enumerate(values)]
    bodies = fastavro_bodies(schema, rows)
    assert decoded(schema, bodies) == oracle(schema, schema, bodies)


@pytest.mark.parametrize(("name", "avro", "values"), TYPES, ids=[t[0] for t in TYPES])
def test_types_keep_the_arrow_schema(name: str, avro: Any, values: list[Any]) -> None:
    schema = record({"name": "v", "type": avro})
    bodies = fastavro_bodies(schema, [{"v": v} for v in values])
    parsed = Schema.parse(schema)
    table = decode_bodies(pa.array(bodies, pa.binary()), parsed)
    assert table.schema.equals(parsed.to_arrow())
    assert table.num_rows == len(values)


def test_local_timestamps_are_naive() -> None:
    # DESIGN.md, last section: naive datetimes are never shifted by the machine's time zone.
    schema = record(
        {"name": "ms", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
        {"name": "us", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
    )
    body = b"\xd0\x0f" + b"\x02"  # 1000 ms, 1 us
    table = decode_bodies(pa.array([body], pa.binary()), Schema.parse(schema))
    assert table.schema.field("ms").type == pa.timestamp("ms")
    assert table.to_pylist() == [
        {"ms": dt.datetime(1970, 1, 1, 0, 0, 1), "us": dt.datetime(1970, 1, 1, 0, 0, 0, 1)}
    ]


def test_timestamp_nanos_follow_the_spec() -> None:
    # fastavro has no nanosecond timestamps (DESIGN.md, last section): the spec's long of ns.
    schema = record({"name": "t", "type": {"type": "long", "logicalType": "timestamp-nanos"}})
    table = decode_bodies(pa.array([b"\x02"], pa.binary()), Schema.parse(schema))
    assert table.schema.field("t").type == pa.timestamp("ns", tz="UTC")
    assert table.column("t").cast(pa.int64()).to_pylist() == [1]


def test_non_record_schema_is_one_value_column() -> None:
    schema = ["null", "long"]
    bodies = fastavro_bodies(schema, [None, 3, -4])
    table = decode_bodies(pa.array(bodies, pa.binary()), Schema.parse(schema))
    assert table.column_names == ["value"]
    assert table.column("value").to_pylist() == [None, 3, -4]


def test_original_names_are_restored() -> None:
    schema = record(
        {"name": "dep_time", "type": "int", "schemakit.original_name": "dep time"},
        {
            "name": "inner",
            "type": record(
                {"name": "a_b", "type": "int", "schemakit.original_name": "a-b"}, name="In"
            ),
        },
    )
    bodies = fastavro_bodies(schema, [{"dep_time": 1, "inner": {"a_b": 2}}])
    table = decode_bodies(pa.array(bodies, pa.binary()), Schema.parse(schema))
    assert table.column_names == ["dep time", "inner"]
    assert table.to_pylist() == [{"dep time": 1, "inner": {"a-b": 2}}]


def test_offsets_and_values_input_and_sliced_arrays() -> None:
    schema = record({"name": "s", "type": "string"})
    bodies = pa.array(fastavro_bodies(schema, [{"s": "a"}, {"s": "bc"}, {"s": "d"}]), pa.binary())
    sliced = bodies.slice(1)
    assert decode_bodies(sliced, Schema.parse(schema)).column("s").to_pylist() == ["bc", "d"]
    offsets = np.asarray(bodies.buffers()[1]).view(np.int32).astype(np.int64)
    values = np.frombuffer(bodies.buffers()[2], np.uint8)
    got = decode_bodies((offsets, values), Schema.parse(schema)).column("s").to_pylist()
    assert got == ["a", "bc", "d"]


def test_multiple_and_negative_blocks(kernels: str) -> None:
    # Arrays written as several blocks, one with a negative count and a byte size.
    schema = record({"name": "a", "type": {"type": "array", "items": "int"}})
    # block 1: count 2 → 1, 2; block 2: count -1 (byte size 1) → 3; end.
    body = b"\x04\x02\x04" + b"\x01\x02\x06" + b"\x00"
    table = decode_bodies(pa.array([body, b"\x00"], pa.binary()), Schema.parse(schema))
    assert table.column("a").to_pylist() == [[1, 2, 3], []]


def test_empty_batch() -> None:
    schema = Schema.parse(record({"name": "a", "type": "int"}))
    table = decode_bodies(pa.array([], pa.binary()), schema)
    assert table.num_rows == 0
    assert table.schema.equals(schema.to_arrow())


# -- evolution -------------------------------------------------------------------------------

S_RECORD = record({"name": "x", "type": "int"}, {"name": "gone", "type": "string"}, name="S")
S_READER = record({"name": "x", "type": "long"}, name="S")

EVOLUTION: list[tuple[str, Any, Any, list[dict[str, Any]]]] = [
    (
        "field added with default",
        record({"name": "a", "type": "int"}),
        record(
            {"name": "a", "type": "int"},
            {"name": "b", "type": "string", "default": "hi"},
            {"name": "c", "type": ["null", "long"], "default": None},
            {"name": "d", "type": {"type": "array", "items": "int"}, "default": [1, 2]},
            {"name": "e", "type": ENUM, "default": "B"},
            {
                "name": "f",
                "type": record({"name": "q", "type": "double"}, name="Q"),
                "default": {"q": 1.5},
            },
            {"name": "g", "type": {"type": "map", "values": "int"}, "default": {"k": 1}},
        ),
        [{"a": 1}, {"a": -1}],
    ),
    (
        "field removed at depth",
        record({"name": "r", "type": S_RECORD}, {"name": "z", "type": "int"}),
        record({"name": "r", "type": S_READER}, {"name": "z", "type": "int"}),
        [{"r": {"x": 5, "gone": "bye"}, "z": 9}],
    ),
    (
        "removed fields of every kind",
        record(
            {"name": "keep", "type": "int"},
            {"name": "a", "type": {"type": "array", "items": {"type": "map", "values": "string"}}},
            {"name": "u", "type": ["null", "double", FIXED]},
            {"name": "e", "type": ENUM},
            {"name": "b", "type": "boolean"},
            {"name": "f", "type": "float"},
            {"name": "last", "type": "long"},
        ),
        record({"name": "keep", "type": "int"}, {"name": "last", "type": "long"}),
        [
            {
                "keep": 1,
                "a": [{"x": "y"}, {}],
                "u": b"abcd",
                "e": "C",
                "b": True,
                "f": 1.0,
                "last": 7,
            },
            {"keep": 2, "a": [], "u": None, "e": "A", "b": False, "f": 2.0, "last": -7},
            {"keep": 3, "a": [{}], "u": 2.5, "e": "B", "b": False, "f": 2.0, "last": 0},
        ],
    ),
    (
        "int to long, float, double; long to double; float to double",
        record(
            {"name": "a", "type": "int"},
            {"name": "b", "type": "int"},
            {"name": "c", "type": "int"},
            {"name": "d", "type": "long"},
            {"name": "e", "type": "float"},
        ),
        record(
            {"name": "a", "type": "long"},
            {"name": "b", "type": "float"},
            {"name": "c", "type": "double"},
            {"name": "d", "type": "double"},
            {"name": "e", "type": "double"},
        ),
        [{"a": 2**31 - 1, "b": 3, "c": -(2**31), "d": 2**53, "e": 0.5}],
    ),
    (
        "string and bytes",
        record({"name": "s", "type": "string"}, {"name": "b", "type": "bytes"}),
        record({"name": "s", "type": "bytes"}, {"name": "b", "type": "string"}),
        [{"s": "é", "b": b"ok"}],
    ),
    (
        "enum with default for unknown symbol",
        record({"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B", "X"]}}),
        record(
            {
                "name": "e",
                "type": {"type": "enum", "name": "E", "symbols": ["B", "A", "U"], "default": "U"},
            }
        ),
        [{"e": "A"}, {"e": "X"}, {"e": "B"}],
    ),
    (
        "union branch resolution",
        record({"name": "u", "type": ["null", "int", "string"]}),
        record({"name": "u", "type": ["string", "null", "long"]}),
        [{"u": None}, {"u": 4}, {"u": "s"}],
    ),
    (
        "writer union read as a single type",
        record({"name": "u", "type": ["int", "long"]}),
        record({"name": "u", "type": "long"}),
        [{"u": 1}, {"u": 2**40}],
    ),
    (
        "writer union into a nullable reader",
        record({"name": "u", "type": ["null", "int"]}),
        record({"name": "u", "type": ["null", "double"]}),
        [{"u": None}, {"u": 2}],
    ),
    (
        "non-union writer read into a reader union",
        record({"name": "u", "type": "int"}, {"name": "w", "type": "string"}),
        record({"name": "u", "type": ["null", "long"]}, {"name": "w", "type": ["int", "string"]}),
        [{"u": 3, "w": "a"}],
    ),
    (
        "alias-renamed field and record",
        record({"name": "old", "type": record({"name": "v", "type": "int"}, name="Old")}),
        record(
            {
                "name": "new",
                "aliases": ["old"],
                "type": {
                    "type": "record",
                    "name": "New",
                    "aliases": ["Old"],
                    "fields": [{"name": "v", "type": "int"}],
                },
            }
        ),
        [{"old": {"v": 1}}],
    ),
    (
        "promotion inside arrays and maps",
        record(
            {"name": "a", "type": {"type": "array", "items": "int"}},
            {"name": "m", "type": {"type": "map", "values": "float"}},
        ),
        record(
            {"name": "a", "type": {"type": "array", "items": "long"}},
            {"name": "m", "type": {"type": "map", "values": "double"}},
        ),
        [{"a": [1, 2], "m": {"x": 0.5}}, {"a": [], "m": {}}],
    ),
    (
        "reordered fields",
        record({"name": "a", "type": "int"}, {"name": "b", "type": "string"}),
        record({"name": "b", "type": "string"}, {"name": "a", "type": "int"}),
        [{"a": 1, "b": "x"}],
    ),
]


@pytest.mark.parametrize(
    ("name", "writer", "reader", "rows"), EVOLUTION, ids=[e[0] for e in EVOLUTION]
)
@pytest.mark.usefixtures("kernels")
def test_evolution_matches_fastavro(
    name: str, writer: Any, reader: Any, rows: list[dict[str, Any]]
) -> None:
    bodies = fastavro_bodies(writer, rows)
    assert decoded(writer, bodies, reader) == oracle(writer, reader, bodies)


def test_bytes_and_fixed_defaults_are_code_points() -> None:
    # DESIGN.md, last section: fastavro returns these defaults as str; the spec says each code
    # point 0-255 is one byte, so "\u00ff" is b"\xff" (not its UTF-8 encoding).
    writer = record({"name": "a", "type": "int"})
    reader = record(
        {"name": "a", "type": "int"},
        {"name": "b", "type": "bytes", "default": "\u00ff\u0000A"},
        {"name": "f", "type": FIXED, "default": "\u00ff\u00fe\u0001B"},
        {"name": "d", "type": DEC_BYTES, "default": "\u00ff"},
    )
    table = decode_bodies(
        pa.array([b"\x02"], pa.binary()), Schema.parse(writer), Schema.parse(reader)
    )
    assert table.to_pylist() == [
        {"a": 1, "b": b"\xff\x00A", "f": b"\xff\xfe\x01B", "d": D("-0.001")}
    ]


def test_incompatible_reader_raises() -> None:
    writer = Schema.parse(record({"name": "a", "type": "string"}))
    reader = Schema.parse(record({"name": "a", "type": "int"}))
    with pytest.raises(IncompatibleSchemaError, match="cannot read"):
        decode_bodies(pa.array([b"\x00"], pa.binary()), writer, reader)


# -- errors ----------------------------------------------------------------------------------

INT = record({"name": "a", "type": "int"})
STR = record({"name": "s", "type": "string"})
ARR = record({"name": "xs", "type": {"type": "array", "items": "long"}})
NUL_ARR = record({"name": "xs", "type": {"type": "array", "items": "null"}})

ERRORS: list[tuple[str, Any, bytes, str]] = [
    ("truncated", INT, b"", "truncated body"),
    ("truncated varint", INT, b"\x80", "truncated body"),
    ("trailing", INT, b"\x02\x00", "trailing bytes"),
    ("negative length", STR, b"\x01", "negative length"),
    ("absurd length", STR, b"\x80\x80\x80\x80\x80\x80\x80\x80\x20", "length exceeds the body"),
    ("length past end", STR, b"\x06ab", "length exceeds the body"),
    ("long varint", record({"name": "a", "type": "long"}), b"\xff" * 11, "varint longer"),
    ("int range", INT, b"\x80\x80\x80\x80\x10", "int out of range"),
    ("union branch", record({"name": "u", "type": ["null", "int"]}), b"\x04", "union branch"),
    ("negative branch", record({"name": "u", "type": ["null", "int"]}), b"\x01", "union branch"),
    ("enum index", record({"name": "e", "type": ENUM}), b"\x06", "enum index"),
    ("count past end", ARR, b"\x40\x02", "item count exceeds the body"),
    ("absurd count", ARR, b"\x80\x80\x80\x80\x80\x80\x80\x80\x20", "item count exceeds"),
    ("zero-width count", NUL_ARR, b"\x80\x80\x80\x80\x80\x80\x80\x80\x20", "item count"),
    ("negative byte size", ARR, b"\x01\x01\x02\x00", "negative length"),
    ("invalid utf-8", STR, b"\x04\xff\xfe", "invalid UTF-8"),
    ("fixed past end", record({"name": "f", "type": FIXED}), b"ab", "truncated body"),
    ("double past end", record({"name": "d", "type": "double"}), b"\x00" * 7, "truncated body"),
    (
        "wide decimal",
        record({"name": "d", "type": DEC_BYTES}),
        b"\x22" + b"\x01" * 17,
        "decimal wider",
    ),
]


@pytest.mark.parametrize(("name", "schema", "body", "reason"), ERRORS, ids=[e[0] for e in ERRORS])
@pytest.mark.usefixtures("kernels")
def test_each_error_names_row_and_reason(name: str, schema: Any, body: bytes, reason: str) -> None:
    good = fastavro_bodies(schema, [_sample(schema)])[0]
    array = pa.array([good, good, body, good], pa.binary())
    with pytest.raises(DecodeError, match=f"^row 12 \\(schema id 7\\): {reason}") as info:
        decode_bodies(array, Schema.parse(schema), first_row=10, schema_id=7)
    assert info.value.row == 12
    assert info.value.schema_id == 7
    assert info.value.reason in DECODE_REASONS.values()
    assert info.value.reason.startswith(reason.split(" ")[0])
    table, bad = decode_bodies(array, Schema.parse(schema), first_row=10, errors="null")
    assert [(row, r) for row, r, _ in bad] == [(12, info.value.reason)]
    assert bad[0][2].startswith("row 12: ")
    assert table.num_rows == 4
    column = table.column(0).to_pylist()
    assert column[2] is None
    assert column[0] is not None or schema["fields"][0]["type"] == ["null", "int"]


def _sample(schema: dict[str, Any]) -> dict[str, Any]:
    f = schema["fields"][0]
    by_type: dict[str, Any] = {
        "a": 1,
        "s": "ok",
        "xs": [],
        "u": 1,
        "e": "A",
        "f": b"abcd",
        "d": 1.0,
    }
    if f["name"] == "d" and isinstance(f["type"], dict):
        return {"d": D("1.000")}
    return {f["name"]: by_type[f["name"]]}


def test_null_body_is_reported() -> None:
    table, bad = decode_bodies(
        pa.array([b"\x02", None], pa.binary()), Schema.parse(INT), errors="null"
    )
    assert bad == [(1, "null body", "row 1: null body")]
    assert table.column("a").to_pylist() == [1, None]


def test_errors_option_is_checked() -> None:
    with pytest.raises(ValueError, match="errors"):
        decode_bodies(pa.array([], pa.binary()), Schema.parse(INT), errors="ignore")  # type: ignore[call-overload]


def test_trailing_message_counts_bytes() -> None:
    with pytest.raises(DecodeError, match="row 0: trailing bytes: 2 byte"):
        decode_bodies(pa.array([b"\x02\x00\x00"], pa.binary()), Schema.parse(INT))


def test_error_path_names_the_field() -> None:
    schema = record({"name": "r", "type": record({"name": "s", "type": "string"}, name="S")})
    with pytest.raises(DecodeError, match=r"at field 'r\.s'"):
        decode_bodies(pa.array([b"\x09"], pa.binary()), Schema.parse(schema))


def test_decode_error_pickles() -> None:
    err = DecodeError("row 1: truncated body", row=1, schema_id=3, reason="truncated body")
    back = pickle.loads(pickle.dumps(err))
    assert (back.row, back.schema_id, back.reason, str(back)) == (1, 3, "truncated body", str(err))
    assert isinstance(back, ValueError)


def test_collect_all_reports_every_bad_row() -> None:
    bodies = [b"\x02", b"", b"\x04", b"\x02\x02", b"\x80"]
    table, bad = decode_bodies(pa.array(bodies, pa.binary()), Schema.parse(INT), errors="null")
    assert [(r, reason) for r, reason, _ in bad] == [
        (1, "truncated body"),
        (3, "trailing bytes"),
        (4, "truncated body"),
    ]
    assert table.column("a").to_pylist() == [1, None, 2, None, None]
    assert table.schema.field("a").nullable


# -- hostile input ---------------------------------------------------------------------------

HOSTILE_SCHEMA = record(
    {"name": "i", "type": "int"},
    {"name": "s", "type": ["null", "string"]},
    {"name": "e", "type": ENUM},
    {
        "name": "a",
        "type": {
            "type": "array",
            "items": record(
                {"name": "x", "type": "long"}, {"name": "b", "type": "bytes"}, name="Item"
            ),
        },
    },
    {"name": "m", "type": {"type": "map", "values": ["null", "double", FIXED]}},
    {"name": "d", "type": DEC_BYTES},
    {"name": "n", "type": {"type": "array", "items": "null"}},
)
HOSTILE_ROW = {
    "i": -3,
    "s": "text",
    "e": "C",
    "a": [{"x": 1, "b": b"\x01"}, {"x": 2**40, "b": b""}],
    "m": {"k": 1.5, "z": None, "f": b"wxyz"},
    "d": D("-1.250"),
    "n": [None, None, None],
}


FLAT_SCHEMA = record(
    {"name": "i", "type": "int"},
    {"name": "s", "type": ["null", "string"]},
    {"name": "l", "type": ["long", "null"]},
    {"name": "f", "type": "float"},
    {"name": "d", "type": ["null", "double"]},
    {"name": "b", "type": "boolean"},
    {"name": "x", "type": "bytes"},
    {"name": "t", "type": {"type": "int", "logicalType": "time-millis"}},
)
FLAT_ROW = {
    "i": -3,
    "s": "text",
    "l": 2**40,
    "f": 1.5,
    "d": -2.25,
    "b": True,
    "x": b"\x00\x01",
    "t": dt.time(1, 2, 3),
}


@pytest.mark.parametrize(
    ("avro", "row"),
    [(HOSTILE_SCHEMA, HOSTILE_ROW), (FLAT_SCHEMA, FLAT_ROW)],
    ids=["nested", "flat"],
)
@pytest.mark.usefixtures("kernels")
def test_truncated_at_every_offset(avro: Any, row: dict[str, Any]) -> None:
    (body,) = fastavro_bodies(avro, [row])
    schema = Schema.parse(avro)
    cuts = [body[:k] for k in range(len(body))]
    table, bad = decode_bodies(pa.array([*cuts, body], pa.binary()), schema, errors="null")
    assert [row for row, _, _ in bad] == list(range(len(body)))
    assert table.num_rows == len(body) + 1
    assert decoded(avro, [body]) == oracle(avro, avro, [body])
    for cut in cuts:
        with pytest.raises(DecodeError):
            decode_bodies(pa.array([cut], pa.binary()), schema)


@pytest.mark.parametrize(
    ("avro", "row"),
    [(HOSTILE_SCHEMA, HOSTILE_ROW), (FLAT_SCHEMA, FLAT_ROW)],
    ids=["nested", "flat"],
)
@pytest.mark.usefixtures("kernels")
def test_random_bytes_never_crash(avro: Any, row: dict[str, Any]) -> None:
    rng = random.Random(4)
    schema = Schema.parse(avro)
    (body,) = fastavro_bodies(avro, [row])
    bodies = [bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 40))) for _ in range(300)]
    flipped = []
    for _ in range(300):
        b = bytearray(body)
        b[rng.randrange(len(b))] = rng.getrandbits(8)
        flipped.append(bytes(b))
    table, bad = decode_bodies(pa.array(bodies + flipped, pa.binary()), schema, errors="null")
    assert table.num_rows == 600
    table.validate(full=True)
    assert all(isinstance(reason, str) for _, reason, _ in bad)


@pytest.mark.parametrize(
    "body",
    [
        b"\x06\x02" + b"\x80" * 8 + b"\x20",  # string length 2**60
        b"\x06\x00\x02" + b"\xff" * 9 + b"\x01",  # array count -2**63
        b"\x06\x00\x02\x03" + b"\xff" * 9 + b"\x01",  # negative count, absurd byte size
        b"\x06\x00\x02" + b"\x00\x00" + b"\x02" + b"\xff" * 11,  # 11-byte varint in a map
        b"\x06\x00\x02\x00\x00\x00\x00" + b"\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01",
    ],
)
def test_absurd_lengths_are_errors_not_allocations(body: bytes) -> None:
    with pytest.raises(DecodeError):
        decode_bodies(pa.array([body], pa.binary()), Schema.parse(HOSTILE_SCHEMA))


def test_nested_zero_width_items_are_bounded() -> None:
    # array<array<null>>: 100 outer items each claiming 8 * 100 + 64 nulls would be quadratic;
    # the batch-wide budget of zero-byte items (8 per input byte + 64 per row) stops it.
    schema = record(
        {"name": "a", "type": {"type": "array", "items": {"type": "array", "items": "null"}}}
    )
    inner = b"\xc0\x0d\x00"  # count 864, end
    body = b"\xc8\x01" + inner * 100 + b"\x00"
    with pytest.raises(DecodeError, match="item count exceeds the body"):
        decode_bodies(pa.array([body], pa.binary()), Schema.parse(schema))
    ok = b"\x04" + b"\x06\x00" * 2 + b"\x00"
    table = decode_bodies(pa.array([ok], pa.binary()), Schema.parse(schema))
    assert table.column("a").to_pylist() == [[[None] * 3, [None] * 3]]


def test_zero_width_items_come_a_block_at_a_time() -> None:
    # 100k nulls in one block: one bulk step, not 100k lockstep steps.
    schema = record({"name": "a", "type": {"type": "array", "items": "null"}})
    body = b"\xc0\x9a\x0c" + b"\x00"  # count 100_000
    big = body + b"\x00" * 13_000  # enough input to justify that many zero-byte items
    table, bad = decode_bodies(
        pa.array([big, body], pa.binary()), Schema.parse(schema), errors="null"
    )
    assert table.num_rows == 2
    assert [(r, reason) for r, reason, _ in bad] == [
        (0, "trailing bytes"),
        (1, "item count exceeds the body"),
    ]


ITEM_ERRORS: list[tuple[str, Any, bytes, str]] = [
    (
        "string item length",
        {"type": "array", "items": "string"},
        b"\x06\x02a\x02b\x01\x00",
        "negative length",
    ),
    (
        "string item past end",
        {"type": "array", "items": "string"},
        b"\x04\x02a\x08b\x00",
        "length exceeds the body",
    ),
    (
        "long item varint",
        {"type": "array", "items": "long"},
        b"\x04\x02" + b"\xff" * 11 + b"\x00",
        "varint longer than 10 bytes",
    ),
    ("long item truncated", {"type": "array", "items": "long"}, b"\x06\x02\x04", "truncated body"),
    (
        "double items past end",
        {"type": "array", "items": "double"},
        b"\x04" + b"\x00" * 12,
        "item count exceeds the body",
    ),
    (
        "map value varint",
        {"type": "map", "values": "long"},
        b"\x02\x02k" + b"\x80" * 11 + b"\x00",
        "varint longer than 10 bytes",
    ),
    ("map key utf-8", {"type": "map", "values": "int"}, b"\x02\x02\xff\x02\x00", "invalid UTF-8"),
    (
        "record item",
        {
            "type": "array",
            "items": record(
                {"name": "a", "type": "int"}, {"name": "b", "type": "string"}, name="It"
            ),
        },
        b"\x04\x02\x02x\x04\x08y",
        "length exceeds the body",
    ),
    ("enum item", {"type": "array", "items": ENUM}, b"\x04\x02\x08\x00", "enum index"),
]


@pytest.mark.parametrize(
    ("name", "avro", "body", "reason"), ITEM_ERRORS, ids=[e[0] for e in ITEM_ERRORS]
)
@pytest.mark.usefixtures("kernels")
def test_errors_inside_array_and_map_blocks(name: str, avro: Any, body: bytes, reason: str) -> None:
    schema = record({"name": "c", "type": avro}, {"name": "z", "type": "int"})
    good = fastavro_bodies(schema, [{"c": [] if avro["type"] == "array" else {}, "z": 1}])[0]
    with pytest.raises(DecodeError, match=f"^row 1: {reason}"):
        decode_bodies(pa.array([good, body + b"\x02"], pa.binary()), Schema.parse(schema))


@pytest.mark.usefixtures("kernels")
def test_long_arrays_and_maps_are_read_in_bulk() -> None:
    # 20k items per row: bulk blocks (no per-item Python step) with the compiled walk or the
    # varint/fixed-width numpy paths; strings and records fall back to item steps on numpy.
    schema = record(
        {"name": "xs", "type": {"type": "array", "items": "long"}},
        {"name": "ds", "type": {"type": "array", "items": "double"}},
        {"name": "m", "type": {"type": "map", "values": "int"}},
    )
    rows = [
        {"xs": list(range(-10_000, 10_000)), "ds": [0.5] * 20_000, "m": {"a": 1, "b": 2}},
        {"xs": [], "ds": [], "m": {}},
    ]
    bodies = fastavro_bodies(schema, rows)
    assert decoded(schema, bodies) == oracle(schema, schema, bodies)


@pytest.mark.usefixtures("kernels")
def test_errors_null_with_a_dense_union_column_does_not_abort() -> None:
    # Found by tests/fuzz/fuzz_decode.py: a bad row under errors="null" made StructArray.flatten
    # push a validity bitmap into the dense union column, and Arrow aborted the interpreter.
    schema = record(
        {"name": "a", "type": ["null", "long"]},
        {"name": "c", "type": ["null", "double", "string"]},
    )
    good = fastavro_bodies(schema, [{"a": 1, "c": "x"}])[0]
    bad = b"\x02\xff\xff\xff\xff\xff\xff\xff\xff\xff\x03"  # long branch, varint overflows
    table, report = decode_bodies(
        pa.array([good, bad], pa.binary()), Schema.parse(schema), errors="null"
    )
    assert [r[0] for r in report] == [1]
    assert table.column("a").to_pylist() == [1, None]
    assert table.column("c").to_pylist() == ["x", None]
