"""Hostile JSON bodies: one bad record is that row's DecodeError, never the batch's crash.

Every path that reads or writes a JSON Schema body goes through :mod:`schemakit.codec._json`:
the batch codec (``sk.decode`` / ``sk.encode``) and the single-record ``Deserializer.decode`` /
``Serializer.encode``. The tables below are run through each of them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import hypothesis.strategies as st
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings

import schemakit as sk
from schemakit.codec._json import (
    JSON_DECODE_REASONS,
    MAX_JSON_DEPTH,
    JsonRecordCodec,
    decode_json_bodies,
    encode_json_bodies,
)
from schemakit.errors import DecodeError, EncodeError
from schemakit.schema import Schema

DOC = {
    "type": "object",
    "properties": {
        "n": {"type": "integer"},
        "x": {"type": "number"},
        "s": {"type": "string"},
        "d": {"type": ["string", "null"], "format": "decimal", "x-precision": 4, "x-scale": 2},
        "xs": {"type": "array", "items": {"type": "number"}},
        "u": {},
    },
}
SCHEMA = Schema(DOC, schema_type="JSON")
GOOD = b'{"n":1,"x":1.5,"s":"a","xs":[2.5],"u":{"k":[1]}}'


def nested(depth: int, *, key: str = "u") -> bytes:
    """``{"u": [[...]]}``: the object is one level, the arrays ``depth - 1`` more."""
    return b'{"%s":' % key.encode() + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


# (case, body, reason, message fragment)
HOSTILE = [
    ("100,000 deep", nested(100_000), "nesting too deep", f"more than {MAX_JSON_DEPTH}"),
    ("one past the limit", nested(MAX_JSON_DEPTH + 1), "nesting too deep", str(MAX_JSON_DEPTH)),
    ("deep objects", b'{"a":' * 3000 + b"1" + b"}" * 3000, "nesting too deep", "nest"),
    ("5,000 digits", b'{"n":' + b"7" * 5000 + b"}", "number out of range", "5000 digits"),
    ("-5,000 digits", b'{"u":-' + b"7" * 5000 + b"}", "number out of range", "digits"),
    ("NaN", b'{"x":NaN}', "invalid JSON", "NaN"),
    ("Infinity", b'{"x":Infinity}', "invalid JSON", "Infinity"),
    ("-Infinity", b'{"xs":[-Infinity]}', "invalid JSON", "-Infinity"),
    ("NaN unconstrained", b'{"u":[NaN]}', "invalid JSON", "NaN"),
    ("1e400", b'{"x":1e400}', "number out of range", "1e400"),
    ("-1e400 in a list", b'{"xs":[-1e400]}', "number out of range", "-1e400"),
    ("2**70 as integer", b'{"n":%d}' % 2**70, "number out of range", str(2**70)),
    ("lone high surrogate", b'{"s":"a\\ud800"}', "invalid UTF-8", "U+D800"),
    ("lone low surrogate key", b'{"u":{"\\uDC00":1}}', "invalid UTF-8", "U+DC00"),
    ("decimal beyond precision", b'{"d":"123.45"}', "schema validation failed", "precision"),
]
IDS = [case for case, *_ in HOSTILE]
#: The checks of the Arrow column a value goes into (int64, decimal precision): the batch path
#: builds Arrow columns; one record through ``Deserializer.decode`` comes back as Python values.
ARROW_ONLY = {"2**70 as integer", "decimal beyond precision"}

# Bodies near the hostile ones that are fine: (case, body, the row they decode to (a subset)).
FINE = [
    ("at the limit", nested(MAX_JSON_DEPTH), {"u": "[" * 127 + "]" * 127}),
    ("many shallow arrays", b'{"u":[' + b",".join([b"[[1]]"] * 300) + b"]}", None),
    ("brackets in a string", b'{"s":"' + b"[" * 500 + b'"}', {"s": "[" * 500}),
    ("surrogate pair", b'{"s":"\\ud83d\\ude00"}', {"s": "\N{GRINNING FACE}"}),
    ("escaped backslash then u", b'{"s":"\\\\ud800"}', {"s": "\\ud800"}),
    ("4,300 digits", b'{"u":' + b"7" * 4300 + b"}", {"u": "7" * 4300}),
    ("largest double", b'{"x":1.7976931348623157e308}', {"x": 1.7976931348623157e308}),
    ("int64 bounds", b'{"n":-9223372036854775808,"xs":[9223372036854775807]}', None),
]


def batch(*bodies: bytes | None) -> pa.BinaryArray:
    return pa.array(list(bodies), pa.binary())


def test_reasons_are_the_documented_table() -> None:
    assert {reason for _, _, reason, _ in HOSTILE} <= set(JSON_DECODE_REASONS)


@pytest.mark.parametrize(("case", "body", "reason", "fragment"), HOSTILE, ids=IDS)
def test_batch_raise_names_row_schema_id_and_reason(
    case: str, body: bytes, reason: str, fragment: str
) -> None:
    with pytest.raises(DecodeError) as info:
        decode_json_bodies(batch(GOOD, GOOD, body, GOOD), SCHEMA, schema_id=7)
    assert (info.value.row, info.value.schema_id, info.value.reason) == (2, 7, reason)
    assert f"row 2 (schema id 7): {reason}" in str(info.value)
    assert fragment in str(info.value)


@pytest.mark.parametrize(("case", "body", "reason", "fragment"), HOSTILE, ids=IDS)
def test_batch_null_gives_a_null_row_and_a_report(
    case: str, body: bytes, reason: str, fragment: str
) -> None:
    out = decode_json_bodies(
        batch(GOOD, body, None, GOOD), SCHEMA, rows=[10, 11, 12, 13], errors="null"
    )
    assert isinstance(out, tuple)
    table, report = out
    assert table.num_rows == 4
    assert [(row, why) for row, why, _ in report] == [(11, reason), (12, "null record")]
    assert fragment in report[0][2]
    rows = table.to_pylist()
    assert rows[1] == rows[2] == dict.fromkeys(table.column_names)
    assert rows[0] == rows[3]
    assert rows[0]["n"] == 1
    assert rows[0]["xs"] == [2.5]


@pytest.mark.parametrize(("case", "body", "expected"), FINE, ids=[c for c, *_ in FINE])
def test_bodies_near_the_limits_decode(case: str, body: bytes, expected: Any) -> None:
    table = decode_json_bodies(batch(body, GOOD), SCHEMA)
    assert isinstance(table, pa.Table)
    row = table.to_pylist()[0]
    for key, value in (expected or {}).items():
        assert row[key] == value
    assert JsonRecordCodec(SCHEMA).decode(body, schema_id=1, validate=True) is not None


@pytest.mark.parametrize(("case", "body", "reason", "fragment"), HOSTILE, ids=IDS)
def test_single_record_codec_raises_the_same_decode_error(
    case: str, body: bytes, reason: str, fragment: str
) -> None:
    codec = JsonRecordCodec(SCHEMA)
    if case in ARROW_ONLY:
        assert codec.decode(body, schema_id=7, validate=True) == json.loads(body)
        return
    with pytest.raises(DecodeError) as info:
        codec.decode(body, schema_id=7, validate=True)
    assert (info.value.schema_id, info.value.reason) == (7, reason)
    assert fragment in str(info.value)
    assert "schema id 7" in str(info.value)


# --------------------------------------------------------------------------------------------
# the public paths: sk.decode and Deserializer.decode over a real registry


@pytest.fixture
def registry() -> sk.Registry:
    return sk.Registry(":memory:")


def framed(schema_id: int, body: bytes) -> bytes:
    return b"\x00" + schema_id.to_bytes(4, "big") + body


@pytest.mark.parametrize(("case", "body", "reason", "fragment"), HOSTILE, ids=IDS)
def test_sk_decode_and_deserializer(
    registry: sk.Registry, case: str, body: bytes, reason: str, fragment: str
) -> None:
    schema_id = registry.register("hostile-value", SCHEMA).id
    records = [framed(schema_id, GOOD), framed(schema_id, body), framed(schema_id, GOOD)]
    with pytest.raises(sk.DecodeError) as info:
        sk.decode(records, registry)
    assert (info.value.row, info.value.schema_id, info.value.reason) == (1, schema_id, reason)
    frame = sk.decode(records, registry, errors="null")
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == 3
    assert frame["n"].tolist()[0] == frame["n"].tolist()[2] == 1
    assert pd.isna(frame["n"].tolist()[1])
    report = frame.attrs["decode_errors"]
    assert report["row"].tolist() == [1]
    assert report["reason"].tolist() == [reason]
    single = sk.Deserializer(registry)
    assert single.decode(records[0])["n"] == 1
    if case in ARROW_ONLY:
        return
    with pytest.raises(sk.DecodeError) as single_info:
        single.decode(records[1])
    assert (single_info.value.schema_id, single_info.value.reason) == (schema_id, reason)


# --------------------------------------------------------------------------------------------
# encoding: NaN and infinities are never written, nor bodies deeper than the limit

# (case, column, values, row, column path, the value named)
NON_FINITE = [
    ("NaN", "x", pa.array([1.0, 2.0, math.nan]), 2, "x", "nan"),
    ("inf", "x", pa.array([math.inf, 1.0]), 0, "x", "inf"),
    ("-inf float32", "x", pa.array([0.5, -math.inf], pa.float32()), 1, "x", "-inf"),
    ("in a list", "xs", pa.array([[1.0], [], [2.0, math.nan]]), 2, "xs[]", "nan"),
    (
        "in a struct",
        "st",
        pa.array([{"f": 1.0}, None, {"f": -math.inf}]),
        2,
        "st.f",
        "-inf",
    ),
    (
        "in a map",
        "m",
        pa.array([[("a", 1.0)], [("b", math.inf)]], pa.map_(pa.string(), pa.float64())),
        1,
        "m{}",
        "inf",
    ),
    (
        "in a list of structs",
        "ls",
        pa.array([[{"f": 1.0}], [{"f": 2.0}, {"f": math.nan}]]),
        1,
        "ls[].f",
        "nan",
    ),
]
OPEN = Schema({"type": "object"}, schema_type="JSON")


@pytest.mark.parametrize(
    ("case", "column", "values", "row", "path", "shown"), NON_FINITE, ids=[c[0] for c in NON_FINITE]
)
def test_encode_refuses_non_finite_numbers(
    case: str, column: str, values: pa.Array, row: int, path: str, shown: str
) -> None:
    table = pa.table({"id": pa.array(range(len(values))), column: values})
    with pytest.raises(EncodeError) as info:
        encode_json_bodies(table, OPEN, rows=[100 + i for i in range(len(values))])
    assert (info.value.row, info.value.column) == (100 + row, path)
    assert math.isnan(info.value.value) if shown == "nan" else info.value.value == float(shown)
    assert f"row {100 + row}" in str(info.value)
    assert "not JSON" in str(info.value)


def test_sk_encode_refuses_infinity_in_a_dataframe(registry: sk.Registry) -> None:
    # pandas NaN is a missing value (Arrow null, JSON null); an infinity is a value JSON lacks.
    frame = pd.DataFrame({"n": [1, 2, 3], "x": [0.5, math.nan, -math.inf]})
    with pytest.raises(sk.EncodeError) as info:
        sk.encode(frame, "inf-value", registry=registry, schema=OPEN)
    assert (info.value.row, info.value.column, info.value.value) == (2, "x", -math.inf)
    written = sk.encode(frame.head(2), "inf-value", registry=registry, schema=OPEN)
    assert [r[5:] for r in written.tolist()] == [b'{"n":1,"x":0.5}', b'{"n":2,"x":null}']


def test_encode_reports_the_earliest_bad_row() -> None:
    # A schema violation at row 1 comes before a NaN at row 2, and the other way round.
    schema = Schema(
        {"type": "object", "properties": {"n": {"type": "integer"}}}, schema_type="JSON"
    )
    late_nan = pa.table({"n": pa.array([1, None, 3]), "x": [1.0, 2.0, math.nan]})
    with pytest.raises(EncodeError) as info:
        encode_json_bodies(late_nan, schema)
    assert (info.value.row, info.value.column) == (1, "n")
    early_nan = pa.table({"n": pa.array([1, 2, None]), "x": [1.0, math.nan, 3.0]})
    with pytest.raises(EncodeError) as info:
        encode_json_bodies(early_nan, schema)
    assert (info.value.row, info.value.column) == (1, "x")


def test_encode_ignores_nan_under_nulls_and_in_sliced_away_rows() -> None:
    parent = pa.array([{"f": math.nan}, {"f": 1.0}]).slice(1)
    masked = pa.StructArray.from_arrays(
        [pa.array([math.nan, 2.0])], names=["f"], mask=pa.array([True, False])
    )
    table = pa.table(
        {"a": parent, "b": masked.slice(1), "c": pa.array([1.0, math.nan]).slice(0, 1)}
    )
    assert encode_json_bodies(table, OPEN).to_pylist() == [b'{"a":{"f":1.0},"b":{"f":2.0},"c":1.0}']


def deep_type(depth: int) -> pa.DataType:
    dtype: pa.DataType = pa.int64()
    for _ in range(depth):
        dtype = pa.list_(dtype)
    return dtype


def test_encode_refuses_tables_deeper_than_the_limit() -> None:
    fits = pa.array([None], deep_type(MAX_JSON_DEPTH - 1))  # + the row object = the limit
    assert encode_json_bodies(pa.table({"a": fits}), OPEN).to_pylist() == [b'{"a":null}']
    too_deep = pa.array([None], deep_type(MAX_JSON_DEPTH))
    with pytest.raises(EncodeError) as info:
        encode_json_bodies(pa.table({"ok": [1], "a": too_deep}), OPEN)
    assert info.value.column == "a"
    assert str(MAX_JSON_DEPTH) in str(info.value)


def deep_list(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


# (case, record, column path, fragment)
UNWRITABLE = [
    ("NaN", {"x": math.nan}, "x", "NaN"),
    ("inf in a list", {"xs": [1.0, math.inf]}, "xs[1]", "inf"),
    ("-inf nested", {"u": {"k": [{"z": -math.inf}]}}, "u.k[0].z", "-inf"),
    ("100,000 deep", {"u": deep_list(100_000)}, "u", f"more than {MAX_JSON_DEPTH}"),
    ("one past the limit", {"u": deep_list(MAX_JSON_DEPTH)}, "u", str(MAX_JSON_DEPTH)),
    ("lone surrogate", {"s": "a\ud800"}, "s", "surrogate"),
    ("lone surrogate key", {"u": {"\udc80": 1}}, "u", "surrogate"),
]


@pytest.mark.parametrize(
    ("case", "record", "path", "fragment"), UNWRITABLE, ids=[c[0] for c in UNWRITABLE]
)
def test_single_record_encode_refuses_what_json_cannot_hold(
    registry: sk.Registry, case: str, record: dict[str, Any], path: str, fragment: str
) -> None:
    with pytest.raises(EncodeError) as info:
        JsonRecordCodec(SCHEMA).encode(record, subject="s-value")
    assert info.value.column == path
    assert fragment in str(info.value)
    assert "'s-value'" in str(info.value)
    serializer = sk.Serializer(registry, "s-value", SCHEMA)
    with pytest.raises(sk.EncodeError) as through:
        serializer.encode(record)
    assert through.value.column == path


def test_single_record_encode_at_the_limit_round_trips(registry: sk.Registry) -> None:
    record = {"u": deep_list(MAX_JSON_DEPTH - 1), "x": 1e308}
    data = sk.Serializer(registry, "s-value", SCHEMA).encode(record)
    assert sk.Deserializer(registry).decode(data) == record


def test_a_cycle_is_refused_not_followed() -> None:
    cycle: dict[str, Any] = {}
    cycle["u"] = cycle
    with pytest.raises(EncodeError, match="more than"):
        JsonRecordCodec(SCHEMA).encode(cycle, subject="s")


# --------------------------------------------------------------------------------------------
# properties: arbitrary bytes


# Fragments that reach the parser's corners: nesting, numbers, constants, escapes, bad UTF-8.
FRAGMENTS = [
    b"[", b"]", b"{", b"}", b'"', b"\\", b",", b":", b"1", b"-", b"e", b".", b"0",
    b'"n"', b'"x"', b'"u"', b'"s"', b'"d"', b"NaN", b"Infinity", b"1e400", b"9" * 4400,
    b"\\ud800", b"\\udc00", b"\\ud83d\\ude00", b"\\u", b"\xff", b"\xc3", b"\x00", b"null",
    b"true", b"[" * 200, b"]" * 200, b'{"u":', b'{"n":', b'{"xs":[', b'{"d":"1.5"}',
]  # fmt: skip
BODIES = st.one_of(
    st.binary(max_size=64),
    st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(b"".join),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda kids: st.lists(kids) | st.dictionaries(st.sampled_from(["n", "x", "u", "s"]), kids),
        max_leaves=30,
    ).map(lambda v: json.dumps({"u": v}).encode()),
)
SCHEMAS = [
    SCHEMA,
    Schema({}, schema_type="JSON"),
    Schema({"type": "object"}, schema_type="JSON"),
    Schema({"type": "array", "items": {"type": "integer"}}, schema_type="JSON"),
]
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def raised_by(call: Callable[[], object]) -> DecodeError | None:
    """The DecodeError ``call`` raised, or None; anything else propagates and fails the test."""
    try:
        call()
    except DecodeError as exc:
        return exc
    return None


@PROPERTY
@given(bodies=st.lists(BODIES | st.none(), min_size=1, max_size=6), which=st.sampled_from(SCHEMAS))
def test_arbitrary_bodies_give_decode_errors_or_one_row_each(
    bodies: list[bytes | None], which: Schema
) -> None:
    records = batch(*bodies)
    raised = raised_by(lambda: decode_json_bodies(records, which, schema_id=3))
    if raised is not None:
        assert raised.reason in JSON_DECODE_REASONS
        assert raised.schema_id == 3
        assert raised.row is not None
        assert 0 <= raised.row < len(bodies)
    out = decode_json_bodies(records, which, schema_id=3, errors="null")
    assert isinstance(out, tuple)
    table, report = out
    assert table.num_rows == len(bodies)
    assert all(reason in JSON_DECODE_REASONS for _, reason, _ in report)
    bad = {row for row, _, _ in report}
    assert bad >= {i for i, body in enumerate(bodies) if body is None}
    for i, row in enumerate(table.to_pylist()):
        if i in bad:
            assert all(v is None for v in row.values())


@PROPERTY
@given(body=BODIES)
def test_arbitrary_body_single_and_batch_agree(body: bytes) -> None:
    # Under the unconstrained schema every JSON value fits its Arrow column (its JSON text), so
    # the one-record path and the batch path accept and refuse the same bodies, for one reason.
    anything = SCHEMAS[1]
    raised = raised_by(lambda: JsonRecordCodec(anything).decode(body, schema_id=4, validate=True))
    single = None if raised is None else raised.reason
    out = decode_json_bodies(batch(body), anything, schema_id=4, errors="null")
    assert isinstance(out, tuple)
    assert [reason for _, reason, _ in out[1]] == ([] if single is None else [single])


# Pieces that, joined, put brackets and escapes on either side of the 1 MiB scan windows.
SCAN_PIECES = [b"[", b"{", b"]", b"\\ud8", b"\\uDF", b"\\u00", b"\\", b"u", b"D", b"9", b"x"]
FILLER = st.sampled_from([b"x" * 699_999, b"[" * 300_001, b"\\ud9" * 100_000])


@settings(max_examples=25, deadline=None)
@given(
    bodies=st.lists(
        st.lists(st.sampled_from(SCAN_PIECES) | FILLER, max_size=8).map(b"".join), max_size=6
    ),
    skip=st.integers(0, 2),
)
def test_the_columnar_scan_counts_each_body_as_bytes_count_does(
    bodies: list[bytes], skip: int
) -> None:
    from schemakit.codec._framing import binary_parts
    from schemakit.codec._json_limits import scan_bodies

    array = pa.array([b"[[{", *bodies], pa.binary()).slice(min(skip, len(bodies)))
    offsets, values, _ = binary_parts(array)
    opens, suspect = scan_bodies(offsets, values)
    expected = array.to_pylist()
    assert opens.tolist() == [b.count(b"[") + b.count(b"{") for b in expected]
    pattern = re.compile(rb"\\u[dD][89a-fA-F]")
    assert suspect.tolist() == [pattern.search(b) is not None for b in expected]


# (case, column values) whose row 1 has no Python value (and so no JSON text)
OUT_OF_RANGE = [
    ("timestamp[us]", pa.array([0, 2**62], pa.timestamp("us"))),
    ("date32", pa.array([0, 2**31 - 1], pa.date32())),
    ("list<date32>", pa.array([[0], [1, 2**31 - 1]], pa.list_(pa.date32()))),
]


@pytest.mark.parametrize(("case", "values"), OUT_OF_RANGE, ids=[c for c, _ in OUT_OF_RANGE])
def test_encode_names_a_value_python_cannot_hold(case: str, values: pa.Array) -> None:
    table = pa.table({"ok": [1, 2], "a": values})
    with pytest.raises(EncodeError) as info:
        encode_json_bodies(table, OPEN, rows=[7, 8])
    assert (info.value.row, info.value.column) == (8, "a")
    assert "row 8" in str(info.value)
    assert "out of range" in str(info.value)


@pytest.fixture(scope="module")
def anything_registry() -> Iterator[tuple[sk.Registry, int]]:
    with sk.Registry(":memory:") as reg:
        yield reg, reg.register("anything-value", SCHEMAS[1]).id


@PROPERTY
@given(bodies=st.lists(BODIES, min_size=1, max_size=4))
def test_sk_decode_and_deserializer_agree_on_arbitrary_bodies(
    anything_registry: tuple[sk.Registry, int], bodies: list[bytes]
) -> None:
    registry, schema_id = anything_registry
    records = [framed(schema_id, body) for body in bodies]
    frame = sk.decode(records, registry, errors="null")
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == len(records)
    report = frame.attrs["decode_errors"]
    batch_reasons = dict(zip(report["row"].tolist(), report["reason"].tolist(), strict=True))
    single = sk.Deserializer(registry)
    for row, record in enumerate(records):
        raised = raised_by(lambda record=record: single.decode(record))
        assert batch_reasons.get(row) == (None if raised is None else raised.reason)
    first = min(batch_reasons, default=None)
    raised = raised_by(lambda: sk.decode(records, registry))
    assert (None if raised is None else (raised.row, raised.reason)) == (
        None if first is None else (first, batch_reasons[first])
    )
