"""Deserializer.decode on hostile records: the batch decoder's rules, limits and reasons.

Every record that ``sk.decode`` refuses, ``Deserializer.decode`` refuses with the same reason;
every record it accepts, both give the same value. Recursive schemas (which have no Arrow type,
so no batch decoder) are bounded by the explicit nesting limit, never by the C stack.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import resource
from typing import Any

import fastavro
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schemakit as sk
from schemakit.codec import _reader
from schemakit.codec._scan import DEPTH_REASON, MAX_DEPTH

NODE = {
    "type": "record",
    "name": "Node",
    "fields": [
        {"name": "v", "type": "long"},
        {"name": "next", "type": ["null", "Node"]},
    ],
}
TREE = {
    "type": "record",
    "name": "Tree",
    "fields": [
        {"name": "label", "type": "string"},
        {"name": "kids", "type": {"type": "array", "items": "Tree"}},
        {"name": "attrs", "type": {"type": "map", "values": ["null", "Tree"]}},
    ],
}
FLAT = {
    "type": "record",
    "name": "Flat",
    "fields": [
        {"name": "i", "type": "int"},
        {"name": "l", "type": "long"},
        {"name": "s", "type": "string"},
        {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B", "C"]}},
        {
            "name": "d",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2},
        },
        {"name": "f", "type": {"type": "fixed", "name": "F4", "size": 4}},
        {"name": "t", "type": {"type": "int", "logicalType": "time-millis"}},
        {"name": "u", "type": ["null", "string", "long"]},
        {"name": "x", "type": "double"},
        {"name": "b", "type": "boolean"},
    ],
}
NESTED = {
    "type": "record",
    "name": "Order",
    "fields": [
        {"name": "nulls", "type": {"type": "array", "items": "null"}},
        {"name": "grid", "type": {"type": "array", "items": {"type": "array", "items": "long"}}},
        {"name": "tags", "type": {"type": "map", "values": "string"}},
        {
            "name": "lines",
            "type": {
                "type": "array",
                "items": {
                    "type": "record",
                    "name": "Line",
                    "fields": [
                        {"name": "sku", "type": "string"},
                        {"name": "qty", "type": ["null", "int"]},
                        {"name": "empty", "type": {"type": "record", "name": "E0", "fields": []}},
                    ],
                },
            },
        },
    ],
}
ARRAY_OF_NULL = {"type": "array", "items": "null"}
NESTED_ARRAYS = {
    "type": "array",
    "items": {"type": "array", "items": {"type": "array", "items": "int"}},
}


def _zigzag(n: int) -> bytes:
    z = (n << 1) ^ (n >> 63)
    z &= (1 << 64) - 1
    out = bytearray()
    while True:
        if z < 0x80:
            out.append(z)
            return bytes(out)
        out.append((z & 0x7F) | 0x80)
        z >>= 7


@pytest.fixture(scope="module")
def registry() -> sk.Registry:
    return sk.Registry(":memory:")


@pytest.fixture(params=["numba", "python"])
def kernels(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "python":
        monkeypatch.setattr(_reader, "USE_NUMBA", False)
    return str(request.param)


def _header(registry: sk.Registry, subject: str, schema: Any) -> bytes:
    schema_id = registry.register(subject, sk.Schema.parse(schema)).id
    return b"\x00" + schema_id.to_bytes(4, "big")


def _chain(n: int) -> dict[str, Any] | None:
    node = None
    for i in range(n):
        node = {"v": i, "next": node}
    return node


def _reason(call: Any) -> str | None:
    try:
        call()
    except sk.DecodeError as exc:
        return exc.reason
    return None


# (name, schema, body, reason): each case from the hardening issue and its class
HOSTILE = [
    ("recursive 5,000 deep", NODE, b"\x02\x02" * 5000 + b"\x02\x00", DEPTH_REASON),
    (
        "array<null> of 2**40",
        ARRAY_OF_NULL,
        _zigzag(2**40) + b"\x00",
        "item count exceeds the body",
    ),
    (
        "1,000 blocks of 1 M nulls",
        ARRAY_OF_NULL,
        _zigzag(1_000_000) * 1000 + b"\x00",
        "item count exceeds the body",
    ),
    ("nested 2**30 counts", NESTED_ARRAYS, _zigzag(2**30) * 3, "item count exceeds the body"),
    ("block count -2**63", ARRAY_OF_NULL, _zigzag(-(2**63)) + b"\x02\x00", "negative item count"),
    ("negative block size", ARRAY_OF_NULL, _zigzag(-1) + _zigzag(-5) + b"\x00", "negative length"),
    ("12-byte varint", {"type": "long"}, b"\xff" * 11 + b"\x01", "varint longer than 10 bytes"),
    ("truncated varint", {"type": "long"}, b"\xff\xff", "truncated body"),
    ("int holding 2**40", {"type": "int"}, _zigzag(2**40), "int out of range"),
    ("negative length", {"type": "string"}, _zigzag(-3), "negative length"),
    ("length past the end", {"type": "bytes"}, _zigzag(99) + b"ab", "length exceeds the body"),
    ("invalid UTF-8", {"type": "string"}, _zigzag(2) + b"\xff\xfe", "invalid UTF-8"),
    ("UTF-8 surrogate", {"type": "string"}, _zigzag(3) + b"\xed\xa0\x80", "invalid UTF-8"),
    ("UTF-8 overlong", {"type": "string"}, _zigzag(2) + b"\xc0\xaf", "invalid UTF-8"),
    (
        "enum index -1",
        {"type": "enum", "name": "E", "symbols": ["A", "B"]},
        _zigzag(-1),
        "enum index out of range",
    ),
    ("union branch 7", ["null", "long"], _zigzag(7), "union branch out of range"),
    (
        "time-millis past a day",
        {"type": "int", "logicalType": "time-millis"},
        _zigzag(86_400_000),
        "time of day out of range",
    ),
    (
        "decimal past its precision",
        {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2},
        _zigzag(2) + (10_000).to_bytes(2, "big"),
        "decimal exceeds its precision",
    ),
    (
        "decimal wider than Arrow",
        {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2},
        _zigzag(20) + b"\x01" + bytes(19),
        "decimal wider than its Arrow type",
    ),
    ("truncated fixed", {"type": "fixed", "name": "F", "size": 8}, b"\x01\x02", "truncated body"),
    ("trailing bytes", {"type": "long"}, b"\x02\x00", "trailing bytes"),
]


@pytest.mark.parametrize(("name", "schema", "body", "reason"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_hostile_records_are_refused_with_the_batch_reason(
    registry: sk.Registry, kernels: str, name: str, schema: Any, body: bytes, reason: str
) -> None:
    record = _header(registry, f"hostile-{abs(hash(name))}", schema) + body
    deserializer = sk.Deserializer(registry)
    _reason(lambda: deserializer.decode(record))  # compiles the scan once
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(sk.DecodeError) as caught:
        deserializer.decode(record)
    assert caught.value.reason == reason
    assert caught.value.schema_id == int.from_bytes(record[1:5], "big")
    assert reason in str(caught.value)
    named = {
        "item count exceeds the body": "the limit: items of zero bytes",
        DEPTH_REASON: "levels",
    }
    assert named.get(reason, "") in str(caught.value)  # a limit passed is named with its rule
    # nothing was built: well under 64 MiB more than before (ru_maxrss is in KiB)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 64 * 1024
    if schema is not NODE:  # recursive schemas have no batch decoder
        assert _reason(lambda: sk.decode([record], registry, output="arrow")) == reason


def test_field_path_is_named(registry: sk.Registry) -> None:
    header = _header(registry, "flat-path", FLAT)
    body = _zigzag(1) + _zigzag(2) + _zigzag(1) + b"a" + _zigzag(5)  # enum index 5 of 3
    with pytest.raises(sk.DecodeError, match="enum index out of range at field 'e'"):
        sk.Deserializer(registry).decode(header + body)


def test_recursive_records_decode_up_to_the_depth_limit(
    registry: sk.Registry, kernels: str
) -> None:
    header = _header(registry, "linked", NODE)
    deserializer = sk.Deserializer(registry)
    parsed = fastavro.parse_schema(NODE)
    for depth in (1, 10, MAX_DEPTH):
        out = io.BytesIO()
        fastavro.schemaless_writer(out, parsed, _chain(depth))
        assert deserializer.decode(header + out.getvalue()) == _chain(depth)
    out = io.BytesIO()
    fastavro.schemaless_writer(out, parsed, _chain(MAX_DEPTH + 1))
    with pytest.raises(sk.DecodeError) as caught:
        deserializer.decode(header + out.getvalue())
    assert caught.value.reason == DEPTH_REASON


def test_a_tree_through_arrays_and_maps_counts_every_level(registry: sk.Registry) -> None:
    header = _header(registry, "tree", TREE)
    tree: dict[str, Any] = {"label": "leaf", "kids": [], "attrs": {}}
    for i in range(MAX_DEPTH):  # one record + one array level per step
        tree = {"label": str(i), "kids": [tree], "attrs": {"k": None}}
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(TREE), tree)
    with pytest.raises(sk.DecodeError) as caught:
        sk.Deserializer(registry).decode(header + out.getvalue())
    assert caught.value.reason == DEPTH_REASON


def _values(schema: Any) -> st.SearchStrategy[Any]:
    """Valid values of the test schemas, for seeds the mutation starts from."""
    if schema is FLAT:
        return st.fixed_dictionaries(
            {
                "i": st.integers(-(2**31), 2**31 - 1),
                "l": st.integers(-(2**63), 2**63 - 1),
                "s": st.text(max_size=5),
                "e": st.sampled_from(["A", "B", "C"]),
                "d": st.integers(-9999, 9999).map(lambda n: decimal.Decimal(n).scaleb(-2)),
                "f": st.binary(min_size=4, max_size=4),
                "t": st.integers(0, 86_399_999).map(
                    lambda ms: (dt.datetime.min + dt.timedelta(milliseconds=ms)).time()
                ),
                "u": st.one_of(st.none(), st.text(max_size=3), st.integers(-5, 5)),
                "x": st.floats(allow_nan=False),
                "b": st.booleans(),
            }
        )
    item = st.fixed_dictionaries(
        {
            "sku": st.text(max_size=3),
            "qty": st.one_of(st.none(), st.integers(-3, 3)),
            "empty": st.just({}),
        }
    )
    return st.fixed_dictionaries(
        {
            "nulls": st.lists(st.none(), max_size=4),
            "grid": st.lists(st.lists(st.integers(-3, 3), max_size=3), max_size=3),
            "tags": st.dictionaries(st.text(max_size=2), st.text(max_size=2), max_size=3),
            "lines": st.lists(item, max_size=3),
        }
    )


@st.composite
def _records(draw: st.DrawFn, schema: Any) -> bytes:
    """A valid body, then a few random edits: the bytes a faulty producer sends."""
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(schema), draw(_values(schema)))
    body = bytearray(out.getvalue())
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["flip", "cut", "insert"]))
        at = draw(st.integers(0, len(body)))
        if kind == "flip" and at < len(body):
            body[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del body[at:]
        else:
            body[at:at] = draw(st.binary(min_size=1, max_size=10))
    return bytes(body)


@pytest.mark.parametrize("schema", [FLAT, NESTED], ids=["flat", "nested"])
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_single_and_batch_agree_on_value_or_reason(
    registry: sk.Registry, schema: Any, data: st.DataObject
) -> None:
    header = _header(registry, f"agree-{schema['name']}", schema)
    record = header + data.draw(_records(schema))
    try:
        single: Any = sk.Deserializer(registry).decode(record)
        single_reason = None
    except sk.DecodeError as exc:
        single_reason = exc.reason
    try:
        table = sk.decode([record], registry, output="arrow")
        batch_reason = None
    except sk.DecodeError as exc:
        batch_reason = exc.reason
    assert single_reason == batch_reason
    if batch_reason is None:
        for field in table.schema:
            value, (got,) = single[field.name], table.column(field.name).to_pylist()
            if pa.types.is_map(field.type):
                # a Python dict keeps the last of repeated keys, as Java's maps do; Arrow all
                got = dict(got)
            elif not pa.types.is_union(field.type):  # Arrow builds no union from Python
                value = pa.array([value], field.type).to_pylist()[0]
            nans = isinstance(got, float) and isinstance(value, float) and got != got
            assert got == value or (nans and value != value), field.name  # NaN is NaN


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.binary(max_size=200))
def test_arbitrary_bytes_of_recursive_schemas_never_crash(
    registry: sk.Registry, body: bytes
) -> None:
    for name, schema in (("linked-any", NODE), ("tree-any", TREE)):
        record = _header(registry, name, schema) + body
        reason = _reason(lambda: sk.Deserializer(registry).decode(record))  # noqa: B023
        assert reason is None or reason in _reader.DECODE_REASONS.values() or reason == DEPTH_REASON


# -- Serializer.encode: the checks of sk.encode, registration after the first write ---------

TYPED = {
    "type": "record",
    "name": "Typed",
    "fields": [
        {"name": "i", "type": "int"},
        {"name": "l", "type": ["null", "long"]},
        {"name": "s", "type": "string"},
        {"name": "x", "type": "double"},
        {"name": "e", "type": {"type": "enum", "name": "E2", "symbols": ["A", "B"]}},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "m", "type": {"type": "map", "values": "long"}},
        {"name": "u", "type": ["null", "string", "long", "double"]},
    ],
}

# NaN is left out: sk.encode of a DataFrame reads it as missing (pandas' rule), while
# Serializer.encode writes a float NaN as NaN, as confluent-kafka's AvroSerializer does
# (test_nan_is_written_as_nan_as_confluent_does); docs/wire-format.md says so.
_ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=3),
    st.binary(max_size=3),
    st.sampled_from(["A", "B", "C"]),
    st.datetimes(timezones=st.just(dt.UTC)),
    st.datetimes(),
    st.lists(st.text(max_size=2), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(-3, 3), max_size=2),
)
_GOOD = st.fixed_dictionaries(
    {
        "i": st.integers(-(2**31), 2**31 - 1),
        "l": st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)),
        "s": st.text(max_size=4),
        "x": st.floats(allow_nan=False),
        "e": st.sampled_from(["A", "B"]),
        "ts": st.datetimes(timezones=st.just(dt.UTC)),
        "tags": st.lists(st.text(max_size=2), max_size=3),
        "m": st.dictionaries(st.text(max_size=2), st.integers(-(2**63), 2**63 - 1), max_size=2),
        "u": st.one_of(
            st.none(), st.text(max_size=2), st.integers(-5, 5), st.floats(allow_nan=False)
        ),
    }
)


@st.composite
def _typed_records(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly valid records, with a field or two replaced by anything, dropped or added."""
    record = dict(draw(_GOOD))
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["replace", "drop", "add"]))
        name = draw(st.sampled_from(sorted(record) or ["i"]))
        if kind == "replace":
            record[name] = draw(_ANY_VALUE)
        elif kind == "drop":
            record.pop(name, None)
        else:
            record["extra_" + name] = draw(_ANY_VALUE)
    return record


def _batch(registry: sk.Registry, record: dict[str, Any]) -> tuple[bytes | None, str | None]:
    import pandas as pd

    try:
        records = sk.encode(
            pd.DataFrame([record]), "typed-batch", registry=registry, schema=TYPED, progress=False
        )
    except sk.EncodeError as exc:
        return None, str(exc)
    return bytes(records.iloc[0])[5:], None


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(record=_typed_records())
def test_serializer_writes_what_encode_writes_or_refuses_alike(
    registry: sk.Registry, record: dict[str, Any]
) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sk.PerformanceWarning)  # a one-row fallback is fine
        expected, message = _batch(registry, record)
    serializer = sk.Serializer(registry, "typed-single", TYPED)
    try:
        got: bytes | None = serializer.encode(record)[5:]
        got_message = None
    except sk.EncodeError as exc:
        got, got_message = None, str(exc)
    assert (got, got_message) == (expected, message)
    if got is not None:
        value = fastavro.schemaless_reader(io.BytesIO(got), fastavro.parse_schema(TYPED), None)
        assert value["i"] == record["i"]


@pytest.mark.parametrize(
    ("record", "fragment"),
    [
        ({"a": 1.9, "l": 1}, "value 1.9 is not a whole number"),
        ({"a": 2**31, "l": 1}, 'does not fit Avro "int"'),
        ({"a": 1, "l": 2**63}, "does not fit a 64-bit signed Avro long"),
        ({"a": 1, "l": 2, "x": 3}, "column 'x' not in the schema"),
        ({"a": 1}, "missing column 'l'"),
    ],
)
def test_a_record_that_does_not_fit_registers_nothing(
    record: dict[str, Any], fragment: str
) -> None:
    registry = sk.Registry(":memory:")
    schema = {
        "type": "record",
        "name": "R",
        "fields": [{"name": "a", "type": "int"}, {"name": "l", "type": "long"}],
    }
    serializer = sk.Serializer(registry, "r-value", schema)
    with pytest.raises(sk.EncodeError, match=fragment):
        serializer.encode(record)
    assert registry.subjects() == []
    assert serializer.encode({"a": 1, "l": 2}) == b"\x00\x00\x00\x00\x01\x02\x04"
    assert registry.subjects() == ["r-value"]


def test_extra_keys_can_be_ignored_as_in_encode() -> None:
    registry = sk.Registry(":memory:")
    schema = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}
    serializer = sk.Serializer(registry, "r-value", schema, extra="ignore")
    assert serializer.encode({"a": 1, "b": "dropped"})[5:] == b"\x02"


def test_a_deep_recursive_record_is_refused_not_crashed() -> None:
    registry = sk.Registry(":memory:")
    serializer = sk.Serializer(registry, "linked-value", NODE)
    assert sk.Deserializer(registry).decode(serializer.encode(_chain(100))) == _chain(100)
    with pytest.raises(sk.EncodeError):
        serializer.encode(_chain(20_000))


@pytest.mark.parametrize("limit", [1, 7, 64])
def test_the_depth_limit_is_configurable_and_named(registry: sk.Registry, limit: int) -> None:
    header = _header(registry, "linked-limit", NODE)
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(NODE), _chain(limit))
    assert sk.Deserializer(registry, max_depth=limit).decode(header + out.getvalue()) == _chain(
        limit
    )
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(NODE), _chain(limit + 1))
    with pytest.raises(sk.DecodeError, match=f"nested deeper than the limit.*{limit} levels"):
        sk.Deserializer(registry, max_depth=limit).decode(header + out.getvalue())


@pytest.mark.parametrize("bad", [0, -1, True, 1.5])
def test_max_depth_must_be_a_positive_int(registry: sk.Registry, bad: object) -> None:
    with pytest.raises(ValueError, match="max_depth"):
        sk.Deserializer(registry, max_depth=bad)  # type: ignore[arg-type]


def test_nan_is_written_as_nan_as_confluent_does() -> None:
    registry = sk.Registry(":memory:")
    schema = {
        "type": "record",
        "name": "N",
        "fields": [{"name": "x", "type": "double"}, {"name": "u", "type": ["null", "double"]}],
    }
    record = {"x": float("nan"), "u": float("nan")}
    body = sk.Serializer(registry, "nan-value", schema).encode(record)[5:]
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(schema), record)
    assert body == out.getvalue()
