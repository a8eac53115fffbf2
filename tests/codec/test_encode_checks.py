"""What the encoder refuses, so that every body it writes is read back by sk.decode and fastavro.

Three classes (issue 12, "The encoder's checks"): text from binary input must be UTF-8; logical
types must be within what the readers take back; and what pandas or pyarrow raise on the way in
is an EncodeError naming the column, row and value. Each is a table of cases, and a hypothesis
property over the classes of input, on the compiled kernels and on the numpy path.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import math
import warnings
from typing import Any

import fastavro
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schemakit as sk
from schemakit import Schema
from schemakit.codec import _framing, _reader, _writer, decode_bodies, encode_bodies
from schemakit.errors import EncodeError, SchemakitError

from ._oracle import fastavro_bodies, record

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(params=["numba", "numpy"])
def kernels(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "numpy":
        monkeypatch.setattr(_writer, "USE_NUMBA", False)
        monkeypatch.setattr(_reader, "USE_NUMBA", False)
        monkeypatch.setattr(_framing, "USE_NUMBA", False)
    mode: str = request.param
    return mode


def _schema(avro_type: Any, name: str = "a") -> Schema:
    return Schema.parse(record({"name": name, "type": avro_type}))


def _raises(data: Any, schema: Schema, **options: Any) -> EncodeError:
    with pytest.raises(EncodeError) as info:
        encode_bodies(data, schema, **options)
    err = info.value
    assert isinstance(err, SchemakitError)
    assert isinstance(err, ValueError)
    return err


def _assert_names(err: EncodeError, column: str, row: int | None, value: Any) -> None:
    assert (err.column, err.row) == (column, row)
    assert err.value == value or (isinstance(value, float) and math.isnan(err.value))
    message = str(err)
    assert repr(column) in message
    if row is not None:
        assert f"row {row}" in message


def _reads_back(bodies: pa.BinaryArray, schema: Schema) -> pa.Table:
    """sk.decode's reader and fastavro both read every body; the decoded table."""
    parsed = fastavro.parse_schema(schema.to_dict())
    for body in bodies.to_pylist():
        stream = io.BytesIO(body)
        fastavro.schemaless_reader(stream, parsed, None)
        assert stream.tell() == len(body)
    return decode_bodies(bodies, schema)


# --------------------------------------------------------------------------------------------
# text from binary input

BAD_UTF8 = [b"\xff\xfe", b"\xc3", b"\xc0\xaf", b"\xed\xa0\x80", b"ok\x80", b"\xf4\x90\x80\x80"]

#: (id, avro type, column values, column, row, value)
UTF8_CASES: list[tuple[str, Any, pa.Array, str, int, bytes]] = [
    ("binary", "string", pa.array([b"ok", b"\xff\xfe"], pa.binary()), "a", 1, b"\xff\xfe"),
    ("large_binary", "string", pa.array([b"\xc3"], pa.large_binary()), "a", 0, b"\xc3"),
    (
        "binary_view",
        "string",
        pa.array([b"a", b"b", b"\xc0\xaf"], pa.binary_view()),
        "a",
        2,
        b"\xc0\xaf",
    ),
    (
        "nullable",
        ["null", "string"],
        pa.array([None, b"ok", None, b"\xed\xa0\x80"], pa.binary()),
        "a",
        3,
        b"\xed\xa0\x80",
    ),
    (
        "string first in the union",
        ["string", "null"],
        pa.array([b"x", None, b"ok\x80"], pa.binary()),
        "a",
        2,
        b"ok\x80",
    ),
    (
        "in a record",
        record({"name": "x", "type": "string"}, name="S"),
        pa.array([{"x": b"ok"}, {"x": b"\xf4\x90\x80\x80"}], pa.struct([("x", pa.binary())])),
        "a.x",
        1,
        b"\xf4\x90\x80\x80",
    ),
    (
        "array items",
        {"type": "array", "items": "string"},
        pa.array([[b"a"], [], [b"b", b"\xff"]], pa.list_(pa.binary())),
        "a[]",
        2,
        b"\xff",
    ),
    (
        "map keys",
        {"type": "map", "values": "int"},
        pa.array([[(b"k", 1)], [(b"\xfe", 2)]], pa.map_(pa.binary(), pa.int32())),
        "a{}.key",
        1,
        b"\xfe",
    ),
    (
        "uuid text",
        {"type": "string", "logicalType": "uuid"},
        pa.array([b"\xff" * 36], pa.binary()),
        "a",
        0,
        b"\xff" * 36,
    ),
]


@pytest.mark.parametrize(
    ("avro_type", "column_values", "column", "row", "value"),
    [c[1:] for c in UTF8_CASES],
    ids=[c[0] for c in UTF8_CASES],
)
def test_binary_for_a_string_must_be_utf8(
    kernels: str, avro_type: Any, column_values: pa.Array, column: str, row: int, value: bytes
) -> None:
    err = _raises(pa.table({"a": column_values}), _schema(avro_type))
    _assert_names(err, column, row, value)
    assert "not valid UTF-8" in str(err)


def test_utf8_row_counts_across_windows(kernels: str) -> None:
    values = [b"fine"] * 9 + [b"\xff"] + [b"fine"] * 3
    err = _raises(pa.table({"a": pa.array(values, pa.binary())}), _schema("string"), chunk_rows=4)
    _assert_names(err, "a", 9, b"\xff")


def test_utf8_of_a_sliced_column(kernels: str) -> None:
    # the bad value before the slice is not the table's; the one after it is row 2
    column = pa.array([b"\xff", b"a", b"b", b"\xfe"], pa.binary()).slice(1)
    err = _raises(pa.table({"a": column}), _schema("string"))
    _assert_names(err, "a", 2, b"\xfe")


@pytest.mark.parametrize("avro_type", ["string", ["null", "string"]])
def test_utf8_binary_is_written_as_its_text(kernels: str, avro_type: Any) -> None:
    texts = ["", "ascii", "héllo", "日本語", "\U0001f600"]
    table = pa.table({"a": pa.array([t.encode() for t in texts], pa.binary())})
    schema = _schema(avro_type)
    bodies = encode_bodies(table, schema)
    assert bodies.to_pylist() == fastavro_bodies(schema.to_dict(), [{"a": t} for t in texts])
    assert _reads_back(bodies, schema).column("a").to_pylist() == texts


def test_null_slots_of_binary_are_not_checked(kernels: str) -> None:
    # Arrow leaves what a null slot holds undefined: invalid bytes there are not a value
    data = pa.py_buffer(b"ok\xff\xfe")
    offsets = pa.py_buffer(np.array([0, 2, 4], np.int32).tobytes())
    valid = pa.py_buffer(np.packbits([True, False], bitorder="little").tobytes())
    column = pa.Array.from_buffers(pa.binary(), 2, [valid, offsets, data])
    schema = _schema(["null", "string"])
    bodies = encode_bodies(pa.table({"a": column}), schema)
    assert _reads_back(bodies, schema).column("a").to_pylist() == ["ok", None]


@SETTINGS
@given(st.lists(st.one_of(st.binary(max_size=8), st.sampled_from(BAD_UTF8)), max_size=12))
def test_binary_text_property(values: list[bytes]) -> None:
    """Encoded iff every value is UTF-8 (Python's strict codec decides); else the first bad."""
    schema = _schema("string")
    table = pa.table({"a": pa.array(values, pa.binary())})
    bad = []
    for i, value in enumerate(values):
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(i)
    if bad:
        _assert_names(_raises(table, schema), "a", bad[0], values[bad[0]])
        return
    bodies = encode_bodies(table, schema)
    texts = [v.decode() for v in values]
    assert bodies.to_pylist() == fastavro_bodies(schema.to_dict(), [{"a": t} for t in texts])


def test_sk_encode_registers_nothing_for_bad_text() -> None:
    reg = sk.Registry(":memory:")
    frame = pd.DataFrame({"a": [b"ok", b"\xff\xfe"]})
    with pytest.raises(EncodeError) as info:
        sk.encode(frame, "t-value", registry=reg, schema=record({"name": "a", "type": "string"}))
    _assert_names(info.value, "a", 1, b"\xff\xfe")
    assert reg.subjects() == []
    good = sk.encode(
        frame.iloc[:1],
        "t-value",
        registry=reg,
        schema=record({"name": "a", "type": "string"}),
        progress=False,
    )
    assert sk.decode(good, reg)["a"].tolist() == ["ok"]


# --------------------------------------------------------------------------------------------
# logical types within what the readers take back

_TIME_MS = {"type": "int", "logicalType": "time-millis"}
_TIME_US = {"type": "long", "logicalType": "time-micros"}
_DATE = {"type": "int", "logicalType": "date"}
_UUID = {"type": "string", "logicalType": "uuid"}


def _logical(kind: str) -> dict[str, Any]:
    return {"type": "long", "logicalType": kind}


def _ints(values: list[int], dtype: pa.DataType) -> pa.Array:
    storage = pa.int32() if dtype.bit_width == 32 else pa.int64()
    return pa.array(values, storage).view(dtype)


_DAY_MS = 86_400_000
_FIRST_DAY = -719_162  # 0001-01-01
_LAST_DAY = 2_932_896  # 9999-12-31
_FIRST_US = -62_135_596_800_000_000
_LAST_US = 253_402_300_799_999_999
_GOOD_UUID = "123e4567-e89b-12d3-a456-426614174000"

#: (id, avro type, column values, row, value, message fragment)
RANGE_CASES: list[tuple[str, Any, pa.Array, int, Any, str]] = [
    ("time-millis, a day", _TIME_MS, pa.array([0, _DAY_MS], pa.int32()), 1, _DAY_MS, "0..86399999"),
    ("time-millis, negative", _TIME_MS, pa.array([5, -1], pa.int64()), 1, -1, "time of day"),
    (
        "time-millis from time32[s]",
        _TIME_MS,
        _ints([86_399, 86_400], pa.time32("s")),
        1,
        None,
        "86400000 is outside",
    ),
    (
        "time-millis from time32[ms]",
        _TIME_MS,
        _ints([_DAY_MS + 1], pa.time32("ms")),
        0,
        None,
        "time of day",
    ),
    (
        "time-micros from time64[us]",
        _TIME_US,
        _ints([_DAY_MS * 1000], pa.time64("us")),
        0,
        None,
        "0..86399999999",
    ),
    (
        "time-micros from time64[ns]",
        _TIME_US,
        _ints([1, -1000], pa.time64("ns")),
        1,
        None,
        "time of day",
    ),
    ("date after 9999", _DATE, _ints([0, _LAST_DAY + 1], pa.date32()), 1, None, "years 1 to 9999"),
    ("date before 1", _DATE, pa.array([_FIRST_DAY - 1], pa.int32()), 0, _FIRST_DAY - 1, "years"),
    (
        "date from date64",
        _DATE,
        _ints([(_LAST_DAY + 1) * _DAY_MS], pa.date64()),
        0,
        None,
        "years 1 to 9999",
    ),
    (
        "timestamp-millis after 9999",
        _logical("timestamp-millis"),
        _ints([0, _LAST_US // 1000 + 1], pa.timestamp("ms", tz="UTC")),
        1,
        None,
        "years 1 to 9999",
    ),
    (
        "timestamp-millis from seconds",
        _logical("timestamp-millis"),
        _ints([_FIRST_US // 1_000_000 - 1], pa.timestamp("s", tz="UTC")),
        0,
        None,
        "years",
    ),
    (
        "timestamp-micros from ints",
        _logical("timestamp-micros"),
        pa.array([_LAST_US + 1], pa.int64()),
        0,
        _LAST_US + 1,
        "years 1 to 9999",
    ),
    (
        "local-timestamp-millis",
        _logical("local-timestamp-millis"),
        _ints([2**62], pa.timestamp("ms")),
        0,
        None,
        "years",
    ),
    (
        "local-timestamp-micros from seconds",
        _logical("local-timestamp-micros"),
        _ints([0, 2**40], pa.timestamp("s")),
        1,
        2**40,
        "years",
    ),
    (
        "timestamp-millis from -2**63 seconds",
        _logical("timestamp-millis"),
        _ints([-(2**63)], pa.timestamp("s", tz="UTC")),
        0,
        -(2**63),
        "overflows",
    ),
    (
        "nullable time, bad after nulls",
        ["null", _TIME_MS],
        pa.array([None, 3, None, _DAY_MS], pa.int32()),
        3,
        _DAY_MS,
        "time of day",
    ),
    ("uuid, not one", _UUID, pa.array(["not-a-uuid"]), 0, "not-a-uuid", "RFC 4122"),
    (
        "uuid, no hyphens",
        _UUID,
        pa.array([_GOOD_UUID, "123e4567e89b12d3a456426614174000"]),
        1,
        "123e4567e89b12d3a456426614174000",
        "8-4-4-4-12",
    ),
    ("uuid, braces", _UUID, pa.array(["{" + _GOOD_UUID + "}"]), 0, "{" + _GOOD_UUID + "}", "uuid"),
    ("uuid, urn", _UUID, pa.array(["urn:uuid:" + _GOOD_UUID]), 0, "urn:uuid:" + _GOOD_UUID, "uuid"),
    ("uuid, newline", _UUID, pa.array([_GOOD_UUID + "\n"]), 0, _GOOD_UUID + "\n", "uuid"),
    ("uuid, not hex", _UUID, pa.array([_GOOD_UUID[:-1] + "g"]), 0, _GOOD_UUID[:-1] + "g", "uuid"),
    (
        "uuid, nullable",
        ["null", _UUID],
        pa.array([None, _GOOD_UUID, None, ""]),
        3,
        "",
        "uuid",
    ),
    (
        "uuid, large_string",
        _UUID,
        pa.array([_GOOD_UUID, "x"], pa.large_string()),
        1,
        "x",
        "uuid",
    ),
]


@pytest.mark.parametrize(
    ("avro_type", "column_values", "row", "value", "fragment"),
    [c[1:] for c in RANGE_CASES],
    ids=[c[0] for c in RANGE_CASES],
)
def test_logical_value_out_of_range(
    kernels: str, avro_type: Any, column_values: pa.Array, row: int, value: Any, fragment: str
) -> None:
    err = _raises(pa.table({"a": column_values}), _schema(avro_type))
    assert (err.column, err.row) == ("a", row)
    if value is not None:
        assert err.value == value
    assert fragment in str(err)
    assert f"row {row}" in str(err)


#: (id, avro type, column values): the edges of each range, written and read back
EDGE_CASES: list[tuple[str, Any, pa.Array]] = [
    ("time-millis", _TIME_MS, pa.array([0, _DAY_MS - 1], pa.int32())),
    ("time-micros", _TIME_US, _ints([0, _DAY_MS * 1000 - 1], pa.time64("us"))),
    ("date", _DATE, _ints([_FIRST_DAY, _LAST_DAY], pa.date32())),
    (
        "timestamp-millis",
        _logical("timestamp-millis"),
        _ints([_FIRST_US // 1000, _LAST_US // 1000], pa.timestamp("ms", tz="UTC")),
    ),
    (
        "local-timestamp-micros",
        _logical("local-timestamp-micros"),
        _ints([_FIRST_US, _LAST_US], pa.timestamp("us")),
    ),
    (
        "timestamp-nanos keeps the whole long",
        _logical("timestamp-nanos"),
        _ints([-(2**63), 2**63 - 1], pa.timestamp("ns", tz="UTC")),
    ),
    ("uuid, either case", _UUID, pa.array([_GOOD_UUID, _GOOD_UUID.upper()])),
]


@pytest.mark.parametrize(
    ("avro_type", "column_values"), [c[1:] for c in EDGE_CASES], ids=[c[0] for c in EDGE_CASES]
)
def test_logical_edges_are_written_and_read_back(
    kernels: str, avro_type: Any, column_values: pa.Array
) -> None:
    schema = _schema(avro_type)
    bodies = encode_bodies(pa.table({"a": column_values}), schema)
    decoded = _reads_back(bodies, schema).column("a").combine_chunks()
    if pa.types.is_string(column_values.type):
        assert decoded.to_pylist() == column_values.to_pylist()
    else:
        storage = pa.int64() if column_values.type.bit_width == 64 else pa.int32()
        assert decoded.view(storage).to_pylist() == column_values.view(storage).to_pylist()


def test_null_slots_out_of_range_are_not_checked(kernels: str) -> None:
    data = pa.py_buffer(np.array([5, 2**31 - 1, -7], np.int32).tobytes())
    valid = pa.py_buffer(np.packbits([True, False, False], bitorder="little").tobytes())
    column = pa.Array.from_buffers(pa.time32("ms"), 3, [valid, data])
    schema = _schema(["null", _TIME_MS])
    bodies = encode_bodies(pa.table({"a": column}), schema)
    decoded = _reads_back(bodies, schema).column("a")
    assert decoded.to_pylist() == [dt.time(0, 0, 0, 5000), None, None]


def test_decimal_rescale_names_the_row(kernels: str) -> None:
    avro = {"type": "bytes", "logicalType": "decimal", "precision": 6, "scale": 1}
    values = [decimal.Decimal("1.20"), decimal.Decimal("2.00"), decimal.Decimal("1.25")]
    err = _raises(pa.table({"a": pa.array(values, pa.decimal128(6, 2))}), _schema(avro))
    _assert_names(err, "a", 2, decimal.Decimal("1.25"))
    assert "without loss" in str(err)


# --------------------------------------------------------------------------------------------
# what pandas and pyarrow raise on the way in

_LONG = "long"


def _objects(*values: Any) -> pd.DataFrame:
    return pd.DataFrame({"a": pd.Series(list(values), dtype=object)})


_INF_DEC = decimal.Decimal("Infinity")
_DEC = {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}

#: (id, data, avro type of column "a", column, row, value, message fragment)
RAW_CASES: list[tuple[str, Any, Any, str, int | None, Any, str]] = [
    ("int of 2**70", _objects(1, 5, 2**70, 3), _LONG, "a", 2, 2**70, "OverflowError"),
    ("int of -2**70", _objects(-(2**70)), _LONG, "a", 0, -(2**70), "does not convert"),
    ("lone surrogate", _objects("x", "y", "\ud800"), "string", "a", 2, "\ud800", "Unicode"),
    ("Decimal infinity", _objects(decimal.Decimal(1), _INF_DEC), _DEC, "a", 1, _INF_DEC, "conv"),
    # pandas counts Decimal("NaN") as missing, as it does float NaN
    ("Decimal NaN", _objects(decimal.Decimal("NaN")), _DEC, "a", 0, None, "is null"),
    ("mixed types", _objects(1, 2, "x"), _LONG, "a", 2, "x", "does not convert"),
    ("mixed types, str first", _objects("x", "y", 1), "string", "a", 2, 1, "does not convert"),
    (
        "duplicate names, pandas",
        pd.DataFrame([[1, 2]], columns=["a", "a"]),
        _LONG,
        "a",
        None,
        "a",
        "appears twice",
    ),
    (
        "duplicate names, Arrow",
        pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["a", "a"]),
        _LONG,
        "a",
        None,
        "a",
        "appears twice",
    ),
    (
        "inf to long, pandas",
        pd.DataFrame({"a": [1.0, 2.0, np.inf]}),
        _LONG,
        "a",
        2,
        math.inf,
        "whole",
    ),
    ("-inf to int", pa.table({"a": [0.0, -np.inf]}), "int", "a", 1, -math.inf, "whole"),
    ("NaN value to long", pa.table({"a": [0.0, np.nan]}), _LONG, "a", 1, math.nan, "whole"),
    ("fraction to long", pa.table({"a": [1.0, 1.5]}), _LONG, "a", 1, 1.5, "whole"),
    ("2**63 to long", pa.table({"a": [2.0**63]}), _LONG, "a", 0, 2.0**63, "within 64 bits"),
    ("3e9 to int", pa.table({"a": pa.array([3e9], pa.float32())}), "int", "a", 0, 3e9, '"int"'),
    (
        "float to long under a null union",
        pa.table({"a": [None, 1.0, None, 0.5]}),
        ["null", _LONG],
        "a",
        3,
        0.5,
        "whole",
    ),
]


@pytest.mark.parametrize(
    ("data", "avro_type", "column", "row", "value", "fragment"),
    [c[1:] for c in RAW_CASES],
    ids=[c[0] for c in RAW_CASES],
)
def test_raw_errors_are_encode_errors(
    kernels: str,
    data: Any,
    avro_type: Any,
    column: str,
    row: int | None,
    value: Any,
    fragment: str,
) -> None:
    err = _raises(data, _schema(avro_type))
    _assert_names(err, column, row, value)
    assert fragment in str(err)


def _converts(values: list[Any]) -> bool:
    try:
        pa.array(pd.Series(values, dtype=object), from_pandas=True)
    except (pa.ArrowException, ValueError, TypeError, OverflowError):
        return False
    return True


_OBJECT_VALUES = st.one_of(
    st.none(),
    st.integers(-(2**70), 2**70),
    st.text(alphabet=st.characters(categories=["Cs", "Ll", "Nd"]), max_size=3),
    st.decimals(allow_nan=True, allow_infinity=True, places=2),
    st.binary(max_size=3),
    st.floats(),
)


@SETTINGS
@given(st.lists(_OBJECT_VALUES, min_size=1, max_size=8), st.sampled_from(["long", "string"]))
def test_object_column_property(values: list[Any], avro_type: str) -> None:
    """Never a raw exception: a column pyarrow cannot convert is an EncodeError at the first
    row whose prefix does not convert (what comes before it does), naming that value."""
    frame = pd.DataFrame({"a": pd.Series(values, dtype=object)})
    refused: EncodeError | None = None
    try:
        with warnings.catch_warnings():
            # values of another kind than the field's go row by row, with a warning
            warnings.simplefilter("ignore", sk.PerformanceWarning)
            encode_bodies(frame, _schema(["null", avro_type]))
    except EncodeError as err:
        refused = err
    if _converts(values):
        return  # the values convert; whether they fit the field is the writer's (tested above)
    assert refused is not None
    assert refused.column == "a"
    row = refused.row
    assert row is not None
    assert not _converts(values[: row + 1])
    assert _converts(values[:row])
    assert refused.value is values[row] or refused.value == values[row]


def test_pandas_error_row_is_the_position() -> None:
    frame = pd.DataFrame({"a": pd.Series([1, 2**70], dtype=object, index=[10, 20])})
    _assert_names(_raises(frame, _schema(_LONG)), "a", 1, 2**70)


@pytest.mark.parametrize("avro_type", ["long", "int", ["null", "long"], "double"])
def test_whole_floats_are_written_as_integers(kernels: str, avro_type: Any) -> None:
    floats = [0.0, 1.0, -2.0, 2.0**31 - 1, -(2.0**31)]
    if avro_type != "int":
        floats += [2.0**53, -(2.0**63)]
    schema = _schema(avro_type)
    bodies = encode_bodies(pa.table({"a": floats}), schema)
    numbers: list[Any] = floats if avro_type == "double" else [int(f) for f in floats]
    assert bodies.to_pylist() == fastavro_bodies(schema.to_dict(), [{"a": v} for v in numbers])


def test_pandas_integers_with_nulls_write_as_longs() -> None:
    # pandas keeps an int column with a missing value as float64 with NaN (a null)
    frame = pd.DataFrame({"a": [1, None, 3]})
    schema = _schema(["null", _LONG])
    bodies = encode_bodies(frame, schema)
    rows = [{"a": 1}, {"a": None}, {"a": 3}]
    assert bodies.to_pylist() == fastavro_bodies(schema.to_dict(), rows)


@SETTINGS
@given(
    st.lists(
        st.one_of(
            st.integers(-(2**63), 2**63 - 1).map(float),
            st.floats(allow_nan=True, allow_infinity=True),
        ),
        max_size=10,
    )
)
def test_float_to_long_property(values: list[float]) -> None:
    """Written iff every value is a whole float within 64 bits; else the first one that is not."""
    schema = _schema(_LONG)
    table = pa.table({"a": pa.array(values, pa.float64())})
    bad = [
        i
        for i, v in enumerate(values)
        if not (math.isfinite(v) and v == math.floor(v) and -(2.0**63) <= v < 2.0**63)
    ]
    if bad:
        _assert_names(_raises(table, schema), "a", bad[0], values[bad[0]])
        return
    bodies = encode_bodies(table, schema)
    rows = [{"a": int(v)} for v in values]
    assert bodies.to_pylist() == fastavro_bodies(schema.to_dict(), rows)


# --------------------------------------------------------------------------------------------
# the property: every type of the type table either round-trips or is refused


def _within(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


def _raw(bits: int, near: tuple[int, int]) -> st.SearchStrategy[int]:
    """Values of a ``bits``-wide integer, often near a meaningful range, sometimes anywhere."""
    return st.one_of(_within(*near), _within(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1))


_US_RANGE = (_FIRST_US - 10, _LAST_US + 10)


def _temporal(dtype: pa.DataType) -> st.SearchStrategy[pa.Array]:
    bits = dtype.bit_width
    if pa.types.is_date64(dtype):
        days = _raw(32, (_FIRST_DAY - 2, _LAST_DAY + 2))
        values = st.lists(st.one_of(st.none(), days.map(lambda d: d * _DAY_MS)), max_size=6)
    elif pa.types.is_date32(dtype):
        values = st.lists(st.one_of(st.none(), _raw(32, (_FIRST_DAY - 2, _LAST_DAY + 2))))
    elif pa.types.is_time(dtype):
        per_day = {"s": 86_400, "ms": _DAY_MS, "us": _DAY_MS * 1000, "ns": _DAY_MS * 10**6}
        day = per_day[dtype.unit]
        values = st.lists(st.one_of(st.none(), _raw(bits, (-2, day + 1))), max_size=6)
    else:
        per_us = {"s": 1e-6, "ms": 1e-3, "us": 1, "ns": 1000}[dtype.unit]
        low, high = int(_US_RANGE[0] * per_us), int(_US_RANGE[1] * per_us)
        near = (max(low, -(2**63)), min(high, 2**63 - 1))
        values = st.lists(st.one_of(st.none(), _raw(64, near)), max_size=6)
    return values.map(lambda v: _ints_with_nulls(v, dtype))


def _ints_with_nulls(values: list[int | None], dtype: pa.DataType) -> pa.Array:
    storage = pa.int32() if dtype.bit_width == 32 else pa.int64()
    return pa.array(values, storage).view(dtype)


def _decimals(dtype: pa.DataType) -> st.SearchStrategy[pa.Array]:
    p, s = dtype.precision, dtype.scale
    exact = decimal.Context(prec=100)
    unscaled = st.integers(-(10**p) + 1, 10**p - 1)
    value = unscaled.map(lambda u: decimal.Decimal(u).scaleb(-s, context=exact))
    return st.lists(st.one_of(st.none(), value), max_size=6).map(lambda v: pa.array(v, dtype))


def _of(dtype: pa.DataType, element: st.SearchStrategy[Any]) -> st.SearchStrategy[pa.Array]:
    return st.lists(st.one_of(st.none(), element), max_size=6).map(lambda v: pa.array(v, dtype))


def _ints_of(dtype: pa.DataType) -> st.SearchStrategy[pa.Array]:
    info = np.iinfo(dtype.to_pandas_dtype())
    return _of(dtype, st.integers(int(info.min), int(info.max)))


def _uuids() -> st.SearchStrategy[pa.Array]:
    return st.lists(st.uuids(), max_size=6).map(
        lambda v: pa.ExtensionArray.from_storage(
            pa.uuid(), pa.array([u.bytes for u in v], pa.binary(16))
        )
    )


_TZ = ("UTC", "Europe/Paris")

#: Every leaf row of the type table (schemakit/_arrow_types.py) with a strategy for arrays of
#: it, nulls included, values anywhere the Arrow type can hold them.
TYPE_TABLE: list[tuple[str, st.SearchStrategy[pa.Array]]] = [
    ("null", st.integers(0, 4).map(pa.nulls)),
    ("bool", _of(pa.bool_(), st.booleans())),
    *[(str(t), _ints_of(t)) for t in (pa.int8(), pa.int16(), pa.int32(), pa.int64())],
    *[(str(t), _ints_of(t)) for t in (pa.uint8(), pa.uint16(), pa.uint32(), pa.uint64())],
    (
        "float16",
        st.lists(st.floats(width=16), max_size=6).map(lambda v: pa.array(np.array(v, np.float16))),
    ),
    ("float32", _of(pa.float32(), st.floats(width=32))),
    ("float64", _of(pa.float64(), st.floats())),
    *[(str(t), _of(t, st.text(max_size=6))) for t in (pa.string(), pa.large_string())],
    ("string_view", _of(pa.string_view(), st.text(max_size=6))),
    *[(str(t), _of(t, st.binary(max_size=6))) for t in (pa.binary(), pa.large_binary())],
    ("binary_view", _of(pa.binary_view(), st.binary(max_size=6))),
    ("fixed_size_binary(3)", _of(pa.binary(3), st.binary(min_size=3, max_size=3))),
    *[(str(t), _temporal(t)) for t in (pa.date32(), pa.date64())],
    *[(str(t), _temporal(t)) for t in (pa.time32("s"), pa.time32("ms"))],
    *[(str(t), _temporal(t)) for t in (pa.time64("us"), pa.time64("ns"))],
    *[
        (str(pa.timestamp(unit, tz=tz)), _temporal(pa.timestamp(unit, tz=tz)))
        for unit in ("s", "ms", "us", "ns")
        for tz in (None, *_TZ)
    ],
    *[
        (str(t), _decimals(t))
        for t in (
            pa.decimal32(7, 2),
            pa.decimal64(15, 0),
            pa.decimal128(38, 10),
            pa.decimal128(1, 1),
            pa.decimal256(60, 30),
        )
    ],
    ("uuid", _uuids()),
]


def _expected(column: pa.Array, decoded_type: pa.DataType) -> pa.Array:
    """What the decoder gives back for ``column``: its values in the Avro type's Arrow type."""
    if isinstance(column.type, pa.BaseExtensionType):
        texts = [None if v is None else str(v) for v in column.to_pylist()]
        return pa.array(texts, pa.string())
    if pa.types.is_time64(column.type) and column.type.unit == "ns":
        # time-micros keeps microseconds; times are >= 0, so truncation is the floor
        return column.cast(decoded_type, safe=False)
    return column.cast(decoded_type)


def _same(got: pa.Array, want: pa.Array) -> bool:
    if pa.types.is_floating(want.type):
        valid = np.asarray(want.is_valid())
        return bool(
            np.array_equal(valid, np.asarray(got.is_valid()))
            and np.array_equal(
                want.fill_null(0).to_numpy(), got.fill_null(0).to_numpy(), equal_nan=True
            )
        )
    if pa.types.is_temporal(want.type):
        storage = pa.int64() if want.type.bit_width == 64 else pa.int32()
        return bool(got.view(storage).equals(want.view(storage)))
    return bool(got.equals(want))


@pytest.mark.parametrize(("arrow", "columns"), TYPE_TABLE, ids=[t[0] for t in TYPE_TABLE])
@pytest.mark.parametrize("path", ["numba", "numpy"])
def test_every_type_round_trips_or_is_refused(
    arrow: str, columns: st.SearchStrategy[pa.Array], path: str
) -> None:
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(columns, st.integers(1, 4))
    def check(column: pa.Array, chunk_rows: int) -> None:
        table = pa.table({"a": column})
        schema = sk.infer(table)
        refused: EncodeError | None = None
        try:
            bodies = encode_bodies(table, schema, chunk_rows=chunk_rows)
        except EncodeError as err:
            refused = err
        if refused is not None:
            assert refused.column == "a"
            assert refused.row is not None
            assert 0 <= refused.row < len(column)
            return
        assert len(bodies) == len(column)
        decoded = _reads_back(bodies, schema).column("a").combine_chunks()
        assert _same(decoded, _expected(column, decoded.type)), (column, decoded)

    saved = _writer.USE_NUMBA, _reader.USE_NUMBA
    _writer.USE_NUMBA = _reader.USE_NUMBA = path == "numba"
    try:
        check()
    finally:
        _writer.USE_NUMBA, _reader.USE_NUMBA = saved


# --------------------------------------------------------------------------------------------
# found by the property above


def test_windows_alternating_direct_and_planned(kernels: str) -> None:
    # windows without a null are written directly, windows with one are planned (and, with
    # the compiled kernels, written on the pool): each window is committed once, in order
    values = [True, None, False, True, False, True, None, True, False]
    schema = _schema(["null", "boolean"])
    bodies = encode_bodies(pa.table({"a": values}), schema, chunk_rows=2)
    assert bodies.to_pylist() == fastavro_bodies(schema.to_dict(), [{"a": v} for v in values])


@pytest.mark.parametrize(
    ("dtype", "avro_type", "values"),
    [
        (pa.string_view(), "string", ["a", None, "bc"]),
        (pa.binary_view(), "bytes", [b"a", None, b"\xff"]),
        (pa.binary_view(), "string", [b"a", None, "é".encode()]),
    ],
    ids=["string_view", "binary_view", "binary_view text"],
)
def test_nullable_views(
    kernels: str, dtype: pa.DataType, avro_type: str, values: list[Any]
) -> None:
    schema = _schema(["null", avro_type])
    bodies = encode_bodies(pa.table({"a": pa.array(values, dtype)}), schema)
    rows = [
        {"a": v.decode() if avro_type == "string" and isinstance(v, bytes) else v} for v in values
    ]
    assert bodies.to_pylist() == fastavro_bodies(schema.to_dict(), rows)


# --------------------------------------------------------------------------------------------
# the row-wise fallback (a run-end encoded column) checks the same


def _run_end(values: pa.Array) -> pa.Array:
    ends = pa.array(np.arange(1, len(values) + 1, dtype=np.int32))
    return pa.RunEndEncodedArray.from_arrays(ends, values)


#: (id, avro type, values, row, value, message fragment)
FALLBACK_CASES: list[tuple[str, Any, pa.Array, int, Any, str]] = [
    ("binary text", "string", pa.array([b"ok", b"\xff"]), 1, b"\xff", "utf-8"),
    ("uuid", _UUID, pa.array([_GOOD_UUID, _GOOD_UUID + "\n"]), 1, _GOOD_UUID + "\n", "uuid"),
    ("time-millis", _TIME_MS, pa.array([1, _DAY_MS], pa.int32()), 1, _DAY_MS, "time of day"),
    ("date", _DATE, pa.array([_LAST_DAY + 1], pa.int32()), 0, _LAST_DAY + 1, "years"),
    (
        "timestamp Python cannot hold",
        _logical("timestamp-millis"),
        _ints([0, 2**50], pa.timestamp("ms", tz="UTC")),
        1,
        2**50,
        "no Python form",
    ),
]


@pytest.mark.parametrize(
    ("avro_type", "values", "row", "value", "fragment"),
    [c[1:] for c in FALLBACK_CASES],
    ids=[c[0] for c in FALLBACK_CASES],
)
def test_fallback_checks_the_same(
    avro_type: Any, values: pa.Array, row: int, value: Any, fragment: str
) -> None:
    with pytest.warns(sk.PerformanceWarning, match="row by row"):
        err = _raises(pa.table({"a": _run_end(values)}), _schema(avro_type))
    _assert_names(err, "a", row, value)
    assert fragment in str(err)


def test_fallback_writes_utf8_binary_as_text() -> None:
    texts = ["a", "é", ""]
    schema = _schema("string")
    column = _run_end(pa.array([t.encode() for t in texts], pa.binary()))
    with pytest.warns(sk.PerformanceWarning):
        bodies = encode_bodies(pa.table({"a": column}), schema)
    assert bodies.to_pylist() == fastavro_bodies(schema.to_dict(), [{"a": t} for t in texts])


#: (id, Arrow table, avro type of "a", row): refused by sk.encode, which then registers nothing
SK_ENCODE_CASES: list[tuple[str, pa.Table, Any, int]] = [
    ("binary text", pa.table({"a": pa.array([b"ok", b"\xff\xfe"], pa.binary())}), "string", 1),
    ("time of day", pa.table({"a": pa.array([1, _DAY_MS], pa.int32())}), _TIME_MS, 1),
    ("uuid", pa.table({"a": ["x"]}), _UUID, 0),
    ("inf for a long", pa.table({"a": [1.0, 2.0, math.inf]}), _LONG, 2),
    ("year 10000", pa.table({"a": _ints([0, _LAST_DAY + 1], pa.date32())}), _DATE, 1),
]


@pytest.mark.parametrize(
    ("table", "avro_type", "row"),
    [c[1:] for c in SK_ENCODE_CASES],
    ids=[c[0] for c in SK_ENCODE_CASES],
)
def test_sk_encode_refuses_and_registers_nothing(table: pa.Table, avro_type: Any, row: int) -> None:
    reg = sk.Registry(":memory:")
    with pytest.raises(EncodeError) as info:
        sk.encode(
            table,
            "t-value",
            registry=reg,
            schema=record({"name": "a", "type": avro_type}),
            progress=False,
        )
    assert (info.value.column, info.value.row) == ("a", row)
    assert reg.subjects() == []
